import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Workflow } from './jobs/store';
import { logger } from './log';

/*
 * Many invocations rightly record no metric (a GET /jobs, an ignored event); Powertools warns about each of them
 * on stdout in plain text, which drowns real warnings. Its other warnings go to our JSON logger.
 */
const metricsLogger = {
  debug: (...content: unknown[]) => logger.debug(String(content[0])),
  info: (...content: unknown[]) => logger.info(String(content[0])),
  warn: (...content: unknown[]) => {
    if (!String(content[0]).startsWith('No application metrics to publish')) logger.warn(String(content[0]));
  },
  error: (...content: unknown[]) => logger.error(String(content[0])),
};

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'DocSpaceFlows',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docspace-flows',
  logger: metricsLogger,
});

/** The counters the workflows report; domain code receives this port, never the Metrics object. */
export interface Counters {
  /** `workflow`: the workflow the count belongs to, where the port is not already bound to one (workflowCounters). */
  count(name: MetricName, value?: number, workflow?: Workflow): void;
}

export type MetricName =
  | 'JobsStarted'
  | 'JobsSucceeded'
  | 'JobsFailed'
  | 'FilesMoved'
  | 'FilesFailed'
  | 'FilesCopied'
  | 'DocSpaceRetries'
  | 'DocSpaceRateLimited'
  | 'RecordsRedelivered'
  | 'DuplicateDeliveries'
  | 'JobsRetried'
  | 'RoomsCreated';

/**
 * A count for one workflow is published on its own, at once, with `workflow` as a property of its EMF line (not a
 * dimension: the metrics stay the ones that alarms and dashboards already name, and CloudWatch Logs Insights splits
 * them by workflow). On its own because one invocation may handle records of two workflows (the file-move worker).
 */
function countFor(workflow: Workflow, name: MetricName, value: number): void {
  const single = metrics.singleMetric();
  single.addMetadata('workflow', workflow);
  single.addMetric(name, MetricUnit.Count, value);
}

export const counters: Counters = {
  count: (name, value = 1, workflow) =>
    workflow ? countFor(workflow, name, value) : metrics.addMetric(name, MetricUnit.Count, value),
};

/** Counters bound to one workflow: every count carries its name (the ports of its own workers). */
export const workflowCounters = (workflow: Workflow): Counters => ({
  count: (name, value = 1) => countFor(workflow, name, value),
});
