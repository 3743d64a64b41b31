import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DocSpaceServerError } from '../../../lib/docspace/errors';
import {
  COPY_SETTLE_MS,
  CopyNotSettledError,
  LAST_COPY_ATTEMPT,
  RoomResolver,
  acceptUpload,
  copyUpload,
  uploadWebhookSchema,
  type CopyRule,
} from '../../../lib/workflows/upload-copy';
import { startTable } from '../../support/dynamo';
import { FakePortal, acceptDeps, uploadedHook, workerDeps } from './upload-copy-fixtures';

let ddb: DynamoDBDocumentClient;
let table: string;
let close: () => Promise<void>;
let clock = Date.parse('2026-11-30T10:00:00Z');
const now = () => clock;
let nextEvent = 1;

const CLIENT_ROOM = 100;
const OTHER_ROOM = 200;
const INTERNAL_ROOM = 300;
const INBOX = 301;
const rules: CopyRule[] = [{ sourceRoomId: CLIENT_ROOM, destFolderId: INBOX }];

let portal: FakePortal;

beforeAll(async () => {
  ({ ddb, table, close } = await startTable());
});
afterAll(() => close());

beforeEach(() => {
  clock += 3_600_000;
  portal = new FakePortal(now);
  portal.room(CLIENT_ROOM);
  portal.room(OTHER_ROOM);
  portal.room(INTERNAL_ROOM);
  portal.folder(INBOX, INTERNAL_ROOM);
  portal.folder(110, CLIENT_ROOM);
  portal.folder(111, 110);
  portal.folder(112, 111);
});

/** Accepts an upload of `fileId` the way the webhook handler does and returns the job's message. */
async function accept(fileId: number, parentId: number): Promise<{ jobId: string; run: number }> {
  const outcome = await acceptUpload(acceptDeps(ddb, table), uploadWebhookSchema.parse(uploadedHook({ eventId: nextEvent++, fileId, parentId })));
  if (!('jobId' in outcome)) throw new Error('not accepted');
  return { jobId: outcome.jobId, run: 1 };
}

const ctx = (messageId = 'm-1', receiveCount = 1) => ({ messageId, receiveCount });

