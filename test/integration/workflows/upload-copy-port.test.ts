import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DocSpaceSimulator, demoFixture } from '@docspace-flows/simulator';
import { DocSpaceClient } from '../../../lib/docspace/client';
import { DocSpaceNotFoundError } from '../../../lib/docspace/errors';
import { docspaceCopyPort, type UploadCopyDocSpace } from '../../../lib/workflows/upload-copy';

/* The workflow's DocSpace port against the simulator: what the crash-window logic relies on is really there. */

let sim: DocSpaceSimulator;
let port: UploadCopyDocSpace;

beforeAll(() => {
  sim = new DocSpaceSimulator({ fixture: demoFixture(), fileOpDurationMs: 5 });
  port = docspaceCopyPort(new DocSpaceClient({ baseUrl: 'http://docspace.local', apiKey: sim.apiKey, fetch: sim.fetch }));
});
afterAll(() => sim.close());

describe('the DocSpace port of workflow 3', () => {
  it('reads the uploaded file with its folder and size, and a missing one as not found', async () => {
    const id = sim.addFile(DEMO.sourceRoomId, 'port.pdf', { contentLength: 4321 });
    expect(await port.getFile(id)).toEqual({ id, title: 'port.pdf', folderId: DEMO.sourceRoomId, size: 4321 });
    await expect(port.getFile(99_999_999)).rejects.toBeInstanceOf(DocSpaceNotFoundError);
  });

  it('gives the breadcrumbs of a nested folder root first, with the room marked by its roomType', async () => {
    const inner = sim.addFolder(sim.addFolder(DEMO.sourceRoomId, 'A'), 'B');
    const path = await port.folderPath(inner);
    const ids = path.map((p) => p.id);
    expect(ids.slice(-3)).toEqual([DEMO.sourceRoomId, ids.at(-2), inner]);
    expect(path.find((p) => p.roomType != null)?.id).toBe(DEMO.sourceRoomId);
  });

  it("reports the copy's new file id in the operation result, and the file with its creation time in the destination", async () => {
    const before = Date.now();
    const id = sim.addFile(DEMO.sourceRoomId, 'copied.pdf', { contentLength: 77 });
    const operationId = await port.startCopy(id, DEMO.internalRoomId);
    const outcome = await port.waitForCopy(operationId);
    expect(outcome.state).toBe('finished');
    if (outcome.state !== 'finished') return;
    expect(outcome.error).toBe('');
    const [copy] = outcome.files;
    expect(copy?.id).not.toBe(id);
    expect(sim.state.files.get(copy!.id)?.folderId).toBe(DEMO.internalRoomId);
    const listed = (await port.filesIn(DEMO.internalRoomId)).find((f) => f.id === copy!.id);
    expect(listed).toMatchObject({ title: 'copied.pdf', size: 77 });
    expect(listed!.created).toBeGreaterThanOrEqual(before - 1000);
    // DocSpace hands the result out once.
    expect(await port.waitForCopy(operationId)).toEqual({ state: 'vanished' });
  });
});
