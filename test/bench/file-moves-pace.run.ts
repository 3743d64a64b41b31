/*
 * Benchmark: the file-move engine at DocSpace's pace (issue 10), against a whole-room baseline measured in the
 * same run on an identical simulator. Started by test/bench/file-moves-pace.ts
 * (`npm run bench:file-moves:nested|flat|huge`), which runs this file under vitest (the engine imports
 * ESM-only packages).
 *
 * Scenarios (`--scenario`):
 *  - nested: 3000 files in 268 nested folders, the deal delivered 5 times at once, 1 % of requests 5xx.
 *  - flat:   a task folder of 10 000 files closed into Completed, 1 % 5xx.
 *  - huge:   100 000 files in 5 000 folders (20 top-level folders of 249 subfolders, 20 files each).
 * All run with DocSpace's limits on (1500 requests a minute in a sliding window, 15 writes and 50 reads in
 * flight; NOTES 2.4) unless `--limits-off` (then the wall time at 1500 requests a minute is worked out from the
 * request count and printed too). huge takes about 15 minutes with them on.
 *
 * The engine runs as the worker does on AWS: fileMovesWorker's processes (maximumConcurrency in serverless.yml),
 * each with its own DocSpace client (its ceilings from infra/per-function.js, 8 attempts in 30 s), batchSize
 * messages each at a time, each message to the least busy process, DynamoDB in dynalite in a process of its own
 * (on AWS its work is not the Lambda's CPU). The nested scenario runs baseline and engine five times, alternately,
 * and compares their median wall times. A step that fails goes back to the queue and returns after
 * REDELIVERY_S seconds, as the worker's ChangeMessageVisibility brings it back (lib/queue/redelivery.ts); how
 * many did is printed.
 *
 * The baseline: list the room's tree, move the room's top-level entries into the archive folder in one
 * operation, wait for it, list the archive's tree and check every file is there. It is the least a correct
 * archive can cost; it gives no per-file account, no resume and no guest rule.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { withDeadline } from '../../lib/deadline';
import { DocSpaceClient } from '../../lib/docspace/client';
import { runFileOperation } from '../../lib/docspace/fileops';
import { createFolder, listTree } from '../../lib/docspace/folders';
import { ChunkStore } from '../../lib/jobs/chunks';
import { Leases } from '../../lib/jobs/lease';
import { JobStore } from '../../lib/jobs/store';
import type { OutboundMessage, Queue } from '../../lib/queue/send';
import { acceptFileMove, docspaceFileMoves, fileMoveMessageSchema, handleFileMoveMessage, type FileMoveDeps, type FileMoveInput } from '../../lib/workflows/file-moves';
import { loadServiceModel } from '../../infra/local/cfn';
import { DocSpaceSimulator, type Faults } from '@docspace-flows/simulator';
import { startTable } from '../support/dynamo';
import { buildNestedRoom, filesUnder, pathOf } from './file-moves-room';

const args: string[] = JSON.parse(process.env.FILE_MOVES_BENCH_ARGS ?? '[]');
const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const SCENARIO = arg('--scenario', 'nested') as 'nested' | 'flat' | 'huge';
const SEED = Number(arg('--seed', '7'));
const REDELIVERY_S = Number(arg('--redelivery', '5'));
/** Baseline and engine are run this many times, alternately, and their median wall times compared: one run of
 *  either on a shared 2-core machine varies by a third. */
const ROUNDS = Number(arg('--rounds', SCENARIO === 'nested' ? '5' : '1'));
const FILE_OP_MS = 200;
/** As deployed: fileMovesWorker's processes and batch from serverless.yml, its DocSpace ceilings from
 *  infra/per-function.js (`--batch N` tries another batch size). */
