import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Headers and fields that must never reach a log line (credentials; personal data never is logged). */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/**
 * Fields of database errors (pg's and PGlite's) that carry the statement's values — `detail`
 * ("Key (person_key)=(…) already exists"), the parameters, the query text with literals, `where`
 * — and are dropped from logged errors: a person key reached the log that way (issue 23). The
 * message, code, constraint and table stay: enough to find the cause.
 */
const VALUE_FIELDS = ['detail', 'parameters', 'params', 'query', 'internalQuery', 'where', 'hint', 'position', 'internalPosition'];

/** An error as logged: pino's serialisation (message, stack, cause), without database values. */
function errorWithoutValues(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialised = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const field of VALUE_FIELDS) delete serialised[field];
  if (error.cause !== undefined) serialised.cause = errorWithoutValues(error.cause);
  return serialised;
}

/** Where log lines go when a caller chooses: tests capture them to prove no personal data leaks. */
export interface LogStream {
  write(line: string): void;
}

/**
 * The process's logger: pino with credentials redacted and requests logged by path only. Lines
 * go to `stream` when given; else, pino's convention, JSON lines on standard output, or lines for
 * people (pino-pretty: time, level, message, fields on one line) when standard output is a terminal.
 */
export function createLogger(level: string, stream?: LogStream): Logger {
  const destination = stream ?? (process.stdout.isTTY ? pretty({ sync: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }) : undefined);
  return pino(
    {
      level,
      redact: REDACT,
      // Query strings can carry where a person is (near=lat,lng): requests are logged by path only.
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, path: (req.url ?? '').split('?')[0], id: req.id }),
        err: errorWithoutValues,
      },
    },
    destination,
  );
}
