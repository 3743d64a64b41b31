import { DocSpaceError, DocSpaceNotFoundError } from '../../docspace/errors';
import type { FolderDto, RoomFromTemplateStatusDto } from '../../docspace/schemas';
import { ProjectRoomRetryableError, type Run } from './model';
import { pause } from './portal-lease';

export type Outcome = { kind: 'room'; room: FolderDto; created: boolean } | { kind: 'failed'; reason: string };

/** Rooms (active or archived, never templates) whose title is exactly ours; the oldest first. */
async function findRoomByTitle(run: Run, title: string): Promise<FolderDto | undefined> {
  const candidates = await run.deps.rooms.listRooms({ searchArea: 'Any', filterValue: title });
  const exact = candidates.filter((r) => r.title === title && r.rootFolderType !== 30).sort((a, b) => a.id - b.id);
  if (exact.length > 1) {
    run.deps.log.warn('several rooms carry the same project title; reporting the oldest', {
      jobId: run.jobId,
      roomIds: exact.map((r) => r.id),
    });
  }
  return exact[0];
}

/** The room a status names, only if it is the one we asked for. */
async function confirmRoom(run: Run, roomId: number, title: string): Promise<FolderDto | undefined> {
  let room: FolderDto;
  try {
    room = await run.deps.rooms.getRoom(roomId);
  } catch (error) {
    if (error instanceof DocSpaceNotFoundError) return undefined;
    throw error;
  }
  return room.title === title && room.rootFolderType !== 30 ? room : undefined;
}

/** Waits until no creation is running in the portal; returns the finished status left behind, if any. */
async function waitForIdlePortal(run: Run): Promise<RoomFromTemplateStatusDto | undefined> {
  let delay = run.timing.pollInitialMs;
  for (;;) {
    const status = await run.deps.rooms.creationStatus();
    if (!status || status.isCompleted) return status;
    await pause(run, delay, 'waiting for a room creation already running in the portal');
    delay = Math.min(run.timing.pollMaxMs, Math.ceil(delay * 1.5));
  }
}

type Polled =
  | { kind: 'completed'; roomId: number }
  | { kind: 'failed'; error: string; roomId: number | undefined }
  | { kind: 'vanished' };

/**
 * Polls the portal's status until it is completed. Per NOTES 3.6 only `isCompleted` and `error` count:
 * progress runs 0..0.9 and then jumps to 100, and on failure `roomId` may name a room already deleted.
 */
async function pollCreation(run: Run, first: RoomFromTemplateStatusDto | undefined): Promise<Polled> {
  let status = first;
  let polled = false;
  let delay = run.timing.pollInitialMs;
  for (;;) {
    if (status?.isCompleted) {
      if (status.error) return { kind: 'failed', error: status.error, roomId: status.roomId ?? undefined };
      if (status.roomId !== undefined && status.roomId !== null) return { kind: 'completed', roomId: status.roomId };
      return { kind: 'vanished' };
    }
    if (!status && polled) return { kind: 'vanished' };
    await pause(run, delay, 'waiting for DocSpace to create the room');
    delay = Math.min(run.timing.pollMaxMs, Math.ceil(delay * 1.5));
    status = await run.deps.rooms.creationStatus();
    polled = true;
  }
}

export async function createOrFindRoom(run: Run, title: string, templateId: number, projectType: string): Promise<Outcome> {
  const { deps } = run;
  let templateChecked = false;
  for (let attempt = 1; attempt <= run.timing.maxCreateAttempts; attempt++) {
    // A creation still running may be ours from a delivery that died; its room only counts once it is done.
    const before = await waitForIdlePortal(run);
    const existing = await findRoomByTitle(run, title);
    if (existing) {
      deps.log.info('found the project room already created', { jobId: run.jobId, roomId: existing.id });
      return { kind: 'room', room: existing, created: false };
    }
    if (!templateChecked) {
      const templates = await deps.rooms.listRooms({ searchArea: 'Templates' });
      if (!templates.some((t) => t.id === templateId)) {
        return {
          kind: 'failed',
          reason: `template ${templateId} (TEMPLATE_MAP for projectType "${projectType}") is not a room template on the portal`,
        };
      }
      templateChecked = true;
    }

    let started: RoomFromTemplateStatusDto | undefined;
    try {
      started = await deps.rooms.createFromTemplate({ templateId, title });
    } catch (error) {
      if (!(error instanceof DocSpaceError)) throw error;
      // Ambiguous: DocSpace may have started it. The status and the title search below tell.
      if (!error.ambiguous) {
        if (error.retryable) throw error;
        return { kind: 'failed', reason: `DocSpace refused to create the room: ${error.docspaceMessage}` };
      }
      deps.log.warn('room creation request failed ambiguously; checking what DocSpace did', { jobId: run.jobId });
    }

    const polled = await pollCreation(run, started);
    if (polled.kind === 'completed') {
      const room = await confirmRoom(run, polled.roomId, title);
      if (room) return { kind: 'room', room, created: true };
      // A status left over from, or belonging to, another creation. Never reported as ours.
      deps.log.warn('the portal status named a room that is not this project\'s', { jobId: run.jobId, roomId: polled.roomId });
    } else {
      const found = await findRoomByTitle(run, title);
      if (found) return { kind: 'room', room: found, created: true };
      if (polled.kind === 'failed') {
        const stale = before?.isCompleted && before.error === polled.error && (before.roomId ?? undefined) === polled.roomId;
        if (!stale) {
          return { kind: 'failed', reason: `DocSpace could not create the room from template ${templateId}: ${polled.error}` };
        }
        deps.log.warn('the portal still shows an earlier failed creation; starting ours again', { jobId: run.jobId });
      }
    }
  }
  throw new ProjectRoomRetryableError(`no room titled as requested appeared after ${run.timing.maxCreateAttempts} attempts`);
}