const WORKER = loadServiceModel({ stage: 'dev' }).sqsMappings.find((m) => m.functionKey === 'fileMovesWorker')!;
const PROCESSES = WORKER.maximumConcurrency ?? 1;
/** A step's deadline as fileMovesWorker sets it: its 120 s timeout less the worker's 10 s margin. */
const WORKER_DEADLINE_MS = (WORKER.timeout - 10) * 1000;
const BATCH = Number(arg('--batch', String(WORKER.batchSize)));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const CEILINGS = (require('../../infra/per-function.js') as { FUNCTIONS: Record<string, { docspace: { writes: number; reads: number } }> }).FUNCTIONS
  .fileMovesWorker!.docspace;
const LIMITS_ON = !args.includes('--limits-off');
const LATENCY_MS = Number(arg('--latency', '25'));
const FAULTS: Partial<Faults> = { enforceUserLimits: LIMITS_ON, rate5xx: SCENARIO === 'huge' ? 0 : 0.01, latencyMs: LATENCY_MS };

interface Room {
  sourceId: number;
  fileIds: number[];
  pathOfFile: Map<number, string>;
  destParentId: number;
  /** A deal's archive is a named child of the archive root; a task's destination is Completed itself. */
  named: boolean;
}

function buildRoom(sim: DocSpaceSimulator): Room {
  const operations = sim.addRoom({ title: 'Operations' });
  if (SCENARIO === 'flat') {
    const tasks = sim.addRoom({ title: 'Tasks' });
    const folder = sim.addFolder(tasks, 'TASK-10000');
    const fileIds: number[] = [];
    const pathOfFile = new Map<number, string>();
    for (let i = 0; i < 10_000; i++) {
      const id = sim.addFile(folder, `scan-${i}.pdf`);
      fileIds.push(id);
      pathOfFile.set(id, '');
    }
    return { sourceId: folder, fileIds, pathOfFile, destParentId: sim.addFolder(operations, 'Completed'), named: false };
  }
  const archiveRoot = sim.addFolder(operations, 'Archive');
  if (SCENARIO === 'nested') {
    // 6 + 36 + 216 = 258 folders three levels deep (titles repeat among siblings, as people name folders), and
    // 10 project folders at the top: 268 folders, 3000 files.
    const room = buildNestedRoom(sim, { title: 'Client room', files: 2_800, depth: 3, width: 6 });
    for (let p = 1; p <= 10; p++) {
      const folder = sim.addFolder(room.roomId, `Project ${p}`);
      for (let i = 0; i < 20; i++) {
        const id = sim.addFile(folder, `plan-${i}.docx`);
        room.fileIds.push(id);
        room.pathOfFile.set(id, `Project ${p}`);
      }
    }
    return { sourceId: room.roomId, fileIds: room.fileIds, pathOfFile: room.pathOfFile, destParentId: archiveRoot, named: true };
  }
  const roomId = sim.addRoom({ title: 'Client room' });
  const fileIds: number[] = [];
  const pathOfFile = new Map<number, string>();
  for (let t = 0; t < 20; t++) {
    const top = sim.addFolder(roomId, `Year ${2000 + t}`);
    for (let f = 0; f < 250; f++) {
      const folder = f === 0 ? top : sim.addFolder(top, `Case ${f}`);
      for (let i = 0; i < 20; i++) {
        const id = sim.addFile(folder, `document-${i}.docx`);
        fileIds.push(id);
        pathOfFile.set(id, f === 0 ? `Year ${2000 + t}` : `Year ${2000 + t}/Case ${f}`);
      }
    }
  }
  return { sourceId: roomId, fileIds, pathOfFile, destParentId: archiveRoot, named: true };
}

/** `--profile`: per step kind, the time its DocSpace requests and its DynamoDB calls took (summed, so overlapping). */
const PROFILE = args.includes('--profile');
const stepKind = new AsyncLocalStorage<string>();
const profile = new Map<string, { docspace: number; docspaceN: number; ddb: number; ddbN: number }>();
async function timed<T>(what: 'docspace' | 'ddb', work: () => Promise<T>): Promise<T> {
  const kind = stepKind.getStore();
  if (!PROFILE || !kind) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    const p = profile.get(kind) ?? { docspace: 0, docspaceN: 0, ddb: 0, ddbN: 0 };
    p[what] += performance.now() - started;
    p[`${what}N`] += 1;
    profile.set(kind, p);
  }
}
const newClient = (sim: DocSpaceSimulator) =>
  new DocSpaceClient({
    baseUrl: 'http://docspace.bench',
    apiKey: sim.apiKey,
    fetch: ((input: string | URL | Request, init?: RequestInit) => timed('docspace', () => sim.fetch(input, init))) as typeof fetch,
    concurrency: CEILINGS,
  });
