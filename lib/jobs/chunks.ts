import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, isConditionFailure, updateIfAllowed } from './dynamo';
import { jobKey, logJobChange, toJob, type Job, type JobError } from './store';
import type { Log } from '../log';

export interface PlannedFile {
  id: number;
  title: string;
}

export interface Chunk {
  jobId: string;
  run: number;
  /** The one folder all of the chunk's files come from, and the one folder that mirrors it. */
  sourceFolderId: number;
  destFolderId: number;
  index: number;
  files: PlannedFile[];
  status: 'pending' | 'done';
  attempts: number;
  /** Set by the attempt that finished the chunk: what it moved and what it could not, with the reasons. */
  outcome?: { done: number; failed: number };
  errors?: JobError[];
}

/** What the scan of one source folder found: its subfolders (paired with their mirrors) and its chunk count. */
export interface FolderScan {
  folders: Array<{ sourceFolderId: number; destFolderId: number }>;
  chunkCount: number;
}

/**
 * A run's steps (folder scans and chunks) each count once on the job, by an id in its `settled` set. Ids carry
 * the run, so a step of an earlier run never counts in a later one.
 */
export const folderStep = (run: number, sourceFolderId: number) => `${run}#F${sourceFolderId}`;
export const chunkStep = (run: number, sourceFolderId: number, index: number) => `${run}#C${sourceFolderId}.${index}`;

const ITEM_TTL_SECONDS = 30 * 86_400;
const runKey = (jobId: string, run: number, sourceFolderId: number, suffix: string) => ({
  pk: `RUN#${jobId}`,
  sk: `${run}#${sourceFolderId}#${suffix}`,
});
const chunkKey = (jobId: string, run: number, sourceFolderId: number, index: number) =>
  runKey(jobId, run, sourceFolderId, String(index).padStart(6, '0'));
const scanKey = (jobId: string, run: number, sourceFolderId: number) => runKey(jobId, run, sourceFolderId, 'scan');

/**
 * The bookkeeping of a file-move run. The job item holds `state.pending`, the number of queued steps not yet
 * settled: the start sets it to 1 (the scan of the source root); a scan settles by adding its subfolders and
 * chunks and removing itself, a chunk by removing itself. Each settle is one conditional update that also adds
 * the step's id to `settled`, so a step counts once however often SQS delivers it, and since a step adds its
 * children before it leaves, `pending` reaches 0 once, when the last step of the run settles.
 */
