/**
 * A pino logger whose JSON lines land in memory, so tests can wait for what
 * the adapter reports ("interaction handled", with its outcome) and check
 * that failures are logged with context.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface LogCapture {
  logger: Logger;
  lines: LogLine[];
  /** Resolves with the first line (past or future, from line `since` on) matching `predicate`. */
  waitFor(predicate: (line: LogLine) => boolean, description?: string, since?: number): Promise<LogLine>;
}

const WAIT_LIMIT_MS = 10_000;

export function captureLogs(level: pino.LevelWithSilent = 'debug'): LogCapture {
  const lines: LogLine[] = [];
  const waiters = new Set<(line: LogLine) => void>();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const waiter of [...waiters]) waiter(line);
      }
      callback();
    },
  });
  const logger = pino({ level, base: undefined }, stream);
  return {
    logger,
    lines,
    waitFor(predicate, description = 'a matching log line', since = 0) {
      const existing = lines.slice(since).find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`gave up waiting for ${description}; logged:\n${lines.map((l) => `  ${l.msg} ${JSON.stringify(l)}`).join('\n')}`));
        }, WAIT_LIMIT_MS);
        const check = (line: LogLine): void => {
          if (!predicate(line)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(line);
        };
        waiters.add(check);
      });
    },
  };
}