describe('copying an uploaded file', () => {
  it('copies a file uploaded three folders deep in a source room to the rule destination and records it', async () => {
    const fileId = portal.file(112, 'scan.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, 112);
    await copyUpload(deps, message, ctx());

    const copies = portal.filesInFolder(INBOX);
    expect(copies.map((f) => f.title)).toEqual(['scan.pdf']);
    const view = await deps.store.view(message.jobId);
    expect(view).toMatchObject({
      status: 'succeeded',
      progress: { total: 1, done: 1, failed: 0 },
      result: { sourceFileId: fileId, destFolderId: INBOX, newFileId: copies[0]!.id },
      errors: [],
    });
    expect(await deps.copies.copiedBy(copies[0]!.id)).toEqual({ jobId: message.jobId, sourceFileId: fileId });
  });

  it('places a same-titled copy beside the existing file instead of overwriting or skipping it', async () => {
    portal.file(INBOX, 'scan.pdf');
    const fileId = portal.file(CLIENT_ROOM, 'scan.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    await copyUpload(deps, await accept(fileId, CLIENT_ROOM), ctx());
    expect(portal.filesInFolder(INBOX).map((f) => f.title).sort()).toEqual(['scan (1).pdf', 'scan.pdf']);
  });

  it('reads a subfolder breadcrumb once and serves its siblings from the cache', async () => {
    const deps = workerDeps(ddb, table, portal, rules, now);
    for (let i = 0; i < 3; i++) {
      const fileId = portal.file(111, `f${i}.txt`);
      await copyUpload(deps, await accept(fileId, 111), ctx(`m-${i}`));
    }
    expect(portal.calls.folderPath).toBe(1); // the subfolder once; destinations need no breadcrumbs
    expect(portal.filesInFolder(INBOX)).toHaveLength(3);
  });

  it('does not copy a redelivered message twice', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'a.docx');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, CLIENT_ROOM);
    await copyUpload(deps, message, ctx('m-1', 1));
    await copyUpload(deps, message, ctx('m-1', 2));
    await copyUpload(deps, message, ctx('m-2', 1));
    expect(portal.calls.startCopy).toBe(1);
  });

  it('lets only one of two concurrent messages for the same job copy', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'b.docx');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, CLIENT_ROOM);
    await Promise.all([copyUpload(deps, message, ctx('m-a')), copyUpload(deps, message, ctx('m-b'))]);
    expect(portal.calls.startCopy).toBe(1);
    expect(portal.filesInFolder(INBOX)).toHaveLength(1);
  });

  it('copies once when SQS hands the same message to two workers at once (a standard queue may)', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'twice.docx');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, CLIENT_ROOM);
    const outcomes = await Promise.allSettled([copyUpload(deps, message, ctx('m-same', 1)), copyUpload(deps, message, ctx('m-same', 1))]);
    expect(portal.calls.startCopy).toBe(1);
    expect(portal.filesInFolder(INBOX)).toHaveLength(1);
    // The delivery that stood back comes back later and finds the copy done.
    if (outcomes.some((o) => o.status === 'rejected')) await copyUpload(deps, message, ctx('m-same', 2));
    expect(portal.calls.startCopy).toBe(1);
    expect(await deps.store.view(message.jobId)).toMatchObject({ status: 'succeeded', progress: { done: 1, failed: 0 } });
  });

  it('copies to every destination of a room with two rules, once each', async () => {
    const fileId = portal.file(110, 'c.xlsx');
    portal.folder(302, INTERNAL_ROOM);
    const deps = workerDeps(ddb, table, portal, [...rules, { sourceRoomId: CLIENT_ROOM, destFolderId: 302 }], now);
    const message = await accept(fileId, 110);
    await copyUpload(deps, message, ctx());
    expect(portal.filesInFolder(INBOX)).toHaveLength(1);
    expect(portal.filesInFolder(302)).toHaveLength(1);
    expect((await deps.store.get(message.jobId))?.result).toMatchObject({ copies: [{ destFolderId: INBOX }, { destFolderId: 302 }] });
  });
});

describe('what is not copied', () => {
  it('ignores an upload into a room without a rule', async () => {
    const fileId = portal.file(OTHER_ROOM, 'x.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, OTHER_ROOM);
    await copyUpload(deps, message, ctx());
    expect(portal.calls.startCopy).toBe(0);
    expect(await deps.store.get(message.jobId)).toMatchObject({ status: 'succeeded', result: { ignored: true, reason: `no copy rule for room ${OTHER_ROOM}` } });
  });

  it('ignores a file that is one of its own copies', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'y.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    await copyUpload(deps, await accept(fileId, CLIENT_ROOM), ctx());
    const copyId = portal.filesInFolder(INBOX)[0]!.id;
    const echo = await accept(copyId, INBOX);
    await copyUpload(deps, echo, ctx('m-echo'));
    expect(portal.calls.startCopy).toBe(1);
    expect((await deps.store.get(echo.jobId))?.result).toMatchObject({ ignored: true });
  });

  it('copies into a destination inside the source room itself, and neither copies that copy nor a file uploaded into the destination', async () => {
    const copiesFolder = portal.folder(120, CLIENT_ROOM);
    const below = portal.folder(121, copiesFolder);
    const deps = workerDeps(ddb, table, portal, [{ sourceRoomId: CLIENT_ROOM, destFolderId: copiesFolder }], now);
    const fileId = portal.file(CLIENT_ROOM, 'loop.pdf');
    await copyUpload(deps, await accept(fileId, CLIENT_ROOM), ctx());
    const [copy] = portal.filesInFolder(copiesFolder);
    expect(copy?.title).toBe('loop.pdf');

    // The copy reported back as an upload: it is one of ours.
    const echo = await accept(copy!.id, copiesFolder);
    await copyUpload(deps, echo, ctx('m-echo'));
    expect((await deps.store.get(echo.jobId))?.result).toMatchObject({ ignored: true, reason: expect.stringMatching(/is a copy made by job/) });

    // Someone uploads straight into the destination, or below it: the file is already where the rule puts copies.
    for (const folder of [copiesFolder, below]) {
      const direct = portal.file(folder, `direct-${folder}.pdf`);
      const job = await accept(direct, folder);
      await copyUpload(deps, job, ctx(`m-${folder}`));
      expect(await deps.store.get(job.jobId)).toMatchObject({
        status: 'succeeded',
        result: { ignored: true, reason: `the file was uploaded into destination folder ${copiesFolder} of room ${CLIENT_ROOM}'s rules, where a copy would stand beside it` },
      });
    }
    expect(portal.calls.startCopy).toBe(1);
    expect(portal.filesInFolder(copiesFolder).map((f) => f.title).sort()).toEqual([`direct-${copiesFolder}.pdf`, 'loop.pdf']);
  });

  it('ends quietly when the uploaded file was deleted before the copy', async () => {
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(987_654, CLIENT_ROOM);
    await copyUpload(deps, message, ctx());
    expect(portal.calls.startCopy).toBe(0);
    expect((await deps.store.get(message.jobId))?.result).toMatchObject({ ignored: true, reason: 'the file no longer exists' });
  });
});