/** The baseline is one long script, not steps a queue can retry: its client waits out the 1500/min window. */
const patientClient = (sim: DocSpaceSimulator) =>
  new DocSpaceClient({ baseUrl: 'http://docspace.bench', apiKey: sim.apiKey, fetch: sim.fetch, retry: { maxAttempts: 200, budgetMs: 900_000, readMaxAttempts: 200, readBudgetMs: 900_000 } });

function faultCounts(sim: DocSpaceSimulator) {
  const log = sim.requestLog();
  const kinds: Record<string, number> = {};
  for (const r of log) {
    const path = r.path.split('?')[0]!;
    const kind =
      r.method === 'GET' && /\/files\/\d+$/.test(path) ? 'listings'
      : r.method === 'GET' && /\/files\/file\/\d+$/.test(path) ? 'file lookups'
      : r.method === 'GET' && path.endsWith('/files/fileops') ? 'operation polls'
      : r.method === 'PUT' && path.endsWith('/fileops/move') ? 'moves'
      : r.method === 'POST' && /\/files\/folder\/\d+$/.test(path) ? 'folder creations'
      : `${r.method} other`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return {
    r429: log.filter((r) => r.status === 429).length,
    r5xx: log.filter((r) => r.status >= 500).length,
    breakdown: Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', '),
  };
}

interface Figures {
  wallMs: number;
  /** Every round's wall time, when there were several; `wallMs` is then their median. */
  walls?: number[];
  calls: number;
  r429: number;
  r5xx: number;
  breakdown: string;
  placed: number;
  note: string;
  redeliveries?: number;
  givenUp?: number;
  longestInvocationMs?: number;
  largestItemBytes?: number;
  largestJobItemBytes?: number;
}

function placedCorrectly(sim: DocSpaceSimulator, room: Room, destId: number | undefined): number {
  if (destId === undefined) return 0;
  let placed = 0;
  const files = new Map(filesUnder(sim, destId).map((f) => [f.id, f]));
  for (const id of room.fileIds) {
    const f = files.get(id);
    if (f && pathOf(sim, f.folderId, destId) === room.pathOfFile.get(id)) placed += 1;
  }
  return placed;
}

async function runBaseline(): Promise<Figures> {
  const sim = new DocSpaceSimulator({ seed: SEED, fileOpDurationMs: FILE_OP_MS });
  try {
    const room = buildRoom(sim);
    sim.setFaults(FAULTS);
    const client = patientClient(sim);
    const started = performance.now();
    const before = await listTree(client, room.sourceId);
    const destId = room.named ? (await createFolder(client, room.destParentId, 'Contoso')).id : room.destParentId;
    const tops = before.folders.filter((f) => f.parentId === room.sourceId).map((f) => f.id);
    const rootFiles = before.files.filter((f) => f.folderId === room.sourceId).map((f) => f.id);
    // One operation for the folders and one per 1000 root files (a single PUT naming 10 000 ids is not what
    // anyone sends; DocSpace takes the list, but one operation per thousand keeps the body reasonable).
    for (let i = 0; i < Math.max(rootFiles.length, 1); i += 1000) {
      await runFileOperation(
        client,
        'move',
        { fileIds: rootFiles.slice(i, i + 1000), folderIds: i === 0 ? tops : [], destFolderId: destId, conflictResolveType: 'Duplicate' },
        { timeoutMs: 120_000 },
      );
    }
    const after = await listTree(client, destId);
    const arrived = new Set(after.files.map((f) => f.id));
    const missing = before.files.filter((f) => !arrived.has(f.id)).length;
    const wallMs = performance.now() - started;
    return {
      wallMs,
      calls: sim.stats.requests,
      ...faultCounts(sim),
      placed: placedCorrectly(sim, room, destId),
      note: `${before.files.length} listed, ${missing} missing after the move`,
    };
  } finally {
    await sim.close();
  }
}

