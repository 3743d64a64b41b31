'use strict';
/*
 * What each function may touch, in one table, and the CloudFormation that follows from it: one IAM role per
 * function (least privilege), the SSM parameter names of the secrets each function reads, and an alarm on each
 * function's errors. serverless.yml gives every function `role: <Name>IamRole` and
 * `environment: ${file(infra/per-function.js):environment.<key>}`; infra/resources.yml includes the roles and
 * alarms one line each. test/integration/package.test.ts reads the packaged template and checks the result.
 *
 * Secrets never go into the template: on AWS a function gets `<NAME>_PARAMETER` naming an SSM SecureString
 * (or, with --param="secretsBackend=secretsmanager", SSM's reference to a Secrets Manager secret) and reads it
 * at cold start (lib/secrets.ts). Locally (stage "local") the plain variables are used and nothing is added here.
 */

const WORKER_TABLE_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'];
// Webhooks create the job once (conditional put), read it on a duplicate, and resume a failed one.
const WEBHOOK_TABLE_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem'];

/**
 * table: DynamoDB actions on JobsTable. index: per GSI of JobsTable, the actions on it. queueAttributes: queues
 * whose attributes (message counts) it reads. consumes: the queue of its SQS event source. sends: queues it writes to.
 * secrets: the settings it reads from Parameter Store on AWS. docspace: per-process ceilings of the adaptive caps
 * on concurrent DocSpace writes and reads (DOCSPACE_MAX_CONCURRENT_*), required for every function that holds
 * DOCSPACE_API_KEY: times the processes its trigger may run, each function alone fits DocSpace's per-user limits,
 * and the caps halve on a 429 when several run at once (serverless.yml; test/integration/package.test.ts).
 */
const FUNCTIONS = {
  taskCompleteWebhook: { table: WEBHOOK_TABLE_ACTIONS, sends: ['FileMovesQueue'], secrets: ['TASKS_WEBHOOK_SECRET'] },
  dealArchiveWebhook: { table: WEBHOOK_TABLE_ACTIONS, sends: ['FileMovesQueue'], secrets: ['DEALS_WEBHOOK_SECRET'] },
  // The planner fans chunks out to its own queue and the last chunk queues the finalizer.
  fileMovesWorker: {
    table: WORKER_TABLE_ACTIONS,
    consumes: 'FileMovesQueue',
    sends: ['FileMovesQueue'],
    secrets: ['DOCSPACE_API_KEY'],
    docspace: { writes: 5, reads: 16 },
  },
  uploadCopyWebhook: { table: WEBHOOK_TABLE_ACTIONS, sends: ['UploadCopyQueue'], secrets: ['DOCSPACE_WEBHOOK_SECRET'] },
  // No lease, so no DeleteItem (the error records it replaces go through BatchWriteItem).
  uploadCopyWorker: {
    table: ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'BatchWriteItem'],
    consumes: 'UploadCopyQueue',
    secrets: ['DOCSPACE_API_KEY'],
    docspace: { writes: 3, reads: 10 },
  },
  projectRoomWebhook: { table: WEBHOOK_TABLE_ACTIONS, sends: ['ProjectRoomQueue'], secrets: ['PROJECTS_WEBHOOK_SECRET'] },
  // It hands a message back (with a delay) while another creation holds the portal lease, and signs the
  // callback to the project system with the projects secret.
  projectRoomWorker: {
    table: WORKER_TABLE_ACTIONS,
    consumes: 'ProjectRoomQueue',
    sends: ['ProjectRoomQueue'],
    secrets: ['DOCSPACE_API_KEY', 'PROJECTS_WEBHOOK_SECRET'],
    docspace: { writes: 2, reads: 5 },
  },
  // It only writes the report (its parts, then the LATEST pointer); the read API serves it.
  abandonedRoomsScan: { table: ['PutItem'], secrets: ['DOCSPACE_API_KEY'], docspace: { writes: 2, reads: 10 } },
  // The read API is the only function that queries the jobs index (GET /jobs) and reads the DLQs' counts.
  jobsApi: {
    table: ['GetItem', 'Query'],
    index: { 'jobs-by-created': ['Query'] },
    queueAttributes: ['FileMovesDLQ', 'UploadCopyDLQ', 'ProjectRoomDLQ'],
    secrets: ['ADMIN_API_TOKEN'],
  },
  // An operator's retry meets the failed job again (lib/jobs/accept.ts): it reads the job, resumes it (a
  // conditional update) and sends the message that starts its next run to the workflow's queue.
  jobRetry: {
    table: ['GetItem', 'UpdateItem'],
    sends: ['FileMovesQueue', 'UploadCopyQueue', 'ProjectRoomQueue'],
    secrets: ['ADMIN_API_TOKEN'],
  },
  // Reads DocSpace only, and nothing of AWS but its own secrets; reservedConcurrency 1 (serverless.yml).
  previews: { secrets: ['DOCSPACE_API_KEY', 'ADMIN_API_TOKEN'], docspace: { writes: 1, reads: 3 } },
  // A static page: it calls the API from the browser with the operator's token, so it touches nothing itself.
  opsConsole: {},
};

/** Every setting that is a secret: never in the template on AWS, never in a log line anywhere (lib/secrets.ts reads the same list). */
const SECRETS = require('../lib/secret-settings.json');

const SQS_CONSUMER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'];

/** serverless' own normalisation (naming.getNormalizedFunctionName), so the ids match what it generates. */
const normalized = (key) =>
  `${key[0].toUpperCase()}${key.slice(1)}`.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