describe('failures and the crash window', () => {
  it('retries a transient failure through SQS and, on the last attempt, fails the job with the reason and lets SQS park it', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'z.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, CLIENT_ROOM);
    portal.failStarts = { count: 99, error: () => new DocSpaceServerError(503, 'Service Unavailable', 'PUT', '/api/2.0/files/fileops/copy') };
    for (let attempt = 1; attempt < LAST_COPY_ATTEMPT; attempt++) {
      await expect(copyUpload(deps, message, ctx('m-1', attempt))).rejects.toBeInstanceOf(DocSpaceServerError);
      expect((await deps.store.get(message.jobId))?.status).toBe('running');
    }
    await expect(copyUpload(deps, message, ctx('m-1', LAST_COPY_ATTEMPT))).rejects.toBeInstanceOf(DocSpaceServerError);
    const view = await deps.store.view(message.jobId);
    expect(view).toMatchObject({ status: 'failed', progress: { failed: 1, done: 0 } });
    expect(view?.errors).toEqual([{ fileId, title: 'contract.docx', reason: expect.stringMatching(/503/) }]);
    expect(portal.filesInFolder(INBOX)).toHaveLength(0);
  });

  it('finds the copy of a worker that died right after DocSpace accepted it, instead of copying again', async () => {
    const fileId = portal.file(111, 'crash.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, 111);
    portal.crashAfterStart = 1;
    await expect(copyUpload(deps, message, ctx('m-1', 1))).rejects.toThrow(/worker died/);
    clock += 1_000;
    await copyUpload(deps, message, ctx('m-1', 2));
    expect(portal.calls.startCopy).toBe(1);
    const [copy] = portal.filesInFolder(INBOX);
    expect((await deps.store.get(message.jobId))?.result).toMatchObject({ newFileId: copy!.id });
  });

  it('recovers a result the dead worker had already consumed from DocSpace', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'consumed.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, CLIENT_ROOM);
    portal.crashAfterResult = 1;
    await expect(copyUpload(deps, message, ctx('m-1', 1))).rejects.toThrow(/worker died/);
    await copyUpload(deps, message, ctx('m-1', 2));
    expect(portal.calls.startCopy).toBe(1);
    expect(portal.filesInFolder(INBOX)).toHaveLength(1);
    expect((await deps.store.get(message.jobId))?.status).toBe('succeeded');
  });

  it('waits for a copy that may still be running rather than copying a second time, and adopts it once it lands', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'slow.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, CLIENT_ROOM);
    portal.deferCopies = true;
    portal.crashAfterStart = 1;
    await expect(copyUpload(deps, message, ctx('m-1', 1))).rejects.toThrow(/worker died/);
    clock += 10_000;
    const notYet = await copyUpload(deps, message, ctx('m-1', 2)).then(() => undefined, (e: unknown) => e);
    expect(notYet).toBeInstanceOf(CopyNotSettledError);
    // SQS is asked to bring it back soon, to adopt the copy as soon as it lands (a lost answer usually hides one).
    expect((notYet as CopyNotSettledError).redeliverAfterSeconds).toBe(10);
    // Still not landed at 60 s: looked for again, not sent again (it may yet land until 90 s after the request).
    clock += 50_000;
    await expect(copyUpload(deps, message, ctx('m-1', 3))).rejects.toBeInstanceOf(CopyNotSettledError);
    expect(portal.calls.startCopy).toBe(1);
    portal.completeDeferred();
    await copyUpload(deps, message, ctx('m-1', 4));
    expect(portal.calls.startCopy).toBe(1);
    expect(portal.filesInFolder(INBOX)).toHaveLength(1);
  });

  it('sends the copy again when an earlier request never took effect', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'lost.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, CLIENT_ROOM);
    portal.deferCopies = true;
    portal.crashAfterStart = 1;
    await expect(copyUpload(deps, message, ctx('m-1', 1))).rejects.toThrow(/worker died/);
    portal.deferCopies = false; // the deferred copy is dropped: DocSpace never ran it
    clock += COPY_SETTLE_MS + 1;
    await copyUpload(deps, message, ctx('m-1', 2));
    expect(portal.calls.startCopy).toBe(2);
    expect(portal.filesInFolder(INBOX)).toHaveLength(1);
  });

  it('does not adopt a same-titled file that was already in the destination before the copy', async () => {
    clock -= 60_000;
    portal.file(INBOX, 'old.pdf');
    clock += 60_000;
    const fileId = portal.file(CLIENT_ROOM, 'old.pdf');
    const deps = workerDeps(ddb, table, portal, rules, now);
    const message = await accept(fileId, CLIENT_ROOM);
    portal.deferCopies = true;
    portal.crashAfterStart = 1;
    await expect(copyUpload(deps, message, ctx('m-1', 1))).rejects.toThrow();
    portal.deferCopies = false;
    clock += COPY_SETTLE_MS + 1;
    await copyUpload(deps, message, ctx('m-1', 2));
    expect(portal.filesInFolder(INBOX).map((f) => f.title).sort()).toEqual(['old (1).pdf', 'old.pdf']);
  });
});

