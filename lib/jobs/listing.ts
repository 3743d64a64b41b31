import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JOB_LIST_ENTRY, jobIdOfKey, jobListKey, type JobStatus, type Workflow } from './store';

/** The GSI of infra/resources.yml: every job (items with jobList), by createdAt. */
export const JOBS_BY_CREATED = 'jobs-by-created';

export interface JobSummary {
  jobId: string;
  workflow: Workflow;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  progress: { total: number; done: number; failed: number };
  /** The business event in readable form (dealId, taskId, projectId, the uploaded file). */
  key: Record<string, unknown>;
}

export interface JobListQuery {
  workflow?: Workflow;
  status?: JobStatus;
  /** ISO timestamp as the store writes it (toISOString): createdAt >= since. */
  since?: string;
  limit: number;
  cursor?: string;
}

export interface JobPage {
  jobs: JobSummary[];
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('cursor is not one this API handed out');
  }
}

/** Items DynamoDB evaluates per request while a filter (workflow, status) is set. */
const FILTERED_PAGE = 200;
/**
 * A rare status over a long history could make one request read the whole index; after this many DynamoDB
 * pages the answer is returned short, with a cursor, so every request costs a bounded amount.
 */
const MAX_PAGES_PER_REQUEST = 10;

/**
 * One page of jobs, newest first: a Query on the jobs-by-created index (never a Scan), `since` in the key
 * condition, workflow and status as a filter (status changes, so it cannot be a key written once at creation).
 */
export async function listJobs(ddb: DynamoDBDocumentClient, table: string, query: JobListQuery): Promise<JobPage> {
  const names: Record<string, string> = { '#list': 'jobList' };
  const values: Record<string, unknown> = { ':list': JOB_LIST_ENTRY.jobList };
  let keyCondition = '#list = :list';
  if (query.since) {
    names['#created'] = 'createdAt';
    values[':since'] = query.since;
    keyCondition += ' AND #created >= :since';
  }
  const filters: string[] = [];
  if (query.workflow) {
    names['#workflow'] = 'workflow';
    values[':workflow'] = query.workflow;
    filters.push('#workflow = :workflow');
  }
  if (query.status) {
    names['#status'] = 'status';
    values[':status'] = query.status;
    filters.push('#status = :status');
  }

  const jobs: JobSummary[] = [];
  let startKey: Record<string, unknown> | undefined = query.cursor ? decodeCursor(query.cursor) : undefined;
  for (let page = 0; page < MAX_PAGES_PER_REQUEST; page++) {
    const wanted = query.limit - jobs.length;
    const out = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: JOBS_BY_CREATED,
        KeyConditionExpression: keyCondition,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        // Unfiltered, one item more than wanted tells whether a next page exists without an empty last page.
        Limit: filters.length ? FILTERED_PAGE : wanted + 1,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = out.Items ?? [];
    for (const [i, item] of items.entries()) {
      jobs.push(toSummary(item));
      if (jobs.length === query.limit) {
        const more = i < items.length - 1 || out.LastEvaluatedKey !== undefined;
        return { jobs, nextCursor: more ? encodeCursor(item) : null };
      }
    }
    startKey = out.LastEvaluatedKey;
    if (!startKey) return { jobs, nextCursor: null };
  }
  return { jobs, nextCursor: encodeCursor(startKey!) };
}

/** The cursor names the last job shown (its createdAt and id); the index key is rebuilt from it. */
function encodeCursor(item: Record<string, unknown>): string {
  const jobId = jobIdOfKey(item);
  return Buffer.from(JSON.stringify([item.createdAt, jobId])).toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0])) ||
    typeof parsed[1] !== 'string' ||
    !/^[a-z-]+-[A-Za-z0-9_-]{22}$/.test(parsed[1])
  ) {
    throw new InvalidCursorError();
  }
  return jobListKey(parsed[1], parsed[0]);
}

function toSummary(item: Record<string, unknown>): JobSummary {
  const workflow = item.workflow as Workflow;
  return {
    jobId: item.jobId as string,
    workflow,
    status: item.status as JobStatus,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    progress: item.progress as JobSummary['progress'],
    key: readableKey(workflow, String(item.businessKey ?? ''), (item.input ?? {}) as Record<string, any>),
  };
}

/** What an operator recognises a job by, from what its job input holds (lib/workflows/*: accept). */
export function readableKey(workflow: Workflow, businessKey: string, input: Record<string, any>): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (workflow) {
    case 'deal-archive':
      return defined({ dealId: businessKey, clientName: input.destination?.title, clientRoomId: input.sourceFolderId });
    case 'task-complete':
      // The business key is taskId NUL docsFolderId (lib/workflows/task-complete.ts).
      return defined({ taskId: businessKey.split('\u0000')[0], docsFolderId: input.sourceFolderId });
    case 'project-room':
      return defined({ projectId: input.projectId ?? businessKey, projectName: input.projectName });
    case 'upload-copy':
      return defined({ fileId: input.sourceFileId, fileTitle: input.title, folderId: input.folderId, roomId: input.roomId });
    default:
      return {};
  }
}
