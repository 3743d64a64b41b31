import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/*
 * A real headless Chromium (Debian's `chromium` package; .ci/run installs it) driven by playwright-core, with a
 * fresh profile per session. The flags keep it off the network: this machine refuses every connection Chromium
 * would make on its own (component updates, sync, QUIC probes).
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (documents, fetches), in order. */
  requests: Array<{ url: string; method: string; headers: Record<string, string> }>;
  /** Every alert/confirm/prompt the page opened (each is dismissed at once). */
  dialogs: string[];
  /** Console messages and page errors, CSP violations among them. */
  console: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH to one`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'docspace-flows-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const session: BrowserSession = {
    context,
    page,
    requests: [],
    dialogs: [],
    console: [],
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  context.on('request', (request) => session.requests.push({ url: request.url(), method: request.method(), headers: request.headers() }));
  page.on('dialog', (dialog) => {
    session.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => session.console.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => session.console.push(`pageerror: ${error.message}`));
  return session;
}
