import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../../infra/cli/report';
import { fakeReadApi } from '../../support/read-api';

const TOKEN = 'report-cli-admin-token-42';
const WRONG = 'report-cli-wrong-token-0123456789';
const report = {
  generatedAt: '2026-11-30T06:00:00.000Z',
  inactivityDays: 10,
  rooms: [
    { id: 1021, title: 'Old pitch', updated: '2026-10-01T09:00:00.000Z', daysInactive: 60, roomType: 2 },
    { id: 1033, title: 'Quiet project', updated: '2026-11-15T09:00:00.000Z', daysInactive: 15, roomType: 6 },
  ],
  archive: { mode: 'dry-run', archived: [1021, 1033], failed: [] },
};

/** Until a scan has run, the read API answers 404 (lib/workflows/read-api). */
let scanned = false;
let api: Awaited<ReturnType<typeof fakeReadApi>>;
let url: string;
beforeAll(async () => {
  api = await fakeReadApi(
    TOKEN,
    (path) => (path === '/reports/abandoned-rooms/latest' && scanned ? report : undefined),
    'no abandoned-rooms scan has run yet',
  );
  url = api.url;
});
afterAll(() => api.close());

async function run(argv: string[], token = TOKEN) {
  let stdout = '';
  let stderr = '';
  const code = await runReport(argv, {
    env: { DOCSPACE_FLOWS_URL: `${url}/`, ADMIN_API_TOKEN: token },
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('npm run report', () => {
  it('prints the latest report as a table, longest inactive first, with the archive outcome', async () => {
    scanned = true;
    const { code, stdout, stderr } = await run([]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Abandoned rooms report, generated 2026-11-30T06:00:00.000Z: 2 rooms inactive for 10 days or more');
    expect(lines[2]).toMatch(/^\s*ID\s+Title\s+Days inactive\s+Last updated\s+Room type$/);
    expect(lines[4]).toMatch(/^1021\s+Old pitch\s+60\s+2026-10-01 09:00 UTC\s+Collaboration$/);
    expect(lines[5]).toMatch(/^1033\s+Quiet project\s+15\s+2026-11-15 09:00 UTC\s+Public$/);
    // A dry run's outcome, as the scan recorded it.
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-3)).toBe('');
    expect(lines.at(-2)).toBe('Dry run: would archive 2 room(s): 1021, 1033');
  });

  it('prints the raw report with --json', async () => {
    scanned = true;
    const { code, stdout } = await run(['--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(report);
  });

  it('says no scan has run yet, and how to run one, when the API answers 404, and exits non-zero', async () => {
    scanned = false;
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`no abandoned-rooms report at ${url}: no scan has run yet`);
    expect(stderr).toContain('npm run scan');
  });

  it('says the token is wrong on a 401, without printing it', async () => {
    scanned = true;
    const { code, stdout, stderr } = await run([], WRONG);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${url} refused ADMIN_API_TOKEN (401): the token is wrong`);
    expect(stderr).not.toContain(WRONG);
    expect(stderr).not.toContain(TOKEN);
  });

  it('exits 1 from the command line when there is no report', async () => {
    scanned = false;
    // The real entry point, as `npm run report` starts it (tsx), with the Node running this test.
    const child = spawn(process.execPath, ['--import', 'tsx', join('infra', 'cli', 'report.ts')], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { ...process.env, DOCSPACE_FLOWS_URL: url, ADMIN_API_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('no scan has run yet');
  });
});
