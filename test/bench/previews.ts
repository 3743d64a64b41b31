/*
 * `npx tsx test/bench/previews.ts [--faults]` (or `npm run bench:previews`): how long POST /previews/deals/closed
 * takes, and how many DocSpace requests it makes, on rooms of growing size, against the baseline of one plain
 * walk of the same room (lib/docspace listTree, what the job's finalizer does) measured in the same run, with the
 * simulator's per-user limits ON (1500 req/min, 15 writes + 50 reads in flight) and, with --faults, some 429s
 * and 5xx. The client has the previews function's own caps (infra/per-function.js: 3 reads, 1 write).
 */
import { listTree } from '../../lib/docspace/folders';
import { DocSpaceClient } from '../../lib/docspace/client';
import { docspaceFileMoves } from '../../lib/workflows/file-moves/docspace-port';
import { previewFileMove } from '../../lib/workflows/file-moves/preview';
import { DEMO, DocSpaceSimulator, demoFixture } from '@docspace-flows/simulator';
import { buildNestedRoom } from './file-moves-room';

const faults = process.argv.includes('--faults') ? { rate429: 0.03, rate5xx: 0.01 } : {};

async function main(): Promise<void> {
  const sim = new DocSpaceSimulator({ fixture: demoFixture(), seed: 7, faults: { enforceUserLimits: true, ...faults } });
  const portal = await sim.listen(0, '127.0.0.1');
  const client = new DocSpaceClient({ baseUrl: portal.url, apiKey: sim.apiKey, concurrency: { reads: 3, writes: 1 } });
  const rows: string[] = [];
  try {
    // Warm-up: the first requests of a process pay for connections and JIT; neither side should carry that.
    await listTree(client, DEMO.clientRoomId);
    for (const [files, depth, width] of [
      [300, 2, 3],
      [3000, 3, 3],
      [6000, 3, 3],
    ] as const) {
      const room = buildNestedRoom(sim, { title: `Bench room ${files}`, files, depth, width });
      const requests = () => sim.requestLog().length;

      let before = requests();
      let started = performance.now();
      await listTree(client, room.roomId);
      const baseMs = performance.now() - started;
      const baseRequests = requests() - before;

      before = requests();
      started = performance.now();
      const preview = await previewFileMove(
        docspaceFileMoves(client),
        { sourceFolderId: room.roomId, destination: { kind: 'named-child', parentId: DEMO.archiveRootFolderId, title: `Bench ${files}` }, resultKey: 'archiveFolderId' },
        { source: 'clientRoomId', destination: 'archiveRootFolderId' },
      );
      const previewMs = performance.now() - started;
      const previewRequests = requests() - before;
      if (sim.mutations().length) throw new Error('the preview wrote to DocSpace');
      rows.push(
        [
          String(files).padStart(6),
          String(preview.folders).padStart(7),
          `${baseMs.toFixed(0).padStart(7)} ms ${String(baseRequests).padStart(5)} req`,
          `${previewMs.toFixed(0).padStart(7)} ms ${String(previewRequests).padStart(5)} req`,
          `${(previewMs / baseMs).toFixed(2).padStart(5)}x`,
          `${((previewMs / files) * 1000).toFixed(0).padStart(6)} µs/file`,
        ].join('  '),
      );
    }
  } finally {
    await portal.close();
    await sim.close();
  }
  process.stdout.write(
    [
      `POST /previews/deals/closed vs one listTree of the same room; limits ON${Object.keys(faults).length ? `, faults ${JSON.stringify(faults)}` : ''}; client caps 3 reads / 1 write`,
      ' files  folders  baseline (listTree)     preview                 ratio  per file',
      ...rows,
      '',
    ].join('\n'),
  );
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
