import { z } from 'zod';
import { dealClosedSchema } from '../workflows/deal-archive';
import { taskEventSchema } from '../workflows/task-complete';
import { projectEventSchema } from '../workflows/project-room';
import { uploadWebhookSchema } from '../workflows/upload-copy';
import { JOB_STATUSES, WORKFLOWS, jobListParamsSchema } from '../workflows/read-api';

/** The same limit as lib/http/endpoint.ts (which is not imported here: it pulls in middy, ESM-only, and the CLI runs as CJS). */
export const DOCUMENTED_MAX_BODY_BYTES = 256 * 1024;

/*
 * The OpenAPI document of the bundle's own endpoints. Request bodies are the very zod schemas the handlers
 * parse with, converted by zod's own z.toJSONSchema, so the document cannot drift from the code; the answers
 * are described by the schemas below, which test/e2e checks real answers against. Not part of any Lambda
 * bundle: `npm run openapi` writes it to infra/openapi.json.
 */

export const acceptedSchema = z.object({ jobId: z.string().meta({ example: 'deal-archive-Zm9vYmFyYmF6cXV4cXV1eA' }) });

export const ignoredSchema = z.object({
  ignored: z.literal(true),
  reason: z.string().optional().meta({ description: 'Why nothing was done (DocSpace events only).' }),
});

export const errorSchema = z.object({
  error: z.object({
    code: z.enum(['bad_request', 'unauthorized', 'not_found', 'conflict', 'payload_too_large', 'misconfigured', 'internal']),
    message: z.string(),
    field: z.string().optional().meta({ description: 'The offending field of a 400, e.g. `clientRoomId`.' }),
  }),
});

export const jobViewSchema = z.object({
  jobId: z.string(),
  workflow: z.enum(['task-complete', 'deal-archive', 'upload-copy', 'project-room']),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  progress: z.object({ total: z.number().int(), done: z.number().int(), failed: z.number().int() }),
  result: z
    .record(z.string(), z.unknown())
    .meta({ description: 'Per workflow: archiveFolderId, completedFolderId, roomId, copies ...; {} until there is one' }),
  errors: z.array(
    z.object({ fileId: z.number().int().optional(), title: z.string().optional(), reason: z.string() }),
  ),
});

const progressSchema = z.object({ total: z.number().int(), done: z.number().int(), failed: z.number().int() });

