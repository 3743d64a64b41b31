import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { acceptUpload, copyUpload, uploadWebhookSchema, type CopyRule } from '../../../lib/workflows/upload-copy';
import { startTable } from '../../support/dynamo';
import { FakePortal, acceptDeps, uploadedHook, workerDeps } from './upload-copy-fixtures';

/*
 * Our copies normally come back only as file.copied, which the ack path ignores by trigger. This covers the
 * other way one could reach the worker: an upload event naming one of our copies after someone moved that copy
 * into a source room. The copy record, not the room rules, must be what stops the loop.
 */

let ddb: DynamoDBDocumentClient;
let table: string;
let close: () => Promise<void>;
const now = () => Date.parse('2026-11-30T10:00:00Z');

const CLIENT_ROOM = 100;
const INTERNAL_ROOM = 300;
const INBOX = 301;
const rules: CopyRule[] = [{ sourceRoomId: CLIENT_ROOM, destFolderId: INBOX }];

beforeAll(async () => {
  ({ ddb, table, close } = await startTable());
});
afterAll(() => close());

it('does not copy one of its own copies again, even once that copy sits in a source room', async () => {
  const portal = new FakePortal(now);
  portal.room(CLIENT_ROOM);
  portal.room(INTERNAL_ROOM);
  portal.folder(INBOX, INTERNAL_ROOM);
  const deps = workerDeps(ddb, table, portal, rules, now);
  const accept = async (eventId: number, fileId: number, parentId: number) => {
    const outcome = await acceptUpload(acceptDeps(ddb, table), uploadWebhookSchema.parse(uploadedHook({ eventId, fileId, parentId })));
    if (!('jobId' in outcome)) throw new Error('not accepted');
    return { jobId: outcome.jobId, run: 1 };
  };

  const original = portal.file(CLIENT_ROOM, 'brief.pdf');
  const first = await accept(71_001, original, CLIENT_ROOM);
  await copyUpload(deps, first, { messageId: 'm-1', receiveCount: 1 });
  const [copy] = portal.filesInFolder(INBOX);
  expect(copy).toBeDefined();
  expect(portal.calls.startCopy).toBe(1);

  // Someone drags the internal copy into the client room; an upload event for it reaches us.
  portal.files.get(copy!.id)!.folderId = CLIENT_ROOM;
  const echo = await accept(71_002, copy!.id, CLIENT_ROOM);
  await copyUpload(deps, echo, { messageId: 'm-2', receiveCount: 1 });

  expect(portal.calls.startCopy).toBe(1);
  expect(portal.filesInFolder(INBOX)).toHaveLength(0);
  expect((await deps.store.get(echo.jobId))?.result).toMatchObject({
    ignored: true,
    sourceFileId: copy!.id,
    reason: `the file is a copy made by job ${first.jobId}`,
  });
});
