/*
 * `npx tsx test/bench/file-moves-pace.ts --scenario nested|flat|huge [--seed 7] [--redelivery 5]`
 * (or `npm run bench:file-moves:nested|flat|huge`): the file-move engine at DocSpace's pace against a whole-room
 * baseline measured in the same run; see file-moves-pace.run.ts.
 */
import { launchFileMovesBench } from './launch';

launchFileMovesBench('vitest.file-moves-pace.config.mts');
