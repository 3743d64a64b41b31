import { DocSpaceClient } from '../../../../lib/docspace/client';
import { ChunkStore } from '../../../../lib/jobs/chunks';
import { Leases } from '../../../../lib/jobs/lease';
import { JobStore } from '../../../../lib/jobs/store';
import type { Log } from '../../../../lib/log';
import type { OutboundMessage, Queue } from '../../../../lib/queue/send';
import { docspaceFileMoves, fileMoveMessageSchema, handleFileMoveMessage, type FileMoveDeps } from '../../../../lib/workflows/file-moves';
import type { FileMoveInput } from '../../../../lib/workflows/file-moves/model';
import { DocSpaceSimulator, type SimulatorOptions } from '@docspace-flows/simulator';
import { startTable, type TestTable } from '../../../support/dynamo';

export interface QueuedMessage {
  messageId: string;
  body: unknown;
  receiveCount: number;
  /** DelaySeconds, scaled down (1 s → 10 ms) so that deferred work stays deferred without slowing the tests. */
  notBefore: number;
}

/**
 * SQS reduced to what the engine relies on: at-least-once delivery, a failed message comes back with a higher
 * receive count, and after 5 receives it is parked in a dead-letter list. `intercept` lets a test crash a
 * worker or deliver a message twice.
 */
export class MemoryQueue implements Queue {
  pending: QueuedMessage[] = [];
  dlq: QueuedMessage[] = [];
  sent: unknown[] = [];
  private seq = 0;

  async send(messages: OutboundMessage[]): Promise<void> {
    for (const m of messages) {
      this.sent.push(m.body);
      this.pending.push({
        messageId: `msg-${++this.seq}`,
        body: JSON.parse(JSON.stringify(m.body)),
        receiveCount: 0,
        notBefore: Date.now() + (m.delaySeconds ?? 0) * 10,
      });
    }
  }

  async drain(
    deps: FileMoveDeps,
    options: { concurrency?: number; intercept?: (m: QueuedMessage, run: () => Promise<void>) => Promise<void> } = {},
  ): Promise<void> {
    const concurrency = options.concurrency ?? 6;
    const active = new Set<Promise<void>>();
    while (this.pending.length > 0 || active.size > 0) {
      for (;;) {
        if (active.size >= concurrency) break;
        const i = this.pending.findIndex((m) => m.notBefore <= Date.now());
        if (i < 0) break;
        const message = this.pending.splice(i, 1)[0]!;
        message.receiveCount += 1;
        const run = () =>
          handleFileMoveMessage(deps, fileMoveMessageSchema.parse(message.body), {
            messageId: message.messageId,
            receiveCount: message.receiveCount,
          });
        const p: Promise<void> = (options.intercept ? options.intercept(message, run) : run())
          .catch(() => {
            if (message.receiveCount >= 5) this.dlq.push(message);
            else this.pending.push(message);
          })
          .finally(() => active.delete(p));
        active.add(p);
      }
      if (active.size > 0) await Promise.race(active);
      else if (this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

export interface EngineHarness {
  sim: DocSpaceSimulator;
  client: DocSpaceClient;
  queue: MemoryQueue;
  deps: FileMoveDeps;
  table: TestTable;
  close(): Promise<void>;
}

export async function startEngine(
  options: {
    simulator?: SimulatorOptions;
    table?: TestTable;
    fetch?: (sim: DocSpaceSimulator) => typeof fetch;
    /**
     * Whole-folder moves (move-folder.ts). Off unless asked for: most tests here are about the per-file path
     * (chunks, their crashes and redeliveries), which whole-folder moves would otherwise take over.
     */
    wholeFolders?: boolean;
  } = {},
): Promise<EngineHarness> {
  const table = options.table ?? (await startTable());
  const sim = new DocSpaceSimulator({ fileOpDurationMs: 5, ...options.simulator });
  const client = new DocSpaceClient({
    baseUrl: 'http://docspace.test',
    apiKey: sim.apiKey,
    fetch: options.fetch ? options.fetch(sim) : sim.fetch,
    concurrency: { reads: 8, writes: 2 },
    retry: { baseDelayMs: 1, maxDelayMs: 20, maxAttempts: 10, budgetMs: 10_000 },
  });
  const queue = new MemoryQueue();
  const deps: FileMoveDeps = {
    docspace: docspaceFileMoves(client),
    store: new JobStore(table.ddb, table.table),
    chunks: new ChunkStore(table.ddb, table.table),
    leases: new Leases(table.ddb, table.table),
    queue,
    log: silentLog,
    counters: { count() {} },
    wholeFolders: options.wholeFolders ?? false,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
  };
  return {
    sim,
    client,
    queue,
    deps,
    table,
    close: async () => {
      await sim.close();
      if (!options.table) await table.close();
    },
  };
}

export { buildNestedRoom, filesUnder, pathOf } from '../../../bench/file-moves-room';

/** A deal's file move: the room into <archive root>/Acme, the guest (when given) revoked at the end. */
export function dealInput(roomId: number, archiveRootId: number, guestUserId?: string): FileMoveInput {
  return {
    sourceFolderId: roomId,
    destination: { kind: 'named-child', parentId: archiveRootId, title: 'Acme' },
    ...(guestUserId ? { guest: { userId: guestUserId, roomId } } : {}),
    resultKey: 'archiveFolderId',
  };
}

/** A task's file move: the task folder's files into Completed itself. */
export function taskInput(folderId: number, completedId: number): FileMoveInput {
  return { sourceFolderId: folderId, destination: { kind: 'folder', folderId: completedId }, resultKey: 'completedFolderId' };
}

/** A task folder of `files` files (`scan-<i>.pdf`) in a Tasks room, and a Completed folder to close it into. */
export function taskFolder(sim: DocSpaceSimulator, title: string, files: number): { folder: number; ids: number[]; completed: number } {
  const folder = sim.addFolder(sim.addRoom({ title: 'Tasks' }), title);
  const ids = Array.from({ length: files }, (_, i) => sim.addFile(folder, `scan-${i}.pdf`));
  const completed = sim.addFolder(sim.addRoom({ title: 'Operations' }), 'Completed');
  return { folder, ids, completed };
}

/** The Operations/Archive folder a deal's /Archive/<Client> goes under. */
export function archiveRootIn(sim: DocSpaceSimulator): number {
  return sim.addFolder(sim.addRoom({ title: 'Operations' }), 'Archive');
}

/** A guest with read access to the room: the deal's guest, revoked after the last move. */
export function roomGuest(sim: DocSpaceSimulator, roomId: number): string {
  const guest = sim.addUser({ displayName: 'Gina Guest', type: 'guest' });
  sim.shareRoom(roomId, guest, 2);
  return guest;
}
