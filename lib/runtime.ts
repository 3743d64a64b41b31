import { config } from './config';
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
      onRetry: (retry) => {
        counters.count('DocSpaceRetries');
        if (retry.status === 429) counters.count('DocSpaceRateLimited');
      },
    });
  }
  return client;
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
