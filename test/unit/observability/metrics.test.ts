import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobIdFor, workflowOfJob, WORKFLOWS } from '../../../lib/jobs/store';
import { counters, metrics, workflowCounters } from '../../../lib/metrics';

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

  describe('the workflow a count belongs to', () => {
    /** The EMF lines published while `act` runs (metrics are on, as on AWS). */
    function published(act: () => void): Array<Record<string, unknown>> {
      const before = process.env.POWERTOOLS_METRICS_DISABLED;
      process.env.POWERTOOLS_METRICS_DISABLED = 'false';
      const written: string[] = [];
      const grab = (chunk: unknown) => void written.push(String(chunk));
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (grab(chunk), true));
      vi.spyOn(console, 'log').mockImplementation(grab);
      try {
        act();
      } finally {
        if (before === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
        else process.env.POWERTOOLS_METRICS_DISABLED = before;
      }
      return written.flatMap((w) => w.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    }

    it('is published at once with the workflow as a property, the dimensions staying service alone', () => {
      const lines = published(() => {
        workflowCounters('deal-archive').count('JobsFailed');
        counters.count('JobsStarted', 2, 'task-complete');
      });
      expect(lines).toEqual([
        expect.objectContaining({ JobsFailed: 1, workflow: 'deal-archive', service: 'docspace-flows' }),
        expect.objectContaining({ JobsStarted: 2, workflow: 'task-complete', service: 'docspace-flows' }),
      ]);
      for (const line of lines) {
        const [directive] = (line._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics;
        expect(directive!.Dimensions).toEqual([['service']]);
      }
      expect(metrics.hasStoredMetrics()).toBe(false);
    });

    it('is left out of the counts that belong to no workflow, which wait for the invocation to end', () => {
      const lines = published(() => counters.count('DocSpaceRetries'));
      expect(lines).toEqual([]);
      expect(metrics.hasStoredMetrics()).toBe(true);
      metrics.clearMetrics();
    });

    it('is read back from the job id the workflow made', () => {
      for (const workflow of WORKFLOWS) expect(workflowOfJob(jobIdFor(workflow, 'D-7'))).toBe(workflow);
      expect(workflowOfJob('deal-closed-K8l8abcdefghijklmnopqr')).toBeUndefined();
    });
  });
});
