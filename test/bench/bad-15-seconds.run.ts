/*
 * Benchmark "a bad 15 seconds", started by test/bench/bad-15-seconds.ts (`npm run bench:bad-15-seconds`), which runs
 * this file under vitest twice: once in this tree, once in a checkout of the commit before the resilience work
 * (the baseline, "today's behaviour"), each writing its figures as JSON to BAD15_OUT.
 *
 * The whole bundle in-process (test/support/stack.ts: the real handlers, DynamoDB and SQS emulators, the pollers),
 * the queues with their real 720 s visibility timeout, the simulator with DocSpace's limits ON (1500 requests a
 * minute, 15 writes and 50 reads in flight) and 1 % 5xx. A task of 150 files closes; from that moment DocSpace
 * has a bad 15 seconds:
 *    0 -  5 s  every answer a proxy error page (502/503/504, HTML body)
 *    5 -  8 s  a 429 storm, no Retry-After
 *   10 - 13 s  another 429 storm
 *   13 s       one request hangs for 30 s
 *   15 s       back to normal (limits and 1 % 5xx stay on)
 * Measured: when the job ends (from the end of the trouble), its status, and whether every file is in the
 * Completed folder exactly once. The baseline gets BAD15_PATIENCE_S after the trouble (default 150 s) and is
 * reported as not finished if it needs more.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { DEMO } from '@docspace-flows/simulator';
import { startStack } from '../support/stack';

// The baseline commit (bad-15-seconds.ts) predates the workflows' one name each: its handler is functions/task-closed/.
const handlerPath = existsSync(join(__dirname, '../../functions/task-complete/handler.ts'))
  ? '../../functions/task-complete/handler'
  : '../../functions/task-closed/handler';
const { handler: taskCompleteWebhook } = (await import(handlerPath)) as typeof import('../../functions/task-complete/handler');

const FILES = 150;
const PATIENCE_S = Number(process.env.BAD15_PATIENCE_S ?? 150);
// setFaults merges, so the normal state names every fault the trouble turns on.
const BASE_FAULTS = { enforceUserLimits: true, rate5xx: 0.01, rate429: 0, hangRate: 0, hangMs: 0, hangBeforeHandling: false };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a task of 150 files through a bad 15 seconds', async () => {
  const s = await startStack({
    visibilityTimeoutSeconds: 720,
    simulator: { fileOpDurationMs: 50, seed: 15, faults: BASE_FAULTS },
  });
  try {
    const source = s.sim.addFolder(s.sim.addRoom({ title: 'Tasks (bench)' }), 'T-15 Bad day');
    const fileIds = Array.from({ length: FILES }, (_, i) => s.sim.addFile(source, `Report part ${i}.docx`));
    const before = s.sim.stats.requests;
    s.startPollers();

    const body = JSON.stringify({ taskId: 'T-15', status: 'closed', docsFolderId: source });
    const t0 = Date.now();
    const answer = await s.http(taskCompleteWebhook, { method: 'POST', path: '/webhooks/tasks', body, headers: s.signedHeaders(s.secrets.tasks, body) });
    expect(answer.statusCode).toBe(202);
    const jobId = (answer.body as { jobId: string }).jobId;

    // The trouble, on a timeline from the webhook.
    const at = async (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
    s.sim.setFaults({ ...BASE_FAULTS, rate5xx: 1 });
    await at(5_000);
    s.sim.setFaults({ ...BASE_FAULTS, rate429: 1 });
    await at(8_000);
    s.sim.setFaults({ ...BASE_FAULTS });
    await at(10_000);
    s.sim.setFaults({ ...BASE_FAULTS, rate429: 1 });
    await at(13_000);
    s.sim.setFaults({ ...BASE_FAULTS, hangRate: 1, hangMs: 30_000, hangBeforeHandling: true });
    const seen = s.sim.stats.requests;
    while (s.sim.stats.requests === seen && Date.now() < t0 + 15_000) await sleep(1);
    s.sim.setFaults({ ...BASE_FAULTS });
    await at(15_000);
    const troubleEnd = Date.now();

    let job: { status: string; progress?: Record<string, number> } = { status: 'unknown' };
    while (Date.now() < troubleEnd + PATIENCE_S * 1000) {
      const got = await s.http(jobsApi, { method: 'GET', path: `/jobs/${jobId}`, headers: { authorization: `Bearer ${s.secrets.admin}` } });
      job = got.body as typeof job;
      if (job.status === 'succeeded' || job.status === 'failed') break;
      await sleep(250);
    }
    const ended = job.status === 'succeeded' || job.status === 'failed';
    const afterTroubleS = (Date.now() - troubleEnd) / 1000;

    const state = s.sim.state;
    const under = (folderId: number, ancestor: number): boolean => {
      for (let f = state.folders.get(folderId); f; f = f.parentId === 0 ? undefined : state.folders.get(f.parentId)) {
        if (f.id === ancestor) return true;
      }
      return false;
    };
    const moved = fileIds.filter((id) => {
      const file = state.files.get(id);
      return file !== undefined && under(file.folderId, DEMO.completedFolderId);
    }).length;
    const titles = new Set(fileIds.map((id) => state.files.get(id)?.title));
    const copies = [...state.files.values()].filter((f) => under(f.folderId, DEMO.completedFolderId) && /\(\d+\)\.docx$/.test(f.title) && titles.has(f.title.replace(/ \(\d+\)(\.docx)$/, '$1'))).length;
    const log = s.sim.requestLog();
    const figures = {
      ended,
      status: job.status,
      progress: job.progress ?? null,
      secondsAfterTrouble: ended ? Number(afterTroubleS.toFixed(1)) : null,
      patienceS: PATIENCE_S,
      filesInCompleted: moved,
      duplicateCopies: copies,
      leftInSource: [...state.files.values()].filter((f) => f.folderId === source).length,
      docspaceRequests: s.sim.stats.requests - before,
      answered429: log.filter((r) => r.status === 429).length,
      answered5xx: log.filter((r) => r.status >= 500).length,
    };
    if (process.env.BAD15_OUT) writeFileSync(process.env.BAD15_OUT, JSON.stringify(figures));
    else console.info(figures);
  } finally {
    await s.stop();
  }
});
