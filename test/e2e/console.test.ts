import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSettings, LOCAL_SECRETS } from '../../infra/local/settings';
import { DEMO, DocSpaceSimulator, demoFixture } from '@docspace-flows/simulator';
import { openBrowser, type BrowserSession } from '../support/browser';
import { signatureHeaders } from '../support/http';
import { cleanUpStacks, npmRun, npmStart, READY_MS, stopNpmStart, type Running } from '../support/npm-start';

/*
 * The operations console as an operator uses it: `npm start` (talking to a simulator this test holds, so it can
 * make a file fail and then let it through), the page at /console in headless Chromium, the admin token typed
 * in once. CONSOLE_SCREENSHOT_DIR=<dir> keeps a screenshot of the page at the end.
 */

const XSS = '<img src=x onerror=alert(1)>';

let sim: DocSpaceSimulator;
let portal: { url: string; close(): Promise<void> };
let run: Running;
let browser: BrowserSession;
let page: Page;
let token: string;

// Moves take a while, as on a real portal, so a job of many chunks is seen running.
beforeAll(async () => {
  sim = new DocSpaceSimulator({ fixture: demoFixture(), fileOpDurationMs: 600 });
  portal = await sim.listen(0, '127.0.0.1');
  run = await npmStart({ DOCSPACE_API_HOST: portal.url, DOCSPACE_API_KEY: sim.apiKey, ...demoSettings(DEMO) });
  token = run.state.adminToken!;
  browser = await openBrowser();
  page = browser.page;
}, READY_MS + 20_000);

afterAll(async () => {
  await browser?.close();
  if (run) await stopNpmStart(run);
  cleanUpStacks();
  await portal?.close();
  await sim?.close();
}, 40_000);

async function post(path: string, secret: string, body: object): Promise<string> {
  const raw = JSON.stringify(body);
  const response = await fetch(`${run.state.httpUrl}${path}`, { method: 'POST', headers: signatureHeaders(secret, raw), body: raw });
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
}

