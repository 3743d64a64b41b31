import { createHash } from 'node:crypto';
import template from './page/index.html?raw';
import style from './page/console.css?raw';
import script from './page/main.ts?browser';

/*
 * GET /console: one self-contained HTML document (its style and script inline), so the bundle serves it from its
 * own zip with nothing else to route or host. The inline parts are allowed by their hashes, computed here from
 * the very bytes served; nothing else may run, load or be framed.
 */

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Placeholders are replaced by a function, so `$&` and friends in the minified script stay literal. */
function render(): string {
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) throw new Error('an inline part would close its own tag');
  return template.replace('{{style}}', () => style).replace('{{script}}', () => script);
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(script)}`,
  `style-src ${sha256(style)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  // Every DOM sink that parses HTML (innerHTML, document.write) throws: titles can only ever be text.
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

export const CONSOLE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'strict-transport-security': 'max-age=31536000',
  // The page holds no data (everything comes from the API with the token), but a stale script would be confusing.
  'cache-control': 'no-cache',
};

export const CONSOLE_HTML = render();
