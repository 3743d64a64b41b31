import { DocSpaceClient } from '../../../../lib/docspace/client';
import { ChunkStore } from '../../../../lib/jobs/chunks';
import { Leases } from '../../../../lib/jobs/lease';
import { JobStore } from '../../../../lib/jobs/store';
import type { Log } from '../../../../lib/log';
import type { OutboundMessage, Queue } from '../../../../lib/queue/send';
import { fileMoveMessageSchema, handleFileMoveMessage, type FileMoveDeps } from '../../../../lib/workflows/file-moves';
import { DocSpaceSimulator, type SimulatorOptions } from '../../../../infra/local/simulator';
import { startTable, type TestTable } from './dynamo';

export interface QueuedMessage {
  messageId: string;
  body: unknown;
  receiveCount: number;
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
      this.pending.push({ messageId: `msg-${++this.seq}`, body: JSON.parse(JSON.stringify(m.body)), receiveCount: 0 });
    }
  }

  async drain(
    deps: FileMoveDeps,
    options: { concurrency?: number; intercept?: (m: QueuedMessage, run: () => Promise<void>) => Promise<void> } = {},
  ): Promise<void> {
    const concurrency = options.concurrency ?? 6;
    const active = new Set<Promise<void>>();
    while (this.pending.length > 0 || active.size > 0) {
      while (this.pending.length > 0 && active.size < concurrency) {
        const message = this.pending.shift()!;
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
  options: { simulator?: SimulatorOptions; table?: TestTable; fetch?: (sim: DocSpaceSimulator) => typeof fetch } = {},
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
    docspace: client,
    store: new JobStore(table.ddb, table.table),
    chunks: new ChunkStore(table.ddb, table.table),
    leases: new Leases(table.ddb, table.table),
    queue,
    log: silentLog,
    counters: { count() {} },
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

/** Ids of every file below a folder (recursively), from the simulator's own state. */
export function filesUnder(sim: DocSpaceSimulator, folderId: number): Array<{ id: number; title: string; folderId: number }> {
  return sim.state.filesUnder(folderId, true).map((f) => ({ id: f.id, title: f.title, folderId: f.folderId }));
}

/** Path of a folder below `rootId`, as titles, e.g. "A/B/C". */
export function pathOf(sim: DocSpaceSimulator, folderId: number, rootId: number): string {
  const parts: string[] = [];
  for (let id = folderId; id !== rootId; ) {
    const folder = sim.state.folders.get(id);
    if (!folder) throw new Error(`folder ${id} is not below ${rootId}`);
    parts.unshift(folder.title);
    id = folder.parentId;
  }
  return parts.join('/');
}

/**
 * A room nested `depth` levels deep, `width` subfolders per level with the same titles at every level
 * ("Contracts", "Invoices", ...), files spread over every folder with titles that repeat across folders.
 */
export function buildNestedRoom(
  sim: DocSpaceSimulator,
  options: { title?: string; files: number; depth: number; width: number },
): { roomId: number; fileIds: number[]; folderIds: number[]; pathOfFile: Map<number, string> } {
  const names = ['Contracts', 'Invoices', 'Drafts', 'Scans', 'Mail'];
  const roomId = sim.addRoom({ title: options.title ?? 'Client room' });
  const folders = [roomId];
  let level = [roomId];
  for (let d = 0; d < options.depth; d++) {
    const next: number[] = [];
    for (const parent of level) for (let w = 0; w < options.width; w++) next.push(sim.addFolder(parent, names[w % names.length]!));
    folders.push(...next);
    level = next;
  }
  const fileIds: number[] = [];
  const pathOfFile = new Map<number, string>();
  for (let i = 0; i < options.files; i++) {
    const folderId = folders[i % folders.length]!;
    // Titles repeat across folders but not within one.
    const id = sim.addFile(folderId, `document-${Math.floor(i / folders.length) % 40}-${Math.floor(i / (folders.length * 40))}.docx`);
    fileIds.push(id);
    pathOfFile.set(id, pathOf(sim, folderId, roomId));
  }
  return { roomId, fileIds, folderIds: folders.slice(1), pathOfFile };
}