async function jobStatus(jobId: string): Promise<{ status: string; errors?: unknown[] }> {
  const response = await fetch(`${run.state.httpUrl}/jobs/${jobId}`, { headers: { authorization: `Bearer ${token}` } });
  return (await response.json()) as { status: string };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const row = (jobId: string) => `tr[data-job-id="${jobId}"]`;

describe('the operations console on npm start', () => {
  let failedJobId: string;

  it('is announced in the banner, served at /console with its Content-Security-Policy, and asks for the token', async () => {
    expect(run.output()).toContain(`${run.state.httpUrl}/console`);
    const response = await page.goto(`${run.state.httpUrl}/console`);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-type']).toMatch(/^text\/html/);
    expect(headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(headers['content-security-policy']).not.toMatch(/unsafe-inline/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    await page.waitForSelector('#sign-in:not([hidden])');

    await page.fill('#token', token);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    await expect.poll(() => page.locator('.dlq').count()).toBe(3);
  });

  it('shows a failed job with its per-file errors, the hostile title as text, and no dialog', async () => {
    const roomId = sim.addRoom({ title: 'Console tasks' });
    const folderId = sim.addFolder(roomId, 'T-77 Console check');
    sim.addFile(folderId, 'contract.pdf');
    const hostile = sim.addFile(folderId, XSS);
    sim.addFile(folderId, 'notes.txt');
    sim.setFaults({ failFileIds: [hostile] });
    failedJobId = await post('/webhooks/tasks', LOCAL_SECRETS.tasks, { taskId: 'T-77', status: 'closed', docsFolderId: folderId });
    await until('the task job to fail', async () => ((await jobStatus(failedJobId)).status === 'failed' ? true : undefined));

    await page.selectOption('select[name=status]', 'failed');
    await page.waitForSelector(row(failedJobId));
    await page.click(`${row(failedJobId)} button.link`);
    const titles = page.locator('#job [data-role=error] td.title');
    await expect.poll(() => titles.allTextContents()).toEqual([XSS]);
    expect(await page.locator('img').count()).toBe(0);
    expect(browser.dialogs).toEqual([]);
  });

  it('retries the failed job once the cause is fixed, and shows it succeed', async () => {
    sim.setFaults({ failFileIds: [] });
    await page.click('#job [data-role=retry]');
    await expect.poll(() => page.textContent('#job [data-role=status]'), { timeout: 60_000 }).toBe('succeeded');
    expect(await page.locator('#job [data-role=progress]').getAttribute('data-percent')).toBe('100');
    expect((await jobStatus(failedJobId)).status).toBe('succeeded');
    expect(browser.requests.filter((r) => r.method === 'POST' && r.url.endsWith(`/jobs/${failedJobId}/retry`))).toHaveLength(1);
    expect(browser.dialogs).toEqual([]);
  }, 90_000);

  it("follows a running job's progress bar until it reads 100 %", async () => {
    const roomId = sim.addRoom({ title: 'Console client room' });
    for (let i = 0; i < 1200; i++) sim.addFile(roomId, `scan-${String(i).padStart(4, '0')}.pdf`);
    const jobId = await post('/webhooks/deals/closed', LOCAL_SECRETS.deals, { dealId: 'D-CONSOLE', clientRoomId: roomId, clientName: 'Console Ltd' });

    await page.selectOption('select[name=status]', '');
    await page.click('#refresh');
    await page.waitForSelector(row(jobId));
    const seen: string[] = [];
    await until(
      'the bar to reach 100 %',
      async () => {
        const percent = await page.locator(`${row(jobId)} [data-role=progress]`).getAttribute('data-percent').catch(() => null);
        if (percent !== null && seen.at(-1) !== percent) seen.push(percent);
        return percent === '100' ? true : undefined;
      },
      90_000,
    );
    console.log(`progress of a 1200-file deal archive as the page showed it: ${seen.map((p) => p || 'counting').join(' → ')} %`);
    // It was seen part-way, then full: the page followed the job rather than finding it done.
    expect(seen.some((p) => p !== '' && Number(p) < 100), `percentages seen: ${seen.join(', ')}`).toBe(true);
    expect(seen.at(-1)).toBe('100');
    // 100 % is the last file moved; the job ends once its finalizer has checked the source and revoked the guest.
    await expect.poll(() => page.textContent(`${row(jobId)} [data-role=status]`), { timeout: 20_000 }).toBe('succeeded');
  }, 120_000);

  it('shows the latest abandoned-rooms report after a scan, sortable by days inactive', async () => {
    const scan = await npmRun(['run', 'scan'], { LOCAL_DATA_DIR: run.dataDir });
    expect(scan.code, scan.output).toBe(0);
    await page.click('#refresh');
    const days = () => page.locator('table.rooms [data-role=days]').allTextContents();
    await expect.poll(async () => (await days()).length).toBeGreaterThan(1);
    const descending = (await days()).map(Number);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    await page.click('[data-role=sort-days]');
    await expect.poll(async () => (await days()).map(Number)).toEqual([...descending].reverse());
    expect(await page.locator('[data-role=idle-chart] rect').count()).toBeGreaterThan(0);

    const dir = process.env.CONSOLE_SCREENSHOT_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'console.png'), fullPage: true });
    }
  }, 60_000);

  it('never put the token in a URL, and sent it only in the Authorization header of API calls', () => {
    expect(browser.requests.length).toBeGreaterThan(5);
    for (const r of browser.requests) expect(r.url).not.toContain(token);
    const apiCalls = browser.requests.filter((r) => !r.url.endsWith('/console'));
    for (const r of apiCalls) expect(r.headers.authorization).toBe(`Bearer ${token}`);
    expect(browser.console.filter((m) => /Content Security Policy|Refused to|pageerror/i.test(m))).toEqual([]);
  });
});
