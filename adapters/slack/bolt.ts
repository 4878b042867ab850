/**
 * What the adapter adds to Bolt: its logs (Bolt, its Web API client and its
 * Socket Mode client log through a small `Logger` interface of their own) go
 * to the advisor's pino logger instead of the console, and the receivers share
 * how a body is handed to Bolt and what became of it (routed or not, acked or not).
 */
import { LogLevel, ReceiverInconsistentStateError, ReceiverMultipleAckError, type App, type Logger as BoltLogger, type ReceiverEvent } from '@slack/bolt';
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

/** How `app.processEvent` ended for one body; each receiver answers Slack from it. */
export type Processed =
  /** The listeners finished and one acknowledged, with `answer` (a slash command's reply, say). */
  | { kind: 'acked'; answer: unknown }
  /** The listeners finished and none acknowledged. */
  | { kind: 'unacked' }
  /** A listener (or middleware) threw: nothing may be taken as done. */
  | { kind: 'failed'; error: unknown }
  /** Bolt failed before any middleware ran: the body is at fault, not the app. */
  | { kind: 'unroutable'; error: unknown };

/** What both receivers keep of the app Bolt hands them (`init`), and how they hand it a body. */
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

  /**
   * Runs Bolt on `body` with an `ack` that only records the answer (`onAck` is
   * told when it comes): Slack is answered from the result, once every listener
   * has finished, so an acknowledgement always follows the listener's commit.
   */
  protected async process(body: Record<string, unknown>, retry: { retryNum?: number; retryReason?: string }, onAck?: () => void): Promise<Processed> {
    const app = this.app;
    if (!app) throw new ReceiverInconsistentStateError('The Slack receiver was given a body before App#init.');
    let acked = false;
    let answer: unknown;
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (acked) throw new ReceiverMultipleAckError();
        acked = true;
        answer = response;
        onAck?.();
      },
      ...(retry.retryNum === undefined ? {} : { retryNum: retry.retryNum }),
      ...(retry.retryReason ? { retryReason: retry.retryReason } : {}),
    };
    try {
      await app.processEvent(event);
    } catch (error) {
      return this.routed.has(body) ? { kind: 'failed', error } : { kind: 'unroutable', error };
    }
    return acked ? { kind: 'acked', answer } : { kind: 'unacked' };
  }
}
