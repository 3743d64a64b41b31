import { z } from 'zod';
import type { ChunkStore } from '../../jobs/chunks';
import type { Leases } from '../../jobs/lease';
import type { JobStore } from '../../jobs/store';
import type { Log } from '../../log';
import type { Counters } from '../../metrics';
import type { Queue } from '../../queue/send';
import type { FileMovesDocSpace } from './docspace-port';

/** Where the files go: an existing folder (Completed), or a child folder found or created by title (/Archive/<Client>). */
export const destinationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), folderId: z.number().int().positive() }),
  z.object({ kind: z.literal('named-child'), parentId: z.number().int().positive(), title: z.string().min(1) }),
]);

export const fileMoveInputSchema = z.object({
  sourceFolderId: z.number().int().positive(),
  destination: destinationSchema,
  /** Revoked from the source room only after every file has moved. */
  guest: z.object({ userId: z.string().min(1), roomId: z.number().int().positive() }).optional(),
  /** The name under which the destination folder id is reported in the job result. */
  resultKey: z.enum(['archiveFolderId', 'completedFolderId']),
});
export type FileMoveInput = z.infer<typeof fileMoveInputSchema>;

const id = z.number().int().positive();
const step = { jobId: z.string(), run: z.number().int().positive() };

export const fileMoveMessageSchema = z.discriminatedUnion('kind', [
  /** Starts a run: takes the source room, resolves the destination root, queues the scan of the source root. */
  z.object({ kind: z.literal('plan'), ...step }),
  /** Scans one source folder: mirrors its subfolders, writes its chunks, queues them and the subfolders' scans. */
  z.object({
    kind: z.literal('folder'),
    ...step,
    sourceFolderId: id,
    destFolderId: id,
    /** A folder of more than SCAN_ENTRIES entries is scanned in batches: where this one starts, and how many
     *  chunks the batches before it wrote. */
    startIndex: z.number().int().min(0).optional(),
    chunksBefore: z.number().int().min(0).optional(),
  }),
  z.object({ kind: z.literal('chunk'), ...step, sourceFolderId: id, index: z.number().int().min(0) }),
  /** Moves sibling source folders with their whole subtrees into `destFolderId` in one operation (move-folder.ts);
   *  `sourceFolderId` is the first of them, the step's key. */
  z.object({
    kind: z.literal('tree'),
    ...step,
    sourceFolderId: id,
    destFolderId: id,
    folders: z.array(z.object({ sourceFolderId: id, title: z.string() })).min(1),
  }),
  /** Closes the run; a source too big to check in one invocation is swept in parts, each queuing the next
   *  (`sweep`: the claim it works under, the sweep's own id, and the folder pages still to read). */
  z.object({
    kind: z.literal('finalize'),
    ...step,
    sweep: z
      .object({ claim: z.string().min(1), id: z.string().min(1), frontier: z.array(z.tuple([id, z.number().int().min(0)])) })
      .optional(),
  }),
]);
export type FileMoveMessage = z.infer<typeof fileMoveMessageSchema>;

export type { FileMoveWorkflow } from '../../jobs/job';

export interface FileMoveDeps {
  docspace: FileMovesDocSpace;
  store: JobStore;
  chunks: ChunkStore;
  leases: Leases;
  queue: Queue;
  log: Log;
  counters: Counters;
  now?: () => number;
  /** Move a subfolder with its subtree in one operation where that is safe (move-folder.ts). On unless false. */
  wholeFolders?: boolean;
  sleep?: (ms: number) => Promise<void>;
  /** How long one invocation follows a DocSpace operation (locate.ts OPERATION_WAIT_MS unless set). */
  operationWaitMs?: number;
  /** What one invocation of the finalizer reads of the source before it hands on (FINALIZE_BUDGET unless set). */
  finalizeBudget?: { pages: number; ms: number };
}

export const CHUNK_SIZE = 100;
/**
 * Entries (50 pages) one scan step lists; a bigger folder is scanned in batches, each queuing the next, so a
 * folder of 100 000 files is 20 steps of 50 requests, not one invocation of 1000. A multiple of CHUNK_SIZE.
 */
export const SCAN_ENTRIES = 5_000;
/**
 * The largest subtree (or group of subtrees) moved in one step. Its listing before and after the move is about
 * 2 × 100 requests, recorded in between: with fileMovesWorker's 18 steps in flight (3 processes × batch 6)
 * all at the cap, 1800 requests per phase, 72 s of DocSpace's 1500 a minute. A step that runs out of its
 * record's time gives up cleanly (lib/deadline.ts) and is back in seconds, its listing kept. A bigger folder
 * gets a mirror and a scan, and its subfolders move whole in groups.
 */
export const MAX_TREE = { folders: 100, files: 10_000 };
/**
 * Sibling folders moved together in one operation: at most this many, and only while the sum of their
 * weights (1 + the subfolders each lists directly, a floor of its subtree) stays under TREE_GROUP_WEIGHT, so a
 * group seldom has to be split after its listing.
 */
export const TREE_GROUP_FOLDERS = 8;
export const TREE_GROUP_WEIGHT = 60;
/** How long one job holds its source room; renewed by every chunk, so only a dead job lets it lapse. */
export const SOURCE_LEASE_MS = 15 * 60_000;
/**
 * Held by one invocation while it scans a folder, moves a chunk, or finds-or-creates folders under a parent.
 * Longer than the worker's Lambda timeout (120 s), so it only lapses once its holder is dead.
 */
export const INVOCATION_LEASE_MS = 3 * 60_000;
/** How long a step waits for another job's find-or-create under the same destination folder before retrying later. */
export const FOLDER_LEASE_WAIT_MS = 20_000;
/**
 * What one finalizer invocation reads of the source before it queues the rest of its sweep: 600 pages is
 * under half a minute of DocSpace's 1500 requests a minute, and 45 s leaves the worker's 120 s room for the
 * page reads in flight and the close. A room of thousands of folders is checked in several invocations.
 */
export const FINALIZE_BUDGET = { pages: 600, ms: 45_000 };
/** A finalizer that has not closed the job after this long is presumed dead and may be replaced. */
export const FINALIZER_STALE_MS = 10 * 60_000;
/** A job "running" without any update for this long is dead (its messages were parked in the DLQ); a repeated
 *  event resumes it. Twice the source lease, so a live job, whose chunks renew the lease, is never taken. */
export const JOB_STALE_MS = 2 * SOURCE_LEASE_MS;
/**
 * From this delivery on, a step stops handing failures back to SQS and records them instead (a chunk: its
 * unverified files; a scan: the folder it could not list; the start or the finalizer: the job fails with the
 * reason), so the job ends and a repeated event can resume it: lib/queue/attempts.ts, one before SQS parks the
 * message in the DLQ.
 */
export { LAST_ATTEMPT } from '../../queue/attempts';
/** When another job holds the source room, the start is retried after this delay instead of burning receives. */
export const LEASE_RETRY_DELAY_SECONDS = 60;

export const sourceLease = (folderId: number) => `source:${folderId}`;
