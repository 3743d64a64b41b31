import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './dynamo';
import { jobPartition } from './store';

/**
 * What one upload-copy job did (or started) for one destination folder. Keyed by job and destination but not by
 * run, so a resumed job still sees that an earlier run may already have started a copy.
 */
export interface CopyAttempt {
  jobId: string;
  destFolderId: number;
  /** Epoch ms when the last copy request was about to be sent; set before the PUT, so a crash leaves it behind. */
  startedAt?: number;
  /** DocSpace's operation id, recorded as soon as the PUT answered. */
  operationId?: string;
  newFileId?: number;
  newTitle?: string;
  attempts?: number;
}

const TTL_SECONDS = 400 * 86_400;
const attemptKey = (jobId: string, destFolderId: number) => ({ pk: jobPartition(jobId), sk: `COPY#${destFolderId}` });
const newFileKey = (newFileId: number) => ({ pk: `UPLOADCOPY#NEW#${newFileId}`, sk: 'COPY' });

export class CopyStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(jobId: string, destFolderId: number): Promise<CopyAttempt | undefined> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: attemptKey(jobId, destFolderId), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = out.Item;
    return rest as CopyAttempt;
  }

  /**
   * Written before every copy request. Fails (returns false) once the copy has a result, and while another
   * request started after `settledBefore` may still be under way: SQS can hand one message to two workers at
   * once, and only one of them may send the copy.
   */
  async markStarted(jobId: string, destFolderId: number, settledBefore: number): Promise<boolean> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: attemptKey(jobId, destFolderId),
          UpdateExpression: 'SET jobId = :job, destFolderId = :dest, startedAt = :at, #ttl = :ttl ADD attempts :one REMOVE operationId',
          ConditionExpression: 'attribute_not_exists(newFileId) AND (attribute_not_exists(startedAt) OR startedAt < :settled)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':job': jobId,
            ':dest': destFolderId,
            ':at': this.now(),
            ':ttl': this.ttl(),
            ':one': 1,
            ':settled': settledBefore,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The copy request certainly did not reach DocSpace's worker: nothing to verify next time. */
  async clearStarted(jobId: string, destFolderId: number): Promise<void> {
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: attemptKey(jobId, destFolderId),
        UpdateExpression: 'REMOVE startedAt, operationId',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(newFileId)',
      }),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  async recordOperation(jobId: string, destFolderId: number, operationId: string): Promise<void> {
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: attemptKey(jobId, destFolderId),
        UpdateExpression: 'SET operationId = :op',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(newFileId)',
        ExpressionAttributeValues: { ':op': operationId },
      }),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  /**
   * Marks a destination file as the copy made by this job. First writer wins, so a file found in the
   * destination after a crash can be adopted by one job only; the same job claiming again is fine.
   */
  async claimNewFile(newFileId: number, jobId: string, sourceFileId: number): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...newFileKey(newFileId), jobId, sourceFileId, ttl: this.ttl() },
          ConditionExpression: 'attribute_not_exists(pk) OR jobId = :job',
          ExpressionAttributeValues: { ':job': jobId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The job whose copy this file is, if the bundle made it. */
  async copiedBy(fileId: number): Promise<{ jobId: string; sourceFileId: number } | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: newFileKey(fileId), ConsistentRead: true }));
    return out.Item ? { jobId: out.Item.jobId as string, sourceFileId: out.Item.sourceFileId as number } : undefined;
  }

  /** The copy's new file, once known: what `get` answers from then on, and what GET /jobs shows in the result. */
  async recordResult(record: { jobId: string; destFolderId: number; newFileId: number; newTitle?: string }): Promise<void> {
    await this.ddb.send(
      new UpdateCommand({
        TableName: this.table,
        Key: attemptKey(record.jobId, record.destFolderId),
        UpdateExpression: 'SET jobId = :job, destFolderId = :dest, newFileId = :id, newTitle = :title, #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':job': record.jobId,
          ':dest': record.destFolderId,
          ':id': record.newFileId,
          ':title': record.newTitle ?? null,
          ':ttl': this.ttl(),
        },
      }),
    );
  }

  private ttl(): number {
    return Math.floor(this.now() / 1000) + TTL_SECONDS;
  }
}
