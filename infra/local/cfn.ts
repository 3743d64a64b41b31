import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

/*
 * Reads infra/resources.yml and serverless.yml so the local stack and the test harness build their table, queues
 * and SQS event-source mappings from the same definitions CloudFormation gets. Only what the emulators can use is
 * extracted; everything else (alarms, PITR, TTL, SSE) is AWS-only.
 */

export const REPO_ROOT = join(__dirname, '..', '..');

/** `!Ref X` and friends, as the long form CloudFormation itself uses. */
const CFN_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'If', 'Equals', 'Not', 'And', 'Or', 'Select', 'Split', 'FindInMap',
  'ImportValue', 'Base64', 'GetAZs', 'Condition', 'Cidr', 'ToJsonString', 'Length'];

function cfnType(tag: string, kind: 'scalar' | 'sequence' | 'mapping'): yaml.Type {
  const key = tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`;
  return new yaml.Type(`!${tag}`, {
    kind,
    construct: (data: unknown) =>
      ({ [key]: tag === 'GetAtt' && typeof data === 'string' ? data.split(/\.(.*)/s).slice(0, 2) : data }),
  });
}

const CFN_SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  CFN_TAGS.flatMap((t) => (['scalar', 'sequence', 'mapping'] as const).map((k) => cfnType(t, k))),
);

export function readYaml(path: string): unknown {
  return yaml.load(readFileSync(path, 'utf8'), { schema: CFN_SCHEMA });
}

/** The few serverless variables our YAML uses in names; anything else is a mistake worth failing on. */
export function resolveName(value: unknown, vars: { service: string; stage: string }): string {
  if (typeof value !== 'string') throw new Error(`Expected a literal name, got ${JSON.stringify(value)}`);
  const out = value.replaceAll('${self:service}', vars.service).replaceAll('${sls:stage}', vars.stage);
  if (out.includes('${')) throw new Error(`Unresolvable variable in name "${value}"`);
  return out;
}

/** `${self:a.b.${sls:stage}, "default"}`, the one kind of variable serverless.yml uses in route methods. */
export function resolveSelfVariable(value: string, sls: Obj, stage: string): string {
  const text = value.replaceAll('${sls:stage}', stage);
  const m = /^\$\{self:([^,}]+)(?:,\s*["']([^"']*)["'])?\}$/.exec(text);
  if (!m) {
    if (text.includes('${')) throw new Error(`Unresolvable variable "${value}"`);
    return text;
  }
  let node: unknown = sls;
  for (const key of m[1]!.trim().split('.')) node = (node as Obj | undefined)?.[key];
  if (node !== undefined && node !== null) return String(node);
  if (m[2] === undefined) throw new Error(`Unresolvable variable "${value}"`);
  return m[2];
}

export interface TableSpec {
  logicalId: string;
  name: string;
  attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  globalSecondaryIndexes?: unknown[];
  localSecondaryIndexes?: unknown[];
  ttlAttribute?: string;
}

export interface QueueSpec {
  logicalId: string;
  name: string;
  /** Seconds, as in the template (AWS default 30). */
  visibilityTimeout: number;
  messageRetentionPeriod?: number;
  delaySeconds?: number;
  /** Logical id of the DLQ and how many receives before a message is parked there. */
  redrive?: { deadLetterLogicalId: string; maxReceiveCount: number };
}

export interface SqsMapping {
  functionKey: string;
  queueLogicalId: string;
  batchSize: number;
  maximumConcurrency: number;
  reportBatchItemFailures: boolean;
  /** Function timeout in seconds. */
  timeout: number;
}

export interface HttpRoute {
  functionKey: string;
  method: string;
  path: string;
}

export interface ServiceModel {
  service: string;
  tables: TableSpec[];
  queues: QueueSpec[];
  sqsMappings: SqsMapping[];
  functionKeys: string[];
  /** Per function: the serverless.yml handler (`functions/x/handler.handler`), timeout (s) and memory (MB). */
  functions: Record<string, { handler: string; timeout: number; memorySize: number }>;
  /** httpApi routes as API Gateway matches them (`/jobs/{jobId}`), methods resolved for the stage. */
  httpRoutes: HttpRoute[];
  /** The env var each wired resource is exposed under (TABLE_NAME → JobsTable, ...). */
  wiring: Record<string, string>;
}

type Obj = Record<string, any>;

function logicalIdOf(ref: unknown): string {
  const r = ref as Obj;
  if (r?.['Fn::GetAtt']) return (r['Fn::GetAtt'] as string[])[0]!;
  if (r?.Ref) return r.Ref as string;
  throw new Error(`Expected !GetAtt X.Arn or !Ref X, got ${JSON.stringify(ref)}`);
}

function numberOf(value: unknown, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new Error('missing number');
    return fallback;
  }
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`Expected a number, got ${JSON.stringify(value)}`);
  return n;
}

export function loadServiceModel(opts: { stage: string; root?: string }): ServiceModel {
  const root = opts.root ?? REPO_ROOT;
  const sls = readYaml(join(root, 'serverless.yml')) as Obj;
  const service = sls.service as string;
  const resourcesRef = String(sls.resources ?? '');
  const match = /^\$\{file\((.+)\)\}$/.exec(resourcesRef);
  if (!match) throw new Error('serverless.yml must include its resources as ${file(infra/resources.yml)}');
  const template = readYaml(join(root, match[1]!)) as Obj;
  const vars = { service, stage: opts.stage };

  const tables: TableSpec[] = [];
  const queues: QueueSpec[] = [];
  for (const [logicalId, res] of Object.entries<Obj>(template.Resources ?? {})) {
    const p = (res.Properties ?? {}) as Obj;
    if (res.Type === 'AWS::DynamoDB::Table') {
      tables.push({
        logicalId,
        name: resolveName(p.TableName, vars),
        attributeDefinitions: p.AttributeDefinitions,
        keySchema: p.KeySchema,
        ...(p.GlobalSecondaryIndexes ? { globalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
        ...(p.LocalSecondaryIndexes ? { localSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
        ...(p.TimeToLiveSpecification?.Enabled ? { ttlAttribute: p.TimeToLiveSpecification.AttributeName } : {}),
      });
    } else if (res.Type === 'AWS::SQS::Queue') {
      const rp = typeof p.RedrivePolicy === 'string' ? JSON.parse(p.RedrivePolicy) : p.RedrivePolicy;
      queues.push({
        logicalId,
        name: resolveName(p.QueueName, vars),
        visibilityTimeout: numberOf(p.VisibilityTimeout, 30),
        ...(p.MessageRetentionPeriod !== undefined ? { messageRetentionPeriod: numberOf(p.MessageRetentionPeriod) } : {}),
        ...(p.DelaySeconds !== undefined ? { delaySeconds: numberOf(p.DelaySeconds) } : {}),
        ...(rp
          ? { redrive: { deadLetterLogicalId: logicalIdOf(rp.deadLetterTargetArn), maxReceiveCount: numberOf(rp.maxReceiveCount) } }
          : {}),
      });
    }
  }

  const sqsMappings: SqsMapping[] = [];
  const functions = (sls.functions ?? {}) as Obj;
  const providerTimeout = numberOf(sls.provider?.timeout, 6);
  const providerMemory = numberOf(sls.provider?.memorySize, 1024);
  const functionSpecs: ServiceModel['functions'] = {};
  for (const [functionKey, fn] of Object.entries<Obj>(functions)) {
    functionSpecs[functionKey] = {
      handler: String(fn.handler),
      timeout: numberOf(fn.timeout, providerTimeout),
      memorySize: numberOf(fn.memorySize, providerMemory),
    };
  }
  for (const [functionKey, fn] of Object.entries<Obj>(functions)) {
    for (const ev of (fn.events ?? []) as Obj[]) {
      if (!ev.sqs) continue;
      const sqs = typeof ev.sqs === 'string' || ev.sqs.Ref || ev.sqs['Fn::GetAtt'] ? { arn: ev.sqs } : ev.sqs;
      sqsMappings.push({
        functionKey,
        queueLogicalId: logicalIdOf(sqs.arn),
        batchSize: numberOf(sqs.batchSize, 10),
        maximumConcurrency: numberOf(sqs.maximumConcurrency, 1000),
        reportBatchItemFailures: sqs.functionResponseType === 'ReportBatchItemFailures',
        timeout: numberOf(fn.timeout, providerTimeout),
      });
    }
  }

  const httpRoutes: HttpRoute[] = [];
  for (const [functionKey, fn] of Object.entries<Obj>(functions)) {
    for (const ev of (fn.events ?? []) as Obj[]) {
      if (!ev.httpApi) continue;
      const method = resolveSelfVariable(String(ev.httpApi.method ?? '*'), sls, opts.stage).toUpperCase();
      httpRoutes.push({ functionKey, method, path: String(ev.httpApi.path) });
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { WIRING } = require(join(root, 'infra', 'environment.js')) as { WIRING: Record<string, string> };
  return { service, tables, queues, sqsMappings, functionKeys: Object.keys(functions), functions: functionSpecs, httpRoutes, wiring: WIRING };
}
