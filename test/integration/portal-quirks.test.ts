import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as scan } from '../../functions/abandoned-rooms/handler';
import { handler as dealArchiveWebhook } from '../../functions/deal-archive/handler';
import { handler as jobsApi } from '../../functions/jobs-api/handler';
import { handler as projectRoomWebhook } from '../../functions/project-room/handler';
import { handler as uploadCopyWebhook } from '../../functions/upload-copy/handler';
import { lambdaContext } from '../../infra/local/lambda-context';
import { DEMO } from '@docspace-flows/simulator';
import { resetConfigCache } from '../../lib/config';
import type { AbandonedRoomsReport } from '../../lib/reports/store';
import { formatReportTable } from '../../lib/workflows/abandoned-rooms';
import { buildNestedRoom, filesUnder } from '../bench/file-moves-room';
import { startStack, type Stack } from '../support/stack';

/*
 * Every workflow against what a real portal does and the simulator now does too (NOTES 1 and 3.4, the v3.7 spec):
 * a guest with a form role whom DocSpace will not remove without `force` (`error: 1`, nothing changed), share
 * answers that list only the invitees, rooms on third-party storage with string ids ("box-5"), and dates written
 * in the portal's local time with an offset (+03:00 here, the simulator's default).
 */

const DAY = 86_400_000;
const MINUTE = 60_000;
let stack: Stack;
const answered: Array<{ trigger: string; status: number; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  stack = await startStack({
    visibilityTimeoutSeconds: 5,
    env: { INACTIVITY_DAYS: '100', ARCHIVE_ABANDONED_ROOMS: 'off' },
    simulator: {
      fileOpDurationMs: 10,
      templateDurationMs: 30,
      webhookRetryBaseMs: 10,
      deliverWebhook: async (_url, { headers, body }) => {
        const answer = await stack.http(uploadCopyWebhook, { method: 'POST', path: '/webhooks/docspace', headers, body });
        answered.push({ trigger: (JSON.parse(body) as { event: { trigger: string } }).event.trigger, status: answer.statusCode, body: answer.body });
        return answer.statusCode;
      },
    },
  });
  stack.sim.registerWebhook({ url: 'https://flows.example.com/webhooks/docspace', secretKey: stack.secrets.docspace, triggers: ['file.uploaded'] });
}, 60_000);

afterAll(() => stack?.stop());

async function getJob(jobId: string) {
  const answer = await stack.http(jobsApi, { method: 'GET', path: `/jobs/${jobId}`, headers: { authorization: `Bearer ${stack.secrets.admin}` } });
  expect(answer.statusCode).toBe(200);
  return answer.body;
}

function post(handler: typeof dealArchiveWebhook, path: string, secret: string, body: unknown) {
  const raw = JSON.stringify(body);
  return stack.http(handler, { method: 'POST', path, body: raw, headers: stack.signedHeaders(secret, raw) });
}

describe('deal archive: a guest who holds a form role in the client room', () => {
  it('archives every file, fails the job naming the guest and the reason instead of claiming the guest was revoked, and a re-sent deal retries only the revocation', async () => {
    const room = buildNestedRoom(stack.sim, { title: 'Wayne client room', files: 60, depth: 2, width: 2 });
    const guest = DEMO.guestUserId;
    stack.sim.shareRoom(room.roomId, guest, 7); // FillForms
    stack.sim.assignFormRole(room.roomId, guest);
    const deal = { dealId: 'D-form-role', clientRoomId: room.roomId, clientName: 'Wayne', guestUserId: guest };

    const { jobId } = (await post(dealArchiveWebhook, '/webhooks/deals/closed', stack.secrets.deals, deal)).body as { jobId: string };
    await stack.drain({ timeoutMs: 90_000 });

    const failed = await getJob(jobId);
    expect(failed).toMatchObject({ status: 'failed', progress: { total: 60, done: 60, failed: 0 }, result: { guestRevoked: false } });
    expect(failed.errors).toEqual([
      {
        reason: `guest Gabriel Guest (${guest}) still has access to room ${room.roomId}: DocSpace refused to remove them because they hold a role in a form of the room (FormRoleBlockingDeletion); finish or stop that form filling, then send the deal again`,
      },
    ]);
    expect(filesUnder(stack.sim, failed.result.archiveFolderId)).toHaveLength(60);
    expect(filesUnder(stack.sim, room.roomId)).toHaveLength(0);
    // Nothing changed in the room: the guest still sees it, with the form role.
    expect(stack.sim.state.shares.get(room.roomId)?.get(guest)?.access).toBe(7);
    const revokes = stack.sim.mutations().filter((m) => m.method === 'PUT' && m.path.endsWith(`/files/rooms/${room.roomId}/share`));
    expect(revokes.map((m) => m.body)).toEqual([{ invitations: [{ id: guest, access: 0 }], notify: false, force: false }]);

    // Someone finishes the form filling in DocSpace, and the deal is sent again.
    stack.sim.state.formRoles.get(room.roomId)!.delete(guest);
    stack.sim.clearMutations();
    const again = await post(dealArchiveWebhook, '/webhooks/deals/closed', stack.secrets.deals, deal);
    expect(again.body).toEqual({ jobId });
    await stack.drain({ timeoutMs: 90_000 });

    // The only write of the second run is the revocation: no move, no folder.
    expect(stack.sim.mutations().map((m) => `${m.method} ${m.path.replace(/\?.*$/, '')}`)).toEqual([`PUT /api/2.0/files/rooms/${room.roomId}/share`]);
    expect(await getJob(jobId)).toMatchObject({ status: 'succeeded', result: { guestRevoked: true }, errors: [] });
    expect(stack.sim.state.shares.get(room.roomId)?.has(guest) ?? false).toBe(false);
  }, 180_000);
});

