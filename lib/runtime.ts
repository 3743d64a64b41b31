import { config } from './config';
import { dynamo, sqs } from './aws';
import { JobStore } from './jobs/store';
import { Leases } from './jobs/lease';
import { ReportStore } from './reports/store';
import { sqsQueue, type Queue } from './queue/send';

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
