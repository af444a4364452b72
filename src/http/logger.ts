import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Headers and fields that must never reach a log line (credentials; personal data never is logged). */
export const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

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
      serializers: { req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, path: (req.url ?? '').split('?')[0], id: req.id }) },
    },
    destination,
  );
}
