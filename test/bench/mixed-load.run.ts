/*
 * Benchmark "a mixed load on one key", started by test/bench/mixed-load.ts (`npm run bench:mixed-load`), which
 * runs this file under vitest.
 *
 * Two simulators get the same portal, both with DocSpace's limits ON (1500 requests a minute, 15 writes and 50
 * reads in flight, excess answered 429 at once) and 1 % 5xx: DEALS client rooms of ~500 files in nested folders
 * (each with a guest), TASKS task folders of 300 files, UPLOADS uploads into the demo's copy-rule room, and
 * PROJECTS new projects.
 * - The bundle (every webhook handler and worker in-process, DynamoDB and SQS emulators, pollers as Lambda's
 *   event-source mappings) gets all the webhooks at once and is timed until every job has ended.
 * - The baseline, written here, does the same work the shortest way one process can: per deal, list the tree,
 *   move the room's top-level entries into /Archive/<Client> in one operation, list again, remove the guest; per
 *   task, one move of the folder's files; per upload, one copy; per project, a room from the template (one at
 *   a time, as the portal allows). One client with the whole budget (15 writes / 50 reads, fixed).
 * Printed: makespan, DocSpace requests, 429s, and whether every job ended.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { handler as dealArchiveWebhook } from '../../functions/deal-archive/handler';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { handler as projectRoomWebhook } from '../../functions/project-room/handler';
import { handler as taskCompleteWebhook } from '../../functions/task-complete/handler';
import { handler as uploadCopyWebhook } from '../../functions/upload-copy/handler';
import { DEMO, DocSpaceSimulator, demoFixture } from '@docspace-flows/simulator';
import { DocSpaceClient } from '../../lib/docspace/client';
import { runFileOperation } from '../../lib/docspace/fileops';
import { createFolder, listFolder, listTree } from '../../lib/docspace/folders';
import { createRoomFromTemplate, getRoomFromTemplateStatus, setRoomAccess } from '../../lib/docspace/rooms';
import { startStack, type Stack } from '../support/stack';
import { buildNestedRoom } from './file-moves-room';

const DEALS = Number(process.env.MIXED_DEALS ?? 4);
const DEAL_FILES = Number(process.env.MIXED_DEAL_FILES ?? 500);
const TASKS = Number(process.env.MIXED_TASKS ?? 3);
const TASK_FILES = Number(process.env.MIXED_TASK_FILES ?? 300);
const UPLOADS = Number(process.env.MIXED_UPLOADS ?? 150);
const PROJECTS = Number(process.env.MIXED_PROJECTS ?? 3);
const PATIENCE_S = Number(process.env.MIXED_PATIENCE_S ?? 900);
const FAULTS = { enforceUserLimits: true, rate5xx: 0.01 };
const SEED = 42;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Portal {
  deals: Array<{ roomId: number; client: string; guestUserId: string; files: number }>;
  tasks: Array<{ folderId: number; files: number }>;
}

/** The same portal in any simulator started from the demo fixture. */
function buildPortal(sim: DocSpaceSimulator): Portal {
  const deals = Array.from({ length: DEALS }, (_, i) => {
    const client = `Client ${i + 1}`;
    const room = buildNestedRoom(sim, { title: `${client} room`, files: DEAL_FILES, depth: 3, width: 3 });
    const guestUserId = sim.addUser({ displayName: `${client} guest`, type: 'guest' });
    sim.shareRoom(room.roomId, guestUserId, 2);
    return { roomId: room.roomId, client, guestUserId, files: room.fileIds.length };
  });
  const tasksRoom = sim.addRoom({ title: 'Tasks (bench)' });
  const tasks = Array.from({ length: TASKS }, (_, i) => {
    const folderId = sim.addFolder(tasksRoom, `T-${i + 1}`);
    for (let f = 0; f < TASK_FILES; f += 1) sim.addFile(folderId, `Task ${i + 1} file ${f}.docx`);
    return { folderId, files: TASK_FILES };
  });
  return { deals, tasks };
}

interface Figures {
  /** Baseline only: jobs run again after a failed write. */
  repeats?: number;
  makespanS: number;
  ended: number;
  jobs: number;
  requests: number;
  answered429: number;
  answered5xx: number;
}

