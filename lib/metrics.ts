import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
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
  | 'RecordsRedelivered'
  | 'DuplicateDeliveries'
  | 'RoomsCreated';

export const counters: Counters = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
};
