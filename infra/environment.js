'use strict';
/*
 * The environment of every function, resolved by serverless.yml (`${file(infra/environment.js)}`).
 *
 * - Wiring: on AWS, TABLE_NAME and the queue URLs are CloudFormation refs to infra/resources.yml. In the
 *   `local` stage they come from the environment that infra/local/start.ts prepared for the emulators (npm start),
 *   or from the one the running stack recorded (`sls invoke local`). serverless-offline gives
 *   provider.environment precedence over its own process.env, so the local values have to be resolved here.
 * - Settings (lib/config.ts): passed through only when set, so an unset optional setting keeps its default and an
 *   unset required one fails on first use naming the variable. An empty string would do neither.
 * - Secrets (infra/per-function.js SECRETS) are passed through only in the `local` stage. On AWS they would be
 *   readable in the template and the Lambda console, so even a deployer's exported DOCSPACE_API_KEY is left out;
 *   each function gets `<NAME>_PARAMETER` (infra/per-function.js) and reads the value at cold start.
 */
const { SECRETS } = require('./per-function');
const { isOffline, slsCommand } = require('./sls-command');
const { runningStackEnvironment } = require('./local/stack-environment');
const SETTINGS = [
  'DOCSPACE_API_HOST',
  'DOCSPACE_API_KEY',
  'DOCSPACE_TIMEOUT_MS',
  'COMPLETED_FOLDER_ID',
  'ARCHIVE_ROOT_FOLDER_ID',
  'COPY_RULES',
  'TEMPLATE_MAP',
  'PROJECT_CALLBACK_URL',
  'PROJECT_CALLBACK_ALLOW_PRIVATE',
  'INACTIVITY_DAYS',
  'ARCHIVE_ABANDONED_ROOMS',
  'TASKS_WEBHOOK_SECRET',
  'DEALS_WEBHOOK_SECRET',
  'PROJECTS_WEBHOOK_SECRET',
  'DOCSPACE_WEBHOOK_SECRET',
  'ADMIN_API_TOKEN',
  'POWERTOOLS_LOG_LEVEL',
];

const WIRING = {
  TABLE_NAME: 'JobsTable',
  FILE_MOVES_QUEUE_URL: 'FileMovesQueue',
  UPLOAD_COPY_QUEUE_URL: 'UploadCopyQueue',
  PROJECT_ROOM_QUEUE_URL: 'ProjectRoomQueue',
  // GET /dead-letter-queues counts what waits in them (only the read API may read their attributes).
  FILE_MOVES_DLQ_URL: 'FileMovesDLQ',
  UPLOAD_COPY_DLQ_URL: 'UploadCopyDLQ',
  PROJECT_ROOM_DLQ_URL: 'ProjectRoomDLQ',
};

const LOCAL_AWS = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS'];

/**
 * Stage "local". Run by `npm start` (its child has the wiring in the environment): as given. Run by hand
 * (`sls invoke local`): the environment the running stack recorded, with any setting of this shell winning, as
 * it does for `npm start`. A bare `sls offline` is refused: without `npm start` there is no DynamoDB, SQS or
 * DocSpace for it to talk to, and every route would answer 503.
 */
function localEnvironment(command) {
  const byNpmStart = Object.keys(WIRING).every((name) => process.env[name]);
  if (!byNpmStart && isOffline(command)) {
    refuse('`sls offline` alone has no DynamoDB, SQS or DocSpace to use: run `npm start`, which starts them and then `sls offline start --stage local`');
  }
  let recorded = {};
  if (!byNpmStart) {
    try {
      recorded = runningStackEnvironment();
    } catch (error) {
      refuse(error.message);
    }
  }
  const environment = {};
  const pick = (name) => {
    const value = process.env[name] || recorded[name];
    if (value !== undefined && value !== '') environment[name] = value;
  };
  SETTINGS.forEach(pick);
  Object.keys(WIRING).forEach(pick);
  // serverless-offline hands its own AWS_* variables to the functions; `invoke local` needs them spelled out.
  if (!byNpmStart) LOCAL_AWS.forEach((name) => recorded[name] && (environment[name] = recorded[name]));
  // Metric blobs are noise in a terminal; LOG_FORMAT=json shows everything the functions print on AWS.
  if (process.env.LOG_FORMAT !== 'json') environment.POWERTOOLS_METRICS_DISABLED = 'true';
  return environment;
}

/**
 * One line that says what to do, then exit: osls would wrap a thrown error in three lines of variable-resolution
 * context and a stack trace.
 */
function refuse(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const environment = {
    POWERTOOLS_SERVICE_NAME: 'docspace-flows',
    // Stack traces through the minified bundle point at the TypeScript source.
    NODE_OPTIONS: '--enable-source-maps',
  };
  if (stage === 'local') return { ...environment, ...localEnvironment(slsCommand()) };
  for (const name of SETTINGS) {
    if (SECRETS.includes(name)) continue;
    const value = process.env[name];
    if (value !== undefined && value !== '') environment[name] = value;
  }
  for (const [name, logicalId] of Object.entries(WIRING)) environment[name] = { Ref: logicalId };
  return environment;
};

module.exports.SETTINGS = SETTINGS;
module.exports.WIRING = WIRING;
