import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/console/handler';
import { lambdaContext } from '../../../infra/local/lambda-context';
import { buildHttpEvent, readHttpResult } from '../../support/http';

/*
 * GET /console as API Gateway answers it. The browser tests (test/browser) show the page working under this policy;
 * these pin the policy itself, so a loosened header fails here even if the page still happens to work.
 */

const get = async () =>
  readHttpResult(
    await handler(
      buildHttpEvent({ method: 'GET', path: '/console', headers: { authorization: 'Bearer a-token-the-page-must-not-need', cookie: 'session=x' } }),
      lambdaContext({ functionName: 'opsConsole', timeoutSeconds: 5 }),
    ),
  );

const inline = (html: string, tag: 'script' | 'style'): string[] =>
  [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('GET /console', () => {
  it('answers the page as HTML without asking for a token', async () => {
    const answer = await get();
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toMatch(/^<!doctype html>/);
    expect(answer.body).toContain('id="token-form"');
  });

  it('lets exactly its own inline script and style run, by hash, and nothing inline else', async () => {
    const answer = await get();
    const csp = directives(answer.headers['content-security-policy']!);
    const scripts = inline(answer.body, 'script');
    const styles = inline(answer.body, 'style');
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    // Whole, not an empty part whose hash would match as well.
    expect(scripts[0]).toContain('sessionStorage');
    expect(styles[0]).toContain('.status-failed');
    expect(csp['script-src']).toEqual([hashOf(scripts[0]!)]);
    expect(csp['style-src']).toEqual([hashOf(styles[0]!)]);
    expect(answer.headers['content-security-policy']).not.toMatch(/unsafe-|\*|data:|https?:/);
    // Nothing loaded from anywhere: no src/href attribute and no inline handler or style attribute in the markup.
    expect(answer.body).not.toMatch(/<[^>]+\s(src|href|style|on[a-z]+)=/i);
  });

  it('refuses everything else: other origins, frames, forms, base changes and HTML sinks', async () => {
    const answer = await get();
    const csp = directives(answer.headers['content-security-policy']!);
    expect(csp).toMatchObject({
      'default-src': ["'none'"],
      'connect-src': ["'self'"],
      'img-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
      'require-trusted-types-for': ["'script'"],
      'trusted-types': ["'none'"],
    });
    expect(answer.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    });
  });

  it('ships a script that keeps the token in sessionStorage only and never writes to the console', async () => {
    const [script] = inline((await get()).body, 'script');
    expect(script).toContain('sessionStorage');
    expect(script).not.toMatch(/localStorage|document\.cookie|console\.(log|info|debug|warn|error)|innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});
