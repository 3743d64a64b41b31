import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './dynamo';

export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
  constructor(readonly resource: string) {
    super(`${resource} is locked by another job`);
  }
}

/**
 * A lease is a lock that expires: a Lambda that crashes or times out holding it blocks others only until
 * `ttlMs` has passed, and then the work can be resumed. Re-acquiring one's own lease extends it.
 */
export class Leases {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(resource: string, owner: string, ttlMs: number): Promise<void> {
    const now = this.now();
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `LEASE#${resource}`,
            sk: 'LEASE',
            owner,
            expiresAt: now + ttlMs,
            ttl: Math.ceil((now + ttlMs) / 1000) + 3600,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new LeaseHeldError(resource);
      throw error;
    }
  }

  /** Releases only a lease still held by `owner`; someone else's (after expiry) is left alone. */
  async release(resource: string, owner: string): Promise<void> {
    try {
      await this.ddb.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: `LEASE#${resource}`, sk: 'LEASE' },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async withLease<T>(resource: string, owner: string, ttlMs: number, work: () => Promise<T>): Promise<T> {
    await this.acquire(resource, owner, ttlMs);
    try {
      return await work();
    } finally {
      await this.release(resource, owner);
    }
  }
}
