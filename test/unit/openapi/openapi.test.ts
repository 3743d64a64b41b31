import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { MAX_BODY_BYTES } from '../../../lib/http/endpoint';
import { DOCUMENTED_MAX_BODY_BYTES, REQUEST_SCHEMAS, openApiDocument, requestJsonSchema } from '../../../lib/http/openapi';
import { dealClosedSchema } from '../../../lib/workflows/deal-archive';
import { projectEventSchema } from '../../../lib/workflows/project-room';
import { taskEventSchema } from '../../../lib/workflows/task-complete';
import { uploadWebhookSchema } from '../../../lib/workflows/upload-copy';
import { REPO_ROOT } from '../../../infra/local/cfn';

type Obj = Record<string, any>;
const doc = openApiDocument() as Obj;

// The contract's endpoint table (/work/shared/contract.md) with who may call each.
const CONTRACT: Array<[method: string, path: string, security: string | null]> = [
  ['post', '/webhooks/tasks', 'tasksSignature'],
  ['post', '/webhooks/deals/closed', 'dealsSignature'],
  ['head', '/webhooks/docspace', null],
  ['post', '/webhooks/docspace', 'docspaceSignature'],
  ['post', '/webhooks/projects', 'projectsSignature'],
  ['get', '/jobs/{jobId}', 'adminToken'],
  ['get', '/reports/abandoned-rooms/latest', 'adminToken'],
  ['get', '/jobs', 'adminToken'],
  ['post', '/jobs/{jobId}/retry', 'adminToken'],
  ['post', '/previews/deals/closed', 'adminToken'],
  ['post', '/previews/tasks', 'adminToken'],
  ['get', '/dead-letter-queues', 'adminToken'],
  ['get', '/console', null],
];

// What each handler parses its body with (functions/*/handler.ts), and a body from the contract or DocSpace.
const BODIES: Array<[route: keyof typeof REQUEST_SCHEMAS, schema: z.ZodType, valid: Obj, broken: Obj]> = [
  ['POST /webhooks/tasks', taskEventSchema, { taskId: 'TASK-102', status: 'closed', docsFolderId: 341029 }, { taskId: 'TASK-102', status: 'closed', docsFolderId: '341029' }],
  [
    'POST /webhooks/deals/closed',
    dealClosedSchema,
    { dealId: 'D-7', clientRoomId: 123, clientName: 'Acme', guestUserId: '8f6c3e0a-3d7b-4c55-9a57-8a5e6f1f2b10', archiveRootFolderId: 456 },
    { dealId: 'D-7', clientName: 'Acme' },
  ],
  ['POST /previews/tasks', taskEventSchema, { taskId: 'TASK-102', status: 'closed', docsFolderId: 341029 }, { taskId: 'TASK-102', status: 'closed' }],
  ['POST /previews/deals/closed', dealClosedSchema, { dealId: 'D-7', clientRoomId: 123, clientName: 'Acme' }, { dealId: 'D-7', clientRoomId: 'x', clientName: 'Acme' }],
  ['POST /webhooks/projects', projectEventSchema, { projectId: 'P-1', projectType: 'legal', projectName: 'Acme merger' }, { projectId: 'P-1', projectType: 'legal' }],
  [
    'POST /webhooks/docspace',
    uploadWebhookSchema,
    {
      event: { id: 77, createOn: '2026-11-30T10:00:00.0000000Z', createBy: 'b4a5…', trigger: 'file.uploaded', triggerId: 1 },
      payload: { id: 5012, title: 'contract.docx', folderId: 301, rootFolderType: 14, fileEntryType: 2 },
      webhook: { id: 3, name: 'copy uploads', url: 'https://flows.example.com/webhooks/docspace', retryCount: 0 },
    },
    { event: { id: 77, trigger: 'file.uploaded' }, payload: {}, webhook: { id: 3 } },
  ],
];

