'use strict';
/*
 * The environment of every function, resolved by serverless.yml (`${file(infra/environment.js)}`).
 *
 * - Wiring: on AWS, TABLE_NAME and the queue URLs are CloudFormation refs to infra/resources.yml. In the
 *   `local` stage (npm start) they come from the environment that infra/local/start.ts prepared for the emulators.
 *   serverless-offline gives provider.environment precedence over its own process.env, so the local values have
 *   to be resolved here rather than inherited.
 * - Settings (lib/config.ts): passed through only when set, so an unset optional setting keeps its default and an
 *   unset required one fails on first use naming the variable. An empty string would do neither.
 * - Secrets (infra/per-function.js SECRETS) are passed through only in the `local` stage. On AWS they would be
 *   readable in the template and the Lambda console, so even a deployer's exported DOCSPACE_API_KEY is left out;
 *   each function gets `<NAME>_PARAMETER` (infra/per-function.js) and reads the value at cold start.
 */
const { SECRETS } = require('./per-function');
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

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const environment = {
    POWERTOOLS_SERVICE_NAME: 'docspace-flows',
    // Stack traces through the minified bundle point at the TypeScript source.
    NODE_OPTIONS: '--enable-source-maps',
  };
  for (const name of SETTINGS) {
    if (stage !== 'local' && SECRETS.includes(name)) continue;
    const value = process.env[name];
    if (value !== undefined && value !== '') environment[name] = value;
  }
  for (const [name, logicalId] of Object.entries(WIRING)) {
    if (stage !== 'local') {
      environment[name] = { Ref: logicalId };
      continue;
    }
    const value = process.env[name];
    if (!value) throw new Error(`Stage "local" needs ${name} in the environment; start it with \`npm start\``);
    environment[name] = value;
  }
  return environment;
};

module.exports.SETTINGS = SETTINGS;
module.exports.WIRING = WIRING;
