import { ConfigError, config } from './config';
import { dynamo, sqs } from './aws';
import { JobStore } from './jobs/store';
import { Leases } from './jobs/lease';
import { ReportStore } from './reports/store';
import { sqsQueue, type Queue } from './queue/send';
import { ChunkStore } from './jobs/chunks';
import { DocSpaceClient } from './docspace/client';
import { log } from './log';
import { counters } from './metrics';
import type { FileMoveDeps } from './workflows/file-moves/model';
import { claimOnce } from './jobs/store';
import { CopyStore } from './jobs/copies';
import {
  RoomResolver,
  docspaceCopyPort,
  validateRules,
  type CopyRule,
  type UploadAcceptDeps,
  type UploadCopyDeps,
} from './workflows/upload-copy';
import { postSignedJson } from './http/callback';
import { docspaceRooms, type ProjectCallback, type ProjectRoomDeps, type ProjectRoomSettings } from './workflows/project-room';
import { docspaceScanRooms, type AbandonedRoomsDeps, type AbandonedRoomsSettings } from './workflows/abandoned-rooms';

/*
 * The composition root: the one place that turns settings into the ports the workflows receive. Handlers call
 * these; workflow code never does.
 */
export const jobStore = (): JobStore => new JobStore(dynamo(), config('table').TABLE_NAME);
export const leases = (): Leases => new Leases(dynamo(), config('table').TABLE_NAME);
export const reportStore = (): ReportStore => new ReportStore(dynamo(), config('table').TABLE_NAME);

export const fileMovesQueue = (): Queue => sqsQueue(sqs(), config('fileMovesQueue').FILE_MOVES_QUEUE_URL);
export const uploadCopyQueue = (): Queue => sqsQueue(sqs(), config('uploadCopyQueue').UPLOAD_COPY_QUEUE_URL);
export const projectRoomQueue = (): Queue => sqsQueue(sqs(), config('projectRoomQueue').PROJECT_ROOM_QUEUE_URL);

let client: DocSpaceClient | undefined;

/** One DocSpace client per process, so its concurrency caps hold across every record a Lambda handles. */
export function docspaceClient(): DocSpaceClient {
  if (!client) {
    const settings = config('docspace');
    client = new DocSpaceClient({
      baseUrl: settings.DOCSPACE_API_HOST,
      apiKey: settings.DOCSPACE_API_KEY,
      timeoutMs: settings.DOCSPACE_TIMEOUT_MS,
      concurrency: { reads: settings.DOCSPACE_MAX_CONCURRENT_READS, writes: settings.DOCSPACE_MAX_CONCURRENT_WRITES },
      logger: log,
      onRetry: () => counters.count('DocSpaceRetries'),
      // Every 429, also the ones given up on: the figure that says the bundle together pressed on DocSpace's limits.
      onRateLimited: () => counters.count('DocSpaceRateLimited'),
    });
  }
  return client;
}

/** Tests start a fresh stack (another simulator URL and key) in the same process. */
export function resetRuntime(): void {
  client = undefined;
}

export const acceptDeps = () => ({ store: jobStore(), queue: fileMovesQueue(), counters, log });

export const fileMoveDeps = (): FileMoveDeps => ({
  docspace: docspaceClient(),
  store: jobStore(),
  chunks: new ChunkStore(dynamo(), config('table').TABLE_NAME),
  leases: leases(),
  queue: fileMovesQueue(),
  log,
  counters,
});

export const copyStore = (): CopyStore => new CopyStore(dynamo(), config('table').TABLE_NAME);

export const uploadAcceptDeps = (): UploadAcceptDeps => ({
  store: jobStore(),
  claimOnce: (key, value, ttlSeconds) => claimOnce(dynamo(), config('table').TABLE_NAME, key, value, ttlSeconds),
  queue: uploadCopyQueue(),
  counters,
  log,
});

export function copyRules(): CopyRule[] {
  try {
    return validateRules(config('copyRules').COPY_RULES);
  } catch (error) {
    if (error instanceof Error && error.name === 'InvalidCopyRuleError') throw new ConfigError('COPY_RULES', error.message);
    throw error;
  }
}

/** Kept per DocSpace client, so the folder → room cache lives as long as the process (and a test's stack). */
let uploadRooms: { client: DocSpaceClient; rooms: RoomResolver } | undefined;

export function uploadCopyDeps(): UploadCopyDeps {
  const docspace = docspaceClient();
  if (uploadRooms?.client !== docspace) uploadRooms = { client: docspace, rooms: new RoomResolver(docspaceCopyPort(docspace)) };
  return {
    docspace: docspaceCopyPort(docspace),
    rooms: uploadRooms.rooms,
    rules: copyRules(),
    store: jobStore(),
    copies: copyStore(),
    log,
    counters,
  };
}

// Workflow 4: room from template.
export const projectAcceptDeps = () => ({ store: jobStore(), queue: projectRoomQueue(), counters, log });

function projectCallback(): ProjectCallback | undefined {
  const settings = config('projects');
  if (!settings.PROJECT_CALLBACK_URL) return undefined;
  const url = settings.PROJECT_CALLBACK_URL;
  return async (body, idempotencyKey) => {
    await postSignedJson(
      {
        url,
        secret: settings.PROJECTS_WEBHOOK_SECRET,
        allowPrivate: settings.PROJECT_CALLBACK_ALLOW_PRIVATE,
        headers: { 'idempotency-key': idempotencyKey },
        // Bounded so the worker ends inside its Lambda timeout; SQS redelivery is the longer-term retry.
        maxAttempts: 3,
        timeoutMs: 5_000,
      },
      body,
    );
  };
}

export const projectRoomDeps = (): ProjectRoomDeps => {
  const callback = projectCallback();
  return {
    rooms: docspaceRooms(docspaceClient()),
    store: jobStore(),
    leases: leases(),
    queue: projectRoomQueue(),
    ...(callback ? { callback } : {}),
    log,
    counters,
  };
};

export const projectRoomSettings = (): ProjectRoomSettings => ({
  templateMap: config('projects').TEMPLATE_MAP,
  portalUrl: config('docspace').DOCSPACE_API_HOST,
});

// Workflow 5: abandoned rooms.
export const abandonedRoomsDeps = (): AbandonedRoomsDeps => ({
  rooms: docspaceScanRooms(docspaceClient()),
  reports: reportStore(),
  log,
});

export const abandonedRoomsSettings = (): AbandonedRoomsSettings => ({
  inactivityDays: config('scan').INACTIVITY_DAYS,
  archive: config('scan').ARCHIVE_ABANDONED_ROOMS,
});
