import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import treeKill from 'tree-kill';
import { REPO_ROOT } from './cfn';
import { startLocalAws, type LocalAws } from './emulators';
import { freePort, isListening } from './ports';
import { demoSettings, LOCAL_SECRETS, secretSettings } from './settings';
import { lambdaEndpointInvoker, SqsPollers } from './sqs-poller';
import { removeStackState, writeStackState, type StackState } from './stack-state';
import { DEMO, DocSpaceSimulator, demoFixture } from '@docspace-flows/simulator';
import { copyRulesBannerLine } from './copy-rules-line';
import { templateMapBannerLine } from './template-check';
import { lineFilter, logFormatFrom, type LogFormat } from './log-view';
import { messageOf } from '../../lib/errors';

/*
 * `npm start`: the bundle offline with everything it talks to, on 127.0.0.1 only.
 *   1. DynamoDB (dynalite) and SQS (local-aws-sqs) in this process, with the table and queues of resources.yml;
 *   2. the DocSpace simulator with the demo portal, unless DOCSPACE_API_HOST names another portal;
 *   3. `sls offline start --stage local` as a child, with every setting in its environment;
 *   4. our SQS pollers, invoking the workers through offline's Lambda endpoint with partial batch responses.
 * Offline's output goes through ./log-view (one short line per request and job change, unless LOG_FORMAT=json), and
 * .local-data/stack.json records where everything listens, for the CLIs and `sls invoke local`.
 * Ctrl-C / SIGTERM stops the child's whole process tree, then the rest.
 */

const HOST = '127.0.0.1';
const STAGE = 'local';
const READY_TIMEOUT_MS = Number(process.env.START_READY_TIMEOUT_MS ?? 180_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SETTINGS } = require(join(REPO_ROOT, 'infra', 'environment.js')) as { SETTINGS: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SECRETS } = require(join(REPO_ROOT, 'infra', 'per-function.js')) as { SECRETS: string[] };

const say = (line: string) => process.stdout.write(`[local] ${line}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function portFrom(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number`);
  return port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function killTree(pid: number, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => treeKill(pid, signal, () => resolve()));
}

