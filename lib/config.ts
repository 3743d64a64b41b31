import { z } from 'zod';

/**
 * Every setting of the bundle, parsed once with zod. Each function reads only the sections it needs, so a
 * function never fails for a setting that belongs to another workflow; a missing or malformed one fails on
 * the first invocation with an error that names the variable (never its value).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

const positiveId = z.coerce.number().int().positive();
const secret = z.string().min(1, 'must not be empty');
const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

const boolFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const baseSections = {
  docspace: z.object({
    DOCSPACE_API_HOST: z.url().transform((u) => u.replace(/\/+$/, '')).refine((u) => !/\/api\/2\.0$/.test(u), {
      message: 'must be the portal origin without /api/2.0',
    }),
    DOCSPACE_API_KEY: secret,
    DOCSPACE_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    DOCSPACE_MAX_CONCURRENT_READS: z.coerce.number().int().min(1).max(50).default(20),
    DOCSPACE_MAX_CONCURRENT_WRITES: z.coerce.number().int().min(1).max(15).default(5),
  }),
  table: z.object({ TABLE_NAME: z.string().min(1) }),
  fileMovesQueue: z.object({ FILE_MOVES_QUEUE_URL: z.url() }),
  uploadCopyQueue: z.object({ UPLOAD_COPY_QUEUE_URL: z.url() }),
  projectRoomQueue: z.object({ PROJECT_ROOM_QUEUE_URL: z.url() }),
  deadLetterQueues: z.object({ FILE_MOVES_DLQ_URL: z.url(), UPLOAD_COPY_DLQ_URL: z.url(), PROJECT_ROOM_DLQ_URL: z.url() }),
  tasks: z.object({ TASKS_WEBHOOK_SECRET: secret, COMPLETED_FOLDER_ID: positiveId }),
  deals: z.object({ DEALS_WEBHOOK_SECRET: secret, ARCHIVE_ROOT_FOLDER_ID: positiveId }),
  uploads: z.object({
    DOCSPACE_WEBHOOK_SECRET: secret,
    COPY_RULES: jsonOf(
      z
        .array(z.object({ sourceRoomId: positiveId, destFolderId: positiveId }))
        .min(1, 'must list at least one rule')
        // Copying into a source room would copy the copies (a deeper nesting is checked against DocSpace by the worker).
        .refine((rules) => !rules.some((r) => rules.some((o) => o.sourceRoomId === r.destFolderId)), {
          message: 'has a destFolderId that is itself a sourceRoomId',
        }),
    ),
  }),
  projects: z.object({
    PROJECTS_WEBHOOK_SECRET: secret,
    TEMPLATE_MAP: jsonOf(z.record(z.string().min(1), positiveId)),
    PROJECT_CALLBACK_URL: z.url().optional(),
    // Local stacks call back to 127.0.0.1; production must never be talked into calling an internal address.
    PROJECT_CALLBACK_ALLOW_PRIVATE: boolFlag.default(false),
  }),
  scan: z.object({
    INACTIVITY_DAYS: z.coerce.number().int().min(1).default(10),
    ARCHIVE_ABANDONED_ROOMS: z.enum(['off', 'dry-run', 'on']).default('off'),
  }),
  admin: z.object({ ADMIN_API_TOKEN: z.string().min(16, 'must be at least 16 characters') }),
} as const;

// The copy worker needs the rules but not the webhook secret, which its role may not read on AWS. `npm start`
// checks the template map against the portal without the projects secret.
const sections = {
  ...baseSections,
  copyRules: baseSections.uploads.pick({ COPY_RULES: true }),
  templateMap: baseSections.projects.pick({ TEMPLATE_MAP: true }),
  // Previews walk the same folders as the webhooks' jobs would, without their secrets.
  previews: baseSections.tasks.pick({ COMPLETED_FOLDER_ID: true }).extend(baseSections.deals.pick({ ARCHIVE_ROOT_FOLDER_ID: true }).shape),
} as const;

export type Section = keyof typeof sections;
export type SectionConfig<S extends Section> = z.infer<(typeof sections)[S]>;

export function parseSection<S extends Section>(section: S, env: Env): SectionConfig<S> {
  const schema = sections[section] as unknown as z.ZodType<SectionConfig<S>>;
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? section);
  const problem = env[variable] === undefined || env[variable] === '' ? 'is not set' : issue.message;
  throw new ConfigError(variable, problem);
}

const cache = new Map<Section, unknown>();
/** Values that do not come from the environment: on AWS, the secrets lib/secrets.ts read from Parameter Store. */
const provided: Env = {};

/** Reads a section from the process environment (and the provided secrets) once per cold start. */
export function config<S extends Section>(section: S): SectionConfig<S> {
  if (!cache.has(section)) cache.set(section, parseSection(section, { ...process.env, ...provided }));
  return cache.get(section) as SectionConfig<S>;
}

/** Settings resolved elsewhere (lib/secrets.ts); they win over the environment. */
export function provideSettings(values: Env): void {
  Object.assign(provided, values);
  cache.clear();
}

/** Tests change the environment between cases. */
export function resetConfigCache(): void {
  cache.clear();
  for (const key of Object.keys(provided)) delete provided[key];
}
