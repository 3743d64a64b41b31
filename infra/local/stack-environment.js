'use strict';
/*
 * The environment of the stack `npm start` is running, as it recorded it in .local-data/stack.json
 * (infra/local/stack-state.ts writes it; LOCAL_DATA_DIR moves it, as there). `sls invoke local` (stage "local",
 * infra/environment.js) runs a function with it, so the function uses that stack's table, queues and DocSpace.
 * CommonJS because serverless.yml's variables load it without a TypeScript loader.
 */
const { readFileSync } = require('node:fs');
const { isAbsolute, join, relative } = require('node:path');

const REPO_ROOT = join(__dirname, '..', '..');

function stackFile(env = process.env) {
  const dir = env.LOCAL_DATA_DIR || '.local-data';
  return join(isAbsolute(dir) ? dir : join(REPO_ROOT, dir), 'stack.json');
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The recorded function environment; throws one line saying what to do when no stack is running. */
function runningStackEnvironment(env = process.env) {
  const file = stackFile(env);
  const shown = relative(process.cwd(), file) || file;
  let state;
  try {
    state = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`No local stack is running (no ${shown}): start one with \`npm start\` in another terminal, then run this again`);
  }
  if (!Number.isInteger(state.pid) || !isRunning(state.pid)) {
    throw new Error(`The local stack recorded in ${shown} (pid ${state.pid}) is gone: start it again with \`npm start\`, then run this again`);
  }
  if (!state.functionEnvironment) {
    throw new Error(`The local stack recorded in ${shown} predates \`sls invoke local\` support: restart \`npm start\``);
  }
  return state.functionEnvironment;
}

module.exports = { runningStackEnvironment, stackFile };
