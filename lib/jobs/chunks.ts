import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, isConditionFailure, queryAll, updateIfAllowed } from './dynamo';
import { JobStore, type FileMoveJob, type JobError } from './store';
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
  /** The DocSpace operation the latest attempt started, so that the next attempt follows it instead of guessing. */
  operationId?: string;
  /** Set by the attempt that finished the chunk: what it moved and what it could not, with the reasons. */
  outcome?: { done: number; failed: number };
  errors?: JobError[];
}

/**
 * What the scan of one source folder found: its subfolders, each paired with its mirror or (`whole`) with the
 * folder it is to be moved into with its whole subtree, and its chunk count.
 */
export interface FolderScan {
  folders: Array<{ sourceFolderId: number; destFolderId: number; whole?: boolean; title?: string; weight?: number }>;
  /** Chunks 0..chunkCount-1 of the folder are queued by this scan (the last batch of a folder scanned in batches
   *  queues all of them, the others none, so nothing moves while the folder is still being paged through). */
  chunkCount: number;
  /** The next batch of a folder scanned in batches. */
  next?: { startIndex: number; chunksBefore: number };
  /** The folder that mirrors the scanned one. */
  destFolderId?: number;
  /** The files this scan planned, what its settle adds to the total (absent on scans recorded before it was kept). */
  files?: number;
}

/**
 * A whole-folder move (lib/workflows/file-moves/move-folder.ts): the files of the subtree as listed before the
 * move (kept in parts, so that a subtree of thousands of files fits DynamoDB's item size), the operation the
 * latest attempt started, and once done its outcome and the scan, if any, of what the move left behind.
 */
/** What a whole-folder move hands on: a scan of a folder's remnant, or a smaller move of one of its folders. */
export type NextStep =
  | { kind: 'folder'; sourceFolderId: number; destFolderId: number }
  | { kind: 'tree'; sourceFolderId: number; destFolderId: number; folders: Array<{ sourceFolderId: number; title: string }> };

export interface TreeMove {
  jobId: string;
  run: number;
  /** The group's key: its first folder. */
  sourceFolderId: number;
  /** The sibling folders moved together, in one operation. */
  folders: Array<{ sourceFolderId: number; title: string }>;
  destParentId: number;
  parts: number;
  status: 'pending' | 'done';
  attempts: number;
  operationId?: string;
  outcome?: { total: number; done: number; failed: number };
  errors?: JobError[];
  /** The steps that take over what the move did not carry: remnants in the source, or a group too big split up. */
  next?: NextStep[];
}

/**
 * A run's steps (folder scans, whole-folder moves and chunks) each count once on the job, by an id with a marker
 * item of its own (ChunkStore.settle). Ids carry the run, so a step of an earlier run never counts in a later one.
 */
export const folderStep = (run: number, sourceFolderId: number, startIndex = 0) =>
  startIndex === 0 ? `${run}#F${sourceFolderId}` : `${run}#F${sourceFolderId}@${startIndex}`;
/** A group of n > 1 folders is keyed by its first folder and its size, so the moves it may split into never share its key. */
export const treeStep = (run: number, sourceFolderId: number, n = 1) => `${run}#T${sourceFolderId}${n > 1 ? `x${n}` : ''}`;
export const chunkStep = (run: number, sourceFolderId: number, index: number) => `${run}#C${sourceFolderId}.${index}`;

const ITEM_TTL_SECONDS = 30 * 86_400;
const runKey = (jobId: string, run: number, sourceFolderId: number, suffix: string) => ({
  pk: `RUN#${jobId}`,
  sk: `${run}#${sourceFolderId}#${suffix}`,
});
const chunkKey = (jobId: string, run: number, sourceFolderId: number, index: number) =>
  runKey(jobId, run, sourceFolderId, String(index).padStart(6, '0'));
