import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, isConditionFailure, updateIfAllowed } from './dynamo';
import { jobKey, toJob, type Job, type JobError } from './store';

export interface PlannedFile {
  id: number;
  title: string;
}

export interface Chunk {
  jobId: string;
  run: number;
  index: number;
  destFolderId: number;
  /** The one folder all of the chunk's files come from (absent in plans written before it was recorded). */
  sourceFolderId?: number;
  files: PlannedFile[];
  status: 'pending' | 'done';
  attempts: number;
  /** Set by the attempt that finished the chunk: what it moved and what it could not, with the reasons. */
  outcome?: { done: number; failed: number };
  errors?: JobError[];
}

const CHUNK_TTL_SECONDS = 30 * 86_400;
/**
 * Chunks are keyed by the plan that wrote them (the run and the planner's claim token): a planner that was
 * superseded mid-write (its claim taken over) writes beside the current plan, never over it.
 */
const chunkKey = (jobId: string, run: number, token: string, index: number) => ({
  pk: `CHUNKS#${jobId}`,
  sk: `${run}#${token}#${String(index).padStart(6, '0')}`,
});

/**
 * The plan of a file-move run: chunks of at most 100 files for one destination folder each. A chunk is
 * finished on its own item by its latest attempt (conditional on the attempt number), then counted on the job
 * item in one conditional update (the chunk's id joins a set it was not yet in): a chunk counts once however
 * often SQS delivers it, and a crash between the two steps is repaired by the next delivery.
 */
export class ChunkStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async writePlan(
    jobId: string,
    run: number,
    token: string,
    chunks: { destFolderId: number; sourceFolderId?: number; files: PlannedFile[] }[],
  ): Promise<void> {
    const ttl = Math.floor(this.now() / 1000) + CHUNK_TTL_SECONDS;
    const requests = chunks.map((c, index) => ({
      PutRequest: {
        Item: {
          ...chunkKey(jobId, run, token, index),
          jobId,
          run,
          index,
          destFolderId: c.destFolderId,
          ...(c.sourceFolderId !== undefined ? { sourceFolderId: c.sourceFolderId } : {}),
          files: c.files,
          status: 'pending',
          attempts: 0,
          ttl,
        },
      },
    }));
    await batchWriteAll(this.ddb, this.table, requests, 'the plan');
  }

  async get(jobId: string, run: number, token: string, index: number): Promise<Chunk | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: chunkKey(jobId, run, token, index), ConsistentRead: true }));
    return out.Item as Chunk | undefined;
  }

  /** Counts an attempt at a chunk; a count above 1 means an earlier attempt may have moved part of it. */
  async startAttempt(jobId: string, run: number, token: string, index: number): Promise<Chunk | undefined> {
    const chunk = await updateIfAllowed(this.ddb, {
      TableName: this.table,
      Key: chunkKey(jobId, run, token, index),
      UpdateExpression: 'ADD attempts :one',
      ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':pending': 'pending' },
    });
    return chunk as Chunk | undefined;
  }

  /**
   * Records the chunk's outcome on the chunk, by the latest attempt only: an attempt that was overtaken by a
   * redelivery (its message came back while it still ran) cannot finish the chunk, so only one attempt's
   * findings are ever reported. False when the chunk was already finished or another attempt has started.
   */
  async finish(
    jobId: string,
    run: number,
    token: string,
    index: number,
    attempt: number,
    result: { done: number; failed: number; errors: JobError[] },
  ): Promise<boolean> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: chunkKey(jobId, run, token, index),
          UpdateExpression: 'SET #status = :done, #outcome = :outcome, #errors = :errors',
          ConditionExpression: '#status = :pending AND attempts = :attempt',
          ExpressionAttributeNames: { '#status': 'status', '#outcome': 'outcome', '#errors': 'errors' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':pending': 'pending',
            ':attempt': attempt,
            ':outcome': { done: result.done, failed: result.failed },
            ':errors': result.errors,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Adds a finished chunk's outcome to the job's counters exactly once (the chunk's id joins a set on the job
   * item it was not yet in). Returns the job after the update, or undefined when this chunk had already been
   * counted or the run is no longer current.
   */
  async count(jobId: string, run: number, index: number, outcome: { done: number; failed: number }): Promise<Job | undefined> {
    const id = `${run}#${index}`;
    const job = await updateIfAllowed(this.ddb, {
      TableName: this.table,
      Key: jobKey(jobId),
      UpdateExpression:
        'SET #updatedAt = :at ADD #progress.#done :done, #progress.#failed :failed, #state.#chunksDone :one, doneChunks :ids',
      ConditionExpression: '#run = :run AND NOT contains(doneChunks, :id)',
      ExpressionAttributeNames: {
        '#updatedAt': 'updatedAt',
        '#progress': 'progress',
        '#done': 'done',
        '#failed': 'failed',
        '#state': 'state',
        '#chunksDone': 'chunksDone',
        '#run': 'run',
      },
      ExpressionAttributeValues: {
        ':at': new Date(this.now()).toISOString(),
        ':done': outcome.done,
        ':failed': outcome.failed,
        ':one': 1,
        ':ids': new Set([id]),
        ':id': id,
        ':run': run,
      },
    });
    return job && toJob(job);
  }

  /** Indexes of the run's chunks not yet counted on the job: what a stalled plan still has to (re)send. */
  async uncountedIndexes(jobId: string, run: number, chunkCount: number): Promise<number[]> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: jobKey(jobId), ProjectionExpression: 'doneChunks', ConsistentRead: true }),
    );
    const counted = (out.Item?.doneChunks as Set<string> | undefined) ?? new Set<string>();
    return Array.from({ length: chunkCount }, (_, i) => i).filter((i) => !counted.has(`${run}#${i}`));
  }
}
