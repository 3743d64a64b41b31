import { describe, expect, it } from 'vitest';
import { DocSpaceServerError } from '../../../lib/docspace/errors';
import { CallbackFailedError, CallbackRefusedError } from '../../../lib/callback/client';
import {
  acceptProject,
  checkTemplateMap,
  handleProjectRoomMessage,
  portalLease,
  projectEventSchema,
  roomTitle,
  type ProjectRoomMessage,
  type ProjectRoomSettings,
} from '../../../lib/workflows/project-room';
import { fakeDeps } from './fakes/project-room';

const settings: ProjectRoomSettings = {
  templateMap: { legal: 900, marketing: 901 },
  portalUrl: 'https://portal.example.com',
};
const LEASE = portalLease(settings.portalUrl);
const acme = { projectId: 'P-1', projectType: 'legal', projectName: 'Acme merger' };

/** Delivers queued messages like SQS: a throw puts the message back with a higher receive count. */
async function drain(world: ReturnType<typeof fakeDeps>, options: { maxDeliveries?: number } = {}) {
  const pending: Array<{ body: ProjectRoomMessage; receiveCount: number }> = world.sent
    .splice(0)
    .map((m) => ({ body: m.body as ProjectRoomMessage, receiveCount: 1 }));
  const thrown: unknown[] = [];
  let deliveries = 0;
  while (pending.length && deliveries < (options.maxDeliveries ?? 50)) {
    const next = pending.shift()!;
    deliveries++;
    try {
      await handleProjectRoomMessage(world.deps, settings, next.body, { receiveCount: next.receiveCount });
    } catch (error) {
      thrown.push(error);
      pending.push({ body: next.body, receiveCount: next.receiveCount + 1 });
    }
    pending.push(...world.sent.splice(0).map((m) => ({ body: m.body as ProjectRoomMessage, receiveCount: 1 })));
  }
  return { thrown, deliveries };
}