/** SQS as the worker meets it: batches per process, a failed step back after REDELIVERY_S, DLQ after 5 receives. */
class BenchQueue implements Queue {
  pending: Array<{ id: string; body: unknown; receiveCount: number; notBefore: number }> = [];
  dlq: unknown[] = [];
  redeliveries = 0;
  givenUp = 0;
  longestMs = 0;
  /** Per step kind: how many invocations and their total time, to see where the time goes. */
  byKind = new Map<string, { n: number; ms: number; max: number }>();
  firstStart = 0;
  /** `--profile`: every invocation's kind, process, start and end (ms from the first). */
  timeline: Array<{ kind: string; p: number; from: number; to: number; note: string }> = [];
  private seq = 0;

  async send(messages: OutboundMessage[]): Promise<void> {
    for (const m of messages) {
      this.pending.push({ id: `m${++this.seq}`, body: JSON.parse(JSON.stringify(m.body)), receiveCount: 0, notBefore: Date.now() + (m.delaySeconds ?? 0) * 1000 });
    }
  }

  async drain(depsFor: (process: number) => FileMoveDeps, until: () => Promise<boolean>): Promise<void> {
    const busy = new Array<number>(PROCESSES).fill(0);
    const active = new Set<Promise<void>>();
    for (;;) {
      for (;;) {
        // The least busy process takes the next message (Lambda polls SQS over several long-polling connections,
        // so a burst of messages spreads over the invocations rather than filling one batch first).
        const p = busy.indexOf(Math.min(...busy));
        if (busy[p]! >= BATCH) break;
        {
          const i = this.pending.findIndex((m) => m.notBefore <= Date.now());
          if (i < 0) break;
          const message = this.pending.splice(i, 1)[0]!;
          message.receiveCount += 1;
          busy[p]! += 1;
          const started = performance.now();
          // The worker's deadline (lib/queue/worker.ts): the Lambda's 120 s less its 10 s margin.
          const job: Promise<void> = stepKind.run((message.body as { kind: string }).kind, () =>
            withDeadline(Date.now() + WORKER_DEADLINE_MS, () =>
              handleFileMoveMessage(depsFor(p), fileMoveMessageSchema.parse(message.body), {
                messageId: message.id,
                receiveCount: message.receiveCount,
              }),
            ),
          )
            .catch(() => {
              this.redeliveries += 1;
              if (message.receiveCount >= 5) this.dlq.push(message.body);
              else this.pending.push({ ...message, notBefore: Date.now() + REDELIVERY_S * 1000 });
            })
            .finally(() => {
              const ms = performance.now() - started;
              this.firstStart ||= started;
              const b = message.body as { kind: string; sourceFolderId?: number; folders?: unknown[]; index?: number; sweep?: unknown };
              this.timeline.push({
                kind: b.kind,
                p,
                from: started,
                to: started + ms,
                note: `${b.sourceFolderId ?? ''}${b.folders ? `x${b.folders.length}` : ''}${b.index !== undefined ? `.${b.index}` : ''}`,
              });
              this.longestMs = Math.max(this.longestMs, ms);
              const kind = (message.body as { kind: string }).kind;
              const k = this.byKind.get(kind) ?? { n: 0, ms: 0, max: 0 };
              this.byKind.set(kind, { n: k.n + 1, ms: k.ms + ms, max: Math.max(k.max, ms) });
              busy[p]! -= 1;
              active.delete(job);
            });
          active.add(job);
        }
      }
      if (active.size === 0 && this.pending.length === 0) return;
      if (active.size === 0 && (await until())) return;
      await Promise.race([...active, new Promise((r) => setTimeout(r, 20))]);
    }
  }
}

