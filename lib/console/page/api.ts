/*
 * The bundle's admin API as the console uses it (../shared/contract.md). Paths are relative to the page, so the
 * console works at /console as well as behind a custom domain's base path (/prod/console -> /prod/jobs). The token
 * goes in the Authorization header only: never in a URL, never into a log or the page.
 */

export const WORKFLOWS = ['task-complete', 'deal-archive', 'upload-copy', 'project-room'] as const;
export const STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type Workflow = (typeof WORKFLOWS)[number];
export type JobStatus = (typeof STATUSES)[number];

export interface Progress {
  total: number;
  done: number;
  failed: number;
}

export interface JobSummary {
  jobId: string;
  workflow: Workflow;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  progress: Progress;
  key?: Record<string, unknown>;
}

export interface JobError {
  fileId?: number | string;
  title?: string;
  reason: string;
}

export interface Job extends JobSummary {
  result?: Record<string, unknown>;
  errors?: JobError[];
}

export interface JobPage {
  jobs: JobSummary[];
  nextCursor: string | null;
}

export interface AbandonedRoom {
  /** A number, or a string such as "box-5" for a room on third-party storage. */
  id: number | string;
  title: string;
  updated: string;
  daysInactive: number;
  roomType?: number;
}

export interface AbandonedRoomsReport {
  generatedAt: string;
  inactivityDays: number;
  rooms: AbandonedRoom[];
}

export interface DeadLetterQueue {
  name: string;
  messages: number;
}

export interface JobFilters {
  workflow?: string;
  status?: string;
  since?: string;
  limit?: number;
  cursor?: string | null;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    private readonly token: string,
    private readonly base: string = document.baseURI,
  ) {}

  listJobs(filters: JobFilters): Promise<JobPage> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) {
      if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
    }
    const qs = query.toString();
    return this.call<JobPage>('GET', qs ? `jobs?${qs}` : 'jobs');
  }

  job(jobId: string): Promise<Job> {
    return this.call<Job>('GET', `jobs/${encodeURIComponent(jobId)}`);
  }

  retry(jobId: string): Promise<{ jobId: string }> {
    return this.call<{ jobId: string }>('POST', `jobs/${encodeURIComponent(jobId)}/retry`);
  }

  /** undefined before the first scan (404). */
  async latestReport(): Promise<AbandonedRoomsReport | undefined> {
    try {
      return await this.call<AbandonedRoomsReport>('GET', 'reports/abandoned-rooms/latest');
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async deadLetterQueues(): Promise<DeadLetterQueue[]> {
    return (await this.call<{ queues: DeadLetterQueue[] }>('GET', 'dead-letter-queues')).queues;
  }

  private async call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.base), {
        method,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError(0, 'network', 'the API did not answer (network error)');
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? 'http', error?.message ?? `HTTP ${response.status}`, error?.field);
    }
    return body as T;
  }
}
