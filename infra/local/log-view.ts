/*
 * What `npm start` prints of serverless offline's output. The functions log Powertools JSON, as on AWS (about
 * 560 characters a line, the message after the function ARN and sampling rate); a person at a terminal wants
 * one short line per request, job change or warning. LOG_FORMAT=json passes everything through untouched,
 * metric blobs and offline's own per-invocation lines included.
 */

export type LogFormat = 'text' | 'json';

export function logFormatFrom(env: NodeJS.ProcessEnv): LogFormat {
  const value = env.LOG_FORMAT;
  if (value === undefined || value === '' || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new Error(`LOG_FORMAT must be "text" (one short line per entry, the default) or "json" (the functions' own JSON lines), got "${value}"`);
}

// Offline's lines that only repeat what the function's own request line says, or that Lambda bills by.
const OFFLINE_NOISE = [
  /\(λ: [^)]+\) RequestId: \S+\s+Duration: [\d.]+ ms\s+Billed Duration: \d+ ms/,
  /^(?:\S+ )?(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \S+ \(λ: [^)]+\)$/,
];

// Keys every Powertools line carries that say nothing a reader needs here.
const CONTEXT_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'requestId',
  'route',
  'messageId',
]);

type Entry = Record<string, unknown>;

/** The short form of one line of output, or undefined for a line that is left out. */
export function viewLine(line: string, format: LogFormat): string | undefined {
  if (format === 'json') return line;
  const text = line.replace(/\u001b\[[0-9;]*m/g, '');
  // Offline frames every invocation with empty lines.
  if (text.trim() === '') return undefined;
  if (OFFLINE_NOISE.some((pattern) => pattern.test(text.trim()))) return undefined;
  const entry = parseEntry(text);
  if (!entry) return line;
  // An EMF metric blob (POWERTOOLS_METRICS_DISABLED keeps them away; this catches any other).
  if ('_aws' in entry) return undefined;
  return renderEntry(entry);
}

function parseEntry(text: string): Entry | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    if (value && typeof value === 'object' && !Array.isArray(value) && ('_aws' in value || ('level' in value && 'message' in value))) {
      return value as Entry;
    }
  } catch {
    // Not JSON after all: shown as it is.
  }
  return undefined;
}

function renderEntry(entry: Entry): string {
  const time = typeof entry.timestamp === 'string' ? entry.timestamp.slice(11, 23) : '';
  const fn = functionKey(entry.function_name);
  const level = String(entry.level ?? 'INFO').toUpperCase();
  return `${time} ${fn.padEnd(19)} ${level === 'INFO' ? '' : `${level} `}${describe(entry)}`;
}

/** docspace-flows-local-taskCompleteWebhook → taskCompleteWebhook (the key serverless.yml and `sls invoke local -f` use). */
function functionKey(name: unknown): string {
  if (typeof name !== 'string') return '-';
  const match = /^[^-]+(?:-[^-]+)*?-local-(.+)$/.exec(name);
  return match ? match[1]! : name;
}

function describe(entry: Entry): string {
  const message = String(entry.message);
  if (message === 'request answered') {
    // POST /webhooks/tasks 202 task-complete-…   or   POST /webhooks/tasks 401 unauthorized: … (why)
    const parts = [entry.method, entry.path, entry.statusCode, entry.jobId, entry.reason].filter((p) => p !== undefined && p !== '');
    return parts.join(' ');
  }
  if (/^job (queued|running|succeeded|failed)$/.test(message) && typeof entry.jobId === 'string') {
    const progress = entry.progress as { total?: number; done?: number; failed?: number } | undefined;
    const counts = progress ? ` ${progress.done ?? 0}/${progress.total ?? 0} done, ${progress.failed ?? 0} failed` : '';
    const run = typeof entry.run === 'number' && entry.run > 1 ? ` (run ${entry.run})` : '';
    return `${message} ${entry.jobId}${counts}${run}`;
  }
  const rest = Object.entries(entry)
    .filter(([key, value]) => !CONTEXT_KEYS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [message, ...rest].join(' ');
}

function formatValue(value: unknown): string {
  if (value && typeof value === 'object' && 'message' in value && 'name' in value) {
    // A Powertools error object: name, message and where, without the stack (LOG_FORMAT=json has it).
    const error = value as { name: unknown; message: unknown; location?: unknown };
    return `${String(error.name)}: ${String(error.message)}${error.location ? ` (${String(error.location)})` : ''}`;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Splits a stream into lines and writes each line's view; a partial last line waits for its end. */
export function lineFilter(format: LogFormat, write: (text: string) => void): { push(chunk: Buffer | string): void; end(): void } {
  let pending = '';
  const emit = (line: string) => {
    const shown = viewLine(line, format);
    if (shown !== undefined) write(`${shown}\n`);
  };
  return {
    push(chunk) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) emit(line);
    },
    end() {
      if (pending) emit(pending);
      pending = '';
    },
  };
}
