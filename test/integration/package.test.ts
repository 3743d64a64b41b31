import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/cfn';
import { readZipEntries } from '../../infra/cli/zip';

/*
 * Runs the real `sls package` (offline, no credentials) and reads the CloudFormation it would deploy. The
 * secrets are exported with recognisable values first, as a careless deployer's shell would have them, to
 * show that none of them reaches the template.
 */

type Obj = Record<string, any>;

const SECRET_VALUES: Record<string, string> = {
  DOCSPACE_API_KEY: 'sk-package-test-api-key-7f3a',
  TASKS_WEBHOOK_SECRET: 'package-test-tasks-secret-91c2',
  DEALS_WEBHOOK_SECRET: 'package-test-deals-secret-5d0e',
  PROJECTS_WEBHOOK_SECRET: 'package-test-projects-secret-a8b4',
  DOCSPACE_WEBHOOK_SECRET: 'package-test-docspace-secret-3e6f',
  ADMIN_API_TOKEN: 'package-test-admin-token-0c9d2b',
};

/** DocSpace's per-user limits (NOTES 2.4), shared by every function because they all use one API key. */
const DOCSPACE_LIMITS = { writes: 15, reads: 50 };

/** A deployer's shell that tries to lift the caps; the packaged functions must keep their own. */
const EXPORTED_CAPS = { DOCSPACE_MAX_CONCURRENT_WRITES: '15', DOCSPACE_MAX_CONCURRENT_READS: '50' };

const CONTRACT_ROUTES = [
  'POST /webhooks/tasks',
  'POST /webhooks/deals/closed',
  'HEAD /webhooks/docspace',
  'POST /webhooks/docspace',
  'POST /webhooks/projects',
  'GET /jobs/{jobId}',
  'GET /reports/abandoned-rooms/latest',
];

const SQS_CONSUMER_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];

let outDir: string;
let template: { Resources: Obj; Outputs: Obj };
let resources: Obj;

const ofType = (type: string): Array<[string, Obj]> => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const getAttId = (v: unknown): string | undefined => (v as Obj)?.['Fn::GetAtt']?.[0];

