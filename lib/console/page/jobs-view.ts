import { STATUSES, WORKFLOWS, type Job, type JobError, type JobSummary } from './api';
import { ago, keyText, percent, progressText, when } from './format';
import { h, type Child } from './dom';

export const FINISHED = new Set(['succeeded', 'failed']);
export const isFinished = (job: JobSummary): boolean => FINISHED.has(job.status);

/** Since-filter choices: label and how far back, in ms (0: no filter). */
export const SINCE_CHOICES: Array<[string, number]> = [
  ['any time', 0],
  ['last hour', 3_600_000],
  ['last 24 hours', 86_400_000],
  ['last 7 days', 7 * 86_400_000],
  ['last 30 days', 30 * 86_400_000],
];

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${status}`, 'data-role': 'status' }, status);
}

/** A progress bar with its numbers; indeterminate while a running job has not counted its files yet. */
export function progressBar(job: JobSummary): HTMLElement {
  const finished = isFinished(job);
  const pct = percent(job.progress, finished);
  const bar = h('progress', { max: 100, 'aria-label': `progress of ${job.jobId}` });
  if (pct !== undefined) bar.value = pct;
  const failedPart = (job.progress?.failed ?? 0) > 0 ? 'has-failures' : '';
  return h(
    'div',
    { class: `bar ${failedPart}`, 'data-role': 'progress', 'data-percent': pct === undefined ? '' : String(pct) },
    bar,
    h('span', { class: 'bar-text' }, progressText(job.progress, finished)),
  );
}

export function jobRow(job: JobSummary, options: { selected: boolean; onOpen: (jobId: string) => void }): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-job-id': job.jobId, class: options.selected ? 'selected' : undefined },
    h('td', { title: when(job.createdAt) }, ago(job.createdAt)),
    h('td', {}, job.workflow),
    h(
      'td',
      { class: 'key' },
      h('button', { type: 'button', class: 'link', onclick: () => options.onOpen(job.jobId), 'aria-label': `details of ${job.jobId}` }, keyText(job.key) || job.jobId),
      h('div', { class: 'job-id' }, job.jobId),
    ),
    h('td', {}, statusBadge(job.status)),
    h('td', { class: 'progress-cell' }, progressBar(job)),
    h('td', { title: when(job.updatedAt) }, ago(job.updatedAt)),
  );
}

export function jobsTable(jobs: JobSummary[], selected: string | undefined, onOpen: (jobId: string) => void, more = false): HTMLElement {
  // The API bounds the work of one request, so a rare status can come back as an empty page that still has more.
  if (!jobs.length) return h('p', { class: 'empty' }, more ? 'No matching job in this stretch of history; “Older →” looks further back.' : 'No job matches these filters.');
  return h(
    'table',
    { class: 'jobs' },
    h('thead', {}, h('tr', {}, ...['Created', 'Workflow', 'Business key / job', 'Status', 'Progress', 'Updated'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...jobs.map((job) => jobRow(job, { selected: job.jobId === selected, onOpen }))),
  );
}

export function filterForm(onChange: () => void): HTMLFormElement {
  const select = (name: string, label: string, options: Array<[string, string]>) =>
    h('label', {}, label, h('select', { name, onchange: onChange }, ...options.map(([value, text]) => h('option', { value }, text))));
  return h(
    'form',
    { id: 'filters', class: 'filters', onsubmit: (e: Event) => (e.preventDefault(), onChange()) },
    select('workflow', 'Workflow', [['', 'all'], ...WORKFLOWS.map((w): [string, string] => [w, w])]),
    select('status', 'Status', [['', 'all'], ...STATUSES.map((s): [string, string] => [s, s])]),
    select('since', 'Created', SINCE_CHOICES.map(([text, ms]) => [String(ms), text])),
  );
}

const MAX_ERRORS_SHOWN = 500;

function errorsTable(errors: JobError[]): Child {
  if (!errors.length) return null;
  const shown = errors.slice(0, MAX_ERRORS_SHOWN);
  return h(
    'div',
    { class: 'errors' },
    h('h3', {}, `Errors (${errors.length})`),
    h(
      'table',
      { class: 'errors-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'File id'), h('th', { scope: 'col' }, 'Title'), h('th', { scope: 'col' }, 'Reason'))),
      h(
        'tbody',
        {},
        ...shown.map((e) =>
          h('tr', { 'data-role': 'error' }, h('td', {}, e.fileId === undefined ? '' : String(e.fileId)), h('td', { class: 'title' }, e.title ?? ''), h('td', {}, e.reason)),
        ),
      ),
    ),
    errors.length > shown.length ? h('p', { class: 'muted' }, `… and ${errors.length - shown.length} more (npm run jobs -- <jobId> --json lists them all).`) : null,
  );
}

function resultList(result: Record<string, unknown> | undefined): Child {
  if (!result || !Object.keys(result).length) return null;
  return h('span', {}, keyText(result));
}

export interface DetailOptions {
  onRetry: (jobId: string) => void;
  onClose: () => void;
  /** A line under the buttons: the outcome of the last retry request. */
  notice?: { text: string; kind: 'info' | 'error' };
  retrying?: boolean;
}

export function jobDetail(job: Job, options: DetailOptions): HTMLElement {
  const rows: Array<[string, Child]> = [
    ['Workflow', job.workflow],
    ['Status', statusBadge(job.status)],
    ['Business key', keyText(job.key)],
    ['Created', when(job.createdAt)],
    ['Updated', `${when(job.updatedAt)} (${ago(job.updatedAt)})`],
    ['Progress', progressBar(job)],
    ['Result', resultList(job.result)],
  ];
  return h(
    'div',
    { 'data-job-id': job.jobId, class: 'detail' },
    h('div', { class: 'detail-head' }, h('h2', {}, 'Job ', h('code', {}, job.jobId)), h('button', { type: 'button', class: 'secondary', onclick: options.onClose }, 'Close')),
    h('dl', {}, ...rows.filter(([, v]) => v !== null && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    errorsTable(job.errors ?? []),
    job.status === 'failed'
      ? h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'primary', 'data-role': 'retry', disabled: options.retrying, onclick: () => options.onRetry(job.jobId) }, options.retrying ? 'Retrying…' : 'Retry'),
          h('span', { class: 'muted' }, 'Runs the job again as if its event had been delivered again: only what is left is done.'),
        )
      : null,
    options.notice ? h('p', { class: `notice ${options.notice.kind}`, role: options.notice.kind === 'error' ? 'alert' : 'status' }, options.notice.text) : null,
  );
}
