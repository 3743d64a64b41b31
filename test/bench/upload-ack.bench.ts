/*
 * Latency of the DocSpace webhook's ack path (verify the signature on the raw body, de-duplicate on two keys in
 * DynamoDB, send to SQS), against the in-process stack, compared in the same run with:
 *  - verify-only: the same middy chain that only checks the signature and parses the body (the floor);
 *  - seed-inline: the seed's approach, which verifies and then requests the copy from DocSpace inside the
 *    request (here against the local simulator with no network in between, so the real gap is larger).
 *
 *   npm run bench:upload-ack    (BENCH_N=500, BENCH_CONCURRENCY=1, BENCH_PORTAL_LATENCY_MS=50 by default)
 *
 * A plain tsx script, not a vitest test: it prints figures and asserts nothing.
 */
import '../support/setup';
import { createHmac } from 'node:crypto';
import { handler as uploadCopyWebhook } from '../../functions/upload-copy/handler';
import { DEMO } from '@docspace-flows/simulator';
import { config } from '../../lib/config';
import { startFileOperation } from '../../lib/docspace/fileops';
import { verifySha256Signature } from '../../lib/signature';
import { endpoint } from '../../lib/http/endpoint';
import { UnauthorizedError } from '../../lib/http/errors';
import { docspaceClient } from '../../lib/runtime';
import { uploadWebhookSchema } from '../../lib/workflows/upload-copy';
import { startStack } from '../support/stack';

const N = Number(process.env.BENCH_N ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const WARMUP = Math.min(50, Math.ceil(N / 10));
/** A fourth row: the seed's approach with this much latency added to every DocSpace request (0 = skip it). */
const PORTAL_LATENCY_MS = Number(process.env.BENCH_PORTAL_LATENCY_MS ?? 50);
const PATH = '/webhooks/docspace';

const authenticate = (req: { rawBody: Buffer; headers: Record<string, string | undefined> }) => {
  if (!verifySha256Signature(req.rawBody, req.headers['x-docspace-signature-256'], config('uploads').DOCSPACE_WEBHOOK_SECRET)) {
    throw new UnauthorizedError('missing or invalid signature');
  }
};

const verifyOnly = endpoint({ authenticate, body: uploadWebhookSchema }, async () => ({ statusCode: 200, body: { ok: true } }));

const seedInline = endpoint({ authenticate, body: uploadWebhookSchema }, async (req) => {
  const fileId = Number((req.body.payload as { id: number }).id);
  await startFileOperation(docspaceClient(), 'copy', { fileIds: [fileId], destFolderId: DEMO.internalRoomId, conflictResolveType: 'Duplicate' });
  return { statusCode: 200, body: { ok: true } };
});

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

async function main(): Promise<void> {
  const stack = await startStack({
    env: { COPY_RULES: JSON.stringify([{ sourceRoomId: DEMO.sourceRoomId, destFolderId: DEMO.internalRoomId }]) },
    simulator: { fileOpDurationMs: 5 },
  });
  let nextEvent = 1;
  const fileIds = Array.from({ length: 20 }, (_, i) => stack.sim.addFile(DEMO.sourceRoomId, `bench ${i}.pdf`));

  const request = () => {
    const eventId = nextEvent++;
    const body = JSON.stringify({
      event: { id: eventId, createOn: new Date(Date.UTC(2026, 10, 30, 0, 0, eventId)).toISOString().replace('.000', ''), createBy: 'f0000000-0000-0000-0000-000000000001', trigger: 'file.uploaded', triggerId: 256 },
      payload: { id: fileIds[eventId % fileIds.length], parentId: DEMO.sourceRoomId, title: 'bench.pdf', rootFolderType: 14, fileEntryType: 2 },
      webhook: { id: 1, name: 'bench', url: 'https://flows.example.com/webhooks/docspace', triggers: ['file.uploaded'] },
    });
    const signature = `sha256=${createHmac('sha256', stack.secrets.docspace).update(body).digest('hex').toUpperCase()}`;
    return { method: 'POST', path: PATH, headers: { 'content-type': 'application/json; charset=utf-8', 'x-docspace-signature-256': signature }, body };
  };

  async function measure(name: string, handler: typeof uploadCopyWebhook, expected: number[]): Promise<{ name: string; p50: number; p99: number; mean: number }> {
    const samples: number[] = [];
    let done = 0;
    const one = async (record: boolean) => {
      const req = request();
      const started = process.hrtime.bigint();
      const answer = await stack.http(handler, req);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!expected.includes(answer.statusCode)) throw new Error(`${name}: unexpected ${answer.statusCode} ${JSON.stringify(answer.body)}`);
      if (record) samples.push(ms);
    };
    for (let i = 0; i < WARMUP; i++) await one(false);
    const lanes = Array.from({ length: CONCURRENCY }, async () => {
      while (done < N) {
        done++;
        await one(true);
      }
    });
    await Promise.all(lanes);
    samples.sort((a, b) => a - b);
    return { name, p50: percentile(samples, 50), p99: percentile(samples, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
  }

  try {
    const results = [
      await measure('verify-only (floor)', verifyOnly, [200]),
      await measure('ack: verify + dedupe + enqueue', uploadCopyWebhook, [202]),
      await measure('seed-inline: verify + copy request', seedInline, [200]),
    ];
    if (PORTAL_LATENCY_MS > 0) {
      // What the seed's answer time becomes once DocSpace is a network hop away (illustrative, not measured).
      stack.sim.setFaults({ latencyMs: PORTAL_LATENCY_MS });
      results.push(await measure(`seed-inline, portal +${PORTAL_LATENCY_MS} ms`, seedInline, [200]));
      stack.sim.setFaults({ latencyMs: 0 });
    }
    const ours = results[1]!;
    console.log(`\nDocSpace webhook ack path, ${N} requests each (+${WARMUP} warm-up), concurrency ${CONCURRENCY}, in-process stack\n`);
    console.log(`${'path'.padEnd(38)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'mean ms'.padStart(9)}${'p50 vs ack'.padStart(12)}${'p99 vs ack'.padStart(12)}`);
    for (const r of results) {
      console.log(
        `${r.name.padEnd(38)}${r.p50.toFixed(2).padStart(9)}${r.p99.toFixed(2).padStart(9)}${r.mean.toFixed(2).padStart(9)}` +
          `${`${(r.p50 / ours.p50).toFixed(2)}x`.padStart(12)}${`${(r.p99 / ours.p99).toFixed(2)}x`.padStart(12)}`,
      );
    }
    console.log('\n(seed-inline talks to an in-process simulator; against a real portal it adds a network round trip and DocSpace\'s own latency.)');
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
