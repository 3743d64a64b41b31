import { abandonedRoomsReportSchema } from '../../lib/http/openapi';
import { getJson } from '../cli/api';
import { readStackState } from './stack-state';
import { lambdaEndpointInvoker } from './sqs-poller';

/*
 * `npm run scan`: runs the scheduled abandoned-rooms scan once in the stack `npm start` is running (found through
 * .local-data/stack.json), with the event EventBridge sends it, then prints the report the read API now serves.
 */

interface ReportRoom {
  id: number;
  title: string;
  updated: string;
  daysInactive: number;
  roomType?: number;
}

interface Report {
  generatedAt: string;
  inactivityDays: number;
  rooms: ReportRoom[];
  archive?: { mode: string; archived: number[]; failed: { id: number; reason: string }[] };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 || i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function formatReport(report: Report): string {
  const out = [
    `Abandoned rooms: ${report.rooms.length} (inactive for at least ${report.inactivityDays} days), generated ${report.generatedAt}`,
  ];
  if (report.rooms.length) {
    const rooms = [...report.rooms].sort((a, b) => b.daysInactive - a.daysInactive || a.id - b.id);
    out.push(
      '',
      table([
        ['id', 'title', 'last update', 'days', 'type'],
        ...rooms.map((r) => [String(r.id), r.title, r.updated, String(r.daysInactive), r.roomType === undefined ? '' : String(r.roomType)]),
      ]),
    );
  }
  if (report.archive) {
    out.push('', `archive (${report.archive.mode}): ${report.archive.archived.length} archived, ${report.archive.failed.length} failed`);
    for (const f of report.archive.failed) out.push(`  room ${f.id}: ${f.reason}`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const state = readStackState();
  const invoke = lambdaEndpointInvoker({ endpoint: state.lambdaUrl, service: state.service, stage: state.stage });
  const started = Date.now();
  try {
    // The scheduled rule's constant input (serverless.yml: input: { source: aws.events }).
    await invoke('abandonedRoomsScan', { source: 'aws.events' });
  } catch (error) {
    if (error instanceof TypeError) throw new Error(`The local stack at ${state.lambdaUrl} does not answer; is \`npm start\` still running?`);
    throw error;
  }
  process.stderr.write(`scan finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const token = process.env.ADMIN_API_TOKEN || state.adminToken;
  if (!token) throw new Error('ADMIN_API_TOKEN is not set; run `npm run scan` with the environment `npm start` had');
  const report: Report = await getJson({ baseUrl: state.httpUrl, token }, '/reports/abandoned-rooms/latest', {
    schema: abandonedRoomsReportSchema,
    what: 'an abandoned-rooms report',
  });
  process.stdout.write(`${formatReport(report)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm run scan: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
