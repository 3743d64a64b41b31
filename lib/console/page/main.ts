import { Api, ApiError, type Job, type JobSummary } from './api';
import { byId, fill, h } from './dom';
import { filterForm, isFinished, jobDetail, jobRow, jobsTable, type DetailOptions } from './jobs-view';
import { deadLetterView, reportView, type SortOrder } from './report-view';

/*
 * The operations console: asks for the admin token once per tab, then lists jobs (filters, paging), follows the
 * running ones, shows a job's errors with Retry, the latest abandoned-rooms report and the dead-letter queues.
 */

// sessionStorage: this tab only, gone when it closes; never a cookie (nothing is sent without the page asking).
const TOKEN_KEY = 'docspace-flows.admin-token';
const PAGE_SIZE = 20;
const POLL_MS = 1000;

interface State {
  api?: Api;
  jobs: JobSummary[];
  /** Cursors of the pages seen so far: cursors[i] fetched page i (null: the newest). */
  cursors: Array<string | null>;
  page: number;
  nextCursor: string | null;
  selected?: string;
  detail?: Job;
  detailOptions: Pick<DetailOptions, 'notice' | 'retrying'>;
  reportOrder: SortOrder;
  /** Jobs whose status is followed until they finish (running or queued ones on the page, a retried one). */
  watched: Set<string>;
  polling: boolean;
  /** The job whose retry this page asked for, until it ends. */
  retried?: string;
}

const state: State = { jobs: [], cursors: [null], page: 0, nextCursor: null, detailOptions: {}, reportOrder: 'descending', watched: new Set(), polling: false };

const signIn = byId('sign-in');
const app = byId('app');
const session = byId('session');
const tokenForm = byId<HTMLFormElement>('token-form');
const tokenInput = byId<HTMLInputElement>('token');
const tokenError = byId('token-error');
const jobsBody = byId('jobs-body');
const pager = byId('pager');
const jobPanel = byId('job');
const reportBody = byId('report-body');
const dlqBody = byId('dlq-body');
const filters = filterForm(() => void loadJobs(0, true));
byId('filters-slot').replaceWith(filters);

function showError(where: HTMLElement, error: unknown): void {
  if (error instanceof ApiError && error.status === 401) return signOut('The API refused the token (it may have been rotated). Enter it again.');
  const text = error instanceof ApiError ? `${error.message}${error.status ? ` (HTTP ${error.status})` : ''}` : 'Something went wrong in the page.';
  fill(where, h('p', { class: 'notice error', role: 'alert' }, text));
}

function signOut(reason?: string): void {
  sessionStorage.removeItem(TOKEN_KEY);
  state.api = undefined;
  state.watched.clear();
  state.jobs = [];
  state.detail = undefined;
  state.selected = undefined;
  for (const el of [jobsBody, pager, reportBody, dlqBody]) fill(el);
  jobPanel.hidden = true;
  app.hidden = true;
  session.hidden = true;
  signIn.hidden = false;
  fill(tokenError, reason ?? '');
  tokenInput.value = '';
  tokenInput.focus();
}

function filterValues() {
  const data = new FormData(filters);
  const sinceMs = Number(data.get('since') ?? 0);
  return {
    workflow: String(data.get('workflow') ?? ''),
    status: String(data.get('status') ?? ''),
    since: sinceMs ? new Date(Date.now() - sinceMs).toISOString() : undefined,
    limit: PAGE_SIZE,
  };
}

/** Filters changed quickly one after the other: only the answer to the last request is shown. */
let listRequest = 0;
/** The page being loaded: a second click on Newer or Older before the first answer counts from it. */
let loadingPage: number | undefined;

/** One page newer or older than the one shown or being loaded; older only where its cursor is known. */
function turnPage(step: -1 | 1): void {
  const from = loadingPage ?? state.page;
  const to = from + step;
  if (to < 0 || (step === 1 && !state.cursors[to])) return;
  void loadJobs(to);
}

async function loadJobs(page: number, reset = false): Promise<void> {
  if (!state.api) return;
  if (reset) state.cursors = [null];
  const request = ++listRequest;
  loadingPage = page;
  try {
    const result = await state.api.listJobs({ ...filterValues(), cursor: state.cursors[page] ?? undefined });
    if (request !== listRequest) return;
    loadingPage = undefined;
    state.page = page;
    state.jobs = result.jobs;
    state.nextCursor = result.nextCursor;
    state.cursors[page + 1] = result.nextCursor;
    for (const job of result.jobs) if (!isFinished(job)) watch(job.jobId);
    renderJobs();
  } catch (error) {
    if (request === listRequest) {
      loadingPage = undefined;
      showError(jobsBody, error);
    }
  }
}

function renderJobs(): void {
  fill(jobsBody, jobsTable(state.jobs, state.selected, (id) => void openJob(id), state.nextCursor !== null));
  fill(
    pager,
    h('button', { type: 'button', class: 'secondary', disabled: state.page === 0, onclick: () => turnPage(-1), 'data-role': 'newer' }, '← Newer'),
    h('span', { class: 'muted' }, `page ${state.page + 1}`),
    h('button', { type: 'button', class: 'secondary', disabled: !state.nextCursor, onclick: () => turnPage(1), 'data-role': 'older' }, 'Older →'),
  );
}

