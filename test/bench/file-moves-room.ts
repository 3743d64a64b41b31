import type { DocSpaceSimulator } from '@docspace-flows/simulator';

/*
 * The rooms the file-move tests and the benchmark move: built straight into the simulator's state (no API calls),
 * nested, with the same folder titles at every level and file titles that repeat across folders.
 */

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
): { roomId: number; fileIds: number[]; folderIds: number[]; pathOfFile: Map<number, string>; pathOfFolder: Map<number, string> } {
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
  const pathOfFolder = new Map(folders.slice(1).map((id) => [id, pathOf(sim, id, roomId)]));
  return { roomId, fileIds, folderIds: folders.slice(1), pathOfFile, pathOfFolder };
}