function functionRole(fnId: string): { roleId: string; statements: Obj[] } {
  const roleId = getAttId(resources[fnId].Properties.Role);
  if (!roleId) throw new Error(`${fnId} has no role of its own: ${JSON.stringify(resources[fnId].Properties.Role)}`);
  const role = resources[roleId];
  const statements = (role.Properties.Policies as Obj[]).flatMap((p) => asArray(p.PolicyDocument.Statement));
  return { roleId, statements };
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'docspace-flows-package-'));
  await promisify(execFile)(join(REPO_ROOT, 'node_modules', '.bin', 'sls'), ['package', '--stage', 'ci', '--package', outDir], {
    cwd: REPO_ROOT,
    // A build folder of its own, so an `npm start` or another package run in the same checkout is not disturbed.
    env: { ...process.env, ...SECRET_VALUES, ...EXPORTED_CAPS, SLS_ESBUILD_WORK_FOLDER: '.build/esbuild-package-test', SLS_TELEMETRY_DISABLED: '1' },
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
}, 320_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('the packaged CloudFormation template', () => {
  it('gives every function a role of its own, and no function a shared or default role', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBe(9);
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
    const roles = functions.map(([id]) => functionRole(id).roleId);
    expect(new Set(roles).size).toBe(functions.length);
  });

  it('grants no function a * action or a * resource', () => {
    for (const [fnId] of ofType('AWS::Lambda::Function')) {
      const logGroupId = fnId.replace(/LambdaFunction$/, 'LogGroup');
      for (const statement of functionRole(fnId).statements) {
        expect(statement.Effect, fnId).toBe('Allow');
        expect(statement.NotAction ?? statement.NotResource, fnId).toBeUndefined();
        for (const action of asArray(statement.Action as string | string[])) {
          expect(action, `${fnId} action`).not.toContain('*');
        }
        for (const resource of asArray(statement.Resource as unknown)) {
          const target = getAttId(resource);
          if (target) {
            // A GetAtt of one of our own resources; log groups only the function's own.
            expect(resources[target], `${fnId} -> ${target}`).toBeDefined();
            if (resources[target].Type === 'AWS::Logs::LogGroup') expect(target).toBe(logGroupId);
            continue;
          }
          const text = typeof resource === 'string' ? resource : (resource as Obj)['Fn::Sub'];
          expect(typeof text, `${fnId} resource ${JSON.stringify(resource)}`).toBe('string');
          expect(text, `${fnId} resource`).not.toContain('*');
          expect(text, `${fnId} resource`).toMatch(/^arn:\$\{AWS::Partition\}:ssm:\$\{AWS::Region\}:\$\{AWS::AccountId\}:parameter\/\S+$/);
        }
      }
    }
  });

  it('lets only a queue own consumer receive and delete its messages, and logs go to the function own group', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.map(([, m]) => getAttId(m.Properties.EventSourceArn)).sort()).toEqual(
      ['FileMovesQueue', 'ProjectRoomQueue', 'UploadCopyQueue'],
    );
    for (const [fnId] of ofType('AWS::Lambda::Function')) {
      const consumed = mappings
        .filter(([, m]) => getAttId(m.Properties.FunctionName) === fnId)
        .map(([, m]) => getAttId(m.Properties.EventSourceArn));
      const statements = functionRole(fnId).statements;
      const receiving = statements.filter((s) => asArray(s.Action).includes('sqs:ReceiveMessage'));
      expect(receiving.flatMap((s) => asArray(s.Resource).map(getAttId)), fnId).toEqual(consumed);
      for (const s of receiving) expect([...asArray(s.Action)].sort()).toEqual(SQS_CONSUMER_ACTIONS);
      const logs = statements.find((s) => asArray(s.Action).includes('logs:PutLogEvents'));
      expect(logs?.Resource.map(getAttId), fnId).toEqual([fnId.replace(/LambdaFunction$/, 'LogGroup')]);
    }
  });

  it('reads only the jobs table and lets only the read API be read-only', () => {
    const jobsApi = functionRole('JobsApiLambdaFunction').statements.filter((s) => String(asArray(s.Action)[0]).startsWith('dynamodb:'));
    expect(jobsApi.flatMap((s) => asArray(s.Action)).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    for (const [fnId] of ofType('AWS::Lambda::Function')) {
      for (const s of functionRole(fnId).statements.filter((st) => String(asArray(st.Action)[0]).startsWith('dynamodb:'))) {
        expect(asArray(s.Resource).map(getAttId)).toEqual(['JobsTable']);
      }
    }
  });

  it('gives every work queue a DLQ with a redrive policy, and alarms on every DLQ', () => {
    const queues = ofType('AWS::SQS::Queue');
    const dlqIds = new Set(queues.map(([, q]) => getAttId(q.Properties.RedrivePolicy?.deadLetterTargetArn)).filter(Boolean));
    const workQueues = queues.filter(([id]) => !dlqIds.has(id));
    expect(workQueues.map(([id]) => id).sort()).toEqual(['FileMovesQueue', 'ProjectRoomQueue', 'UploadCopyQueue']);
    for (const [id, q] of workQueues) {
      const target = getAttId(q.Properties.RedrivePolicy?.deadLetterTargetArn);
      expect(resources[target!]?.Type, id).toBe('AWS::SQS::Queue');
      expect(q.Properties.RedrivePolicy.maxReceiveCount, id).toBeGreaterThan(1);
    }
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    for (const dlq of dlqIds) {
      const alarm = alarms.find((a) => a.Namespace === 'AWS/SQS' && getAttId(a.Dimensions?.[0]?.Value) === dlq);
      expect(alarm, `alarm on ${dlq}`).toBeDefined();
      expect(alarm!.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    }
  });

  it('alarms when the HTTP API answers 5xx, which no function-errors alarm sees', () => {
    const apis = ofType('AWS::ApiGatewayV2::Api');
    expect(apis).toHaveLength(1);
    const alarm = ofType('AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .find((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx');
    expect(alarm, 'alarm on the HTTP API 5xx').toBeDefined();
    expect(alarm!.Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: apis[0]![0] } }]);
    expect(alarm!.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it('lets each DocSpace caller alone use up to 15 writes and 50 reads, file moves the whole budget, and all together shrink to fit', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    const alone: Record<string, { writes: number; reads: number }> = {};
    let processesInAll = 0;
    for (const [fnId, fn] of ofType('AWS::Lambda::Function')) {
      const env = fn.Properties.Environment.Variables as Record<string, string>;
      if (env.DOCSPACE_API_KEY_PARAMETER === undefined) {
        // Without the key it cannot call DocSpace, so it has no share of the budget.
        expect(env.DOCSPACE_MAX_CONCURRENT_WRITES, fnId).toBeUndefined();
        continue;
      }
      // How many processes can run at once: the event source's maximumConcurrency, or 1 for the schedule.
      const sources = mappings.filter((m) => getAttId(m.FunctionName) === fnId);
      const scheduled = rules.filter((r) => r.Targets.some((t: Obj) => getAttId(t.Arn) === fnId));
      expect(sources.length + scheduled.length, `${fnId} has exactly one trigger`).toBe(1);
      const processes = sources[0] ? sources[0].ScalingConfig?.MaximumConcurrency : 1;
      expect(processes, `${fnId} maximumConcurrency`).toBeGreaterThan(0);
      processesInAll += processes;
      const ceiling = { writes: 0, reads: 0 };
      for (const kind of ['writes', 'reads'] as const) {
        const cap = Number(env[`DOCSPACE_MAX_CONCURRENT_${kind.toUpperCase()}`]);
        expect(cap, `${fnId} DOCSPACE_MAX_CONCURRENT_${kind.toUpperCase()}`).toBeGreaterThan(0);
        ceiling[kind] = processes * cap;
      }
      alone[fnId] = ceiling;
    }
    expect(Object.keys(alone).sort()).toEqual(
      ['AbandonedRoomsScanLambdaFunction', 'FileMovesWorkerLambdaFunction', 'ProjectRoomWorkerLambdaFunction', 'UploadCopyWorkerLambdaFunction'],
    );
    // Alone, a function never asks for more than DocSpace allows, so it meets no 429 of its own making.
    for (const [fnId, ceiling] of Object.entries(alone)) {
      expect(ceiling.writes, `${fnId} writes alone`).toBeLessThanOrEqual(DOCSPACE_LIMITS.writes);
      expect(ceiling.reads, `${fnId} reads alone`).toBeLessThanOrEqual(DOCSPACE_LIMITS.reads);
    }
    // When only file moves run, they may use the whole write budget and nearly all reads.
    expect(alone.FileMovesWorkerLambdaFunction!.writes).toBe(DOCSPACE_LIMITS.writes);
    expect(alone.FileMovesWorkerLambdaFunction!.reads).toBeGreaterThanOrEqual(DOCSPACE_LIMITS.reads - 5);
    // When all run, the adaptive caps halve on 429 down to one slot per process; that floor must fit, or the
    // bundle could press on the limits for good.
    expect(processesInAll).toBeLessThanOrEqual(DOCSPACE_LIMITS.writes);
  });

  it('alarms on every function errors', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties).filter((a) => a.Namespace === 'AWS/Lambda');
    const watched = alarms.filter((a) => a.MetricName === 'Errors').map((a) => a.Dimensions[0].Value.Ref).sort();
    expect(watched).toEqual(ofType('AWS::Lambda::Function').map(([id]) => id).sort());
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it('schedules the abandoned-rooms scan on EventBridge', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toHaveLength(1);
    expect(rules[0].ScheduleExpression).toMatch(/^(rate|cron)\(/);
    expect(rules[0].State).toBe('ENABLED');
    expect(getAttId(rules[0].Targets[0].Arn)).toBe('AbandonedRoomsScanLambdaFunction');
  });

  it('routes every endpoint of the contract', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual([...CONTRACT_ROUTES].sort());
  });

  it('keeps the jobs table on demand, with TTL and point-in-time recovery', () => {
    const table = resources.JobsTable.Properties;
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(resources.JobsTable.DeletionPolicy).toBe('Retain');
  });

  it('holds no secret value, and points each function at exactly the parameters its role may read', () => {
    const text = JSON.stringify(template);
    for (const [name, value] of Object.entries(SECRET_VALUES)) expect(text, name).not.toContain(value);
    for (const [fnId, fn] of ofType('AWS::Lambda::Function')) {
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      for (const name of Object.keys(SECRET_VALUES)) expect(env[name], `${fnId} ${name}`).toBeUndefined();
      const parameters = Object.entries(env)
        .filter(([k]) => k.endsWith('_PARAMETER'))
        .map(([, v]) => String(v))
        .sort();
      const readable = functionRole(fnId)
        .statements.filter((s) => asArray(s.Action).includes('ssm:GetParameter'))
        .flatMap((s) => asArray(s.Resource).map((r: Obj) => String(r['Fn::Sub']).replace(/^.*:parameter/, '')))
        .sort();
      expect(parameters.length, fnId).toBeGreaterThan(0);
      expect(readable, fnId).toEqual(parameters);
      for (const p of parameters) expect(p).toMatch(/^\/docspace-flows\/ci\/[A-Z_]+$/);
    }
  });
});

