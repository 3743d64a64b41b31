import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { handler as uploadCopyWebhook } from '../../functions/upload-copy/handler';
import { DEMO } from '@docspace-flows/simulator';
import { resetConfigCache } from '../../lib/config';
import { jobIdFor } from '../../lib/jobs/store';
import { startStack, type Stack } from '../support/stack';

/*
 * Workflow 3 end to end: the simulator fires real-format, UPPERCASE-signed webhooks on uploads (and on our own
 * copies), delivered into the webhook handler in-process; the stack's pollers run the copy worker.
 *
 * Both rules of the README's two-way exchange run throughout: uploads into "Uploads" (the client room) go to
 * "Internal copies", and what the team puts into "Internal copies" goes back to the client room's "From us", which
 * lies inside the first rule's source room.
 */

const SOURCE_ROOM = DEMO.sourceRoomId;
const DEST = DEMO.internalRoomId;
const UNRULED_ROOM = DEMO.clientRoomId;
const PATH = '/webhooks/docspace';

let stack: Stack;
/** Rule B's destination, a folder inside SOURCE_ROOM; created once the simulator runs. */
let FROM_US: number;
/** How the next delivery of an event is treated; the default forwards it once. */
let deliveryMode: (eventId: number, attempt: number) => 'once' | 'then-fail' | 'twice-concurrently' = () => 'once';
const answered: Array<{ eventId: number; trigger: string; status: number; body: unknown }> = [];

beforeAll(async () => {
  const attempts = new Map<number, number>();
  stack = await startStack({
    visibilityTimeoutSeconds: 2,
    env: { COPY_RULES: JSON.stringify([{ sourceRoomId: SOURCE_ROOM, destFolderId: DEST }]) },
    simulator: {
      fileOpDurationMs: 5,
      webhookRetryBaseMs: 10,
      // DocSpace → API Gateway → Lambda, without sockets: the exact body and headers DocSpace sent.
      deliverWebhook: async (_url, { headers, body }) => {
        const { id: eventId, trigger } = (JSON.parse(body) as { event: { id: number; trigger: string } }).event;
        const attempt = (attempts.get(eventId) ?? 0) + 1;
        attempts.set(eventId, attempt);
        const mode = deliveryMode(eventId, attempt);
        const send = () => stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers, body });
        const answers = mode === 'twice-concurrently' ? await Promise.all([send(), send()]) : [await send()];
        for (const a of answers) answered.push({ eventId, trigger, status: a.statusCode, body: a.body });
        // "then-fail": we did the work but DocSpace saw a failure (a lost response), so it re-signs and retries.
        return mode === 'then-fail' ? 502 : answers[0]!.statusCode;
      },
    },
  });
  stack.sim.registerWebhook({ url: 'https://flows.example.com/webhooks/docspace', secretKey: stack.secrets.docspace, triggers: ['*'] });
  FROM_US = stack.sim.addFolder(SOURCE_ROOM, 'From us');
  process.env.COPY_RULES = JSON.stringify([
    { sourceRoomId: SOURCE_ROOM, destFolderId: DEST },
    { sourceRoomId: DEST, destFolderId: FROM_US },
  ]);
  resetConfigCache();
});

afterAll(() => stack?.stop());

const copyMutations = () => stack.sim.mutations().filter((m) => m.method === 'PUT' && m.path.endsWith('/files/fileops/copy'));
const titlesIn = (folderId: number): string[] => [...stack.sim.state.files.values()].filter((f) => f.folderId === folderId).map((f) => f.title);
const destTitles = (): string[] => titlesIn(DEST);

async function settle(): Promise<void> {
  // Uploads fire webhooks, copies fire file.copied echoes, so deliveries and the queue are drained twice.
  for (let i = 0; i < 2; i++) {
    await stack.sim.flushWebhooks();
    await stack.drain({ timeoutMs: 60_000 });
  }
}

function sign(body: string, secret = stack.secrets.docspace): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex').toUpperCase()}`;
}

function uploadBody(eventId: number, fileId: number, parentId = SOURCE_ROOM): string {
  return JSON.stringify({
    event: { id: eventId, createOn: '2026-11-30T10:00:00Z', trigger: 'file.uploaded', triggerId: 256 },
    payload: { id: fileId, parentId, title: 'direct.pdf', rootFolderType: 14, fileEntryType: 2 },
    webhook: { id: 99, name: 'direct', triggers: ['file.uploaded'] },
  });
}