describe('accepting a project', () => {
  it('titles the room "<projectName> (<projectId>)" and queues one message', async () => {
    const world = fakeDeps();
    const { jobId } = await acceptProject(world.deps, acme);
    const job = world.store.jobs.get(jobId)!;
    expect(job.input).toMatchObject({ title: 'Acme merger (P-1)', projectType: 'legal' });
    expect(world.sent).toEqual([{ body: { jobId, run: 1 } }]);
  });

  it('answers a repeated project with the same job and does not start a second one once it runs', async () => {
    const world = fakeDeps();
    const first = await acceptProject(world.deps, acme);
    await drain(world);
    const again = await acceptProject(world.deps, { ...acme, projectName: 'Renamed' });
    expect(again.jobId).toBe(first.jobId);
    expect(world.sent).toEqual([]);
    expect(world.store.jobs.get(first.jobId)!.input).toMatchObject({ title: 'Acme merger (P-1)' });
  });

  it('resumes a job as a new run when a repeat finds it "running" long after its last update, and not before', async () => {
    const world = fakeDeps();
    const { jobId } = await acceptProject(world.deps, acme);
    world.sent.length = 0;
    await world.store.transition(jobId, ['queued'], 'running', { run: 1 });

    world.clock.t += 60_000;
    await acceptProject(world.deps, acme);
    expect(world.sent).toEqual([]);

    world.clock.t += 20 * 60_000;
    await acceptProject(world.deps, acme);
    // The one accept protocol (lib/jobs/accept.ts): a stale run is dead, its job resumes as the next run.
    expect(world.sent).toEqual([{ body: { jobId, run: 2 } }]);
    await drain(world);
    expect(world.store.jobs.get(jobId)!.status).toBe('succeeded');
  });

  it('refuses names DocSpace would alter, naming the field', () => {
    const result = projectEventSchema.safeParse({ ...acme, projectName: 'A/B: merger' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['projectName']);
    expect(projectEventSchema.safeParse({ ...acme, projectId: '' }).error!.issues[0]!.path).toEqual(['projectId']);
  });
});

describe('creating the room', () => {
  it('creates the room from the mapped template, confirms it and reports its id, title and URL', async () => {
    const world = fakeDeps();
    const { jobId } = await acceptProject(world.deps, acme);
    await drain(world);

    expect(world.portal.posts).toEqual([{ templateId: 900, title: 'Acme merger (P-1)' }]);
    const [roomId] = world.portal.roomsTitled('Acme merger (P-1)');
    const job = world.store.jobs.get(jobId)!;
    expect(job.status).toBe('succeeded');
    expect(job.result).toEqual({
      roomId,
      title: 'Acme merger (P-1)',
      webUrl: `https://portal.example.com/rooms/shared/${roomId}/filter?folder=${roomId}`,
    });
    expect(world.callbacks).toEqual([
      { key: jobId, body: { projectId: 'P-1', jobId, roomId, title: 'Acme merger (P-1)', webUrl: job.result!.webUrl } },
    ]);
    expect(world.leases.held.size).toBe(0);
  });

  it('fails a project whose type TEMPLATE_MAP does not map, with the reason, and creates nothing', async () => {
    const world = fakeDeps();
    const { jobId } = await acceptProject(world.deps, { ...acme, projectType: 'construction' });
    await drain(world);

    expect(world.store.jobs.get(jobId)!.status).toBe('failed');
    expect(world.store.errors(jobId)).toEqual([
      { reason: 'projectType "construction" has no room template in TEMPLATE_MAP (mapped types: legal, marketing)' },
    ]);
    expect(world.portal.posts).toEqual([]);
    expect(world.portal.rooms.size).toBe(0);
    expect(world.callbacks).toEqual([]);
  });

  it('never falls back to another template when the mapped one is not on the portal', async () => {
    const world = fakeDeps();
    world.portal.templates.delete(900);
    const { jobId } = await acceptProject(world.deps, acme);
    await drain(world);

    expect(world.store.jobs.get(jobId)!.status).toBe('failed');
    expect(world.store.errors(jobId)[0]!.reason).toContain('template 900');
    expect(world.portal.posts).toEqual([]);
  });

  it('fails the job with DocSpace\'s reason when the creation fails, leaving no room', async () => {
    const world = fakeDeps();
    world.portal.failNext = 'Quota exceeded';
    const { jobId } = await acceptProject(world.deps, acme);
    await drain(world);

    expect(world.store.jobs.get(jobId)!.status).toBe('failed');
    expect(world.store.errors(jobId)).toEqual([{ reason: 'DocSpace could not create the room from template 900: Quota exceeded' }]);
    expect(world.portal.rooms.size).toBe(0);
  });

  it('fails the job with the reason on its last delivery when DocSpace keeps failing, instead of parking it in the DLQ', async () => {
    const world = fakeDeps();
    world.portal.createFromTemplate = async () => {
      throw new DocSpaceServerError(503, 'Service Unavailable', 'POST', '/api/2.0/files/rooms/fromtemplate');
    };
    const { jobId } = await acceptProject(world.deps, acme);
    const { thrown } = await drain(world);

    expect(thrown).toHaveLength(3);
    expect(world.store.jobs.get(jobId)!.status).toBe('failed');
    expect(world.store.errors(jobId)[0]!.reason).toMatch(/^gave up after 4 attempts: DocSpace POST .* failed \(503\)/);
    expect(world.leases.held.size).toBe(0);
  });

  it('resumes a failed project when the PM system sends it again, and creates the room then', async () => {
    const world = fakeDeps();
    world.portal.failNext = 'Quota exceeded';
    const { jobId } = await acceptProject(world.deps, acme);
    await drain(world);
    await acceptProject(world.deps, acme);
    await drain(world);

    const job = world.store.jobs.get(jobId)!;
    expect(job).toMatchObject({ status: 'succeeded', run: 2 });
    expect(world.portal.roomsTitled('Acme merger (P-1)')).toHaveLength(1);
  });
});

describe('recovering from crashes', () => {
  it('finds the room it created when it died before updating the job, instead of creating another', async () => {
    const world = fakeDeps();
    const { jobId } = await acceptProject(world.deps, acme);
    world.store.crashOnRecordingResult = true;
    const { thrown } = await drain(world);

    expect(thrown).toHaveLength(1);
    expect(world.portal.posts).toHaveLength(1);
    const rooms = world.portal.roomsTitled('Acme merger (P-1)');
    expect(rooms).toHaveLength(1);
    expect(world.store.jobs.get(jobId)).toMatchObject({ status: 'succeeded', result: { roomId: rooms[0] } });
    expect(world.callbacks).toHaveLength(1);
  });

  it('waits out the lease of a worker that died mid-creation, lets its creation finish, and adopts that room', async () => {
    const world = fakeDeps();
    const { jobId } = await acceptProject(world.deps, acme);
    const message = world.sent.splice(0)[0]!.body as ProjectRoomMessage;
    // The dead worker: it took the lease, moved the job to running and POSTed, then its Lambda timed out.
    await world.leases.acquire(LEASE, 'dead-worker', 45_000);
    await world.store.transition(jobId, ['queued'], 'running', { run: 1 });
    world.portal.creationMs = 70_000;
    await world.portal.createFromTemplate({ templateId: 900, title: 'Acme merger (P-1)' });

    await handleProjectRoomMessage(world.deps, settings, message, { receiveCount: 2 });

    expect(world.portal.posts).toHaveLength(1);
    expect(world.portal.roomsTitled('Acme merger (P-1)')).toHaveLength(1);
    expect(world.store.jobs.get(jobId)!.status).toBe('succeeded');
  });

  it('finds the room by title when the portal status has vanished', async () => {
    const world = fakeDeps();
    const { jobId } = await acceptProject(world.deps, acme);
    // The POST reached DocSpace but its answer was lost, and the status is gone before anyone reads it.
    world.portal.ambiguousNextPost = { reachServer: true };
    world.portal.creationMs = 0;
    const realStatus = world.portal.creationStatus.bind(world.portal);
    let reads = 0;
    world.portal.creationStatus = async () => (++reads > 1 ? undefined : realStatus());
    await drain(world);

    expect(world.portal.posts).toHaveLength(1);
    const [roomId] = world.portal.roomsTitled('Acme merger (P-1)');
    expect(world.store.jobs.get(jobId)).toMatchObject({ status: 'succeeded', result: { roomId } });
  });
});

describe('the per-portal status', () => {
  it('never reports a room another creation left in the status, and starts its own', async () => {
    const world = fakeDeps();
    world.portal.creationMs = 0;
    const other = world.portal.startForeignCreation('Someone else (X-9)', 0);
    const { jobId } = await acceptProject(world.deps, acme);
    // Our POST is lost on the way: the status still shows the other, completed creation.
    world.portal.ambiguousNextPost = { reachServer: false };
    await drain(world);

    const job = world.store.jobs.get(jobId)!;
    const [ours] = world.portal.roomsTitled('Acme merger (P-1)');
    expect(ours).toBeDefined();
    expect(job.result).toMatchObject({ roomId: ours, title: 'Acme merger (P-1)' });
    expect(job.result!.roomId).not.toBe(other);
    expect(world.logged.some((l) => l.message.includes('not this project'))).toBe(true);
  });

  it('waits for a creation already running in the portal before starting its own', async () => {
    const world = fakeDeps();
    const other = world.portal.startForeignCreation('Started in the UI', 20_000);
    const { jobId } = await acceptProject(world.deps, acme);
    await drain(world);

    expect(world.portal.posts).toEqual([{ templateId: 900, title: 'Acme merger (P-1)' }]);
    expect(world.store.jobs.get(jobId)!.result!.roomId).not.toBe(other);
    expect(world.store.jobs.get(jobId)!.result!.title).toBe('Acme merger (P-1)');
  });

  it('keeps renewing the portal lease while a slow creation runs', async () => {
    const world = fakeDeps();
    world.portal.creationMs = 140_000;
    let lapsed = false;
    world.portal.onStatusRead = () => {
      const lease = world.leases.held.get(LEASE);
      if (!lease || lease.expiresAt < world.clock.now()) lapsed = true;
    };
    const { jobId } = await acceptProject(world.deps, acme);
    await drain(world);

    expect(lapsed).toBe(false);
    expect(world.leases.acquisitions).toBeGreaterThan(3);
    expect(world.store.jobs.get(jobId)!.status).toBe('succeeded');
  });

  it('hands the message back with a delay when another worker holds the portal lease too long', async () => {
    const world = fakeDeps();
    const { jobId } = await acceptProject(world.deps, acme);
    const message = world.sent.splice(0)[0]!.body as ProjectRoomMessage;
    await world.leases.acquire(LEASE, 'busy-worker', 10 * 60_000);

    await handleProjectRoomMessage(world.deps, settings, message, { receiveCount: 1 });

    expect(world.sent).toEqual([{ body: message, delaySeconds: 15 }]);
    expect(world.portal.posts).toEqual([]);
    expect(world.store.jobs.get(jobId)!.status).toBe('queued');
  });

  it('never lets two projects share a title, so no job can find another project\'s room by it', async () => {
    const world = fakeDeps();
    // Both would be titled "A (B) (C)" if an id could carry parentheses.
    const events = [
      { projectId: 'C', projectType: 'legal', projectName: 'A (B)' },
      { projectId: 'B) (C', projectType: 'legal', projectName: 'A' },
    ];
    const parsed = events.map((e) => projectEventSchema.safeParse(e));
    expect(parsed[1]!.error!.issues[0]!.path).toEqual(['projectId']);
    const jobIds = [];
    for (const p of parsed) if (p.success) jobIds.push((await acceptProject(world.deps, p.data)).jobId);
    await drain(world);

    const roomIds = jobIds.map((id) => world.store.jobs.get(id)!.result!.roomId);
    expect(new Set(roomIds).size).toBe(roomIds.length);
  });

  it('serialises two projects so each job names its own room', async () => {
    const world = fakeDeps();
    const a = await acceptProject(world.deps, acme);
    const b = await acceptProject(world.deps, { projectId: 'P-2', projectType: 'marketing', projectName: 'Spring campaign' });
    await drain(world);

    expect(world.portal.posts).toEqual([
      { templateId: 900, title: 'Acme merger (P-1)' },
      { templateId: 901, title: 'Spring campaign (P-2)' },
    ]);
    expect(world.store.jobs.get(a.jobId)!.result).toMatchObject({ roomId: world.portal.roomsTitled('Acme merger (P-1)')[0] });
    expect(world.store.jobs.get(b.jobId)!.result).toMatchObject({ roomId: world.portal.roomsTitled('Spring campaign (P-2)')[0] });
  });
});

describe('the callback', () => {
  it('is retried through SQS while it fails, the job running with its room until the callback goes through', async () => {
    const world = fakeDeps();
    let failures = 2;
    const delivered: unknown[] = [];
    const statusAtCall: string[] = [];
    world.deps.callback = async (body) => {
      statusAtCall.push(world.store.jobs.get(body.jobId)!.status);
      if (failures-- > 0) throw new CallbackFailedError('callback answered 503', true, 5, 503);
      delivered.push(body);
    };
    const { jobId } = await acceptProject(world.deps, acme);
    const { thrown } = await drain(world);

    expect(thrown).toHaveLength(2);
    expect(delivered).toHaveLength(1);
    expect(statusAtCall).toEqual(['running', 'running', 'running']);
    expect(world.store.jobs.get(jobId)).toMatchObject({ status: 'succeeded', result: { title: 'Acme merger (P-1)' } });
    expect(world.portal.posts).toHaveLength(1);
  });

  it('fails the job on a refused callback URL without retrying it, keeping the room in the result', async () => {
    const world = fakeDeps();
    let calls = 0;
    world.deps.callback = async () => {
      calls++;
      throw new CallbackRefusedError('callback host 10.0.0.5 is a private, loopback or link-local address');
    };
    const { jobId } = await acceptProject(world.deps, acme);
    const { thrown } = await drain(world);

    expect(thrown).toEqual([]);
    expect(calls).toBe(1);
    const [roomId] = world.portal.roomsTitled('Acme merger (P-1)');
    expect(world.store.jobs.get(jobId)).toMatchObject({ status: 'failed', result: { roomId } });
    expect(world.store.errors(jobId)[0]!.reason).toContain('10.0.0.5');
  });

  it('fails the job after the last delivery and records why', async () => {
    const world = fakeDeps();
    world.deps.callback = async () => {
      throw new CallbackFailedError('callback answered 502', true, 5, 502);
    };
    const { jobId } = await acceptProject(world.deps, acme);
    const { thrown } = await drain(world);

    expect(thrown).toHaveLength(3);
    const [roomId] = world.portal.roomsTitled('Acme merger (P-1)');
    expect(world.store.jobs.get(jobId)).toMatchObject({ status: 'failed', result: { roomId } });
    expect(world.store.errors(jobId)).toEqual([{ reason: 'callback to PROJECT_CALLBACK_URL not delivered: callback answered 502' }]);
  });

  it('retries only the callback when the project is sent again, reporting the same room even if it was renamed since', async () => {
    const world = fakeDeps();
    let down = true;
    const delivered: Array<{ roomId: number }> = [];
    world.deps.callback = async (body) => {
      if (down) throw new CallbackFailedError('callback answered 404', false, 1, 404);
      delivered.push(body);
    };
    const { jobId } = await acceptProject(world.deps, acme);
    await drain(world);
    const [roomId] = world.portal.roomsTitled('Acme merger (P-1)');
    expect(world.store.jobs.get(jobId)!.status).toBe('failed');

    world.portal.rooms.get(roomId!)!.title = 'Acme merger (renamed by a user)';
    down = false;
    expect(await acceptProject(world.deps, acme)).toEqual({ jobId });
    await drain(world);

    expect(world.portal.posts).toHaveLength(1);
    expect(world.portal.rooms.size).toBe(1);
    expect(delivered).toEqual([expect.objectContaining({ roomId })]);
    expect(world.store.jobs.get(jobId)).toMatchObject({ status: 'succeeded', run: 2, result: { roomId } });
    expect(world.store.errors(jobId)).toEqual([]);
  });
});

describe('the start-up template check', () => {
  it('lists mapped types whose template the portal lacks, and templates nothing maps to', async () => {
    const world = fakeDeps();
    world.portal.templates.set(902, 'HR template');
    const check = await checkTemplateMap(world.portal, { legal: 900, finance: 777 });
    expect(check.missing).toEqual([{ projectType: 'finance', templateId: 777 }]);
    expect(check.unmapped).toEqual([
      { id: 901, title: 'Marketing template' },
      { id: 902, title: 'HR template' },
    ]);
  });
});

it('builds the title from name and id', () => {
  expect(roomTitle({ projectId: 'PRJ-10021', projectName: 'Q1 Campaign' })).toBe('Q1 Campaign (PRJ-10021)');
});