export class ChunkStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
    private readonly log?: Pick<Log, 'info'>,
  ) {}

  /**
   * Starts a queued run, once: the scan of the source root becomes its one pending step, and the run's total
   * starts from what earlier runs moved (each scan adds its files).
   */
  async startRun(jobId: string, run: number, destRootId: number, result: Record<string, unknown>): Promise<Job | undefined> {
    return this.updateJob(jobId, {
      UpdateExpression: 'SET #status = :running, #updatedAt = :at, #state = :state, #result = :result, #progress.#total = #progress.#done',
      ConditionExpression: '#run = :run AND #status = :queued',
      ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt', '#state': 'state', '#result': 'result', '#progress': 'progress', '#total': 'total', '#done': 'done', '#run': 'run' },
      ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued', ':at': this.isoNow(), ':state': { pending: 1, destRootId }, ':result': result, ':run': run },
    });
  }

  /** Records a folder's scan and its chunks. Only its scanning invocation writes them, before the scan settles. */
  async writeScan(
    jobId: string,
    run: number,
    sourceFolderId: number,
    scan: { destFolderId: number; folders: FolderScan['folders']; chunks: PlannedFile[][] },
  ): Promise<void> {
    const ttl = Math.floor(this.now() / 1000) + ITEM_TTL_SECONDS;
    const chunks = scan.chunks.map((files, index) => ({
      ...chunkKey(jobId, run, sourceFolderId, index),
      jobId,
      run,
      sourceFolderId,
      destFolderId: scan.destFolderId,
      index,
      files,
      status: 'pending',
      attempts: 0,
      ttl,
    }));
    const record = { ...scanKey(jobId, run, sourceFolderId), folders: scan.folders, chunkCount: chunks.length, ttl };
    await batchWriteAll(this.ddb, this.table, [...chunks, record].map((Item) => ({ PutRequest: { Item } })), 'a folder scan');
  }

  async getScan(jobId: string, run: number, sourceFolderId: number): Promise<FolderScan | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: scanKey(jobId, run, sourceFolderId), ConsistentRead: true }));
    return out.Item as FolderScan | undefined;
  }

  async get(jobId: string, run: number, sourceFolderId: number, index: number): Promise<Chunk | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: chunkKey(jobId, run, sourceFolderId, index), ConsistentRead: true }));
    return out.Item as Chunk | undefined;
  }

  /** Counts an attempt at a chunk; a count above 1 means an earlier attempt may have moved part of it. */
  async startAttempt(jobId: string, run: number, sourceFolderId: number, index: number): Promise<Chunk | undefined> {
    const chunk = await updateIfAllowed(this.ddb, {
      TableName: this.table,
      Key: chunkKey(jobId, run, sourceFolderId, index),
      UpdateExpression: 'ADD attempts :one',
      ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':pending': 'pending' },
    });
    return chunk as Chunk | undefined;
  }

  /**
   * Records the chunk's outcome on the chunk, by the latest attempt only, so only one attempt's findings are
   * ever reported. False when the chunk was already finished or another attempt has started since.
   */
  async finish(
    jobId: string,
    run: number,
    sourceFolderId: number,
    index: number,
    attempt: number,
    result: { done: number; failed: number; errors: JobError[] },
  ): Promise<boolean> {
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: chunkKey(jobId, run, sourceFolderId, index),
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
   * Settles a step of the run exactly once: adds its children to `state.pending`, removes itself, and adds
   * its counts to the progress. Returns the job after the update, or undefined when the step had already
   * settled or the run is no longer current.
   */
  async settle(
    jobId: string,
    run: number,
    step: string,
    delta: { pending: number; total?: number; done?: number; failed?: number },
  ): Promise<Job | undefined> {
    return this.updateJob(jobId, {
      UpdateExpression:
        'SET #updatedAt = :at ADD #state.#pending :pending, settled :ids, #progress.#total :total, #progress.#done :done, #progress.#failed :failed',
      ConditionExpression: '#run = :run AND NOT contains(settled, :id)',
      ExpressionAttributeNames: {
        '#updatedAt': 'updatedAt',
        '#state': 'state',
        '#pending': 'pending',
        '#progress': 'progress',
        '#total': 'total',
        '#done': 'done',
        '#failed': 'failed',
        '#run': 'run',
      },
      ExpressionAttributeValues: {
        ':at': this.isoNow(),
        ':pending': delta.pending,
        ':total': delta.total ?? 0,
        ':done': delta.done ?? 0,
        ':failed': delta.failed ?? 0,
        ':ids': new Set([step]),
        ':id': step,
        ':run': run,
      },
    });
  }

  /** The ids of every step that has settled (any run; the ids carry the run). */
  async settledSteps(jobId: string): Promise<Set<string>> {
    const out = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: jobKey(jobId), ProjectionExpression: 'settled', ConsistentRead: true }),
    );
    return (out.Item?.settled as Set<string> | undefined) ?? new Set<string>();
  }

  private async updateJob(jobId: string, update: Omit<UpdateCommandInput, 'TableName' | 'Key' | 'ReturnValues'>): Promise<Job | undefined> {
    const job = await updateIfAllowed(this.ddb, { TableName: this.table, Key: jobKey(jobId), ...update });
    // Every update through here starts a run or settles a step: each is a progress change worth a line.
    return logJobChange(this.log, job && toJob(job));
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}
