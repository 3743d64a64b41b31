/*
 * Benchmark: the seed's "deal closed → archive the client room" script against this bundle, on the same room.
 * Started by test/bench/file-moves.ts (`npx tsx test/bench/file-moves.ts [--files 1000] [--faults]`, or
 * `npm run bench:file-moves`), which runs this file under vitest: the handlers import ESM-only packages, and
 * vitest is what loads them everywhere else in the tests.
 *
 * Two simulators get an identical portal: a client room of nested folders (the same folder titles at every
 * level, file titles repeated across folders, one folder holding more than a page of entries), a guest with
 * access to the room, and an /Archive/<Client> folder that already holds files with some of the same titles.
 * The seed (a faithful TypeScript port: first page of each folder only, DocSpace's default conflict rule,
 * fire-and-forget moves, guest deleted right after) runs against one; the bundle (the real HTTP handler,
 * DynamoDB and SQS emulators, the worker driven by SQS pollers) against the other. With --faults both
 * simulators answer 3 % of requests with 429 and 1 % with 5xx.
 *
 * "Placed correctly": the file is under /Archive/<Client> exactly once, in the folder that mirrors the one it
 * came from, and every file that was already in the archive is still there, unchanged.
 */
import { writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { DocSpaceSimulator, Faults } from '@docspace-flows/simulator';
import { buildNestedRoom, filesUnder, pathOf } from './file-moves-room';

const args: string[] = JSON.parse(process.env.FILE_MOVES_BENCH_ARGS ?? '[]');
const filesArg = args.includes('--files') ? Number(args[args.indexOf('--files') + 1]) : NaN;
const FILES = Number.isInteger(filesArg) && filesArg >= 100 ? filesArg : 1000;
const FAULTS: Partial<Faults> = args.includes('--faults') ? { rate429: 0.03, rate5xx: 0.01 } : {};
const CLIENT = 'Contoso Ltd';
const FILE_OP_MS = 50;

interface Portal {
  roomId: number;
  fileIds: number[];
  pathOfFile: Map<number, string>;
  archiveRootId: number;
  existingArchive: number;
  bystanders: Map<number, { folderId: number; version: number }>;
  guestUserId: string;
}

/** The same room, built the same way, in any simulator that starts from the same fixture. */
function buildPortal(sim: DocSpaceSimulator, archiveRootId: number): Portal {
  const room = buildNestedRoom(sim, { title: 'Contoso client room', files: Math.floor(FILES * 0.7), depth: 3, width: 3 });
  // One folder with more than a page (100 entries) of files: the seed reads only the first page.
  const inbox = sim.addFolder(room.roomId, 'Inbox');
  for (let i = room.fileIds.length; i < FILES; i++) {
    const id = sim.addFile(inbox, `scan-${i % 150}.pdf`);
    room.fileIds.push(id);
    room.pathOfFile.set(id, 'Inbox');
  }
  const existingArchive = sim.addFolder(archiveRootId, CLIENT);
  const bystanders = new Map<number, { folderId: number; version: number }>();
  for (let i = 0; i < 20; i++) {
    const id = sim.addFile(existingArchive, `document-${i}-0.docx`);
    bystanders.set(id, { folderId: existingArchive, version: 1 });
  }
  const guestUserId = sim.addUser({ displayName: 'Carla Client', type: 'guest' });
  sim.shareRoom(room.roomId, guestUserId, 2);
  return { ...room, archiveRootId, existingArchive, bystanders, guestUserId };
}

interface Outcome {
  name: string;
  placed: number;
  underArchive: number;
  leftInRoom: number;
  overwrittenOrMoved: number;
  archiveFolders: number;
  guestRevoked: boolean;
  requests: number;
  wallMs: number;
  reported: string;
}

function assess(name: string, sim: DocSpaceSimulator, p: Portal, wallMs: number, reported: string): Outcome {
  const archiveFolders = [...sim.state.childFolderIds(p.archiveRootId)].filter((id) => sim.state.folders.get(id)!.title === CLIENT);
  const archived = new Map(filesUnder(sim, p.existingArchive).map((f) => [f.id, f]));
  let placed = 0;
  let underArchive = 0;
  for (const id of p.fileIds) {
    const file = archived.get(id);
    if (!file) continue;
    underArchive += 1;
    if (pathOf(sim, file.folderId, p.existingArchive) === p.pathOfFile.get(id)) placed += 1;
  }
  let overwrittenOrMoved = 0;
  for (const [id, was] of p.bystanders) {
    const now = sim.state.files.get(id);
    if (!now || now.folderId !== was.folderId || now.version !== was.version) overwrittenOrMoved += 1;
  }
  return {
    name,
    placed,
    underArchive,
    leftInRoom: filesUnder(sim, p.roomId).length,
    overwrittenOrMoved,
    archiveFolders: archiveFolders.length,
    guestRevoked: !(sim.state.shares.get(p.roomId)?.has(p.guestUserId) ?? false),
    requests: sim.stats.requests,
    wallMs,
    reported,
  };
}

// ---- the seed, ported faithfully (seeds/2-deal-closed-archive-client-room.txt, Node.js version) --------------

function seedScript(apiHost: string, apiKey: string, fetchImpl: typeof fetch) {
  const HEADERS: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' };
  const ROOM_LOCKS = new Map<number, number>();
  const acquireRoomLock = (roomId: number, ttlMs = 10 * 60 * 1000) => {
    const now = Date.now();
    const expiresAt = ROOM_LOCKS.get(roomId);
    if (expiresAt != null && expiresAt > now) return false;
    ROOM_LOCKS.set(roomId, now + ttlMs);
    return true;
  };
  const releaseRoomLock = (roomId: number) => ROOM_LOCKS.delete(roomId);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const log: string[] = [];

  async function docspaceRequest(path: string, method = 'GET', body: unknown = null): Promise<any> {
    const url = `${apiHost}${path}`;
    try {
      const res = await fetchImpl(url, { method, headers: HEADERS, body: body ? JSON.stringify(body) : undefined });
      if (!res.ok) {
        await res.text();
        log.push(`DocSpace request failed: ${method} ${path} ${res.status}`);
        return null;
      }
      return res.json();
    } catch (err: any) {
      log.push(`DocSpace request error: ${err?.message || err}`);
      return null;
    }
  }
  async function listFolderContents(folderId: number) {
    const data = await docspaceRequest(`/api/2.0/files/${folderId}`, 'GET');
    const resp = data && typeof data === 'object' ? (data.response ?? null) : null;
    if (!resp) return { files: [], folders: [] };
    const files = Array.isArray(resp.files) ? resp.files : [];
    const folders = Array.isArray(resp.folders) ? resp.folders : [];
    return { files, folders };
  }
  async function collectAllFileIds(startFolderId: number) {
    const result: number[] = [];
    async function walk(folderId: number) {
      const { files, folders } = await listFolderContents(folderId);
      for (const f of files) {
        const id = Number(f.id);
        if (Number.isFinite(id)) result.push(id);
      }
      for (const sub of folders) {
        const id = Number(sub.id);
        if (!Number.isFinite(id)) continue;
        await walk(id);
      }
    }
    await walk(startFolderId);
    return result;
  }
  async function findChildFolderByTitle(parentFolderId: number, title: string) {
    const { folders } = await listFolderContents(parentFolderId);
    const target = String(title || '').trim();
    for (const f of folders) if (String(f.title || '') === target) return Number.isFinite(Number(f.id)) ? Number(f.id) : null;
    return null;
  }
  async function createFolder(parentFolderId: number, title: string) {
    const data = await docspaceRequest(`/api/2.0/files/folder/${parentFolderId}`, 'POST', { title });
    const node = data && typeof data === 'object' ? (data.response ?? data) : null;
    const id = Number(node?.id ?? node?.folderId ?? null);
    return Number.isFinite(id) ? id : null;
  }
  async function ensureArchiveFolder(archiveRootFolderId: number, clientName: string) {
    return (await findChildFolderByTitle(archiveRootFolderId, clientName)) ?? (await createFolder(archiveRootFolderId, clientName));
  }
  async function moveFilesChunk(fileIds: number[], destFolderId: number) {
    const payload = { fileIds, destFolderId, deleteAfter: true, content: true, toFillOut: false };
    return Boolean(await docspaceRequest('/api/2.0/files/fileops/move', 'PUT', payload));
  }
  async function moveAllFilesToArchive(fileIds: number[], archiveFolderId: number) {
    for (let i = 0; i < fileIds.length; i += 100) {
      const ok = await moveFilesChunk(fileIds.slice(i, i + 100), archiveFolderId);
      if (!ok) {
        log.push(`Failed to move a chunk of ${Math.min(100, fileIds.length - i)} file(s).`);
        return false;
      }
      await sleep(500 + Math.floor(Math.random() * 250));
    }
    return true;
  }
  async function deleteGuestUser(guestUserId: string) {
    return Boolean(await docspaceRequest('/api/2.0/people/guests', 'DELETE', { userIds: [guestUserId], resendAll: false }));
  }
  async function archiveClientRoomOnDealClosed(a: { clientRoomId: number; archiveRootFolderId: number; clientName: string; guestUserId?: string }) {
    if (!acquireRoomLock(a.clientRoomId)) return log.push('duplicate request skipped');
    try {
      const fileIds = await collectAllFileIds(a.clientRoomId);
      log.push(`Found ${fileIds.length} file(s)`);
      const archiveFolderId = await ensureArchiveFolder(a.archiveRootFolderId, a.clientName);
      if (archiveFolderId == null) return log.push('Failed to create or find the archive folder. Aborting.');
      if (fileIds.length && !(await moveAllFilesToArchive(fileIds, archiveFolderId))) return log.push('Move failed. Aborting.');
      if (fileIds.length) log.push('All client files were moved to the archive folder.');
      if (a.guestUserId != null) log.push((await deleteGuestUser(a.guestUserId)) ? 'Guest user deleted' : 'Failed to delete guest user');
    } finally {
      releaseRoomLock(a.clientRoomId);
    }
    return undefined;
  }
  return { archiveClientRoomOnDealClosed, log };
}

async function runSeed(): Promise<Outcome> {
  const { DocSpaceSimulator, DEMO, demoFixture } = await import('@docspace-flows/simulator');
  const sim = new DocSpaceSimulator({ fixture: demoFixture(), fileOpDurationMs: FILE_OP_MS });
  try {
    const portal = buildPortal(sim, DEMO.archiveRootFolderId);
    sim.setFaults(FAULTS);
    const seed = seedScript('http://docspace.bench', sim.apiKey, sim.fetch);
    const started = performance.now();
    await seed.archiveClientRoomOnDealClosed({
      clientRoomId: portal.roomId,
      archiveRootFolderId: portal.archiveRootId,
      clientName: CLIENT,
      guestUserId: portal.guestUserId,
    });
    const wallMs = performance.now() - started;
    // Fire-and-forget: the script is done, DocSpace is not. Give its last operation time to land before counting.
    await new Promise((r) => setTimeout(r, FILE_OP_MS * 4));
    return assess('seed script', sim, portal, wallMs, seed.log.join('; '));
  } finally {
    await sim.close();
  }
}

async function runBundle(): Promise<Outcome> {
  const { startStack } = await import('../support/stack');
  const { handler: dealArchiveWebhook } = await import('../../functions/deal-archive/handler');
  const { JobStore } = await import('../../lib/jobs/store');
  const { DEMO } = await import('@docspace-flows/simulator');
  const stack = await startStack({ simulator: { fileOpDurationMs: FILE_OP_MS, seed: 3 }, visibilityTimeoutSeconds: 10 });
  try {
    const portal = buildPortal(stack.sim, DEMO.archiveRootFolderId);
    stack.sim.setFaults(FAULTS);
    const body = JSON.stringify({ dealId: 'D-bench', clientRoomId: portal.roomId, clientName: CLIENT, guestUserId: portal.guestUserId });
    const started = performance.now();
    const answer = await stack.http(dealArchiveWebhook, {
      method: 'POST',
      path: '/webhooks/deals/closed',
      body,
      headers: stack.signedHeaders(stack.secrets.deals, body),
    });
    await stack.drain({ timeoutMs: 600_000 });
    const wallMs = performance.now() - started;
    const view = await new JobStore(stack.ddb, stack.env.TABLE_NAME!).view((answer.body as { jobId: string }).jobId);
    const reported = `job ${view?.status}, ${view?.progress.done}/${view?.progress.total} moved, ${view?.errors.length} error(s)`;
    return assess('this bundle', stack.sim, portal, wallMs, reported);
  } finally {
    await stack.stop();
  }
}

function table(seed: Outcome, bundle: Outcome): string {
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1' : '∞') : `${(a / b).toFixed(2)}×`);
  const rows: Array<[string, string, string, string]> = [
    ['files placed correctly (of ' + FILES + ')', String(seed.placed), String(bundle.placed), ratio(bundle.placed, seed.placed)],
    ['files under /Archive/' + CLIENT, String(seed.underArchive), String(bundle.underArchive), ratio(bundle.underArchive, seed.underArchive)],
    ['files left in the room', String(seed.leftInRoom), String(bundle.leftInRoom), ''],
    ['files already in the archive overwritten/moved', String(seed.overwrittenOrMoved), String(bundle.overwrittenOrMoved), ''],
    ['/Archive/' + CLIENT + ' folders', String(seed.archiveFolders), String(bundle.archiveFolders), ''],
    ['guest lost access to the room', seed.guestRevoked ? 'yes' : 'no', bundle.guestRevoked ? 'yes' : 'no', ''],
    ['DocSpace requests', String(seed.requests), String(bundle.requests), ratio(bundle.requests, seed.requests)],
    ['wall time (ms)', seed.wallMs.toFixed(0), bundle.wallMs.toFixed(0), ratio(bundle.wallMs, seed.wallMs)],
    ['requests per correctly placed file', (seed.requests / Math.max(1, seed.placed)).toFixed(2), (bundle.requests / Math.max(1, bundle.placed)).toFixed(2), ''],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['', 'seed', 'bundle', 'bundle/seed'], ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  return [line(['', 'seed', 'bundle', 'bundle/seed']), ...rows.map(line), '', `seed says:   ${seed.reported}`, `bundle says: ${bundle.reported}`].join('\n');
}

it('runs the seed and the bundle on the same room', async () => {
  const header =
    `Room: ${FILES} files, nested 3 levels (3 subfolders each, same titles at every level) plus an Inbox of ` +
    `${FILES - Math.floor(FILES * 0.7)} files; 20 same-titled files already in /Archive/${CLIENT}; fileops take ${FILE_OP_MS} ms` +
    (Object.keys(FAULTS).length ? `; faults: ${JSON.stringify(FAULTS)}` : '; no faults') + '.';
  const seed = await runSeed();
  const bundle = await runBundle();
  const report = `${header}\n\n${table(seed, bundle)}\n`;
  if (process.env.FILE_MOVES_BENCH_OUT) writeFileSync(process.env.FILE_MOVES_BENCH_OUT, report);
  else console.log(report);
  // The bundle's own guarantee, whatever the seed does.
  expect(bundle.placed).toBe(FILES);
}, 900_000);
