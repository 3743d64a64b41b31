import { formatReport } from '../local/scan';
import { apiTarget, fail, getJson } from './api';

/*
 * `npm run report [-- --json]`: the last abandoned-rooms report (GET /reports/abandoned-rooms/latest) as a table,
 * from the local stack or, with DOCSPACE_FLOWS_URL and ADMIN_API_TOKEN, from AWS. `npm run scan` runs a scan first.
 */
type Report = Parameters<typeof formatReport>[0];

async function main(argv: string[]): Promise<void> {
  const report = await getJson<Report>(apiTarget(), '/reports/abandoned-rooms/latest');
  process.stdout.write(`${argv.includes('--json') ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
}

if (require.main === module) main(process.argv.slice(2)).catch((error: unknown) => fail('npm run report', error));