describe('abandoned rooms: rooms on third-party storage and local-time dates', () => {
  it('reports a third-party room by its string id, with its +03:00 date read right, and archives it by that id', async () => {
    const now = Date.now();
    const oldBox = stack.sim.addRoom({ title: 'Box: Old contracts', provider: 'box', created: now - 200 * DAY, updated: now - 120 * DAY - 30 * MINUTE });
    const freshBox = stack.sim.addRoom({ title: 'Box: Current', provider: 'box', updated: now - 2 * DAY });
    const oldInternal = stack.sim.addRoom({ title: 'Old internal', updated: now - 101 * DAY - 30 * MINUTE });
    process.env.ARCHIVE_ABANDONED_ROOMS = 'on';
    resetConfigCache();
    try {
      await scan({ source: 'aws.events' }, lambdaContext({ functionName: 'docspace-flows-test-abandonedRoomsScan', timeoutSeconds: 300, memoryMB: 512 }));
    } finally {
      process.env.ARCHIVE_ABANDONED_ROOMS = 'off';
      resetConfigCache();
    }
    const answer = await stack.http(jobsApi, { method: 'GET', path: '/reports/abandoned-rooms/latest', headers: { authorization: `Bearer ${stack.secrets.admin}` } });
    const report = answer.body as AbandonedRoomsReport;
    expect(report.rooms).toEqual([
      { id: `box-${oldBox}`, title: 'Box: Old contracts', updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+03:00$/), daysInactive: 120, roomType: 5 },
      { id: oldInternal, title: 'Old internal', updated: expect.stringMatching(/\+03:00$/), daysInactive: 101, roomType: 5 },
    ]);
    expect(report.rooms.map((r) => r.id)).not.toContain(`box-${freshBox}`);
    expect(report.archive).toEqual({ mode: 'on', archived: [`box-${oldBox}`, oldInternal], failed: [] });
    expect(stack.sim.state.rootOf(oldBox)?.id).toBe(stack.sim.state.roots.archive);
    expect(formatReportTable(report)).toContain(`box-${oldBox}`);
  });
});

describe('room from template: a third-party room with the project\'s title', () => {
  it('is never taken for the project\'s room: a room is created from the template and reported', async () => {
    const title = 'Wayne merger (P-quirk)';
    const box = stack.sim.addRoom({ title, provider: 'box' });
    const { jobId } = (await post(projectRoomWebhook, '/webhooks/projects', stack.secrets.projects, { projectId: 'P-quirk', projectType: 'legal', projectName: 'Wayne merger' })).body as { jobId: string };
    await stack.drain({ timeoutMs: 60_000 });
    const job = await getJob(jobId);
    expect(job).toMatchObject({ status: 'succeeded', result: { roomId: expect.any(Number), title } });
    expect(job.result.roomId).not.toBe(box);
    expect(stack.sim.state.folders.get(job.result.roomId)?.title).toBe(title);
  });
});

describe('upload copy: third-party uploads and local-time dates', () => {
  it('acknowledges an upload into a third-party room without a job, and copies an internal upload as before', async () => {
    answered.length = 0;
    const box = stack.sim.addRoom({ title: 'Box: Client drop', provider: 'box' });
    stack.sim.uploadFile(box, 'from-box.pdf');
    const internal = stack.sim.uploadFile(DEMO.sourceRoomId, 'internal.pdf');
    await stack.sim.flushWebhooks();
    await stack.drain({ timeoutMs: 60_000 });

    expect(answered.map((a) => a.status)).toEqual([200, 202]);
    expect(answered[0]!.body).toEqual({ ignored: true, reason: expect.stringMatching(/^the file is on third-party storage \(id box-\d+\)/) });
    const job = await getJob(answered[1]!.body.jobId as string);
    expect(job).toMatchObject({ status: 'succeeded', result: { sourceFileId: internal, destFolderId: DEMO.internalRoomId } });
    expect(stack.sim.state.files.get(job.result.newFileId)?.title).toBe('internal.pdf');
  });
});
