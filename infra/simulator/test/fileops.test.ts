import { afterEach, describe, expect, it } from 'vitest';
import type { DocSpaceSimulator } from '../src';
import { client, fastSim, sleep, waitOp } from './helpers';

let sim: DocSpaceSimulator;
afterEach(() => sim?.close());

function portal(options: Parameters<typeof fastSim>[0] = {}) {
  sim = fastSim(options);
  const room = sim.addRoom({ title: 'Client' });
  const src = sim.addFolder(room, 'src');
  const dst = sim.addFolder(room, 'dst');
  return { api: client(sim), room, src, dst };
}

const titles = (folderId: number) =>
  [...sim.state.childFileIds(folderId)].map((id) => sim.state.files.get(id)!.title).sort();

describe('file operations', () => {
  it('answers a move with finished:false, reports the result once, and then no longer knows the operation', async () => {
    const { api, src, dst } = portal();
    const a = sim.addFile(src, 'a.docx');
    const put = await api.put('files/fileops/move', { fileIds: [a], destFolderId: dst, returnSingleOperation: true, deleteAfter: false });
    expect(put.status).toBe(200);
    expect(put.json.response).toHaveLength(1);
    const op = put.json.response[0];
    expect(op).toMatchObject({ finished: false, Operation: 0, error: '' });
    expect(sim.state.files.get(a)!.folderId).toBe(src);

    const done = await waitOp(api, op.id);
    expect(done).toMatchObject({ finished: true, progress: 100, error: '', status: 2 });
    expect(done.files.map((f: { id: number }) => f.id)).toEqual([a]);
    expect(sim.state.files.get(a)!.folderId).toBe(dst);

    const again = await api.get(`files/fileops?id=${op.id}`);
    expect(again.json.response).toEqual([]);
  });

  it('never shows the finished result of an operation started with deleteAfter: true', async () => {
    const { api, src, dst } = portal();
    const a = sim.addFile(src, 'a.docx');
    const put = await api.put('files/fileops/move', { fileIds: [a], destFolderId: dst, returnSingleOperation: true, deleteAfter: true });
    await sleep(60);
    expect(sim.state.files.get(a)!.folderId).toBe(dst);
    expect((await api.get(`files/fileops?id=${put.json.response[0].id}`)).json.response).toEqual([]);
  });

  it('drops a finished result nobody collected once it has been idle for resultIdleTtlMs', async () => {
    const { api, src, dst } = portal({ resultIdleTtlMs: 40 });
    const a = sim.addFile(src, 'a.docx');
    const put = await api.put('files/fileops/copy', { fileIds: [a], destFolderId: dst, returnSingleOperation: true });
    await sleep(120);
    expect(titles(dst)).toEqual(['a.docx']);
    expect((await api.get(`files/fileops?id=${put.json.response[0].id}`)).json.response).toEqual([]);
  });

  it('lists and consumes every finished operation of the caller when asked without an id', async () => {
    const { api, src, dst } = portal();
    const ids = [];
    for (const t of ['a.docx', 'b.docx']) {
      const f = sim.addFile(src, t);
      ids.push((await api.put('files/fileops/copy', { fileIds: [f], destFolderId: dst, returnSingleOperation: true })).json.response[0].id);
    }
    await sleep(60);
    const all = await api.get('files/fileops');
    expect(all.json.response.map((o: { id: string }) => o.id)).toEqual(ids);
    expect(all.json.response.every((o: { finished: boolean }) => o.finished)).toBe(true);
    expect((await api.get(`files/fileops?id=${ids[0]}`)).json.response).toEqual([]);
  });

  it('skips a same-titled file by default: the file stays behind, is not listed, and error is ""', async () => {
    const { api, src, dst } = portal();
    const a = sim.addFile(src, 'report.docx');
    const existing = sim.addFile(dst, 'report.docx');
    const put = await api.put('files/fileops/move', { fileIds: [a], destFolderId: dst, returnSingleOperation: true });
    const done = await waitOp(api, put.json.response[0].id);
    expect(done.error).toBe('');
    expect(done.files).toEqual([]);
    expect(sim.state.files.get(a)!.folderId).toBe(src);
    expect(sim.state.files.get(existing)!.version).toBe(1);
  });

  it('overwrites a same-titled file with a new version and deletes the moved source', async () => {
    const { api, src, dst } = portal();
    const a = sim.addFile(src, 'report.docx', { contentLength: 9999 });
    const existing = sim.addFile(dst, 'report.docx');
    const put = await api.put('files/fileops/move', { fileIds: [a], destFolderId: dst, conflictResolveType: 'Overwrite', returnSingleOperation: true });
    const done = await waitOp(api, put.json.response[0].id);
    expect(done.files.map((f: { id: number }) => f.id)).toEqual([existing]);
    expect(sim.state.files.get(existing)).toMatchObject({ version: 2, contentLength: 9999 });
    expect(sim.state.files.has(a)).toBe(false);
  });

  it('renames a Duplicate copy to "name (1).ext" but moves a Duplicate without renaming', async () => {
    const { api, src, dst } = portal();
    const a = sim.addFile(src, 'report.docx');
    sim.addFile(dst, 'report.docx');
    const copy = await api.put('files/fileops/copy', { fileIds: [a], destFolderId: dst, conflictResolveType: 2, returnSingleOperation: true });
    const copied = await waitOp(api, copy.json.response[0].id);
    expect(copied.files[0].title).toBe('report (1).docx');
    expect(copied.files[0].id).not.toBe(a);

    const move = await api.put('files/fileops/move', { fileIds: [a], destFolderId: dst, conflictResolveType: 'duplicate', returnSingleOperation: true });
    await waitOp(api, move.json.response[0].id);
    expect(titles(dst)).toEqual(['report (1).docx', 'report.docx', 'report.docx']);
  });

  it('merges a moved folder into a same-titled destination folder, following the conflict rule inside', async () => {
    const { api, src, dst } = portal();
    const moving = sim.addFolder(src, 'Contracts');
    sim.addFile(moving, 'nda.pdf');
    sim.addFile(moving, 'msa.pdf');
    const target = sim.addFolder(dst, 'Contracts');
    sim.addFile(target, 'nda.pdf');
    const put = await api.put('files/fileops/move', { folderIds: [moving], destFolderId: dst, conflictResolveType: 'Duplicate', returnSingleOperation: true });
    await waitOp(api, put.json.response[0].id);
    // Duplicate creates "Contracts (1)" for folders; merge needs Skip/Overwrite.
    expect([...sim.state.childFolderIds(dst)].map((id) => sim.state.folders.get(id)!.title).sort()).toEqual(['Contracts', 'Contracts (1)']);

    const other = sim.addFolder(src, 'Contracts');
    sim.addFile(other, 'nda.pdf');
    sim.addFile(other, 'sow.pdf');
    const merge = await api.put('files/fileops/move', { folderIds: [other], destFolderId: dst, conflictResolveType: 'Overwrite', returnSingleOperation: true });
    const done = await waitOp(api, merge.json.response[0].id);
    expect(done.folders.map((f: { id: number }) => f.id)).toEqual([target]);
    expect(titles(target)).toEqual(['nda.pdf', 'sow.pdf']);
    expect(sim.state.folders.has(other)).toBe(false);
  });

  it('leaves failFileIds in place with the operation error set while the other files move', async () => {
    const { api, src, dst } = portal();
    const ok = sim.addFile(src, 'ok.docx');
    const bad = sim.addFile(src, 'bad.docx');
    sim.setFaults({ failFileIds: [bad] });
    const put = await api.put('files/fileops/move', { fileIds: [bad, ok], destFolderId: dst, returnSingleOperation: true });
    const done = await waitOp(api, put.json.response[0].id);
    expect(done.error).toContain('bad.docx');
    expect(sim.state.files.get(ok)!.folderId).toBe(dst);
    expect(sim.state.files.get(bad)!.folderId).toBe(src);
  });

  it('refuses a destination in the rooms root with a 403 on the PUT itself', async () => {
    const { api, src } = portal();
    const a = sim.addFile(src, 'a.docx');
    const put = await api.put('files/fileops/move', { fileIds: [a], destFolderId: sim.state.roots.rooms, returnSingleOperation: true });
    expect(put.status).toBe(403);
    expect(put.json).toMatchObject({ status: 1, statusCode: 403 });
  });

  it('cancels a running operation so nothing moves', async () => {
    const { api, src, dst } = portal({ fileOpDurationMs: 500 });
    const a = sim.addFile(src, 'a.docx');
    const id = (await api.put('files/fileops/move', { fileIds: [a], destFolderId: dst, returnSingleOperation: true })).json.response[0].id;
    const term = await api.put(`files/fileops/terminate/${id}`);
    expect(term.json.response[0]).toMatchObject({ id, finished: true, status: 3 });
    expect(sim.state.files.get(a)!.folderId).toBe(src);
  });
});
