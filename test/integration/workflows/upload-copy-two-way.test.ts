import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { acceptUpload, copyUpload, uploadWebhookSchema, type CopyRule } from '../../../lib/workflows/upload-copy';
import { startTable } from '../../support/dynamo';
import { FakePortal, acceptDeps, uploadedHook, workerDeps } from './upload-copy-fixtures';

/*
 * The two-way exchange of the README: what the client uploads into the client room is copied into the internal
 * room's "From client" folder (rule A), what the team puts into the internal room is copied into the client room's
 * "From us" folder (rule B). Each destination lies inside the other rule's source room, and both rules run at once.
 */

let ddb: DynamoDBDocumentClient;
let table: string;
let close: () => Promise<void>;
let clock = Date.parse('2026-12-01T09:00:00Z');
const now = () => clock;
let nextEvent = 500_000;

const CLIENT_ROOM = 104;
const INTERNAL_ROOM = 103;
const FROM_CLIENT = 1003; // in the internal room
const FROM_US = 1044; // in the client room
const CLIENT_SUB = 1045;
const INTERNAL_SUB = 1004;
const rules: CopyRule[] = [
  { sourceRoomId: CLIENT_ROOM, destFolderId: FROM_CLIENT },
  { sourceRoomId: INTERNAL_ROOM, destFolderId: FROM_US },
];

let portal: FakePortal;
let deps: ReturnType<typeof workerDeps>;

beforeAll(async () => {
  ({ ddb, table, close } = await startTable());
});
afterAll(() => close());

beforeEach(() => {
  clock += 3_600_000;
  portal = new FakePortal(now);
  portal.room(CLIENT_ROOM);
  portal.room(INTERNAL_ROOM);
  portal.folder(FROM_CLIENT, INTERNAL_ROOM);
  portal.folder(FROM_US, CLIENT_ROOM);
  portal.folder(CLIENT_SUB, CLIENT_ROOM);
  portal.folder(INTERNAL_SUB, INTERNAL_ROOM);
  deps = workerDeps(ddb, table, portal, rules, now);
});

/** One delivery of DocSpace's webhook for `fileId`, and the copy worker run on its message (as SQS would). */
async function deliver(fileId: number, parentId: number, options: { eventId?: number; trigger?: string } = {}) {
  const hook = uploadedHook({ eventId: options.eventId ?? nextEvent++, fileId, parentId, ...(options.trigger ? { trigger: options.trigger } : {}) });
  const outcome = await acceptUpload(acceptDeps(ddb, table), uploadWebhookSchema.parse(hook));
  if (!('jobId' in outcome)) return outcome;
  await copyUpload(deps, { jobId: outcome.jobId, run: 1 }, { messageId: `m-${outcome.jobId}-${Math.random()}`, receiveCount: 1 });
  return { jobId: outcome.jobId, job: await deps.store.get(outcome.jobId) };
}

const titlesIn = (folderId: number) => portal.filesInFolder(folderId).map((f) => f.title).sort();

describe('a client room and an internal room that copy to each other', () => {
  it('copies uploads on either side, at any depth, once to the other side, and never the copies back', async () => {
    const uploads = [
      [CLIENT_ROOM, 'client-root.pdf'],
      [CLIENT_SUB, 'client-sub.pdf'],
      [INTERNAL_ROOM, 'team-root.docx'],
      [INTERNAL_SUB, 'team-sub.docx'],
    ] as const;
    for (const [folder, title] of uploads) await deliver(portal.file(folder, title), folder);

    expect(titlesIn(FROM_CLIENT)).toEqual(['client-root.pdf', 'client-sub.pdf']);
    expect(titlesIn(FROM_US)).toEqual(['team-root.docx', 'team-sub.docx']);
    expect(portal.calls.startCopy).toBe(4);

    // Each copy landed in the other rule's source room. Reported back as uploads (DocSpace says file.copied, but
    // the copy records must hold on their own), none is copied again.
    for (const folder of [FROM_CLIENT, FROM_US]) {
      for (const copy of portal.filesInFolder(folder)) {
        const echo = await deliver(copy.id, folder);
        expect('job' in echo && echo.job?.result).toMatchObject({ ignored: true, reason: expect.stringMatching(/^the file is a copy made by job /) });
      }
    }
    // And as what DocSpace really sends, file.copied: acknowledged, no job.
    for (const copy of portal.filesInFolder(FROM_CLIENT)) {
      expect(await deliver(copy.id, FROM_CLIENT, { trigger: 'file.copied' })).toEqual({ ignored: true, reason: 'trigger file.copied is not file.uploaded' });
    }
    expect(portal.calls.startCopy).toBe(4);
    expect(titlesIn(FROM_CLIENT)).toEqual(['client-root.pdf', 'client-sub.pdf']);
    expect(titlesIn(FROM_US)).toEqual(['team-root.docx', 'team-sub.docx']);
  });

  it('copies a duplicate delivery once', async () => {
    const fileId = portal.file(CLIENT_ROOM, 'twice.pdf');
    const eventId = nextEvent++;
    const [first, second] = await Promise.all([deliver(fileId, CLIENT_ROOM, { eventId }), deliver(fileId, CLIENT_ROOM, { eventId })]);
    expect('jobId' in first && 'jobId' in second && first.jobId === second.jobId).toBe(true);
    await deliver(fileId, CLIENT_ROOM, { eventId });
    expect(titlesIn(FROM_CLIENT)).toEqual(['twice.pdf']);
    expect(portal.calls.startCopy).toBe(1);
  });

  it('does not copy a copy that a person moved into the other source room', async () => {
    const original = portal.file(CLIENT_ROOM, 'contract.pdf');
    await deliver(original, CLIENT_ROOM);
    const [copy] = portal.filesInFolder(FROM_CLIENT);
    // Someone drags the internal copy out of "From client" into the internal room's root, then into a subfolder:
    // a move keeps the file id, and whatever event reaches us for it, it is still our copy.
    for (const folder of [INTERNAL_ROOM, INTERNAL_SUB]) {
      portal.files.get(copy!.id)!.folderId = folder;
      const echo = await deliver(copy!.id, folder);
      expect('job' in echo && echo.job?.result).toMatchObject({ ignored: true, sourceFileId: copy!.id });
    }
    expect(portal.calls.startCopy).toBe(1);
    expect(titlesIn(FROM_US)).toEqual([]);
  });

  it('copies a file a person uploads into a destination folder to the other side once, and not back', async () => {
    // The team drops a file straight into "From client" (inside the internal room): it is the team's upload, so
    // rule B sends it to the client; rule A is not a rule of the internal room.
    const fileId = portal.file(FROM_CLIENT, 'note-for-client.pdf');
    const outcome = await deliver(fileId, FROM_CLIENT);
    expect('job' in outcome && outcome.job).toMatchObject({ status: 'succeeded', result: { sourceFileId: fileId, destFolderId: FROM_US } });
    const [copy] = portal.filesInFolder(FROM_US);
    expect(copy?.title).toBe('note-for-client.pdf');
    await deliver(copy!.id, FROM_US);
    expect(portal.calls.startCopy).toBe(1);
    expect(titlesIn(FROM_CLIENT)).toEqual(['note-for-client.pdf']);
  });
});