describe('resolving rooms', () => {
  it('answers a direct upload into a source room without asking DocSpace', async () => {
    const resolver = new RoomResolver(portal, { now });
    expect(await resolver.roomOf(CLIENT_ROOM, new Set([CLIENT_ROOM]))).toBe(CLIENT_ROOM);
    expect(portal.calls.folderPath).toBe(0);
  });

  it('caches every folder of a breadcrumb below the room, and forgets after the ttl', async () => {
    const resolver = new RoomResolver(portal, { now, ttlMs: 1_000 });
    const rooms = new Set([CLIENT_ROOM]);
    expect(await resolver.roomOf(112, rooms)).toBe(CLIENT_ROOM);
    expect(await resolver.roomOf(111, rooms)).toBe(CLIENT_ROOM);
    expect(await resolver.roomOf(110, rooms)).toBe(CLIENT_ROOM);
    expect(portal.calls.folderPath).toBe(1);
    clock += 2_000;
    expect(await resolver.roomOf(112, rooms)).toBe(CLIENT_ROOM);
    expect(portal.calls.folderPath).toBe(2);
  });

  it('names the room of a folder in a room without a rule', async () => {
    portal.folder(210, OTHER_ROOM);
    const resolver = new RoomResolver(portal, { now });
    expect(await resolver.roomOf(210, new Set([CLIENT_ROOM]))).toBe(OTHER_ROOM);
  });
});
