import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { REPO_ROOT } from './cfn';

/*
 * What a running `npm start` tells other commands of the same checkout (`npm run scan`, tests): where everything
 * listens. LOCAL_DATA_DIR moves it, so an e2e run does not overwrite the state of a developer's stack.
 */

export interface StackState {
  pid: number;
  startedAt: string;
  stage: string;
  service: string;
  httpUrl: string;
  lambdaUrl: string;
  dynamodbUrl: string;
  sqsUrl: string;
  /** Absent when DOCSPACE_API_HOST pointed the stack at another portal. */
  simulatorUrl?: string;
  docspaceApiHost: string;
  /** Only the embedded local default is written here; a token given in the environment stays there. */
  adminToken?: string;
  queues: Record<string, string>;
  tableName: string;
  /** The functions' environment for `sls invoke local` (infra/local/stack-environment.js); no secret from the shell. */
  functionEnvironment?: Record<string, string>;
}

export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.LOCAL_DATA_DIR || '.local-data';
  return isAbsolute(dir) ? dir : join(REPO_ROOT, dir);
}

export const stateFile = (env: NodeJS.ProcessEnv = process.env): string => join(localDataDir(env), 'stack.json');

export function writeStackState(state: StackState, env: NodeJS.ProcessEnv = process.env): string {
  const file = stateFile(env);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return file;
}

export function readStackState(env: NodeJS.ProcessEnv = process.env): StackState {
  const file = stateFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`No running local stack (${file} is missing). Start one with \`npm start\`.`);
  }
  return JSON.parse(text) as StackState;
}

export function removeStackState(pid: number, env: NodeJS.ProcessEnv = process.env): void {
  try {
    if (readStackState(env).pid === pid) rmSync(stateFile(env), { force: true });
  } catch {
    // Already gone, or another stack's: nothing to clean up.
  }
}
