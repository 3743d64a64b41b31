import { afterEach, describe, expect, it, vi } from 'vitest';
import { counters, metrics } from '../../../lib/metrics';

describe('metrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('publishes nothing and warns about nothing when an invocation recorded no metric', () => {
    const out = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
    metrics.publishStoredMetrics();
    for (const spy of out) expect(spy).not.toHaveBeenCalled();
  });

  it('still keeps what the workflows count until it is published', () => {
    counters.count('FilesMoved', 3);
    expect(metrics.hasStoredMetrics()).toBe(true);
    metrics.clearMetrics();
  });
});
