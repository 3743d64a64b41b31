import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openBrowser, type BrowserSession } from '../support/browser';
import { fakeJob, fakeOpsApi, type FakeOpsApi } from './fake-ops-api';

/*
 * The console page in a real headless Chromium, against a stand-in for the admin API (test/e2e/console.test.ts
 * runs it against `npm start`). Each test opens a fresh profile: a new tab's sessionStorage, no cookies.
 */

const TOKEN = 'console-test-admin-token-5e1f07';
const XSS = '<img src=x onerror=alert(1)>';

let api: FakeOpsApi;
let browser: BrowserSession;

beforeAll(async () => {
  api = await fakeOpsApi(TOKEN);
});
afterAll(async () => {
  await api.close();
});
beforeEach(async () => {
  api.jobs = [];
  api.report = undefined;
  api.queues = [{ name: 'file-moves', messages: 0 }, { name: 'upload-copy', messages: 0 }, { name: 'project-room', messages: 0 }];
  api.onRead = undefined;
  api.list = undefined;
  api.retried = [];
  browser = await openBrowser();
});
afterEach(async () => {
  await browser.close();
});

async function signIn(page: Page, token = TOKEN): Promise<void> {
  await page.goto(`${api.url}/console`);
  await page.fill('#token', token);
  await page.click('#token-form button[type=submit]');
}

/** What an injection would try once it got into the page (a string: it runs in the page, with the DOM). */
const INJECTION_ATTEMPTS = `(() => {
  const outcomes = [];
  try {
    document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=alert(3)>');
    outcomes.push('insertAdjacentHTML worked');
  } catch (error) {
    outcomes.push('insertAdjacentHTML: ' + error.name);
  }
  const script = document.createElement('script');
  try {
    script.textContent = 'window.__injected = true';
    document.body.append(script);
  } catch (error) {
    outcomes.push('inline script: ' + error.name);
  }
  outcomes.push('injected ran: ' + String(window.__injected === true));
  return outcomes;
})()`;

const rows = (page: Page) => page.locator('table.jobs tbody tr');

