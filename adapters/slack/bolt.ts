/**
 * What the adapter adds to Bolt: its logs (Bolt, its Web API client and its
 * Socket Mode client log through a small `Logger` interface of their own) go
 * to the advisor's pino logger instead of the console, and the receivers learn
 * which bodies Bolt could route.
 */
import { LogLevel, type App, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/logger.ts';

/** Bolt's levels, least severe first, as pino numbers them. */
const ORDER: Readonly<Record<LogLevel, number>> = {
  [LogLevel.DEBUG]: 20,
  [LogLevel.INFO]: 30,
  [LogLevel.WARN]: 40,
  [LogLevel.ERROR]: 50,
};

/** The Bolt level matching a pino level, so Bolt does not build messages pino would drop. */
export function boltLevelFor(logger: Logger): LogLevel {
  return (Object.keys(ORDER) as LogLevel[]).find((level) => logger.levelVal <= ORDER[level]) ?? LogLevel.ERROR;
}

function toEntry(parts: readonly unknown[]): { fields: Record<string, unknown>; message: string } {
  const fields: Record<string, unknown> = {};
  const words: string[] = [];
  for (const part of parts) {
    if (part instanceof Error) fields['err'] = part;
    else if (typeof part === 'string') words.push(part);
    else if (part !== undefined) words.push(JSON.stringify(part) ?? String(part));
  }
  return { fields, message: words.join(' ') };
}

export function boltLogger(logger: Logger, component = 'bolt'): BoltLogger {
  let child = logger.child({ component });
  let level = boltLevelFor(logger);
  const emit = (at: LogLevel, parts: readonly unknown[]): void => {
    if (ORDER[at] < ORDER[level]) return;
    const { fields, message } = toEntry(parts);
    child[at](fields, message);
  };
  return {
    debug: (...parts: unknown[]) => emit(LogLevel.DEBUG, parts),
    info: (...parts: unknown[]) => emit(LogLevel.INFO, parts),
    warn: (...parts: unknown[]) => emit(LogLevel.WARN, parts),
    error: (...parts: unknown[]) => emit(LogLevel.ERROR, parts),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: (name: string) => {
      child = logger.child({ component: name });
    },
  };
}

/** What both receivers keep of the app Bolt hands them (`init`). */
export abstract class AppReceiver {
  protected app: App | undefined;
  /**
   * The bodies Bolt's routing let into the middleware chain: a `processEvent`
   * failure for a body not in it means Bolt could not read it (the payload's
   * fault), not that a listener failed.
   */
  protected routed = new WeakSet<object>();

  init(app: App): void {
    this.app = app;
    const routed = new WeakSet<object>();
    app.use(async ({ body, next }) => {
      routed.add(body);
      await next();
    });
    this.routed = routed;
  }
}
