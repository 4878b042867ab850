/**
 * Process-level safety net for `npm start`. Slack and Discord share one process,
 * and Node's default for an error nobody caught (a throw in an event handler, a
 * rejected promise nobody awaited) is to print it and exit, which would take the
 * healthy platform down with the broken one. These handlers log the error with
 * its context instead and keep the process running; each platform still reports
 * its own failures to its users.
 */
import type { Logger } from '../src/logger.ts';

/** Which way an error escaped: Node's own names for the two events. */
export type EscapeKind = 'uncaughtException' | 'unhandledRejection';

/**
 * Installs `uncaughtException` and `unhandledRejection` handlers that log the
 * escaped error (`err`, `kind`) at error level and keep the process running.
 * Returns a function that removes exactly these handlers.
 */
export function installProcessGuard(logger: Logger): () => void {
  const log = logger.child({ component: 'process-guard' });
  const report = (kind: EscapeKind, err: unknown): void => {
    try {
      log.error({ err, kind }, `an error escaped (${kind}); logged and ignored so the other platforms keep running`);
    } catch (logFailure) {
      // Never let the safety net itself throw: that would end the process after all.
      try {
        process.stderr.write(`advisor: an error escaped (${kind}): ${String(err)}; logging it failed too: ${String(logFailure)}\n`);
      } catch {
        // nothing left to report to
      }
    }
  };
  // With an unhandledRejection listener, Node no longer turns rejections into uncaught exceptions, so each error is reported once.
  const onException = (error: Error, origin: NodeJS.UncaughtExceptionOrigin): void => report(origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException', error);
  const onRejection = (reason: unknown): void => report('unhandledRejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