async function runBundle(): Promise<Figures & { failed: number; notEnded: string[]; lastEndedBy: Record<string, number> }> {
  const callbacks: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
  let s: Stack | undefined;
  try {
    s = await startStack({
      visibilityTimeoutSeconds: 720,
      env: {
        PROJECT_CALLBACK_URL: `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/pm`,
        // The in-process stack runs every function in this one process with one DocSpace client (on AWS: one per
        // process, test/integration/docspace-budget.test.ts), so it gets the whole budget as its ceiling.
        DOCSPACE_MAX_CONCURRENT_WRITES: process.env.MIXED_WRITES ?? '15',
        DOCSPACE_MAX_CONCURRENT_READS: process.env.MIXED_READS ?? '50',
      },
      simulator: {
        fileOpDurationMs: 50,
        seed: SEED,
        faults: FAULTS,
        webhookRetryBaseMs: 200,
        deliverWebhook: async (_url, { headers, body }) =>
          (await s!.http(uploadCopyWebhook, { method: 'POST', path: '/webhooks/docspace', headers, body })).statusCode,
      },
    });
    const stack = s;
    const portal = buildPortal(stack.sim);
    stack.sim.registerWebhook({ url: 'https://flows.example.com/webhooks/docspace', secretKey: stack.secrets.docspace, triggers: ['file.uploaded'] });
    const before = stack.sim.requestLog().length;
    stack.startPollers();
    const started = Date.now();

    const post = async (handler: typeof taskCompleteWebhook, path: string, payload: unknown, secret: string) => {
      const body = JSON.stringify(payload);
      const answer = await stack.http(handler, { method: 'POST', path, body, headers: stack.signedHeaders(secret, body) });
      return (answer.body as { jobId?: string }).jobId;
    };
    const jobIds = (
      await Promise.all([
        ...portal.deals.map((d, i) =>
          post(dealArchiveWebhook, '/webhooks/deals/closed', { dealId: `D-${i + 1}`, clientRoomId: d.roomId, clientName: d.client, guestUserId: d.guestUserId }, stack.secrets.deals),
        ),
        ...portal.tasks.map((t, i) => post(taskCompleteWebhook, '/webhooks/tasks', { taskId: `T-${i + 1}`, status: 'closed', docsFolderId: t.folderId }, stack.secrets.tasks)),
        ...Array.from({ length: PROJECTS }, (_, i) =>
          post(projectRoomWebhook, '/webhooks/projects', { projectId: `P-${i + 1}`, projectType: i % 2 ? 'marketing' : 'legal', projectName: `Project ${i + 1}` }, stack.secrets.projects),
        ),
      ])
    ).filter((id): id is string => typeof id === 'string');
    // The uploads arrive as DocSpace's own signed webhooks.
    for (let i = 0; i < UPLOADS; i += 1) stack.sim.uploadFile(DEMO.sourceRoomId, `Upload ${i}.pdf`, { contentLength: 1000 + i });
    await stack.sim.flushWebhooks();
    const uploadJobs = new Set<string>();
    const statuses = new Map<string, string>();
    // When each job was first seen ended, so the makespan can be read per workflow.
    const endedAt = new Map<string, number>();
    const scanUploadJobs = async () => {
      const { Items = [] } = await stack.ddb.send(
        new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: stack.env.TABLE_NAME!, ProjectionExpression: 'pk, jobId, #s', ExpressionAttributeNames: { '#s': 'status' } }),
      );
      for (const item of Items) if (typeof item.jobId === 'string' && item.jobId.startsWith('upload-copy')) uploadJobs.add(item.jobId);
    };
    await scanUploadJobs();
    const all = () => [...jobIds, ...uploadJobs];
    while (Date.now() < started + PATIENCE_S * 1000) {
      for (const id of all()) {
        if (statuses.get(id) === 'succeeded' || statuses.get(id) === 'failed') continue;
        const got = await stack.http(jobsApi, { method: 'GET', path: `/jobs/${id}`, headers: { authorization: `Bearer ${stack.secrets.admin}` } });
        const status = String((got.body as { status?: string }).status);
        statuses.set(id, status);
        if ((status === 'succeeded' || status === 'failed') && !endedAt.has(id)) endedAt.set(id, (Date.now() - started) / 1000);
      }
      const done = all().filter((id) => ['succeeded', 'failed'].includes(statuses.get(id) ?? ''));
      if (done.length === all().length) break;
      await sleep(1_000);
    }
    const makespanS = (Date.now() - started) / 1000;
    const lastByWorkflow = new Map<string, number>();
    for (const [id, at] of endedAt) {
      const workflow = id.replace(/-[A-Za-z0-9_-]{22}$/, '');
      lastByWorkflow.set(workflow, Math.max(lastByWorkflow.get(workflow) ?? 0, at));
    }
    const log = stack.sim.requestLog().slice(before);
    const ended = all().filter((id) => ['succeeded', 'failed'].includes(statuses.get(id) ?? '')).length;
    return {
      makespanS,
      jobs: all().length,
      ended,
      failed: all().filter((id) => statuses.get(id) === 'failed').length,
      notEnded: all().filter((id) => !['succeeded', 'failed'].includes(statuses.get(id) ?? '')).map((id) => `${id}: ${statuses.get(id)}`),
      requests: log.length,
      answered429: log.filter((r) => r.status === 429).length,
      answered5xx: log.filter((r) => r.status >= 500).length,
      lastEndedBy: Object.fromEntries(lastByWorkflow),
    };
  } finally {
    await s?.stop();
    callbacks.close();
  }
}