export const jobSummarySchema = z.object({
  jobId: z.string(),
  workflow: z.enum(WORKFLOWS),
  status: z.enum(JOB_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  progress: progressSchema,
  key: z.record(z.string(), z.unknown()).meta({
    description:
      'The business event: deal-archive {dealId, clientName, clientRoomId}; task-complete {taskId, docsFolderId}; ' +
      'project-room {projectId, projectName}; upload-copy {fileId, fileTitle?, folderId?} (what the job input holds).',
  }),
});

export const jobListSchema = z.object({
  jobs: z.array(jobSummarySchema).meta({ description: 'Newest first (by createdAt).' }),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
});

export const deadLetterQueuesSchema = z.object({
  queues: z.array(
    z.object({
      name: z.enum(['file-moves', 'upload-copy', 'project-room']),
      messages: z.number().int().min(0).meta({ description: "SQS's ApproximateNumberOfMessages" }),
    }),
  ),
});

export const fileMovePreviewSchema = z.object({
  source: z.object({ folderId: z.number().int(), title: z.string() }),
  destination: z.object({
    folderId: z.number().int().nullable().meta({ description: 'null when the job would create it' }),
    title: z.string(),
    exists: z.boolean(),
  }),
  files: z.number().int(),
  folders: z.number().int().meta({ description: 'Folders below the source that would move (the source not counted).' }),
  foldersToCreate: z.array(z.string()).meta({ description: 'Relative to the archive root (deals) or to Completed (tasks).' }),
  foldersMovedWhole: z
    .array(z.string())
    .meta({ description: 'Folders moved with their whole subtree in one operation (same relative paths); nothing is created for them.' }),
  besideSameTitle: z
    .array(z.string())
    .meta({ description: 'Files that would be placed beside a same-titled file in the destination (same relative paths).' }),
  guest: z
    .object({ userId: z.string(), roomId: z.number().int(), hasAccessNow: z.boolean().nullable(), losesAccess: z.boolean() })
    .nullable()
    .meta({
      description:
        'Deals with guestUserId: the guest is removed from the client room once the last file has moved (hasAccessNow ' +
        'null when the room members could not be read).',
    }),
  docspaceCalls: z.object({ reads: z.number().int(), writes: z.number().int() }).meta({ description: 'Approximate.' }),
  previewReads: z.number().int().meta({ description: 'DocSpace requests (all GET) this preview made.' }),
});

export const abandonedRoomsReportSchema = z.object({
  generatedAt: z.iso.datetime(),
  inactivityDays: z.number().int().positive(),
  rooms: z.array(
    z.object({
      id: z.union([z.number().int(), z.string()]).meta({ description: 'A string such as "box-5" for a room on third-party storage.' }),
      title: z.string(),
      updated: z.string(),
      daysInactive: z.number().int(),
      roomType: z.number().int().optional(),
    }),
  ),
  archive: z
    .object({
      mode: z.enum(['dry-run', 'on']),
      archived: z.array(z.union([z.number().int(), z.string()])),
      failed: z.array(z.object({ id: z.union([z.number().int(), z.string()]), reason: z.string() })),
    })
    .optional()
    .meta({ description: 'Only when ARCHIVE_ABANDONED_ROOMS is dry-run or on.' }),
  skipped: z
    .array(z.object({ id: z.string().optional(), title: z.string().optional(), reason: z.string() }))
    .optional()
    .meta({ description: 'Rooms the portal listed that could not be read, each with the reason; the scan went on without them.' }),
});

/** What the document is built from, so the test can compare each route with the handler's schema. */
export const REQUEST_SCHEMAS = {
  'POST /webhooks/tasks': taskEventSchema,
  'POST /webhooks/deals/closed': dealClosedSchema,
  'POST /webhooks/docspace': uploadWebhookSchema,
  'POST /webhooks/projects': projectEventSchema,
  'POST /previews/deals/closed': dealClosedSchema,
  'POST /previews/tasks': taskEventSchema,
} as const;

type JsonSchema = Record<string, unknown>;

/** Request bodies are described as the sender writes them (zod's input side: before trims and defaults). */
export const requestJsonSchema = (schema: z.ZodType): JsonSchema => strip(z.toJSONSchema(schema, { io: 'input' }));
export const responseJsonSchema = (schema: z.ZodType): JsonSchema => strip(z.toJSONSchema(schema, { io: 'output' }));

/** OpenAPI 3.1 embeds JSON Schema 2020-12 itself; a nested $schema key is noise. */
function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

const json = (schema: z.ZodType) => ({ 'application/json': { schema: responseJsonSchema(schema) } });
const error = (description: string) => ({ description, content: json(errorSchema) });

/** Every webhook answers 202 with the job it started; `ignored` says when it answers 200 and does nothing instead. */
const signedWebhook = (summary: string, route: keyof typeof REQUEST_SCHEMAS, security: string, ignored?: string) => ({
  summary,
  operationId: route.replace(/[^A-Za-z]+(.)/g, (_m, c: string) => c.toUpperCase()).replace(/^POST/, 'post'),
  security: [{ [security]: [] }],
  requestBody: { required: true, content: { 'application/json': { schema: requestJsonSchema(REQUEST_SCHEMAS[route]) } } },
  responses: {
    '202': { description: 'Accepted: the job runs asynchronously. A repeated event gets the same jobId.', content: json(acceptedSchema) },
    ...(ignored ? { '200': { description: `Ignored: ${ignored}`, content: json(ignoredSchema) } } : {}),
    '400': error('Malformed JSON or a missing or mistyped field (named in `error.field`); nothing was done.'),
    '401': error('Missing or wrong signature; nothing was done.'),
    '413': error(`Body over ${DOCUMENTED_MAX_BODY_BYTES / 1024} KB; nothing was done.`),
    '503': error('A setting is missing or malformed (its name is in the function log).'),
  },
});

export function openApiDocument(options: { serverUrl?: string; version?: string } = {}): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'docspace-flows',
      version: options.version ?? '0.1.0',
      description:
        'Webhooks that start ONLYOFFICE DocSpace workflows, and the read API for operators. Generated from the zod ' +
        'schemas the handlers use (`npm run openapi`).',
    },
    servers: [{ url: options.serverUrl ?? 'http://127.0.0.1:3000', description: 'npm start; on AWS the HttpApiUrl stack output' }],
    components: {
      securitySchemes: {
        tasksSignature: hmac('TASKS_WEBHOOK_SECRET'),
        dealsSignature: hmac('DEALS_WEBHOOK_SECRET'),
        projectsSignature: hmac('PROJECTS_WEBHOOK_SECRET'),
        docspaceSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'x-docspace-signature-256',
          description:
            '`sha256=<HEX>`: HMAC-SHA256 of the raw body with DOCSPACE_WEBHOOK_SECRET (DocSpace sends uppercase hex).',
        },
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_TOKEN' },
      },
    },
    paths: {
      '/webhooks/tasks': {
        post: signedWebhook(
          'Workflow 1: a task changed status; a closed task moves its folder to Completed',
          'POST /webhooks/tasks',
          'tasksSignature',
          'the status is not `closed`.',
        ),
      },
      '/webhooks/deals/closed': {
        post: signedWebhook('Workflow 2: a deal closed; archive the client room', 'POST /webhooks/deals/closed', 'dealsSignature'),
      },
      '/webhooks/docspace': {
        head: {
          summary: 'DocSpace probes the URL when the webhook is registered',
          operationId: 'headWebhooksDocspace',
          security: [],
          responses: { '200': { description: 'Reachable.' } },
        },
        post: signedWebhook(
          'Workflow 3: DocSpace file.uploaded; copy the file to its internal folder',
          'POST /webhooks/docspace',
          'docspaceSignature',
          'another trigger, a folder, or a file outside the copy rules.',
        ),
      },
      '/webhooks/projects': {
        post: signedWebhook('Workflow 4: a project was created; create its room from a template', 'POST /webhooks/projects', 'projectsSignature'),
      },
      '/jobs/{jobId}': {
        get: {
          summary: "A job's status, progress, result and errors",
          operationId: 'getJob',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The job.', content: json(jobViewSchema) },
            '401': error('Missing or wrong bearer token.'),
            '404': error('No such job.'),
          },
        },
      },
      '/jobs': {
        get: {
          summary: 'Jobs, newest first, filtered and paginated (a Query on the jobs-by-created index)',
          operationId: 'listJobs',
          security: [{ adminToken: [] }],
          parameters: listParameters(),
          responses: {
            '200': { description: 'One page of job summaries.', content: json(jobListSchema) },
            '400': error('A parameter has a bad value or is unknown (named in `error.field`).'),
            '401': error('Missing or wrong bearer token.'),
          },
        },
      },
      '/jobs/{jobId}/retry': {
        post: {
          summary: 'Run a failed job again, as if its event had been delivered again',
          description:
            'Moves only what is still in the source, copies what was not copied, and for a room that exists only ' +
            'repeats the callback. Two retries at once make one run.',
          operationId: 'retryJob',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '202': { description: 'The job is queued again.', content: json(acceptedSchema) },
            '401': error('Missing or wrong bearer token.'),
            '404': error('No such job.'),
            '409': error('The job is queued or running, or has succeeded (`error.code` conflict).'),
            '413': error(`Body over ${DOCUMENTED_MAX_BODY_BYTES / 1024} KB.`),
          },
        },
      },
      '/previews/deals/closed': {
        post: preview('What archiving this deal would do; nothing is written to DocSpace', 'POST /previews/deals/closed', 'clientRoomId or the archive root'),
      },
      '/previews/tasks': {
        post: preview('What closing this task would move; nothing is written to DocSpace', 'POST /previews/tasks', 'docsFolderId or Completed', true),
      },
      '/dead-letter-queues': {
        get: {
          summary: 'How many messages wait in each dead-letter queue',
          operationId: 'getDeadLetterQueues',
          security: [{ adminToken: [] }],
          responses: {
            '200': { description: 'One entry per DLQ.', content: json(deadLetterQueuesSchema) },
            '401': error('Missing or wrong bearer token.'),
          },
        },
      },
      '/console': {
        get: {
          summary: 'The operations console: a web page that asks for the admin token and calls the API above with it',
          operationId: 'getConsole',
          security: [],
          responses: {
            '200': {
              description: 'The page, self-contained (inline script and style allowed by hash in its Content-Security-Policy).',
              content: { 'text/html': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/reports/abandoned-rooms/latest': {
        get: {
          summary: 'The report of the last abandoned-rooms scan',
          operationId: 'getLatestAbandonedRoomsReport',
          security: [{ adminToken: [] }],
          responses: {
            '200': { description: 'The report.', content: json(abandonedRoomsReportSchema) },
            '401': error('Missing or wrong bearer token.'),
            '404': error('No scan has run yet.'),
          },
        },
      },
    },
  };
}

/** GET /jobs's query parameters, from the schema the handler parses them with. */
function listParameters() {
  const properties = (z.toJSONSchema(jobListParamsSchema, { io: 'input' }) as { properties: Record<string, JsonSchema> }).properties;
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: rest };
  });
}