describe('the DocSpace webhook endpoint', () => {
  it('answers the registration probe (HEAD, and GET for serverless-offline) with an empty 200', async () => {
    const head = await stack.http(uploadCopyWebhook, { method: 'HEAD', path: PATH });
    expect(head).toMatchObject({ statusCode: 200, body: undefined });
    expect((await stack.http(uploadCopyWebhook, { method: 'GET', path: PATH })).statusCode).toBe(200);
  });
});

describe('copying uploads from a source room', () => {
  it('copies each of 200 uploads (subfolders at every depth, 20 % re-delivered re-signed, some concurrently) exactly once', async () => {
    deliveryMode = (eventId, attempt) => (eventId % 5 === 0 && attempt === 1 ? 'then-fail' : eventId % 7 === 0 ? 'twice-concurrently' : 'once');
    const a = stack.sim.addFolder(SOURCE_ROOM, 'Inbox');
    const ab = stack.sim.addFolder(a, '2026');
    const abc = stack.sim.addFolder(ab, 'November');
    const abcd = stack.sim.addFolder(abc, 'Week 48');
    const folders = [SOURCE_ROOM, a, ab, abc, abcd];
    stack.sim.clearMutations();

    const uploaded: number[] = [];
    for (let i = 0; i < 200; i++) {
      // Every tenth title repeats, so DocSpace's Duplicate naming is exercised in the destination.
      const title = i % 10 === 0 ? 'Scan.pdf' : `Upload ${i}.docx`;
      uploaded.push(stack.sim.uploadFile(folders[i % folders.length]!, title, { contentLength: 1000 + i }));
    }
    await settle();

    // Every upload was delivered; the then-fail ones twice, with different (re-signed) bodies and one event.id.
    const deliveries = stack.sim.deliveries().filter((d) => d.trigger === 'file.uploaded');
    const retried = deliveries.filter((d) => d.attempt === 2);
    expect(retried.length).toBeGreaterThanOrEqual(35);
    for (const retry of retried) {
      const first = deliveries.find((d) => d.eventId === retry.eventId && d.attempt === 1)!;
      expect(retry.body).not.toBe(first.body);
      expect(retry.signature).not.toBe(first.signature);
      expect(retry.signature).toMatch(/^sha256=[0-9A-F]{64}$/);
    }
    expect(answered.filter((x) => x.status >= 300)).toEqual([]);
    // Our own copies came back as file.copied and were acknowledged without a job.
    const echoes = answered.filter((x) => x.trigger === 'file.copied');
    expect(echoes.length).toBeGreaterThanOrEqual(200);
    expect(echoes.every((x) => x.status === 200 && (x.body as { ignored?: boolean }).ignored === true)).toBe(true);

    // Exactly one copy per upload, all in the destination.
    const copied = copyMutations().map((m) => (m.body as { fileIds: number[] }).fileIds);
    expect(copied.flat().sort((x, y) => x - y)).toEqual([...uploaded].sort((x, y) => x - y));
    expect(copied.every((ids) => ids.length === 1)).toBe(true);
    expect(copyMutations().every((m) => (m.body as { destFolderId: number; conflictResolveType: string }).destFolderId === DEST)).toBe(true);
    expect(copyMutations().every((m) => (m.body as { conflictResolveType: string }).conflictResolveType === 'Duplicate')).toBe(true);
    const titles = destTitles();
    expect(titles.filter((t) => /^Scan( \(\d+\))?\.pdf$/.test(t))).toHaveLength(20);
    expect(titles.filter((t) => t.startsWith('Upload '))).toHaveLength(180);
    expect(await stack.dlqMessages('UploadCopyQueue')).toEqual([]);

    // One job per event, whatever the number of deliveries; each shows what it copied.
    const jobIds = new Map<number, Set<string>>();
    for (const x of answered) {
      const jobId = (x.body as { jobId?: string }).jobId;
      if (jobId) jobIds.set(x.eventId, (jobIds.get(x.eventId) ?? new Set()).add(jobId));
    }
    expect([...jobIds.values()].every((ids) => ids.size === 1)).toBe(true);
    // From a source file to what happened, as an operator would: DocSpace's delivery log holds the upload's
    // event and our answer, whose jobId GET /jobs shows.
    const sample = uploaded[37]!;
    const delivery = deliveries.find((d) => (JSON.parse(d.body) as { payload: { id: number } }).payload.id === sample)!;
    const jobId = [...jobIds.get(delivery.eventId)!][0]!;
    const job = await stack.http(jobsApi, {
      method: 'GET',
      path: `/jobs/${jobId}`,
      headers: { authorization: `Bearer ${stack.secrets.admin}` },
    });
    expect(job.statusCode).toBe(200);
    expect(job.body).toMatchObject({
      workflow: 'upload-copy',
      status: 'succeeded',
      progress: { total: 1, done: 1, failed: 0 },
      result: { sourceFileId: sample, destFolderId: DEST, newFileId: expect.any(Number) },
      errors: [],
    });
    expect(stack.sim.state.files.get(job.body.result.newFileId)?.folderId).toBe(DEST);
  });
});