async function runBaseline(): Promise<Figures> {
  const sim = new DocSpaceSimulator({ fixture: demoFixture(), fileOpDurationMs: 50, seed: SEED, faults: FAULTS });
  try {
    const portal = buildPortal(sim);
    const uploads = Array.from({ length: UPLOADS }, (_, i) => sim.uploadFile(DEMO.sourceRoomId, `Upload ${i}.pdf`, { contentLength: 1000 + i }));
    const before = sim.requestLog().length;
    const client = new DocSpaceClient({
      baseUrl: 'http://docspace.local',
      apiKey: sim.apiKey,
      fetch: sim.fetch,
      concurrency: { writes: 15, reads: 50, adaptive: false },
    });
    const started = Date.now();
    let ended = 0;
    // A write answered 5xx may or may not have happened; the baseline simply runs the job again (it is a measure of
    // time and calls, not of correctness: a repeated copy may leave a duplicate).
    let repeats = 0;
    const job = async (work: () => Promise<unknown>) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await work();
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
          repeats += 1;
        }
      }
      ended += 1;
    };
    await Promise.all([
      ...portal.deals.map((d) =>
        job(async () => {
          await listTree(client, d.roomId);
          const archive = await createFolder(client, DEMO.archiveRootFolderId, d.client);
          const top = await listFolder(client, d.roomId);
          await runFileOperation(client, 'move', {
            fileIds: top.files.map((f) => f.id),
            folderIds: top.folders.map((f) => f.id),
            destFolderId: archive.id,
            conflictResolveType: 'Duplicate',
          });
          await listTree(client, archive.id);
          await setRoomAccess(client, d.roomId, [{ id: d.guestUserId, access: 0 }]);
        }),
      ),
      ...portal.tasks.map((t) =>
        job(async () => {
          const listing = await listFolder(client, t.folderId);
          await runFileOperation(client, 'move', { fileIds: listing.files.map((f) => f.id), destFolderId: DEMO.completedFolderId, conflictResolveType: 'Duplicate' });
          await listFolder(client, DEMO.completedFolderId);
        }),
      ),
      ...uploads.map((fileId) =>
        job(() => runFileOperation(client, 'copy', { fileIds: [fileId], destFolderId: DEMO.internalRoomId, conflictResolveType: 'Duplicate' })),
      ),
      (async () => {
        for (let i = 0; i < PROJECTS; i += 1) {
          await job(async () => {
            await createRoomFromTemplate(client, { templateId: i % 2 ? DEMO.templates.marketing! : DEMO.templates.legal!, title: `Project ${i + 1}` });
            for (;;) {
              const status = await getRoomFromTemplateStatus(client);
              if (!status || status.isCompleted) break;
              await sleep(100);
            }
          });
        }
      })(),
    ]);
    const log = sim.requestLog().slice(before);
    return {
      makespanS: (Date.now() - started) / 1000,
      jobs: DEALS + TASKS + UPLOADS + PROJECTS,
      ended,
      repeats,
      requests: log.length,
      answered429: log.filter((r) => r.status === 429).length,
      answered5xx: log.filter((r) => r.status >= 500).length,
    };
  } finally {
    await sim.close();
  }
}

it('a mixed load of every workflow at once on one key', async () => {
  const baseline = await runBaseline();
  const bundle = await runBundle();
  const figures = { sizes: { DEALS, DEAL_FILES, TASKS, TASK_FILES, UPLOADS, PROJECTS }, bundle, baseline };
  if (process.env.MIXED_OUT) writeFileSync(process.env.MIXED_OUT, JSON.stringify(figures));
  else console.info(JSON.stringify(figures, null, 2));
});
