'use strict';
/*
 * Defaults that depend on the Serverless command being run (serverless.yml reads them; osls offers no variable
 * for the command, so it is read from the command line the way osls parses it: the words before the first option).
 *
 * - Stage: `sls invoke local` and `sls offline` default to "local", the stack `npm start` runs (its tables,
 *   queues and DocSpace simulator); every other command defaults to "dev", so `sls package` or `sls deploy`
 *   never build the local stage by accident. `--stage` always wins.
 * - esbuild work folder: one per kind of command. serverless-esbuild deletes its work folder at the end of
 *   `sls package`/`deploy`; sharing it with a running `npm start` (offline) removed the bundles the live stack
 *   was serving. SLS_ESBUILD_WORK_FOLDER still overrides it (the tests give each run its own).
 */
function slsCommand(argv = process.argv.slice(2)) {
  const firstOption = argv.findIndex((arg) => arg.startsWith('-'));
  return argv.slice(0, firstOption === -1 ? undefined : firstOption).join(' ');
}

const isOffline = (command) => command === 'offline' || command.startsWith('offline ');
const isInvokeLocal = (command) => command === 'invoke local';

function defaultStage(command = slsCommand()) {
  return isOffline(command) || isInvokeLocal(command) ? 'local' : 'dev';
}

function esbuildWorkFolder(command = slsCommand()) {
  if (isOffline(command)) return '.esbuild-offline';
  if (isInvokeLocal(command)) return '.esbuild-invoke';
  return '.esbuild';
}

module.exports = {
  defaultStage: () => defaultStage(),
  esbuildWorkFolder: () => esbuildWorkFolder(),
  slsCommand,
  isOffline,
  isInvokeLocal,
  stageFor: defaultStage,
  workFolderFor: esbuildWorkFolder,
};