const MARKER_PREFIX = 'STEP#';
const markerKey = (jobId: string, step: string) => ({ pk: `RUN#${jobId}`, sk: `${MARKER_PREFIX}${step}` });
const treeKey = (jobId: string, run: number, sourceFolderId: number, n: number) => runKey(jobId, run, sourceFolderId, `tree${n > 1 ? `x${n}` : ''}`);
const treePartKey = (jobId: string, run: number, sourceFolderId: number, n: number, part: number) =>
  runKey(jobId, run, sourceFolderId, `tree${n > 1 ? `x${n}` : ''}-part-${String(part).padStart(4, '0')}`);
/** 1000 files of titles up to DocSpace's 165 characters stay well under DynamoDB's 400 KB an item. */
const TREE_PART_FILES = 1_000;
const scanKey = (jobId: string, run: number, sourceFolderId: number, startIndex = 0) =>
  runKey(jobId, run, sourceFolderId, startIndex === 0 ? 'scan' : `scan@${String(startIndex).padStart(9, '0')}`);

/**
 * The bookkeeping of a file-move run. The job item holds `state.pending`, the number of queued steps not yet
 * settled: the start sets it to 1 (the scan of the source root, JobStore.startFileMoveRun); a scan settles by
 * adding its subfolders and chunks and removing itself, a chunk by removing itself. Each step settles once however
 * often SQS delivers it (see `settle`), and since a step adds its children before it leaves, `pending` reaches 0
 * once, when the last step of the run settles.
 *
 * This store keeps the run's own items (RUN#: scans, chunks, whole-folder moves, step markers); its changes to the
 * job item go through JobStore, the one module that writes it.
 */
