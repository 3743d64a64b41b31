import type { AbandonedRoomsReport } from '../../lib/reports/store';
import { formatReportTable } from '../../lib/workflows/abandoned-rooms';
import { readStackState } from './stack-state';
import { lambdaEndpointInvoker } from './sqs-poller';
import { messageOf } from '../../lib/errors';

/*
 * `npm run scan`: runs the scheduled abandoned-rooms scan once in the stack `npm start` is running (found through
 * .local-data/stack.json), with the event EventBridge sends it, then prints the report the read API now serves.
 */

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
  const response = await fetch(`${state.httpUrl}/reports/abandoned-rooms/latest`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET /reports/abandoned-rooms/latest answered ${response.status}: ${text.slice(0, 300)}`);
  process.stdout.write(`${formatReportTable(JSON.parse(text) as AbandonedRoomsReport)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm run scan: ${messageOf(error)}\n`);
    process.exit(1);
  });
}