describe('the two-way exchange: both rules at once', () => {
  it('copies uploads on both sides and in their subfolders once to the other side, never back, however often delivered', async () => {
    deliveryMode = (eventId, attempt) => (eventId % 4 === 0 && attempt === 1 ? 'then-fail' : eventId % 5 === 0 ? 'twice-concurrently' : 'once');
    answered.length = 0;
    const clientSub = stack.sim.addFolder(SOURCE_ROOM, 'Signed');
    const teamSub = stack.sim.addFolder(DEST, 'Drafts');
    stack.sim.clearMutations();
    const fromClient: number[] = [];
    const fromTeam: number[] = [];
    for (let i = 0; i < 15; i++) {
      fromClient.push(stack.sim.uploadFile(i % 2 ? clientSub : SOURCE_ROOM, `Client ${i}.pdf`, { contentLength: 500 + i }));
      fromTeam.push(stack.sim.uploadFile(i % 2 ? teamSub : DEST, `Team ${i}.docx`, { contentLength: 700 + i }));
    }
    // The client also drops files into "From us", rule B's destination: it is still an upload into the client
    // room, so rule A sends it to the team.
    for (let i = 0; i < 3; i++) fromClient.push(stack.sim.uploadFile(FROM_US, `Reply ${i}.pdf`));
    await settle();

    expect(answered.filter((x) => x.status >= 300)).toEqual([]);
    const copies = copyMutations().map((m) => m.body as { fileIds: number[]; destFolderId: number });
    const sourcesTo = (dest: number) => copies.filter((c) => c.destFolderId === dest).flatMap((c) => c.fileIds).sort((x, y) => x - y);
    expect(copies).toHaveLength(fromClient.length + fromTeam.length);
    expect(sourcesTo(DEST)).toEqual([...fromClient].sort((x, y) => x - y));
    expect(sourcesTo(FROM_US)).toEqual([...fromTeam].sort((x, y) => x - y));
    // Every copy came back as file.copied into the other rule's source room, and was acknowledged without a job.
    const echoes = answered.filter((x) => x.trigger === 'file.copied');
    expect(echoes.length).toBeGreaterThanOrEqual(copies.length);
    expect(echoes.every((x) => x.status === 200 && (x.body as { ignored?: boolean }).ignored === true)).toBe(true);
    expect(titlesIn(FROM_US).sort()).toEqual([...Array.from({ length: 3 }, (_, i) => `Reply ${i}.pdf`), ...Array.from({ length: 15 }, (_, i) => `Team ${i}.docx`)].sort());
    expect(titlesIn(DEST).filter((t) => /^(Client|Reply) /.test(t))).toHaveLength(18);
    expect(await stack.dlqMessages('UploadCopyQueue')).toEqual([]);
  });

  it('does not copy a copy a person moved into a source room, whatever event reports it', async () => {
    deliveryMode = () => 'once';
    answered.length = 0;
    const original = stack.sim.uploadFile(SOURCE_ROOM, 'Passport scan.pdf');
    await settle();
    const copy = [...stack.sim.state.files.values()].find((f) => f.folderId === DEST && f.title === 'Passport scan.pdf')!;
    expect(copy).toBeDefined();
    stack.sim.clearMutations();

    // A team member moves the internal copy into the client room (rule A's source room): DocSpace says file.moved.
    const res = await stack.sim.fetch(`${stack.env.DOCSPACE_API_HOST}/api/2.0/files/fileops/move`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileIds: [copy.id], folderIds: [], destFolderId: SOURCE_ROOM, conflictResolveType: 'Duplicate', returnSingleOperation: true }),
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    await settle();
    expect(stack.sim.state.files.get(copy.id)?.folderId).toBe(SOURCE_ROOM);
    expect(answered.filter((x) => x.trigger === 'file.moved').every((x) => (x.body as { ignored?: boolean }).ignored === true)).toBe(true);

    // Were the portal to report the moved copy as an upload, the copy record still stops it.
    const body = JSON.stringify({
      event: { id: 910_001, createOn: '2026-12-01T10:00:00+03:00', trigger: 'file.uploaded', triggerId: 256 },
      payload: { id: copy.id, parentId: SOURCE_ROOM, title: copy.title, rootFolderType: 14, fileEntryType: 2 },
      webhook: { id: 99, name: 'direct', triggers: ['file.uploaded'] },
    });
    const answer = await stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers: { 'x-docspace-signature-256': sign(body) }, body });
    expect(answer.statusCode).toBe(202);
    await stack.drain();
    const job = await stack.http(jobsApi, { method: 'GET', path: `/jobs/${answer.body.jobId}`, headers: { authorization: `Bearer ${stack.secrets.admin}` } });
    expect(job.body).toMatchObject({ status: 'succeeded', result: { ignored: true, sourceFileId: copy.id, reason: expect.stringMatching(/^the file is a copy made by job /) } });
    expect(copyMutations()).toEqual([]);
    expect(stack.sim.state.files.get(original)?.folderId).toBe(SOURCE_ROOM);
  });
});