describe('the console page', () => {
  it('asks for the token, refuses a wrong one without keeping it, and keeps the right one for this tab only', async () => {
    const { page } = browser;
    await signIn(page, 'not-the-token');
    await expect.poll(() => page.textContent('#token-error')).toContain('refused');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.isVisible('#app')).toBe(false);

    await page.fill('#token', TOKEN);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([TOKEN]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await browser.context.cookies()).toEqual([]);

    // A reload of the tab keeps the session; another tab asks again.
    await page.reload();
    await page.waitForSelector('#app:not([hidden])');
    const other = await browser.context.newPage();
    await other.goto(`${api.url}/console`);
    await other.waitForSelector('#sign-in:not([hidden])');
    expect(await other.isVisible('#app')).toBe(false);

    // "Forget token" ends it in this tab.
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in:not([hidden])');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    const apiCalls = browser.requests.filter((r) => !r.url.endsWith('/console'));
    expect(apiCalls.length).toBeGreaterThan(0);
    for (const r of browser.requests) expect(r.url).not.toContain(TOKEN);
    for (const r of apiCalls) expect(r.headers.authorization).toMatch(/^Bearer /);
    expect(browser.console.join('\n')).not.toContain(TOKEN);
  });

  it('lists jobs newest first, filters them by workflow, status and age, and pages with the cursor', async () => {
    api.jobs = Array.from({ length: 45 }, (_, i) =>
      fakeJob({ minutesAgo: i * 60, status: i % 3 === 0 ? 'failed' : 'succeeded', workflow: i % 2 ? 'task-complete' : 'deal-archive' }),
    );
    const { page } = browser;
    await signIn(page);
    await expect.poll(() => rows(page).count()).toBe(20);
    const newest = api.jobs[0]!.jobId;
    expect(await rows(page).first().getAttribute('data-job-id')).toBe(newest);

    await page.click('[data-role=older]');
    await expect.poll(() => rows(page).first().getAttribute('data-job-id')).toBe(api.jobs[20]!.jobId);
    expect(browser.requests.some((r) => /\/jobs\?.*cursor=/.test(r.url))).toBe(true);
    await page.click('[data-role=older]');
    await expect.poll(() => rows(page).count()).toBe(5);
    expect(await page.isDisabled('[data-role=older]')).toBe(true);
    // Two clicks while the first page is still loading: two pages back, not one.
    api.listDelayMs = 400;
    await page.click('[data-role=newer]');
    await page.click('[data-role=newer]');
    await expect.poll(() => rows(page).first().getAttribute('data-job-id'), { timeout: 5_000 }).toBe(newest);
    api.listDelayMs = 0;

    await page.selectOption('select[name=status]', 'failed');
    await page.selectOption('select[name=workflow]', 'deal-archive');
    await page.selectOption('select[name=since]', { label: 'last 24 hours' });
    const expected = api.jobs.filter((j, i) => j.status === 'failed' && j.workflow === 'deal-archive' && i * 60 < 24 * 60);
    await expect.poll(() => rows(page).count()).toBe(expected.length);
    expect(await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-job-id')))).toEqual(expected.map((j) => j.jobId));
    const last = new URL(browser.requests.filter((r) => r.url.includes('/jobs?')).at(-1)!.url);
    expect(last.searchParams.get('status')).toBe('failed');
    expect(last.searchParams.get('workflow')).toBe('deal-archive');
    expect(Math.abs(Date.parse(last.searchParams.get('since')!) - (Date.now() - 86_400_000))).toBeLessThan(60_000);
  });

  it('says there is more when a page of a rare status comes back empty with a cursor, and follows it', async () => {
    const old = fakeJob({ status: 'failed', minutesAgo: 60 * 24 * 20 });
    // The real API stops after a bounded read and hands out a cursor, even with nothing found yet.
    api.list = (q) => (q.get('cursor') === 'further' ? { jobs: [old], nextCursor: null } : { jobs: [], nextCursor: 'further' });
    const { page } = browser;
    await signIn(page);
    await expect.poll(() => page.textContent('#jobs-body')).toContain('looks further back');
    await page.click('[data-role=older]');
    await expect.poll(() => rows(page).first().getAttribute('data-job-id')).toBe(old.jobId);
  });

  it('follows a running job, its bar filling until it reads 100 %', async () => {
    const running = fakeJob({ status: 'running', progress: { total: 400, done: 0, failed: 0 } });
    api.jobs = [running, fakeJob({ minutesAgo: 5 })];
    api.onRead = (job) => {
      if (job.status !== 'running') return;
      job.progress.done = Math.min(job.progress.total, job.progress.done + 100);
      if (job.progress.done === job.progress.total) job.status = 'succeeded';
    };
    const { page } = browser;
    await signIn(page);
    const bar = page.locator(`tr[data-job-id="${running.jobId}"] [data-role=progress]`);
    const seen = new Set<string>();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      seen.add((await bar.getAttribute('data-percent').catch(() => null)) ?? '');
      if (seen.has('100')) break;
      await page.waitForTimeout(100);
    }
    expect([...seen].filter((p) => p && p !== '100').length, `percentages seen: ${[...seen]}`).toBeGreaterThan(0);
    expect(seen.has('100')).toBe(true);
    await expect.poll(() => page.textContent(`tr[data-job-id="${running.jobId}"] [data-role=status]`)).toBe('succeeded');
    // The job status the page polls has no business key; the row keeps the one the list gave.
    expect(await page.textContent(`tr[data-job-id="${running.jobId}"] button.link`)).toBe(`dealId ${running.key.dealId} · clientName ${running.key.clientName}`);
    expect(await page.locator(`tr[data-job-id="${running.jobId}"] progress`).getAttribute('value')).toBe('100');
  });

  it('keeps following a running job when one poll fails with a 5xx', async () => {
    const running = fakeJob({ status: 'running', progress: { total: 2, done: 0, failed: 0 } });
    api.jobs = [running];
    let reads = 0;
    api.onRead = (job) => {
      reads += 1;
      if (reads === 1) throw new Error('the API hiccuped');
      Object.assign(job, { status: 'succeeded', progress: { total: 2, done: 2, failed: 0 } });
    };
    const { page } = browser;
    await signIn(page);
    await expect.poll(() => page.textContent(`tr[data-job-id="${running.jobId}"] [data-role=status]`), { timeout: 10_000 }).toBe('succeeded');
    expect(reads).toBeGreaterThanOrEqual(2);
  });

  it('shows a failed job with its per-file errors as text, retries it and follows it to success', async () => {
    const failed = fakeJob({
      status: 'failed',
      progress: { total: 3, done: 1, failed: 2 },
      errors: [
        { fileId: 41, title: XSS, reason: 'DocSpace answered 500 three times' },
        { fileId: 42, title: '"><script>alert(2)</script>', reason: 'the operation ended with an error' },
      ],
    });
    api.jobs = [failed];
    api.onRead = (job) => {
      if (job.status === 'queued') job.status = 'running';
      else if (job.status === 'running') Object.assign(job, { status: 'succeeded', progress: { total: 2, done: 2, failed: 0 }, errors: [] });
    };
    const { page } = browser;
    await signIn(page);
    await page.click(`tr[data-job-id="${failed.jobId}"] button.link`);
    const titles = page.locator('#job [data-role=error] td.title');
    await expect.poll(() => titles.allTextContents()).toEqual([XSS, '"><script>alert(2)</script>']);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);

    await page.click('#job [data-role=retry]');
    await expect.poll(() => page.textContent('#job [data-role=status]'), { timeout: 15_000 }).toBe('succeeded');
    expect(api.retried).toEqual([failed.jobId]);
    expect(await page.textContent(`tr[data-job-id="${failed.jobId}"] [data-role=status]`)).toBe('succeeded');
    await expect.poll(() => page.textContent('#job .notice')).toContain('The retry succeeded');
    expect(await page.locator('#job [data-role=retry]').count()).toBe(0);
    expect(browser.dialogs).toEqual([]);
  });

  it('says why a retry was refused when the job is no longer failed', async () => {
    const job = fakeJob({ status: 'failed', errors: [{ reason: 'the template 1050 is not a template' }] });
    api.jobs = [job];
    const { page } = browser;
    await signIn(page);
    await page.click(`tr[data-job-id="${job.jobId}"] button.link`);
    await page.waitForSelector('#job [data-role=retry]');
    // Someone else retried it meanwhile and it runs now.
    job.status = 'running';
    await page.click('#job [data-role=retry]');
    await expect.poll(() => page.textContent('#job .notice.error')).toContain('the job is running');
    expect(api.retried).toEqual([]);
  });

  it('sorts the abandoned-rooms report by days inactive and charts how long rooms have been idle', async () => {
    const now = Date.now();
    const room = (id: number, title: string, days: number) => ({ id, title, daysInactive: days, updated: new Date(now - days * 86_400_000).toISOString(), roomType: 2 });
    api.report = {
      generatedAt: new Date(now).toISOString(),
      inactivityDays: 10,
      rooms: [room(1, 'Acme', 12), room(2, XSS, 400), room(3, 'Beta', 45), room(4, 'Gamma', 15), room(5, 'Delta', 95)],
    };
    const { page } = browser;
    await signIn(page);
    const days = () => page.locator('table.rooms [data-role=days]').allTextContents();
    await expect.poll(days).toEqual(['400', '95', '45', '15', '12']);
    await page.click('[data-role=sort-days]');
    await expect.poll(days).toEqual(['12', '15', '45', '95', '400']);
    expect(await page.getAttribute('table.rooms th[aria-sort]', 'aria-sort')).toBe('ascending');
    expect(await page.locator('table.rooms td.title').allTextContents()).toContain(XSS);

    const buckets = await page.locator('[data-role=idle-chart] g').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-bucket'), g.getAttribute('data-count')]));
    expect(buckets).toEqual([['10–29 days', '2'], ['30–59 days', '1'], ['60–89 days', '0'], ['90–179 days', '1'], ['180–364 days', '0'], ['365+ days', '1']]);
    expect(await page.locator('img').count()).toBe(0);
    expect(browser.dialogs).toEqual([]);
  });

  it('says so when no scan has run yet', async () => {
    const { page } = browser;
    await signIn(page);
    await expect.poll(() => page.textContent('#report-body')).toContain('No scan has run yet');
  });

  it('shows how many messages wait in each dead-letter queue', async () => {
    api.queues = [{ name: 'file-moves', messages: 3 }, { name: 'upload-copy', messages: 0 }, { name: 'project-room', messages: 1 }];
    const { page } = browser;
    await signIn(page);
    const counts = () => page.locator('.dlq').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-queue'), li.querySelector('[data-role=count]')!.textContent]));
    await expect.poll(counts).toEqual([['file-moves', '3'], ['upload-copy', '0'], ['project-room', '1']]);
    expect(await page.locator('.dlq.waiting').count()).toBe(2);
    expect(await page.textContent('#dlq-body')).toContain('4 messages failed five times');
  });

  it('runs under its own Content-Security-Policy, which refuses HTML sinks and foreign scripts', async () => {
    api.jobs = [fakeJob({ status: 'failed', errors: [{ fileId: 1, title: XSS, reason: 'x' }] })];
    const { page } = browser;
    await signIn(page);
    await page.click('table.jobs button.link');
    await page.waitForSelector('#job [data-role=error]');
    // Its style applied (a blocked or empty one would leave the browser's defaults).
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('header.top')).backgroundColor")).toBe('rgb(29, 35, 48)');
    // The page did all of the above without one violation of its policy.
    expect(browser.console.filter((m) => /Content Security Policy|Refused to|pageerror/i.test(m))).toEqual([]);

    const attempts = await page.evaluate<string[]>(INJECTION_ATTEMPTS);
    expect(attempts).toEqual(['insertAdjacentHTML: TypeError', 'inline script: TypeError', 'injected ran: false']);
    expect(browser.dialogs).toEqual([]);
  });
});
