/**
 * pino logger factory. Logs go to stderr as JSON lines (stdout belongs to the
 * terminal interview and to CLI output), with context bound by child loggers.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(options: { level?: LevelWithSilent; name?: string; destination?: number | string } = {}): Logger {
  return pino(
    { name: options.name ?? 'advisor', level: options.level ?? 'info', base: undefined },
    pino.destination({ dest: options.destination ?? 2, sync: true }),
  );
}

/** A logger that writes nothing: for tests and benchmarks that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