/** GET /jobs/{jobId} has no business key (only the list has it): keep the one the list gave. */
function withKey(job: Job): Job {
  if (job.key) return job;
  const key = state.jobs.find((j) => j.jobId === job.jobId)?.key ?? (state.detail?.jobId === job.jobId ? state.detail.key : undefined);
  return key ? { ...job, key } : job;
}

/** One job changed: its row in place (no re-sort, no jump), and the detail panel when it is the open one. */
function updateJob(fetched: Job): void {
  const job = withKey(fetched);
  const index = state.jobs.findIndex((j) => j.jobId === job.jobId);
  if (index >= 0) {
    state.jobs[index] = job;
    const row = jobsBody.querySelector(`tr[data-job-id="${CSS.escape(job.jobId)}"]`);
    row?.replaceWith(jobRow(job, { selected: job.jobId === state.selected, onOpen: (id) => void openJob(id) }));
  }
  if (state.selected === job.jobId) {
    state.detail = job;
    if (state.retried === job.jobId && isFinished(job)) {
      state.retried = undefined;
      state.detailOptions = {
        notice:
          job.status === 'succeeded'
            ? { kind: 'info', text: 'The retry succeeded: the job has done all of its work.' }
            : { kind: 'error', text: 'The retry failed too: the errors above say why.' },
      };
    }
    renderDetail();
  }
}

function renderDetail(): void {
  if (!state.detail) return;
  jobPanel.hidden = false;
  fill(
    jobPanel,
    jobDetail(state.detail, {
      ...state.detailOptions,
      onRetry: (id) => void retry(id),
      onClose: () => {
        state.selected = undefined;
        state.detail = undefined;
        jobPanel.hidden = true;
        renderJobs();
      },
    }),
  );
}

async function openJob(jobId: string): Promise<void> {
  if (!state.api) return;
  state.selected = jobId;
  state.detailOptions = {};
  renderJobs();
  try {
    state.detail = withKey(await state.api.job(jobId));
    renderDetail();
    if (!isFinished(state.detail)) watch(jobId);
    jobPanel.scrollIntoView({ block: 'nearest' });
  } catch (error) {
    jobPanel.hidden = false;
    showError(jobPanel, error);
  }
}

async function retry(jobId: string): Promise<void> {
  if (!state.api) return;
  state.detailOptions = { retrying: true };
  renderDetail();
  try {
    await state.api.retry(jobId);
    state.retried = jobId;
    state.detailOptions = { notice: { kind: 'info', text: 'Retry accepted: the job runs again; this page follows it until it ends.' } };
    const job = await state.api.job(jobId);
    updateJob(job);
    watch(jobId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showError(jobPanel, error);
    // 409: it is running already or has succeeded meanwhile; show the API's words and the job as it is now.
    state.detailOptions = { notice: { kind: 'error', text: error instanceof ApiError ? error.message : 'The retry request failed.' } };
    renderDetail();
    void refreshJob(jobId);
  }
}

async function refreshJob(jobId: string): Promise<Job | undefined> {
  if (!state.api) return undefined;
  const job = await state.api.job(jobId);
  updateJob(job);
  return job;
}

function watch(jobId: string): void {
  state.watched.add(jobId);
  if (!state.polling) {
    state.polling = true;
    setTimeout(() => void poll(), POLL_MS);
  }
}

/** Follows the watched jobs, one request each per second, until every one of them has finished. */
async function poll(): Promise<void> {
  const ids = [...state.watched];
  await Promise.all(
    ids.map(async (id) => {
      try {
        const job = await refreshJob(id);
        if (!job || isFinished(job)) state.watched.delete(id);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) showError(jobsBody, error);
        else if (error instanceof ApiError && error.status === 404) state.watched.delete(id);
        // Anything else (a network blip, a 5xx) is asked again on the next round.
      }
    }),
  );
  if (state.api && state.watched.size) {
    setTimeout(() => void poll(), POLL_MS);
  } else {
    state.polling = false;
  }
}

async function loadReport(): Promise<void> {
  if (!state.api) return;
  try {
    const report = await state.api.latestReport();
    const render = () => fill(reportBody, reportView(report, state.reportOrder, (order) => ((state.reportOrder = order), render())));
    render();
  } catch (error) {
    showError(reportBody, error);
  }
}

async function loadDeadLetters(): Promise<void> {
  if (!state.api) return;
  try {
    fill(dlqBody, deadLetterView(await state.api.deadLetterQueues()));
  } catch (error) {
    showError(dlqBody, error);
  }
}

function refreshAll(): void {
  void loadDeadLetters();
  void loadJobs(state.page);
  void loadReport();
  if (state.selected) void refreshJob(state.selected).catch((error) => showError(jobPanel, error));
}

function open(token: string): void {
  state.api = new Api(token);
  signIn.hidden = true;
  app.hidden = false;
  session.hidden = false;
  refreshAll();
}

tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) return;
  fill(tokenError, 'Checking…');
  // One cheap authenticated call decides whether the token is right before anything is kept.
  new Api(token)
    .listJobs({ limit: 1 })
    .then(() => {
      sessionStorage.setItem(TOKEN_KEY, token);
      tokenInput.value = '';
      fill(tokenError);
      open(token);
    })
    .catch((error: unknown) => {
      fill(tokenError, error instanceof ApiError && error.status === 401 ? 'The API refused this token.' : error instanceof ApiError ? error.message : 'The check failed.');
    });
});
byId('sign-out').addEventListener('click', () => signOut());
byId('refresh').addEventListener('click', refreshAll);

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) open(saved);
else signOut();

