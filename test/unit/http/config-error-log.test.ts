import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../lib/config';
import { toErrorResponse } from '../../../lib/http/errors';
import { log } from '../../../lib/log';

vi.hoisted(() => {
  // Read when lib/log builds the logger; the suite's default (SILENT) would hide the line under test.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});

let output = '';
function capture(chunk: unknown): boolean {
  output += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return true;
}

afterEach(() => {
  vi.restoreAllMocks();
  output = '';
});

describe('a configuration error on its way through the real logger', () => {
  it('writes one ERROR line that names the setting and says what is wrong with it, without its value', () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);

    const answer = toErrorResponse(new ConfigError('COPY_RULES', 'must be valid JSON'), log);

    expect(answer.statusCode).toBe(503);
    expect(answer.body).not.toContain('COPY_RULES');
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // Powertools drops an extra field called `message` with a WARN line; neither may happen here.
    expect(lines).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'Invalid configuration: COPY_RULES must be valid JSON', variable: 'COPY_RULES' }),
    ]);
  });
});