function ajv() {
  const instance = new Ajv2020({ strict: false, allErrors: true });
  addFormats(instance);
  return instance;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with a title, a version and only known top-level keys', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('docspace-flows');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const key of Object.keys(doc)) {
      expect(['openapi', 'info', 'servers', 'paths', 'components', 'security', 'tags', 'externalDocs', 'webhooks', 'jsonSchemaDialect']).toContain(key);
    }
  });

  it('lists exactly the routes of the contract, each with its security scheme', () => {
    const listed = Object.entries(doc.paths as Obj).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    expect(listed.sort()).toEqual(CONTRACT.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, path, scheme] of CONTRACT) {
      const op = doc.paths[path][method];
      expect(op.security, `${method} ${path}`).toEqual(scheme ? [{ [scheme]: [] }] : []);
      if (scheme) expect(doc.components.securitySchemes[scheme], scheme).toBeDefined();
    }
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.docspaceSignature).toMatchObject({ in: 'header', name: 'x-docspace-signature-256' });
  });

  it('documents the query parameters GET /jobs parses, with their limits', () => {
    const params = Object.fromEntries((doc.paths['/jobs'].get.parameters as Obj[]).map((p) => [p.name, p]));
    expect(Object.keys(params).sort()).toEqual(['cursor', 'limit', 'since', 'status', 'workflow']);
    expect(params.limit.schema).toMatchObject({ minimum: 1, maximum: 100, default: 25 });
    expect(params.status.schema.enum).toEqual(['queued', 'running', 'succeeded', 'failed']);
    expect(params.workflow.schema.enum).toEqual(['task-complete', 'deal-archive', 'upload-copy', 'project-room']);
  });

  it('gives every operation a unique id, a 2xx answer, its path parameters, and 401s where a credential is needed', () => {
    const ids = new Set<string>();
    for (const [method, path, scheme] of CONTRACT) {
      const op = doc.paths[path][method];
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      expect(Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)), `${method} ${path}`).toBe(true);
      for (const param of path.match(/\{(\w+)\}/g) ?? []) {
        expect(op.parameters.map((p: Obj) => p.name)).toContain(param.slice(1, -1));
      }
      if (scheme) expect(op.responses['401'], `${method} ${path}`).toBeDefined();
      if (method === 'post') expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(op.requestBody ? ['400', '401', '413'] : ['401', '413']));
    }
  });

  it('describes each request body with the very schema its handler parses', () => {
    for (const [route, handlerSchema] of BODIES) {
      const [method, path] = route.split(' ') as [string, string];
      expect(REQUEST_SCHEMAS[route]).toBe(handlerSchema);
      expect(doc.paths[path][method.toLowerCase()].requestBody.content['application/json'].schema).toEqual(requestJsonSchema(handlerSchema));
    }
  });

  it('accepts and rejects the same bodies as the handlers do', () => {
    const validator = ajv();
    for (const [route, handlerSchema, valid, broken] of BODIES) {
      const [method, path] = route.split(' ') as [string, string];
      const check = validator.compile(doc.paths[path][method.toLowerCase()].requestBody.content['application/json'].schema);
      expect(handlerSchema.safeParse(valid).success, route).toBe(true);
      expect(check(valid), `${route}: ${JSON.stringify(check.errors)}`).toBe(true);
      expect(handlerSchema.safeParse(broken).success, route).toBe(false);
      expect(check(broken), route).toBe(false);
    }
  });

  it('holds only schemas that compile as JSON Schema 2020-12', () => {
    const validator = ajv();
    const schemas: Obj[] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'schema' && value && typeof value === 'object') schemas.push(value as Obj);
        else walk(value);
      }
    };
    walk(doc.paths);
    expect(schemas.length).toBeGreaterThan(15);
    for (const schema of schemas) expect(() => validator.compile(schema)).not.toThrow();
  });

  it('documents the same body limit as the endpoint enforces', () => {
    expect(DOCUMENTED_MAX_BODY_BYTES).toBe(MAX_BODY_BYTES);
  });

  it('is what infra/openapi.json holds (run `npm run openapi` after changing a schema)', () => {
    const written = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'openapi.json'), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { version } = require('../../../package.json') as { version: string };
    expect(written).toEqual(openApiDocument({ version }));
  });
});
