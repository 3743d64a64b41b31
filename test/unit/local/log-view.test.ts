import { describe, expect, it } from 'vitest';
import { lineFilter, logFormatFrom, viewLine } from '../../../infra/local/log-view';

// Lines as Powertools prints them in a function of the local stack (trimmed of nothing).
const powertools = (fields: Record<string, unknown>) =>
  JSON.stringify({
    level: 'INFO',
    timestamp: '2026-12-04T20:59:42.565Z',
    service: 'docspace-flows',
    cold_start: false,
    function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:docspace-flows-local-taskCompleteWebhook',
    function_memory_size: '256',
    function_name: 'docspace-flows-local-taskCompleteWebhook',
    function_request_id: '5d04fdaf-7c71-42b6-9af9-f45b5e448800',
    sampling_rate: 0,
    xray_trace_id: 'Root=1-abc',
    requestId: 'req-1',
    route: 'POST /webhooks/tasks',
    ...fields,
  });

describe('the local log view', () => {
  it('shows a refused request as one short line with its method, route, status and reason', () => {
    const line = powertools({
      message: 'request answered',
      method: 'POST',
      path: '/webhooks/tasks',
      statusCode: 401,
      reason: 'unauthorized: missing or invalid signature (no signature header)',
    });
    expect(viewLine(line, 'text')).toBe(
      '20:59:42.565 taskCompleteWebhook POST /webhooks/tasks 401 unauthorized: missing or invalid signature (no signature header)',
    );
  });

  it('shows an accepted request with its jobId', () => {
    const line = powertools({ message: 'request answered', method: 'POST', path: '/webhooks/tasks', statusCode: 202, jobId: 'task-complete-abc' });
    expect(viewLine(line, 'text')).toBe('20:59:42.565 taskCompleteWebhook POST /webhooks/tasks 202 task-complete-abc');
  });

  it('shows a job change with its progress, and the run when it is not the first', () => {
    const line = powertools({
      message: 'job failed',
      function_name: 'docspace-flows-local-fileMovesWorker',
      level: 'INFO',
      jobId: 'deal-archive-xyz',
      workflow: 'deal-archive',
      run: 2,
      progress: { total: 21, done: 18, failed: 3 },
    });
    expect(viewLine(line, 'text')).toBe('20:59:42.565 fileMovesWorker     job failed deal-archive-xyz 18/21 done, 3 failed (run 2)');
  });

  it('keeps a warning short: level, message, its own fields, and an error as name, message and place', () => {
    const line = powertools({
      level: 'ERROR',
      message: 'unexpected error',
      error: { name: 'TypeError', location: 'lib/x.ts:3', message: 'boom', stack: 'TypeError: boom\n    at …' },
    });
    expect(viewLine(line, 'text')).toBe('20:59:42.565 taskCompleteWebhook ERROR unexpected error error=TypeError: boom (lib/x.ts:3)');
  });

  it('leaves out metric blobs, billing lines and offline\'s repeat of the route', () => {
    expect(viewLine('{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"JobsStarted":1}', 'text')).toBeUndefined();
    expect(viewLine('(λ: taskCompleteWebhook) RequestId: 5d04fdaf-7c71  Duration: 61.67 ms  Billed Duration: 62 ms', 'text')).toBeUndefined();
    expect(viewLine('POST /webhooks/tasks (λ: taskCompleteWebhook)', 'text')).toBeUndefined();
    expect(viewLine('', 'text')).toBeUndefined();
  });

  it('passes any other output through as it is', () => {
    expect(viewLine('Offline [http for lambda] listening on http://127.0.0.1:3002', 'text')).toBe('Offline [http for lambda] listening on http://127.0.0.1:3002');
    expect(viewLine('{"not":"a log entry"}', 'text')).toBe('{"not":"a log entry"}');
  });

  it('with LOG_FORMAT=json passes every line through, metrics and billing included', () => {
    const metric = '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"JobsStarted":1}';
    expect(viewLine(metric, 'json')).toBe(metric);
    expect(viewLine('(λ: x) RequestId: 1  Duration: 1.00 ms  Billed Duration: 1 ms', 'json')).toContain('Billed Duration');
  });

  it('reassembles lines split across chunks', () => {
    const written: string[] = [];
    const filter = lineFilter('text', (text) => written.push(text));
    const line = powertools({ message: 'request answered', method: 'GET', path: '/jobs/x', statusCode: 404, reason: 'not_found: job x not found' });
    filter.push(line.slice(0, 100));
    filter.push(`${line.slice(100)}\nplain`);
    filter.end();
    expect(written).toEqual(['20:59:42.565 taskCompleteWebhook GET /jobs/x 404 not_found: job x not found\n', 'plain\n']);
  });

  it('refuses a LOG_FORMAT it does not know, naming the variable', () => {
    expect(logFormatFrom({})).toBe('text');
    expect(logFormatFrom({ LOG_FORMAT: 'json' })).toBe('json');
    expect(() => logFormatFrom({ LOG_FORMAT: 'yaml' })).toThrow(/^LOG_FORMAT must be "text" .* or "json"/);
  });
});