describe('the packaged bundles', () => {
  it('are one small zip per function holding only that function bundle', () => {
    const zips = readdirSync(outDir).filter((f) => f.endsWith('.zip')).sort();
    expect(zips.map((z) => z.replace(/\.zip$/, ''))).toEqual(
      ofType('AWS::Lambda::Function').map(([, f]) => f.Properties.FunctionName.replace(/^docspace-flows-ci-/, '')).sort(),
    );
    const report: string[] = [];
    for (const zip of zips) {
      const bytes = statSync(join(outDir, zip)).size;
      const entries = readZipEntries(readFileSync(join(outDir, zip)));
      const code = entries.filter((e) => e.name.endsWith('.js'));
      expect(code, zip).toHaveLength(1);
      expect(entries.every((e) => /^functions\/[a-z-]+\/[a-z-]+\.js(\.map)?$/.test(e.name)), zip).toBe(true);
      // Well under Lambda's 50 MB zipped limit and small enough for a fast cold start.
      expect(bytes, zip).toBeLessThan(3 * 1024 * 1024);
      report.push(`${zip.padEnd(26)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB zipped, ${(code[0]!.size / 1024).toFixed(0).padStart(6)} KiB of JS`);
    }
    console.log(`bundle sizes (sls package --stage ci):\n${report.join('\n')}`);
  });
});