/** Signals the child's process group too: children that were re-parented after their parent exited stay in it. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  let logFormat: LogFormat;
  try {
    logFormat = logFormatFrom(process.env);
  } catch (error) {
    process.stderr.write(`[local] ${messageOf(error)}\n`);
    process.exit(1);
  }
  const httpPort = portFrom('HTTP_PORT') ?? 3000;
  const lambdaPort = portFrom('LAMBDA_PORT') ?? (await freePort(HOST));
  // Checked up front: the readiness probe would otherwise be answered by whatever already listens there.
  for (const [name, port] of [['HTTP_PORT', httpPort], ['LAMBDA_PORT', lambdaPort]] as const) {
    if (await isListening(port, HOST)) {
      process.stderr.write(`[local] ${name} ${port} is in use on ${HOST} (another npm start?); set ${name} to a free port\n`);
      process.exit(1);
    }
  }

  let aws: LocalAws | undefined;
  let sim: DocSpaceSimulator | undefined;
  let portal: { url: string; close(): Promise<void> } | undefined;
  let offline: ChildProcess | undefined;
  let pollers: SqsPollers | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (reason: string, code: number): Promise<void> =>
    (stopping ??= (async () => {
      say(`${reason}: stopping`);
      if (pollers) await Promise.race([pollers.stop(), sleep(5000)]);
      if (offline?.pid) {
        const pid = offline.pid;
        await killTree(pid, 'SIGTERM');
        signalGroup(pid, 'SIGTERM');
        if (!(await exited(offline, 8000))) say('serverless offline did not stop in 8 s; killing it');
        await killTree(pid, 'SIGKILL');
        for (let i = 0; i < 50 && groupAlive(pid); i++) {
          signalGroup(pid, 'SIGKILL');
          await sleep(50);
        }
      }
      await portal?.close().catch(() => undefined);
      await sim?.close().catch(() => undefined);
      await aws?.close().catch(() => undefined);
      removeStackState(process.pid);
      say('stopped');
      process.exit(code);
    })());

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal, 0));
  // If whatever started us goes away without a signal (a killed npm or tsx), stop rather than linger.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop('parent process exited', 0);
  }, 1000).unref();
  // Last resort if this process dies some other way: the detached child must not outlive it.
  process.on('exit', () => {
    if (offline?.pid && groupAlive(offline.pid)) signalGroup(offline.pid, 'SIGKILL');
  });

  try {
    aws = await startLocalAws({ stage: STAGE, host: HOST, dynamoPort: portFrom('DYNAMODB_PORT'), sqsPort: portFrom('SQS_PORT') });
    say(`DynamoDB ${aws.dynamo.url}, SQS ${aws.sqs.url} (table and ${Object.keys(aws.resources.queues).length} queues from infra/resources.yml)`);

    const external = process.env.DOCSPACE_API_HOST;
    const defaults: Record<string, string> = { ...secretSettings(LOCAL_SECRETS), PROJECT_CALLBACK_ALLOW_PRIVATE: 'true' };
    if (!external) {
      sim = new DocSpaceSimulator({ fixture: demoFixture() });
      const listening = await sim.listen(portFrom('SIMULATOR_PORT') ?? 0, HOST);
      portal = listening;
      Object.assign(defaults, { DOCSPACE_API_HOST: listening.url, DOCSPACE_API_KEY: sim.apiKey, ...demoSettings(DEMO) });
      say(`DocSpace simulator ${listening.url} with the demo portal`);
    } else {
      say(`DocSpace: ${external} (DOCSPACE_API_HOST is set; no simulator started)`);
    }

    // Any setting already in the environment wins over the local defaults.
    const settings: Record<string, string> = { ...defaults };
    for (const name of SETTINGS) {
      const value = process.env[name];
      if (value !== undefined && value !== '') settings[name] = value;
    }
    const missing = SETTINGS.filter((n) => settings[n] === undefined && /^(DOCSPACE_API_|COMPLETED_|ARCHIVE_ROOT|COPY_RULES|TEMPLATE_MAP)/.test(n));
    if (missing.length) say(`not set (the functions that need them will say so): ${missing.join(', ')}`);

    const env: NodeJS.ProcessEnv = { ...process.env };
    // The emulators, never a real account: no profile, no session token from the developer's shell.
    for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) delete env[name];
    Object.assign(env, aws.env, settings, {
      PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    });

    const sls = join(REPO_ROOT, 'node_modules', '.bin', 'sls');
    if (!existsSync(sls)) throw new Error('node_modules/.bin/sls is missing; run `npm ci` first');
    const args = ['offline', 'start', '--stage', STAGE, '--host', HOST, '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort)];
    // serverless-offline runs each concurrent request of a function in a new worker thread when none is idle, and
    // every new thread loads the function's bundle from scratch: a burst of 22 webhooks on 2 cores meant 22 cold
    // starts at once and 504s at the 10 s timeout. In-process, each bundle is loaded once and every request after
    // that is warm, as on a Lambda instance that is already running. LOCAL_LAMBDA_RUNNER=worker-threads brings
    // back offline's default (the burst benchmark measures both).
    const runner = process.env.LOCAL_LAMBDA_RUNNER ?? 'in-process';
    if (runner !== 'in-process' && runner !== 'worker-threads') throw new Error('LOCAL_LAMBDA_RUNNER must be "in-process" or "worker-threads"');
    if (runner === 'in-process') args.push('--useInProcess');
    say(`sls ${args.join(' ')}`);
    // Its own process group, so that stopping it reaches esbuild and every worker it started, even re-parented ones.
    offline = spawn(sls, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    // Its output through the log view: one short line per request and job change (LOG_FORMAT=json: as printed).
    for (const [stream, out] of [[offline.stdout!, process.stdout], [offline.stderr!, process.stderr]] as const) {
      const filter = lineFilter(logFormat, (text) => out.write(text));
      stream.on('data', (chunk: Buffer) => filter.push(chunk));
      stream.on('end', () => filter.end());
    }
    offline.once('exit', (code, signal) => {
      void stop(`serverless offline exited (${signal ?? `code ${code}`})`, code === 0 ? 1 : (code ?? 1));
    });

    const httpUrl = `http://${HOST}:${httpPort}`;
    const lambdaUrl = `http://${HOST}:${lambdaPort}`;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answers(`${httpUrl}/__ready`)) || !(await answers(`${lambdaUrl}/__ready`))) {
      if (stopping) return;
      if (Date.now() > deadline) throw new Error(`serverless offline did not answer on ${httpUrl} within ${READY_TIMEOUT_MS / 1000} s`);
      await sleep(250);
    }

    const { model, resources } = aws;
    if (runner === 'in-process') {
      // Each route is called once unsigned, so the log shows a 401 per webhook here: say so before it does.
      say('loading every function with one unauthenticated request each (the 401s below are those)');
      const warmed = await warmUp(model, httpUrl, lambdaUrl);
      say(`functions loaded before the first request: ${warmed.join(', ')}`);
    }
    pollers = new SqsPollers({
      sqs: aws.clients.sqs,
      region: aws.env.AWS_REGION,
      idleDelayMs: 200,
      invoke: lambdaEndpointInvoker({ endpoint: lambdaUrl, service: model.service, stage: STAGE }),
      targets: model.sqsMappings.map((mapping) => ({
        mapping,
        queueUrl: resources.queues[mapping.queueLogicalId]!.url,
        queueArn: resources.queues[mapping.queueLogicalId]!.arn,
      })),
      onBatch: (b) => {
        // The job lines already tell a batch that went well; one that did not is worth its own line.
        if (logFormat === 'text' && !b.error && b.retained === 0) return;
        const failed = b.error ? ` error: ${b.error instanceof Error ? b.error.message : String(b.error)}` : '';
        say(`[sqs] ${b.functionKey}: batch of ${b.received}, ${b.deleted} done, ${b.retained} back to the queue${failed}`);
      },
    });
    pollers.start();

    // The demo portal reports uploads to our webhook, so workflow 3 runs end to end (registering probes HEAD).
    let webhookNote = '';
    if (sim) {
      const url = `${httpUrl}/webhooks/docspace`;
      // DocSpace checks the URL with HEAD before it accepts a webhook; so do we, to say plainly if it is not there.
      const probe = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(30_000) }).then((r) => r.status, () => 0);
      if (probe >= 200 && probe < 300) {
        sim.registerWebhook({ url, secretKey: settings.DOCSPACE_WEBHOOK_SECRET!, name: 'docspace-flows (local)', triggers: ['file.uploaded'] });
        webhookNote = `uploads in the simulator are delivered to ${url}`;
      } else {
        webhookNote = `not registered in the simulator: HEAD ${url} answered ${probe || 'nothing'}`;
      }
    }

    const adminFromEnv = Boolean(process.env.ADMIN_API_TOKEN);
    const state: StackState = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      stage: STAGE,
      service: model.service,
      httpUrl,
      lambdaUrl,
      dynamodbUrl: aws.dynamo.url,
      sqsUrl: aws.sqs.url,
      ...(portal ? { simulatorUrl: portal.url } : {}),
      docspaceApiHost: settings.DOCSPACE_API_HOST ?? '',
      ...(adminFromEnv ? {} : { adminToken: settings.ADMIN_API_TOKEN! }),
      queues: Object.fromEntries(Object.values(resources.queues).map((q) => [q.logicalId, q.url])),
      tableName: Object.values(resources.tables)[0] ?? '',
      functionEnvironment: functionEnvironment(aws.env, settings),
    };
    const file = writeStackState(state);
    // What the project-room worker checks at cold start, shown before anyone sends a project (never fatal).
    const templateNote = await templateMapBannerLine(settings);
    printBanner({ state, settings, adminFromEnv, file, webhookNote, templateNote, copyRulesNote: copyRulesBannerLine(settings), seconds: (Date.now() - started) / 1000 });
  } catch (error) {
    process.stderr.write(`[local] could not start: ${messageOf(error)}\n`);
    await stop('start-up failed', 1);
  }
}

/**
 * What `sls invoke local` needs to run a function against this stack (infra/environment.js reads it back): the
 * emulators, the wiring and the settings. Secrets that came from the environment stay there, as the admin token
 * does; the embedded local ones are public (README) and are written.
 */