async function runEngine(): Promise<Figures> {
  const table = await startTable({ ownProcess: true });
  if (PROFILE) {
    const send = table.ddb.send.bind(table.ddb) as (...a: unknown[]) => Promise<unknown>;
    (table.ddb as unknown as { send: (...a: unknown[]) => Promise<unknown> }).send = (...a: unknown[]) => timed('ddb', () => send(...a));
  }
  const sim = new DocSpaceSimulator({ seed: SEED, fileOpDurationMs: FILE_OP_MS });
  try {
    const room = buildRoom(sim);
    sim.setFaults(FAULTS);
    const queue = new BenchQueue();
    const counters = { count() {} };
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    const clients = Array.from({ length: PROCESSES }, () => newClient(sim));
    const depsFor = (p: number): FileMoveDeps => ({
      docspace: docspaceFileMoves(clients[p]!),
      store: new JobStore(table.ddb, table.table),
      chunks: new ChunkStore(table.ddb, table.table),
      leases: new Leases(table.ddb, table.table),
      queue,
      log,
      counters,
    });
    const input: FileMoveInput = room.named
      ? { sourceFolderId: room.sourceId, destination: { kind: 'named-child', parentId: room.destParentId, title: 'Contoso' }, resultKey: 'archiveFolderId' }
      : { sourceFolderId: room.sourceId, destination: { kind: 'folder', folderId: room.destParentId }, resultKey: 'completedFolderId' };
    const workflow = room.named ? 'deal-archive' : 'task-complete';
    const deliveries = SCENARIO === 'nested' ? 5 : 1;

    const started = performance.now();
    const cpu = process.cpuUsage();
    const accepted = await Promise.all(Array.from({ length: deliveries }, () => acceptFileMove(depsFor(0), workflow, 'bench-1', input)));
    const store = new JobStore(table.ddb, table.table);
    await queue.drain(depsFor, async () => {
      const job = await store.get(accepted[0]!.jobId);
      return job?.status === 'succeeded' || job?.status === 'failed';
    });
    const wallMs = performance.now() - started;
    const cpuUsed = process.cpuUsage(cpu);
    if (PROFILE) console.error(`engine CPU ${((cpuUsed.user + cpuUsed.system) / 1000).toFixed(0)} ms in ${wallMs.toFixed(0)} ms`);
    if (PROFILE) {
      const t0 = started;
      console.error(
        queue.timeline
          .sort((a, b) => a.from - b.from)
          .map((t) => `${(t.from - t0).toFixed(0).padStart(6)} ${(t.to - t0).toFixed(0).padStart(6)} p${t.p} ${t.kind} ${t.note}`)
          .join('\n'),
      );
    }

    const view = await store.view(accepted[0]!.jobId);
    const destId = (view?.result.archiveFolderId ?? view?.result.completedFolderId) as number | undefined;
    const items = (await table.ddb.send(new ScanCommand({ TableName: table.table }))).Items ?? [];
    const size = (item: Record<string, unknown>) =>
      Buffer.byteLength(JSON.stringify(item, (_k, v: unknown) => (v instanceof Set ? [...v] : v)));
    return {
      wallMs,
      calls: sim.stats.requests,
      ...faultCounts(sim),
      placed: placedCorrectly(sim, room, destId),
      note:
        `job ${view?.status}, ${view?.progress.done}/${view?.progress.total} moved, ${view?.errors.length} error(s), ` +
        `${new Set(accepted.map((a) => a.jobId)).size} job(s) for ${deliveries} deliveries, DLQ ${queue.dlq.length}; steps: ` +
        [...queue.byKind].map(([k, v]) => `${v.n} ${k} (avg ${(v.ms / v.n / 1000).toFixed(2)} s, max ${(v.max / 1000).toFixed(1)} s)`).join(', '),
      redeliveries: queue.redeliveries,
      longestInvocationMs: queue.longestMs,
      largestItemBytes: Math.max(...items.map(size)),
      largestJobItemBytes: Math.max(...items.filter((i) => String(i.pk).startsWith('JOB#')).map(size)),
    };
  } finally {
    await sim.close();
    await table.close();
  }
}

