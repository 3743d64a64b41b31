/*
 * `npx tsx test/bench/file-moves.ts [--files 1000] [--faults]` (or `npm run bench:file-moves -- --faults`):
 * the seed's archive script and this bundle on the same simulated room; see file-moves.run.ts.
 */
import { launchFileMovesBench } from './launch';

launchFileMovesBench('vitest.file-moves.config.mts');