function preview(summary: string, route: 'POST /previews/deals/closed' | 'POST /previews/tasks', folder: string, ignorable = false) {
  return {
    summary,
    operationId: route === 'POST /previews/tasks' ? 'previewTask' : 'previewDeal',
    security: [{ adminToken: [] }],
    requestBody: {
      required: true,
      description: "The webhook's body, validated by the webhook's schema.",
      content: { 'application/json': { schema: requestJsonSchema(REQUEST_SCHEMAS[route]) } },
    },
    responses: {
      '200': {
        description: ignorable ? 'What the job would do, or `ignored` for a status other than closed.' : 'What the job would do.',
        content: json(ignorable ? z.union([fileMovePreviewSchema, ignoredSchema]) : fileMovePreviewSchema),
      },
      '400': error('Malformed JSON or a missing or mistyped field (named in `error.field`).'),
      '401': error('Missing or wrong bearer token.'),
      '404': error(`The folder the job would start from (${folder}) cannot be read; \`error.field\` names it.`),
      '413': error(`Body over ${DOCUMENTED_MAX_BODY_BYTES / 1024} KB.`),
    },
  };
}

function hmac(secret: string) {
  return {
    type: 'apiKey',
    in: 'header',
    name: 'X-Signature-256',
    description: `\`sha256=<hex>\`: HMAC-SHA256 of the raw request body with ${secret} (README "Calling the webhooks").`,
  };
}