describe('what is never copied', () => {
  it('ignores uploads into a room without a rule, our own file.copied echoes, moves and other triggers', async () => {
    deliveryMode = () => 'once';
    answered.length = 0;
    stack.sim.clearMutations();
    const sub = stack.sim.addFolder(UNRULED_ROOM, 'Drafts');
    stack.sim.uploadFile(UNRULED_ROOM, 'not-for-copy.pdf');
    stack.sim.uploadFile(sub, 'nested-not-for-copy.pdf');
    // A move fires file.moved (the simulator's fileops, through the API as a user would).
    const moved = stack.sim.addFile(UNRULED_ROOM, 'moving.txt');
    const res = await stack.sim.fetch(`${stack.env.DOCSPACE_API_HOST}/api/2.0/files/fileops/move`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileIds: [moved], folderIds: [], destFolderId: SOURCE_ROOM, conflictResolveType: 'Duplicate', returnSingleOperation: true }),
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    await settle();

    expect(copyMutations()).toEqual([]);
    const moves = answered.filter((x) => x.trigger === 'file.moved');
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.every((x) => x.status === 200 && (x.body as { ignored?: boolean }).ignored === true)).toBe(true);
    // The uploads were acknowledged like any other; the worker found no rule for their room.
    const uploads = answered.filter((x) => x.trigger === 'file.uploaded');
    expect(uploads).toHaveLength(2);
    for (const upload of uploads) {
      const jobId = (upload.body as { jobId: string }).jobId;
      const job = await stack.http(jobsApi, { method: 'GET', path: `/jobs/${jobId}`, headers: { authorization: `Bearer ${stack.secrets.admin}` } });
      expect(job.body).toMatchObject({ status: 'succeeded', result: { ignored: true, reason: `no copy rule for room ${UNRULED_ROOM}` } });
    }
  });
});

describe('signatures', () => {
  async function post(body: string, signature?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (signature !== undefined) headers['x-docspace-signature-256'] = signature;
    return stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers, body });
  }

  it('rejects a missing, wrong, lowercase-but-wrong or re-serialised-body signature with 401 and copies nothing', async () => {
    stack.sim.clearMutations();
    const fileId = stack.sim.addFile(SOURCE_ROOM, 'forged.pdf');
    const body = uploadBody(900_001, fileId);
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    const lower = (b: string, secret: string) => `sha256=${createHmac('sha256', secret).update(b).digest('hex')}`;
    for (const signature of [
      undefined,
      '',
      'sha256=',
      sign(body, 'wrong-secret'),
      lower(body, 'wrong-secret'),
      lower(body.toLowerCase(), stack.secrets.docspace), // what a lowercasing pipeline would have signed
      sign(reserialised), // the signature of a JSON parser's output, presented with the original bytes
      sign(body).replace('sha256=', 'sha1='),
    ]) {
      const answer = await post(body, signature);
      expect(answer.statusCode, `signature ${signature}`).toBe(401);
    }
    // A parser-normalised body with the original signature is not accepted either.
    expect((await post(reserialised, sign(body))).statusCode).toBe(401);
    await stack.drain();
    expect(copyMutations()).toEqual([]);
    const unsigned = await stack.http(jobsApi, {
      method: 'GET',
      path: `/jobs/${jobIdFor('upload-copy', '99:900001')}`,
      headers: { authorization: `Bearer ${stack.secrets.admin}` },
    });
    expect(unsigned.statusCode).toBe(404);
  });

  it('accepts the correct UPPERCASE signature over the raw bytes (and the same digest in lowercase, as the contract compares case-insensitively)', async () => {
    stack.sim.clearMutations();
    const fileId = stack.sim.addFile(SOURCE_ROOM, 'genuine.pdf');
    const body = uploadBody(900_002, fileId);
    const answer = await post(body, sign(body));
    expect(answer.statusCode).toBe(202);
    const again = uploadBody(900_003, fileId).replace('10:00:00', '10:00:01');
    expect((await post(again, sign(again).toLowerCase())).statusCode).toBe(202);
    await stack.drain();
    expect(copyMutations()).toHaveLength(2);
  });
});