const roleId = (key) => `${normalized(key)}IamRole`;
const alarmId = (key) => `${normalized(key)}ErrorsAlarm`;

async function settings(resolveVariable) {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const path = await resolveVariable(`param:secretsPath, '/${service}/${stage}/'`);
  const backend = await resolveVariable("param:secretsBackend, 'ssm'");
  const kmsKeyArn = await resolveVariable("param:secretsKmsKeyArn, ''");
  if (!/^\/([A-Za-z0-9_.-]+\/)*$/.test(path)) {
    throw new Error(`param secretsPath must look like /a/b/ (leading and trailing slash), got "${path}"`);
  }
  if (backend !== 'ssm' && backend !== 'secretsmanager') {
    throw new Error(`param secretsBackend must be "ssm" or "secretsmanager", got "${backend}"`);
  }
  return { service, stage, path, backend, kmsKeyArn };
}

/** The SSM parameter a function reads for a secret: the SecureString itself, or SSM's view of a secret. */
function parameterName(s, secret) {
  return s.backend === 'ssm' ? `${s.path}${secret}` : `/aws/reference/secretsmanager${s.path}${secret}`;
}

const arn = (service, resource) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});

function statementsFor(key, spec, s) {
  const statements = [
    {
      // Only its own log group (created by serverless with the retention from serverless.yml).
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [{ 'Fn::GetAtt': [`${normalized(key)}LogGroup`, 'Arn'] }],
    },
  ];
  if (spec.table?.length) {
    statements.push({
      Effect: 'Allow',
      Action: spec.table.map((a) => `dynamodb:${a}`),
      Resource: [{ 'Fn::GetAtt': ['JobsTable', 'Arn'] }],
    });
  }
  for (const [index, actions] of Object.entries(spec.index ?? {})) {
    statements.push({
      Effect: 'Allow',
      Action: actions.map((a) => `dynamodb:${a}`),
      Resource: [{ 'Fn::Sub': `\${JobsTable.Arn}/index/${index}` }],
    });
  }
  if (spec.queueAttributes?.length) {
    statements.push({
      Effect: 'Allow',
      Action: ['sqs:GetQueueAttributes'],
      Resource: spec.queueAttributes.map((q) => ({ 'Fn::GetAtt': [q, 'Arn'] })),
    });
  }
  if (spec.consumes) {
    statements.push({ Effect: 'Allow', Action: SQS_CONSUMER_ACTIONS, Resource: [{ 'Fn::GetAtt': [spec.consumes, 'Arn'] }] });
  }
  if (spec.sends?.length) {
    statements.push({
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: spec.sends.map((q) => ({ 'Fn::GetAtt': [q, 'Arn'] })),
    });
  }
  if (spec.secrets?.length) {
    statements.push({
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: spec.secrets.map((name) => arn('ssm', `parameter${parameterName(s, name)}`)),
    });
    if (s.backend === 'secretsmanager') {
      // Secrets Manager appends six random characters to a secret's ARN; `??????` matches exactly those.
      statements.push({
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: spec.secrets.map((name) => arn('secretsmanager', `secret:${s.path.slice(1)}${name}-??????`)),
      });
    }
    if (s.kmsKeyArn) {
      // Only for a customer-managed key; the default aws/ssm key needs no statement.
      statements.push({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [s.kmsKeyArn] });
    }
  }
  return statements;
}

module.exports.roles = async ({ resolveVariable }) => {
  const s = await settings(resolveVariable);
  const roles = {};
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    roles[roleId(key)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `${s.service}-${s.stage}-${key}: least privilege`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
        },
        Policies: [
          {
            PolicyName: `${s.service}-${s.stage}-${key}`,
            PolicyDocument: { Version: '2012-10-17', Statement: statementsFor(key, spec, s) },
          },
        ],
      },
    };
  }
  return roles;
};

module.exports.alarms = async () => {
  const alarms = {};
  for (const key of Object.keys(FUNCTIONS)) {
    alarms[alarmId(key)] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        // HTTP functions answer their errors (lib/http/errors.ts); HttpApi5xxAlarm in resources.yml watches those.
        AlarmDescription: `${key} failed (a failed batch or scan, a timeout, a crash); see its log group`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${normalized(key)}LambdaFunction` } }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
        OKActions: [{ Ref: 'AlarmTopic' }],
      },
    };
  }
  return alarms;
};

/** Per-function environment: where its secrets live on AWS; nothing locally (the plain variables are used). */
module.exports.environment = async ({ resolveVariable }) => {
  const s = await settings(resolveVariable);
  const environment = {};
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    environment[key] = {};
    // Per-process DocSpace ceilings: the budget that serverless.yml adds up beside fileMovesWorker. Set on every
    // DocSpace function, so lib/config.ts's defaults (sized for one process alone) never apply on AWS.
    if (spec.docspace) {
      environment[key].DOCSPACE_MAX_CONCURRENT_WRITES = String(spec.docspace.writes);
      environment[key].DOCSPACE_MAX_CONCURRENT_READS = String(spec.docspace.reads);
    }
    if (s.stage === 'local') continue;
    for (const name of spec.secrets ?? []) environment[key][`${name}_PARAMETER`] = parameterName(s, name);
  }
  return environment;
};

module.exports.FUNCTIONS = FUNCTIONS;
module.exports.SECRETS = SECRETS;
module.exports.roleId = roleId;
module.exports.alarmId = alarmId;
