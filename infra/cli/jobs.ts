import type { z } from 'zod';
import type { jobListSchema, jobViewSchema } from '../../lib/http/openapi';
import { apiTarget, fail, getJson, postJson, type ApiTarget } from './api';

/*
 * The operator's terminal view of the jobs, through the read API (locally, or on AWS with DOCSPACE_FLOWS_URL
 * and ADMIN_API_TOKEN):
 *   npm run jobs -- <jobId> [--watch] [--json]          one job: status, progress, result, errors
 *   npm run jobs -- list [--status failed] [--workflow deal-archive] [--since 24h|<ISO>] [--limit N] [--cursor C] [--json]
 *   npm run jobs -- retry <jobId> [--watch]             run a failed job again (POST /jobs/{jobId}/retry)
 * --watch polls every 2 s until the job has succeeded or failed, and exits 1 on failed.
 */
type JobView = z.infer<typeof jobViewSchema>;
type JobList = z.infer<typeof jobListSchema>;

export function formatJob(job: JobView): string {
  const { total, done, failed } = job.progress;
  const out = [
    `${job.jobId}  ${job.workflow}  ${job.status.toUpperCase()}`,
    `  created ${job.createdAt}, updated ${job.updatedAt}`,
    `  progress ${done}/${total} done, ${failed} failed`,
  ];
  if (job.result && Object.keys(job.result).length) out.push(`  result ${JSON.stringify(job.result)}`);
  if (job.errors.length) {
    out.push(`  errors (${job.errors.length}):`);
    for (const e of job.errors.slice(0, 50)) {
      out.push(`    ${e.fileId === undefined ? '' : `file ${e.fileId} `}${e.title ? `"${e.title}" ` : ''}${e.reason}`);
    }
    if (job.errors.length > 50) out.push(`    … ${job.errors.length - 50} more (--json shows all)`);
  }
  return out.join('\n');
}

/** Titles and names are user content: control characters would rewrite the operator's terminal. */
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

const keyText = (key: Record<string, unknown>) =>
  printable(
    Object.entries(key)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
      .join(' '),
  );

/** One line per job, newest first, in columns; the job id last so it can be copied whole. */
export function formatJobList(page: JobList, nextCommand?: string): string {
  if (page.jobs.length === 0) return 'no jobs match';
  const rows = page.jobs.map((j) => [
    j.createdAt.replace('T', ' ').slice(0, 19),
    j.workflow,
    j.status.toUpperCase(),
    `${j.progress.done}/${j.progress.total}${j.progress.failed ? ` (${j.progress.failed} failed)` : ''}`,
    keyText(j.key),
    j.jobId,
  ]);
  const header = ['CREATED (UTC)', 'WORKFLOW', 'STATUS', 'PROGRESS', 'KEY', 'JOB ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(r[i]!.length, i === 4 ? 60 : 200))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 4 && c.length > 60 ? `${c.slice(0, 59)}…` : c))
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ');
  const out = [line(header), ...rows.map(line)];
  if (page.nextCursor) out.push(`more: ${nextCommand ?? `--cursor ${page.nextCursor}`}`);
  return out.join('\n');
}

const RELATIVE = /^(\d+)([mhd])$/;

/** `--since 24h` (or 30m, 7d) means that long before `now`; anything else goes to the API as written. */
export function sinceValue(text: string, now = Date.now()): string {
  const m = RELATIVE.exec(text.trim());
  if (!m) return text;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  return new Date(now - Number(m[1]) * unit).toISOString();
}

const LIST_FLAGS = { '--status': 'status', '--workflow': 'workflow', '--since': 'since', '--limit': 'limit', '--cursor': 'cursor' } as const;

/** The query string of GET /jobs from `list`'s flags; the API itself judges the values (400 naming the one). */
export function listQuery(argv: string[], now = Date.now()): URLSearchParams {
  const query = new URLSearchParams();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') continue;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const name = LIST_FLAGS[flag as keyof typeof LIST_FLAGS];
    if (!name) throw new Error(`unknown option ${flag}; ${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    query.set(name, name === 'since' ? sinceValue(value, now) : value);
  }
  return query;
}

const USAGE =
  'usage: npm run jobs -- <jobId> [--watch] [--json] | list [--status S] [--workflow W] [--since 24h|ISO] [--limit N] [--cursor C] [--json] | retry <jobId> [--watch]';

async function watch(target: ApiTarget, jobId: string, asJson: boolean, out: (text: string) => void): Promise<JobView> {
  let last = '';
  for (;;) {
    const job = await getJson<JobView>(target, `/jobs/${encodeURIComponent(jobId)}`);
    const text = asJson ? JSON.stringify(job, null, 2) : formatJob(job);
    if (text !== last) out(`${text}\n`);
    last = text;
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

export interface JobsIo {
  target?: ApiTarget;
  out?: (text: string) => void;
  now?: number;
}

/** Runs one command and returns its exit code (1 when the job shown has failed); API errors are thrown. */
export async function runJobs(argv: string[], io: JobsIo = {}): Promise<number> {
  const out = io.out ?? ((text: string) => process.stdout.write(text));
  const [command, ...rest] = argv;
  const asJson = argv.includes('--json');
  if (command === 'list') {
    const target = io.target ?? apiTarget();
    const query = listQuery(rest, io.now);
    const page = await getJson<JobList>(target, `/jobs${query.size ? `?${query}` : ''}`);
    const next = new URLSearchParams(query);
    if (page.nextCursor) next.set('cursor', page.nextCursor);
    const nextCommand = `npm run jobs -- list ${[...next].map(([k, v]) => `--${k} ${v}`).join(' ')}`;
    out(`${asJson ? JSON.stringify(page, null, 2) : formatJobList(page, nextCommand)}\n`);
    return 0;
  }
  if (command === 'retry') {
    const jobId = rest.find((a) => !a.startsWith('--'));
    if (!jobId) throw new Error(USAGE);
    const target = io.target ?? apiTarget();
    await postJson<{ jobId: string }>(target, `/jobs/${encodeURIComponent(jobId)}/retry`);
    out(`${jobId}: queued again; \`npm run jobs -- ${jobId} --watch\` follows it\n`);
    if (!rest.includes('--watch')) return 0;
    return (await watch(target, jobId, asJson, out)).status === 'failed' ? 1 : 0;
  }
  const jobId = argv.find((a) => !a.startsWith('--'));
  if (!jobId) throw new Error(USAGE);
  const target = io.target ?? apiTarget();
  const job = argv.includes('--watch')
    ? await watch(target, jobId, asJson, out)
    : await getJson<JobView>(target, `/jobs/${encodeURIComponent(jobId)}`);
  if (!argv.includes('--watch')) out(`${asJson ? JSON.stringify(job, null, 2) : formatJob(job)}\n`);
  return job.status === 'failed' ? 1 : 0;
}

if (require.main === module) {
  runJobs(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => fail('npm run jobs', error),
  );
}
