import { config } from './config';
import { dynamo, sqs } from './aws';
import { JobStore, type Workflow } from './jobs/store';
import { Leases } from './jobs/lease';
import { ReportStore } from './reports/store';
import { sqsQueue, type Queue } from './queue/send';
import { ChunkStore } from './jobs/chunks';
import { DocSpaceClient } from './docspace/client';
import { log } from './log';
import { counters, workflowCounters } from './metrics';
import type { FileMoveDeps } from './workflows/file-moves/model';
import { docspaceFileMoves, type FileMovesDocSpace } from './workflows/file-moves/docspace-port';
import { claimOnce } from './jobs/store';
import { CopyStore } from './jobs/copies';
import {
  RoomResolver,
  docspaceCopyPort,
  distinctRules,
  type CopyRule,
  type UploadAcceptDeps,
  type UploadCopyDeps,
} from './workflows/upload-copy';
import { postSignedJson } from './callback/client';
import { docspaceRooms, type ProjectCallback, type ProjectRoomDeps, type ProjectRoomSettings } from './workflows/project-room';
import { docspaceScanRooms, type AbandonedRoomsDeps, type AbandonedRoomsSettings } from './workflows/abandoned-rooms';
import { listJobs, type JobListQuery, type JobPage } from './jobs/listing';
import { approximateMessages } from './queue/count';
import type { RetryDeps } from './workflows/retry';

/*
 * The composition root: the one place that turns settings into the ports the workflows receive. Handlers call
 * these; workflow code never does.
 */
export const jobStore = (): JobStore => new JobStore(dynamo(), config('table').TABLE_NAME, Date.now, log);
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

/** One worker runs the steps of two workflows: its counts are bound to the workflow of the job at hand. */
/** The DocSpace calls of the file-move engine and its previews, bound to the one client. */
export const fileMovesDocSpace = (): FileMovesDocSpace => docspaceFileMoves(docspaceClient());

export const fileMoveDeps = (workflow?: Workflow): FileMoveDeps => ({
  docspace: fileMovesDocSpace(),
  store: jobStore(),
  chunks: new ChunkStore(dynamo(), config('table').TABLE_NAME, Date.now, log),
  leases: leases(),
  queue: fileMovesQueue(),
  log,
  counters: workflow ? workflowCounters(workflow) : counters,
});

export const copyStore = (): CopyStore => new CopyStore(dynamo(), config('table').TABLE_NAME);

export const uploadAcceptDeps = (): UploadAcceptDeps => ({
  store: jobStore(),
  claimOnce: (key, value, ttlSeconds) => claimOnce(dynamo(), config('table').TABLE_NAME, key, value, ttlSeconds),
  queue: uploadCopyQueue(),
  counters,
  log,
});

export const copyRules = (): CopyRule[] => distinctRules(config('copyRules').COPY_RULES);

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
    counters: workflowCounters('upload-copy'),
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
    counters: workflowCounters('project-room'),
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

// Operations: GET /jobs, GET /dead-letter-queues, POST /jobs/{jobId}/retry.
export const jobList = () => (query: JobListQuery): Promise<JobPage> => listJobs(dynamo(), config('table').TABLE_NAME, query);

export function deadLetterQueueCounts(): Array<{ name: string; count: () => Promise<number> }> {
  const urls = config('deadLetterQueues');
  return [
    { name: 'file-moves', url: urls.FILE_MOVES_DLQ_URL },
    { name: 'upload-copy', url: urls.UPLOAD_COPY_DLQ_URL },
    { name: 'project-room', url: urls.PROJECT_ROOM_DLQ_URL },
  ].map(({ name, url }) => ({ name, count: () => approximateMessages(sqs(), url) }));
}

export const retryDeps = (): RetryDeps => ({
  store: jobStore(),
  queues: { fileMoves: fileMovesQueue(), uploadCopy: uploadCopyQueue(), projectRoom: projectRoomQueue() },
  counters,
  log,
});