function functionEnvironment(awsEnv: Record<string, string>, settings: Record<string, string>): Record<string, string> {
  const fromShell = new Set(SECRETS.filter((name) => process.env[name]));
  return { ...awsEnv, ...Object.fromEntries(Object.entries(settings).filter(([name]) => !fromShell.has(name))) };
}

/**
 * Loads every HTTP function and SQS worker once, so the first real request finds it warm: an unauthenticated
 * request to each route (answered 401 before anything is parsed; HEAD and GET routes answer as they do), and an
 * empty batch to each worker through offline's Lambda endpoint (nothing to process). The scheduled scan is left
 * alone: invoking it would run a scan.
 */
async function warmUp(model: LocalAws['model'], httpUrl: string, lambdaUrl: string): Promise<string[]> {
  const invoke = lambdaEndpointInvoker({ endpoint: lambdaUrl, service: model.service, stage: STAGE });
  const warmed = new Set<string>();
  const routes = [...new Map(model.httpRoutes.map((r) => [r.functionKey, r])).values()];
  await Promise.all([
    ...routes.map(async (route) => {
      const path = route.path.replace(/\{[^}]+\}/g, 'warm-up');
      const method = route.method === 'HEAD' ? 'HEAD' : route.method;
      const response = await fetch(`${httpUrl}${path}`, {
        method,
        ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
        signal: AbortSignal.timeout(60_000),
      });
      await response.arrayBuffer();
      warmed.add(route.functionKey);
    }),
    ...model.sqsMappings.map(async (mapping) => {
      await invoke(mapping.functionKey, { Records: [] });
      warmed.add(mapping.functionKey);
    }),
  ]);
  return [...warmed].sort();
}