export class ChunkStore {
  private readonly jobs: JobStore;

  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
    log?: Pick<Log, 'info'>,
  ) {
    this.jobs = new JobStore(ddb, table, now, log);
  }

  /** Records a folder's scan and its chunks. Only its scanning invocation writes them, before the scan settles. */
  async writeScan(
    jobId: string,
    run: number,
    sourceFolderId: number,
    scan: { destFolderId: number; folders: FolderScan['folders']; chunks: PlannedFile[][]; firstChunk?: number; queued?: number; next?: FolderScan['next'] },
    startIndex = 0,
  ): Promise<void> {
    const ttl = Math.floor(this.now() / 1000) + ITEM_TTL_SECONDS;
    const chunks = scan.chunks.map((files, i) => ({
      ...chunkKey(jobId, run, sourceFolderId, (scan.firstChunk ?? 0) + i),
      jobId,
      run,
      sourceFolderId,
      destFolderId: scan.destFolderId,
      index: (scan.firstChunk ?? 0) + i,
      files,
      status: 'pending',
      attempts: 0,
      ttl,
    }));
    const record = {
      ...scanKey(jobId, run, sourceFolderId, startIndex),
      destFolderId: scan.destFolderId,
      folders: scan.folders,
      chunkCount: scan.queued ?? chunks.length,
      files: chunks.reduce((n, c) => n + c.files.length, 0),
      ...(scan.next ? { next: scan.next } : {}),
      ttl,
    };
    await batchWriteAll(this.ddb, this.table, [...chunks, record].map((Item) => ({ PutRequest: { Item } })), 'a folder scan');
  }

  async getScan(jobId: string, run: number, sourceFolderId: number, startIndex = 0): Promise<FolderScan | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: scanKey(jobId, run, sourceFolderId, startIndex), ConsistentRead: true }));
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

  /** Records the operation an attempt started; ignored when a later attempt has started since. */
  async recordOperation(jobId: string, run: number, sourceFolderId: number, index: number, attempt: number, operationId: string): Promise<void> {
    await updateIfAllowed(this.ddb, {
      TableName: this.table,
      Key: chunkKey(jobId, run, sourceFolderId, index),
      UpdateExpression: 'SET operationId = :op',
      ConditionExpression: '#status = :pending AND attempts = :attempt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':op': operationId, ':pending': 'pending', ':attempt': attempt },
    });
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
   *
   * The job item stays the same size however many steps a run has: which steps have settled is recorded on one
   * marker item per step, not on the job. DynamoDB Local and dynalite have no transactions, so the marker and the
   * job are written in three phases, each repeatable after a crash:
   *  1. claim the marker (a conditional put: of five concurrent settlers, one goes on), with a fresh token;
   *  2. apply the counts to the job, adding the token to the job's small `settling` set, on condition that the
   *     token is not already there (so a repeat after a crash between 2 and 3 does not count twice);
   *  3. mark the marker applied, then take the token out of `settling`.
   * A token leaves `settling` only after its marker says applied, so `settling` holds only the steps being
   * settled at this moment. A step whose claimer died between 1 and 2 is finished by its next delivery (steps
   * run one invocation at a time under their own lease, lib/workflows/file-moves/one-at-a-time.ts).
   *
   * `next`, given the job the counts were applied to, queues what follows the step; it runs beside phase 3, so
   * the next steps do not wait for the marker's bookkeeping. Phase 3 is repeatable whatever `next` did: a step
   * that dies after queuing and before phase 3 finds its marker claimed and its token in `settling` on its next
   * delivery, counts nothing again, and finishes phase 3 (what it queues then, the steps' own markers and leases
   * make harmless).
   */
  async settle(
    jobId: string,
    run: number,
    step: string,
    delta: { pending: number; total?: number; done?: number; failed?: number },
    next?: (job: FileMoveJob) => Promise<void>,
  ): Promise<FileMoveJob | undefined> {
    const key = markerKey(jobId, step);
    const token = randomUUID();
    let marker: { token: string; phase: 'claimed' | 'applied' } | undefined;
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key, token, phase: 'claimed', ttl: Math.floor(this.now() / 1000) + ITEM_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      marker = { token, phase: 'claimed' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      marker = out.Item as typeof marker;
      if (!marker) return undefined;
      if (marker.phase === 'applied') {
        await this.jobs.forgetSettling(jobId, marker.token);
        return undefined;
      }
      // Claimed by a settler that may have died; a live one holds the step's lease, so this is a redelivery.
    }
    // Every settle that counts is a progress change worth a line in the log (JobStore logs it).
    const job = await this.jobs.applySettle(jobId, run, marker.token, delta);
    if (!job && (await this.jobs.currentRun(jobId)) !== run) return undefined;
    const applied = async () => {
      await this.ddb.send(
        new UpdateCommand({ TableName: this.table, Key: key, UpdateExpression: 'SET phase = :applied', ExpressionAttributeValues: { ':applied': 'applied' } }),
      );
      await this.jobs.forgetSettling(jobId, marker.token);
    };
    // Only the update that applied the counts reports the job: exactly one settler sees its last step.
    await Promise.all([applied(), job && next ? next(job) : undefined]);
    return job;
  }

  /** Records the subtree of a whole-folder move as listed before the move; written once, before any move. */
  async writeTree(
    jobId: string,
    run: number,
    sourceFolderId: number,
    tree: { destParentId: number; folders: TreeMove['folders']; files: PlannedFile[] },
  ): Promise<void> {
    const ttl = Math.floor(this.now() / 1000) + ITEM_TTL_SECONDS;
    const parts: Record<string, unknown>[] = [];
    for (let i = 0; i < tree.files.length; i += TREE_PART_FILES) {
      parts.push({ ...treePartKey(jobId, run, sourceFolderId, tree.folders.length, parts.length), files: tree.files.slice(i, i + TREE_PART_FILES), ttl });
    }
    await batchWriteAll(this.ddb, this.table, parts.map((Item) => ({ PutRequest: { Item } })), 'a folder listing');
    await this.ddb.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...treeKey(jobId, run, sourceFolderId, tree.folders.length),
          jobId,
          run,
          sourceFolderId,
          destParentId: tree.destParentId,
          folders: tree.folders,
          parts: parts.length,
          status: 'pending',
          attempts: 0,
          ttl,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  async getTree(jobId: string, run: number, sourceFolderId: number, n: number): Promise<TreeMove | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.table, Key: treeKey(jobId, run, sourceFolderId, n), ConsistentRead: true }));
    return out.Item as TreeMove | undefined;
  }

  async treeFiles(tree: TreeMove): Promise<PlannedFile[]> {
    const files: PlannedFile[] = [];
    for (let part = 0; part < tree.parts; part++) {
      const out = await this.ddb.send(
        new GetCommand({ TableName: this.table, Key: treePartKey(tree.jobId, tree.run, tree.sourceFolderId, tree.folders.length, part), ConsistentRead: true }),
      );
      files.push(...((out.Item?.files as PlannedFile[] | undefined) ?? []));
    }
    return files;
  }

  /** Counts an attempt at a whole-folder move that has not finished; undefined once it has. */
  async startTreeAttempt(jobId: string, run: number, sourceFolderId: number, n: number): Promise<TreeMove | undefined> {
    return (await updateIfAllowed(this.ddb, {
      TableName: this.table,
      Key: treeKey(jobId, run, sourceFolderId, n),
      UpdateExpression: 'ADD attempts :one',
      ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':pending': 'pending' },
    })) as TreeMove | undefined;
  }

  async recordTreeOperation(tree: TreeMove, operationId: string): Promise<void> {
    await updateIfAllowed(this.ddb, {
      TableName: this.table,
      Key: treeKey(tree.jobId, tree.run, tree.sourceFolderId, tree.folders.length),
      UpdateExpression: 'SET operationId = :op',
      ConditionExpression: '#status = :pending AND attempts = :attempt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':op': operationId, ':pending': 'pending', ':attempt': tree.attempts },
    });
  }

  /**
   * Finishes a whole-folder move, by its latest attempt only (or, `create`, records at once a move that was given
   * up before it started: a subtree too big to move in one step).
   */
  async finishTree(
    key: { jobId: string; run: number; sourceFolderId: number },
    attempt: number | 'create',
    result: { destParentId: number; folders: TreeMove['folders']; outcome: { total: number; done: number; failed: number }; errors: JobError[]; next: NextStep[] },
  ): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':done': 'done',
      ':outcome': result.outcome,
      ':errors': result.errors,
      ':next': result.next,
    };
    const names: Record<string, string> = { '#status': 'status', '#outcome': 'outcome', '#errors': 'errors', '#next': 'next' };
    let condition = '#status = :pending AND attempts = :attempt';
    let update = 'SET #status = :done, #outcome = :outcome, #errors = :errors, #next = :next';
    if (attempt === 'create') {
      condition = 'attribute_not_exists(pk)';
      update += ', jobId = :job, #run = :run, sourceFolderId = :source, destParentId = :dest, folders = :folders, parts = :zero, attempts = :zero, #ttl = :ttl';
      Object.assign(names, { '#run': 'run', '#ttl': 'ttl' });
      Object.assign(values, {
        ':job': key.jobId,
        ':run': key.run,
        ':source': key.sourceFolderId,
        ':dest': result.destParentId,
        ':folders': result.folders,
        ':zero': 0,
        ':ttl': Math.floor(this.now() / 1000) + ITEM_TTL_SECONDS,
      });
    } else {
      Object.assign(values, { ':pending': 'pending', ':attempt': attempt });
    }
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.table,
          Key: treeKey(key.jobId, key.run, key.sourceFolderId, result.folders.length),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Which of `steps` have settled (their marker is claimed or applied). One GetItem each, a few at a time: the
   * worker's role allows GetItem, not BatchGetItem, and this is read only for a step's children on a redelivery.
   */
  async settledAmong(jobId: string, steps: string[]): Promise<Set<string>> {
    const settled = new Set<string>();
    for (let i = 0; i < steps.length; i += 25) {
      await Promise.all(
        steps.slice(i, i + 25).map(async (step) => {
          const out = await this.ddb.send(
            new GetCommand({ TableName: this.table, Key: markerKey(jobId, step), ConsistentRead: true, ProjectionExpression: 'sk' }),
          );
          if (out.Item) settled.add(step);
        }),
      );
    }
    return settled;
  }

  /** The ids of every step that has settled (any run; the ids carry the run). Reads every marker: for tests and tools. */
  async settledSteps(jobId: string): Promise<Set<string>> {
    const items = await queryAll(this.ddb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `RUN#${jobId}`, ':prefix': MARKER_PREFIX },
      ProjectionExpression: 'sk',
      ConsistentRead: true,
    });
    return new Set(items.map((item) => String(item.sk).slice(MARKER_PREFIX.length)));
  }
}
