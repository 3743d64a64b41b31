import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'DocSpaceFlows',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docspace-flows',
});

/** The counters the workflows report; domain code receives this port, never the Metrics object. */
export interface Counters {
  count(name: MetricName, value?: number): void;
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
  | 'DuplicateDeliveries'
  | 'RoomsCreated';

export const counters: Counters = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
};
