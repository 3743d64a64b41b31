import type { AbandonedRoomsReport } from '../../lib/reports/store';
import { formatReportTable } from '../../lib/workflows/abandoned-rooms';
import { ApiError, apiTarget, getJson } from './api';
import { messageOf } from '../../lib/errors';

/*
 * `npm run report [-- --json]`: the last abandoned-rooms report (GET /reports/abandoned-rooms/latest) as a table,
 * from the local stack or, with DOCSPACE_FLOWS_URL and ADMIN_API_TOKEN, from AWS. `npm run scan` runs a scan first.
 */
const PATH = '/reports/abandoned-rooms/latest';

export interface ReportIo {
  env?: NodeJS.ProcessEnv;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/** Prints the report (or why there is none) and returns the exit code. */
export async function runReport(argv: string[], io: ReportIo = {}): Promise<number> {
  const out = io.out ?? ((text) => process.stdout.write(text));
  const err = io.err ?? ((text) => process.stderr.write(text));
  let baseUrl = '';
  try {
    const target = apiTarget(io.env ?? process.env);
    baseUrl = target.baseUrl;
    const report = await getJson<AbandonedRoomsReport>(target, PATH);
    out(`${argv.includes('--json') ? JSON.stringify(report, null, 2) : formatReportTable(report)}\n`);
    return 0;
  } catch (error) {
    err(`npm run report: ${explain(error, baseUrl)}\n`);
    return 1;
  }
}

function explain(error: unknown, baseUrl: string): string {
  if (error instanceof ApiError && error.status === 404) {
    return (
      `no abandoned-rooms report at ${baseUrl}: no scan has run yet. ` +
      'Locally, `npm run scan` runs one; on AWS the daily schedule does (or invoke the abandonedRoomsScan function).'
    );
  }
  if (error instanceof ApiError && error.status === 401) {
    // The token itself is never printed: this output ends up in terminals, CI logs and tickets.
    return `${baseUrl} refused ADMIN_API_TOKEN (401): the token is wrong for this stack (README "Operations" shows where to read it).`;
  }
  return messageOf(error);
}

if (require.main === module) {
  void runReport(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