function printBanner(o: {
  state: StackState;
  settings: Record<string, string>;
  adminFromEnv: boolean;
  file: string;
  webhookNote: string;
  templateNote: string;
  copyRulesNote: string;
  seconds: number;
}): void {
  const { state, settings } = o;
  const token = o.adminFromEnv ? '$ADMIN_API_TOKEN' : settings.ADMIN_API_TOKEN;
  const tasksSecret = process.env.TASKS_WEBHOOK_SECRET ? '$TASKS_WEBHOOK_SECRET' : settings.TASKS_WEBHOOK_SECRET;
  const folder = state.simulatorUrl ? String(DEMO.taskFolderId) : '<folder id>';
  const lines = [
    '',
    `docspace-flows is ready (${o.seconds.toFixed(1)} s)`,
    `  API              ${state.httpUrl}   (POST /webhooks/tasks | /webhooks/deals/closed | /webhooks/projects | /webhooks/docspace)`,
    `  jobs, reports    GET ${state.httpUrl}/jobs/<jobId>  with  Authorization: Bearer ${token}`,
    `  console          ${state.httpUrl}/console   (in a browser; it asks for that token)`,
    `  Lambda API       ${state.lambdaUrl}   (workers are fed from SQS by the local pollers)`,
    `  DocSpace         ${state.docspaceApiHost}${state.simulatorUrl ? '   (simulator: GET /__sim/state, POST /__sim/upload ...)' : ''}`,
    `  emulators        DynamoDB ${state.dynamodbUrl}   SQS ${state.sqsUrl}`,
    ...(o.webhookNote ? [`  webhook          ${o.webhookNote}`] : []),
    `  templates        ${o.templateNote}`,
    `  copy rules       ${o.copyRulesNote}`,
    '',
    '  Sign a webhook (HMAC-SHA256 of the exact body):',
    `    body='{"taskId":"TASK-102","status":"closed","docsFolderId":${folder}}'`,
    `    sig=$(printf %s "$body" | openssl dgst -sha256 -hmac '${tasksSecret}' | sed 's/^.* //')`,
    `    curl -s -w ' %{http_code}\\n' ${state.httpUrl}/webhooks/tasks -H 'content-type: application/json' -H "x-signature-256: sha256=$sig" -d "$body"`,
    '',
    `  npm run scan     runs the abandoned-rooms scan once and prints its report (state: ${o.file})`,
    '  log              one line per request and job change; LOG_FORMAT=json npm start prints the functions\' JSON as on AWS',
    '  Ctrl-C           stops everything',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
