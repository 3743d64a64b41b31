import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docspace-flows' });

/** The narrow logging port that domain code receives, so tests can capture lines without Powertools. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/*
 * Keys of the unit of work in progress (an SQS record's messageId and jobId). An SQS batch is processed in
 * parallel in one invocation, so Powertools' appendKeys (one set per invocation) would mix records up; each
 * record runs in its own async context instead, and every line through `log` carries that context's keys.
 */
const scope = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs fn with keys added to every line logged through `log` inside it (nested scopes add to the outer one). */
export function withLogKeys<T>(keys: Record<string, unknown>, fn: () => T): T {
  return scope.run({ ...scope.getStore(), ...keys }, fn);
}

/** Adds keys to the current scope from here on (e.g. the jobId once it is known); no-op outside a scope. */
export function addLogKeys(keys: Record<string, unknown>): void {
  const store = scope.getStore();
  if (store) Object.assign(store, keys);
}

const withScope = (extra?: Record<string, unknown>): Record<string, unknown> | undefined => {
  const keys = scope.getStore();
  return keys ? { ...keys, ...extra } : extra;
};

/** Powertools' Logger behind the narrow port. */
export const log: Log = {
  debug: (message, extra) => logAt('debug', message, withScope(extra)),
  info: (message, extra) => logAt('info', message, withScope(extra)),
  warn: (message, extra) => logAt('warn', message, withScope(extra)),
  error: (message, extra) => logAt('error', message, withScope(extra)),
};

function logAt(level: 'debug' | 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>): void {
  if (extra) logger[level](message, extra);
  else logger[level](message);
}