describe('bad input', () => {
  it('answers 400 naming the field and 413 for a body over 256 KB, copying nothing', async () => {
    stack.sim.clearMutations();
    const missingEventId = JSON.stringify({ event: { createOn: '2026-11-30T10:00:00Z', trigger: 'file.uploaded' }, payload: { id: 1 }, webhook: { id: 1 } });
    const bad = await stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers: { 'x-docspace-signature-256': sign(missingEventId) }, body: missingEventId });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.error.field).toBe('event.id');

    const noFileId = JSON.stringify({ event: { id: 5, createOn: '2026-11-30T10:00:00Z', trigger: 'file.uploaded' }, payload: { title: 'x' }, webhook: { id: 1 } });
    const bad2 = await stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers: { 'x-docspace-signature-256': sign(noFileId) }, body: noFileId });
    expect(bad2.statusCode).toBe(400);
    expect(bad2.body.error.field).toBe('payload.id');

    const notJson = '{"event":';
    expect((await stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers: { 'x-docspace-signature-256': sign(notJson) }, body: notJson })).statusCode).toBe(400);

    const huge = uploadBody(900_010, 1).replace('"direct.pdf"', JSON.stringify('x'.repeat(300 * 1024)));
    expect((await stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers: { 'x-docspace-signature-256': sign(huge) }, body: huge })).statusCode).toBe(413);
    await stack.drain();
    expect(copyMutations()).toEqual([]);
  });
});

describe('a rule set that cannot work', () => {
  it('is refused when COPY_RULES is read: the upload is answered 503 misconfigured and nothing is queued or copied', async () => {
    const saved = process.env.COPY_RULES;
    process.env.COPY_RULES = JSON.stringify([{ sourceRoomId: DEST, destFolderId: FROM_US }, { sourceRoomId: SOURCE_ROOM, destFolderId: SOURCE_ROOM }]);
    resetConfigCache();
    stack.sim.clearMutations();
    try {
      const fileId = stack.sim.addFile(SOURCE_ROOM, 'refused.pdf');
      const body = uploadBody(900_030, fileId);
      const answer = await stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers: { 'x-docspace-signature-256': sign(body) }, body });
      expect(answer.statusCode).toBe(503);
      expect(answer.body.error.code).toBe('misconfigured');
      expect((await stack.queueCounts('UploadCopyQueue')).visible).toBe(0);
    } finally {
      process.env.COPY_RULES = saved;
      resetConfigCache();
    }
    await stack.drain();
    expect(copyMutations()).toEqual([]);
  });
});

describe('failures', () => {
  it('retries a copy DocSpace keeps failing, then fails the job with the reason and parks the message in the DLQ', async () => {
    deliveryMode = () => 'once';
    stack.sim.clearMutations();
    const fileId = stack.sim.addFile(SOURCE_ROOM, 'cursed.pdf');
    stack.sim.setFaults({ failFileIds: [fileId] });
    const body = uploadBody(900_020, fileId);
    const answer = await stack.http(uploadCopyWebhook, { method: 'POST', path: PATH, headers: { 'x-docspace-signature-256': sign(body) }, body });
    expect(answer.statusCode).toBe(202);
    await stack.drain({ timeoutMs: 60_000 });
    stack.sim.setFaults({ failFileIds: [] });

    const job = await stack.http(jobsApi, { method: 'GET', path: `/jobs/${answer.body.jobId}`, headers: { authorization: `Bearer ${stack.secrets.admin}` } });
    expect(job.body).toMatchObject({ status: 'failed', progress: { failed: 1, done: 0 } });
    expect(job.body.errors).toEqual([{ fileId, title: 'direct.pdf', reason: expect.any(String) }]);
    expect(await stack.dlqMessages('UploadCopyQueue')).toEqual([{ jobId: answer.body.jobId, run: 1 }]);
    expect(copyMutations()).toHaveLength(5);
    expect(destTitles()).not.toContain('cursed.pdf');
  });
});