function report(base: Figures, engine: Figures, files: number): string {
  const ratio = (a: number, b: number) => (b === 0 ? '' : `${(a / b).toFixed(2)}×`);
  const rows: Array<[string, string, string, string]> = [
    [`files placed correctly (of ${files})`, String(base.placed), String(engine.placed), ''],
    ['DocSpace requests', String(base.calls), String(engine.calls), ratio(engine.calls, base.calls)],
    ['requests per file', (base.calls / files).toFixed(3), (engine.calls / files).toFixed(3), ''],
    ['answers 429', String(base.r429), String(engine.r429), ''],
    ['answers 5xx', String(base.r5xx), String(engine.r5xx), ''],
    [
      ROUNDS > 1 ? `wall time (s, median of ${ROUNDS} rounds)` : 'wall time (s)',
      (base.wallMs / 1000).toFixed(1),
      (engine.wallMs / 1000).toFixed(1),
      ratio(engine.wallMs, base.wallMs),
    ],
    ['steps handed back to the queue', '', String(engine.redeliveries), ''],
    ['longest invocation (s)', '', ((engine.longestInvocationMs ?? 0) / 1000).toFixed(1), ''],
    ['largest DynamoDB item (bytes)', '', String(engine.largestItemBytes), ''],
    ['largest job item (bytes)', '', String(engine.largestJobItemBytes), ''],
  ];
  if (!LIMITS_ON) {
    rows.push(['wall time at 1500 requests/min (s, ≥)', (base.calls / 25).toFixed(0), (engine.calls / 25).toFixed(0), ratio(engine.calls, base.calls)]);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['', 'baseline', 'engine', 'engine/baseline'], ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  const seconds = (walls: number[] | undefined) => (walls ?? []).map((ms) => (ms / 1000).toFixed(2)).join(', ');
  return [
    line(['', 'baseline', 'engine', 'engine/baseline']),
    ...rows.map(line),
    '',
    ...(ROUNDS > 1 ? [`wall times (s): baseline ${seconds(base.walls)}; engine ${seconds(engine.walls)}`] : []),
    `baseline: ${base.note}; requests: ${base.breakdown}`,
    `engine:   ${engine.note}; requests: ${engine.breakdown}`,
    ...(PROFILE
      ? [
          'profile (summed over a kind\'s steps): ' +
            [...profile]
              .map(([k, p]) => `${k}: DocSpace ${p.docspaceN} requests ${(p.docspace / 1000).toFixed(1)} s, DynamoDB ${p.ddbN} calls ${(p.ddb / 1000).toFixed(1)} s`)
              .join('; '),
        ]
      : []),
  ].join('\n');
}

it(`runs the ${SCENARIO} scenario and its whole-room baseline`, async () => {
  const header =
    `Scenario ${SCENARIO}, seed ${SEED}: DocSpace limits ${LIMITS_ON ? 'ON (1500/min, 15 writes, 50 reads)' : 'off'}, ` +
    `${((FAULTS.rate5xx ?? 0) * 100).toFixed(0)} % 5xx, ${LATENCY_MS} ms per request, fileops take ${FILE_OP_MS} ms; engine: ${PROCESSES} processes × ${BATCH} messages, ` +
    `a failed step returns after ${REDELIVERY_S} s.`;
  const bases: Figures[] = [];
  const engines: Figures[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bases.push(await runBaseline());
    engines.push(await runEngine());
  }
  const median = (runs: Figures[]): Figures => {
    const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
    return { ...sorted[Math.floor(sorted.length / 2)]!, walls: runs.map((r) => r.wallMs) };
  };
  const base = median(bases);
  const engine = median(engines);
  const files = base.note.startsWith('') ? Number(base.note.split(' ')[0]) : 0;
  const text = `${header}\n\n${report(base, engine, files)}\n`;
  if (process.env.FILE_MOVES_BENCH_OUT) writeFileSync(process.env.FILE_MOVES_BENCH_OUT, text);
  else console.log(text);
  for (const e of engines) expect(e.placed).toBe(files);
}, 3_600_000);
