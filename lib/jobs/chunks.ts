import { BatchWriteCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, jobKey, type Job } from './store';

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
}

const CHUNK_TTL_SECONDS = 30 * 86_400;
const chunkKey = (jobId: string, run: number, index: number) => ({
  pk: `CHUNKS#${jobId}`,
  sk: `${run}#${String(index).padStart(6, '0')}`,
});

/**
 * The plan of a file-move run: chunks of at most 100 files for one destination folder each. A chunk's
 * completion is counted on the job item itself in one conditional update (the chunk's id joins a set it was
 * not yet in), which is what makes a chunk count once however often SQS delivers it.
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
    chunks: { destFolderId: number; sourceFolderId?: number; files: PlannedFile[] }[],
  ): Promise<void> {
    const ttl = Math.floor(this.now() / 1000) + CHUNK_TTL_SECONDS;
    const requests = chunks.map((c, index) => ({
      PutRequest: {
        Item: {
          ...chunkKey(jobId, run, index),
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
    for (let i = 0; i < requests.length; i += 25) {
      let pending: typeof requests | undefined = requests.slice(i, i + 25);
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept rejecting the plan');
        const out = await this.ddb.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
        pending = out.UnprocessedItems?.[this.table] as typeof requests | undefined;
        if (pending?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async get(jobId: string, run: number, index: number): Promise<Chunk | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: chunkKey(jobId, run, index), ConsistentRead: true }));
    return out.Item as Chunk | undefined;
  }

  /** Counts an attempt at a chunk; a count above 1 means an earlier attempt may have moved part of it. */
  async startAttempt(jobId: string, run: number, index: number): Promise<Chunk | undefined> {
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: chunkKey(jobId, run, index),
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ':pending': 'pending' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as Chunk;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Adds the chunk's outcome to the job's counters exactly once. Returns the job after the update, or
   * undefined when this chunk had already been counted (or the run is no longer current).
   */
  async complete(jobId: string, run: number, index: number, outcome: { done: number; failed: number }): Promise<Job | undefined> {
    const id = `${run}#${index}`;
    let job: Job | undefined;
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
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
          ReturnValues: 'ALL_NEW',
        }),
      );
      const { pk: _pk, sk: _sk, ttl: _ttl, doneChunks: _d, ...rest } = out.Attributes!;
      job = rest as unknown as Job;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // Marking the chunk itself is only a shortcut for redeliveries; the job's set above is the truth.
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: chunkKey(jobId, run, index),
        UpdateExpression: 'SET #status = :done',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done' },
      }),
    );
    return job;
  }

  async pendingIndexes(jobId: string, run: number): Promise<number[]> {
    const pending: number[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.ddb.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
          FilterExpression: '#status = :pending',
          ProjectionExpression: '#index',
          ExpressionAttributeNames: { '#status': 'status', '#index': 'index' },
          ExpressionAttributeValues: { ':pk': `CHUNKS#${jobId}`, ':run': `${run}#`, ':pending': 'pending' },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) pending.push(item.index as number);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return pending;
  }
}
