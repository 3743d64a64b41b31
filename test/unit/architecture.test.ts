import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The layers of README "Architecture", checked on the source itself so that a shortcut shows up in review as a
 * red test rather than months later as a tangle: the domain (lib/workflows and what it builds on) knows nothing of
 * HTTP, Lambda or the process environment; handlers and lib/http sit on top of it, never the other way round.
 */
const ROOT = join(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const imports = (file: string) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);

const DOMAIN = ['lib/workflows', 'lib/docspace', 'lib/jobs', 'lib/reports', 'lib/callback'];

describe('the layers', () => {
  it('keeps the domain free of HTTP, Lambda types and process.env', () => {
    const offences: string[] = [];
    for (const file of DOMAIN.flatMap(sources)) {
      for (const spec of imports(file)) {
        if (/(^|\/)http\//.test(spec) || spec === 'aws-lambda' || spec.startsWith('@middy/')) offences.push(`${file} imports ${spec}`);
      }
      if (/process\.env/.test(readFileSync(join(ROOT, file), 'utf8'))) offences.push(`${file} reads process.env`);
    }
    expect(offences).toEqual([]);
  });

  it('keeps every DocSpace endpoint in lib/docspace: workflow code calls its functions, never client.request', () => {
    const offences = sources('lib/workflows').filter((file) => /\.request\(\s*'(GET|POST|PUT|DELETE)'/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offences).toEqual([]);
  });

  it("reaches DocSpace from each workflow through its port: only a workflow's *-port.ts imports lib/docspace's calls", () => {
    // Value imports of the modules whose functions take the client; types, errors, schemas and paging constants
    // are free to use (the ports speak in lib/docspace's types).
    const calls = /(^|\/)docspace\/(client|folders|fileops|files|rooms|people)$/;
    const offences = sources('lib/workflows')
      .filter((file) => !/-port\.ts$/.test(file))
      .flatMap((file) =>
        [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)]
          .filter((m) => !m[2] && calls.test(m[3]!))
          .map((m) => `${file} imports ${m[3]}`),
      );
    expect(offences).toEqual([]);
  });

  it('lets the DocSpace client know nothing of the workflows or the job store', () => {
    const offences = sources('lib/docspace').flatMap((file) =>
      imports(file)
        .filter((spec) => /(^|\/)(workflows|jobs)\//.test(spec))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it('keeps handlers thin: a function imports only lib/, never another function', () => {
    const offences = sources('functions').flatMap((file) =>
      imports(file)
        .filter((spec) => spec.startsWith('.') && !spec.startsWith('../../lib/') && !spec.startsWith('./'))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it('keeps the DocSpace simulator a package apart: the product never imports it, and it imports only Node', () => {
    const offences = [
      ...['functions', 'lib'].flatMap(sources).flatMap((file) =>
        imports(file)
          .filter((spec) => /simulator/.test(spec))
          .map((spec) => `${file} imports ${spec}`),
      ),
      ...sources('infra/simulator/src').flatMap((file) =>
        imports(file)
          .filter((spec) => !spec.startsWith('./') && !spec.startsWith('../') && !spec.startsWith('node:'))
          .map((spec) => `${file} imports ${spec}`),
      ),
      ...sources('infra/simulator/src').flatMap((file) =>
        imports(file)
          .filter((spec) => spec.startsWith('.') && !join(file, '..', spec).startsWith('infra/simulator/src'))
          .map((spec) => `${file} imports ${spec}`),
      ),
    ];
    expect(offences).toEqual([]);
  });

  it('writes the job item from one module: no other source builds its key or reads it raw', () => {
    const OWNER = ['lib/jobs/store.ts', 'lib/jobs/job.ts'];
    const offences = ['lib', 'functions']
      .flatMap(sources)
      .filter((file) => !OWNER.includes(file))
      .flatMap((file) => {
        const text = readFileSync(join(ROOT, file), 'utf8');
        return [
          // The job item's key (pk JOB#<id>, sk JOB) can only be spelled with these.
          /\bjobKey\b/.test(text) && `${file} uses jobKey`,
          /JOB#/.test(text) && `${file} spells the JOB# key`,
          /sk:\s*'JOB'/.test(text) && `${file} spells the job item's sort key`,
          // A job item becomes a Job only through the parse that checks its state and result.
          /\b(toJob|parseJobItem)\b/.test(text) && `${file} turns a raw item into a job`,
        ].filter((o): o is string => typeof o === 'string');
      });
    expect(offences).toEqual([]);
  });

  it('reads a job\'s state and result through typed accessors, never through a cast', () => {
    const offences = ['lib', 'functions']
      .flatMap(sources)
      .filter((file) => /\.(state|result)\)?\s+as\s/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offences).toEqual([]);
  });
});
