/**
 * Graceful shutdown for `npm start` (SIGTERM or SIGINT), in this order:
 *
 * 1. Stop taking new work: the health endpoint answers 503, the periodic
 *    sweep stops, Slack's HTTP port closes (a request still arriving on an
 *    open connection gets 503) and Discord leaves new interactions alone.
 *    Deliveries being received finish: their turns commit and the platform
 *    gets its answer, so nothing acknowledged is dropped half-way.
 * 2. Finish the turns in flight: every accepted turn's sends complete.
 * 3. Drain the outbox: one last sweep sends every entry that is due. An entry
 *    that cannot go in time (Slack or Discord slow or down, a retry not due
 *    yet) stays pending in the store, and the next start, or another replica's
 *    sweep, sends it.
 * 4. Close the platform clients, the health server and the store.
 *
 * Steps 1 to 3 share one time limit, so a platform that hangs cannot hold a
 * deploy forever; in step 4 Slack's and Discord's stop wait at most 5 s more
 * for their sends (`settleSends`), the shard manager's has its own limit, and
 * the store's last calls get 2 s each, so a database that stopped answering
 * cannot hold it either.
 */
import type { Logger } from '../src/logger.ts';
import type { SessionStore } from '../src/sessions/store.ts';
import { sweepAll, type Background, type TurnsHandle } from './background.ts';

export interface StoppablePlatform {
  name: string;
  turns: TurnsHandle;
  /** Stops taking new deliveries; resolves once those being received are committed and answered. */
  stopIntake?(): Promise<void>;
  /** Closes the platform's connections and clients. */
  stop(): Promise<void>;
}

export interface ShutdownOptions {
  platforms: readonly StoppablePlatform[];
  background: Background;
  store: SessionStore;
  logger: Logger;
  /** Called first, so the health endpoint starts answering 503. */
  beginStopping: () => void;
  /** Closes the health server (HEALTH_PORT), if one runs. */
  closeHealth?: () => Promise<void>;
  /** Time for steps 1 to 3 together. */
  graceMs: number;
  /** Time for each of the store's last calls (counting what is unsent, closing); 2 s by default. */
  storeStepMs?: number;
}

/** A database that stopped answering must not keep a supervisor waiting: each last store call gets this long. */
const STORE_STEP_MS = 2_000;
/** How long a platform's `stop` waits for its sends in flight before closing its client anyway. */
const SETTLE_SENDS_MS = 5_000;

export interface ShutdownReport {
  /** True when everything accepted was sent before the time limit. */
  drained: boolean;
  /** Outbox entries still unsent when the store closed (for the next start); undefined if unknown. */
  pending: number | undefined;
}

/** Resolves true after `promise`, or false after `ms`, whichever comes first. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * For a platform's `stop`: waits for its turns' sends in flight, at most 5 s, so a send that hangs cannot hold
 * shutdown; what was not sent stays in the outbox for the next start.
 */
export async function settleSends(turns: TurnsHandle, logger: Logger, ms = SETTLE_SENDS_MS): Promise<void> {
  if (!(await within(turns.idle(), ms))) logger.warn({ afterMs: ms }, 'sends still in flight when stopping; what was not sent stays in the outbox');
}

/**
 * The deliveries a platform is receiving (Slack's Socket Mode envelopes, Discord's interactions and messages):
 * step 1 closes it to new ones and waits for those under way, whose turns then commit and get their answer.
 */
export class Intake {
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  /** Runs `work` and keeps track of it; once closed, leaves it alone and returns false. */
  take(work: () => Promise<void>): boolean {
    if (this.closed) return false;
    const running = work();
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
    return true;
  }

  /** Takes work again (a receiver started after a stop). */
  open(): void {
    this.closed = false;
  }

  /** Takes no new work; resolves once the work under way has settled. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }
}

export async function shutDown(options: ShutdownOptions): Promise<ShutdownReport> {
  const { platforms, logger: log, store } = options;
  const started = Date.now();
  const left = (): number => options.graceMs - (Date.now() - started);
  options.beginStopping();
  // Started together: a periodic sweep in progress (a platform slow or failing) must not keep deliveries coming in meanwhile.
  const backgroundStopped = options.background.stop();
  const intakeStopped = await within(
    Promise.allSettled(platforms.map((p) => p.stopIntake?.() ?? Promise.resolve())),
    left(),
  );
  if (!intakeStopped) log.warn({ graceMs: options.graceMs }, 'deliveries were still being received when the time ran out');

  // The last sweep below must not overlap a periodic one.
  let drained = intakeStopped && (await within(backgroundStopped, left()));
  if (drained) drained = await within(Promise.allSettled(platforms.map((p) => p.turns.idle())), left());
  // What is due in any thread goes now (earlier failures whose retry time came, or a crashed replica's sends).
  if (drained) drained = await within(sweepAll(platforms, log), left());
  if (drained) drained = await within(Promise.allSettled(platforms.map((p) => p.turns.idle())), left());

  const storeStepMs = options.storeStepMs ?? STORE_STEP_MS;
  let pending: number | undefined;
  const counted = await within(
    store.pendingOutboxCount().then(
      (count) => (pending = count),
      (error: unknown) => log.warn({ err: error }, 'could not count the outbox at shutdown'),
    ),
    storeStepMs,
  );
  if (!counted) log.warn({ afterMs: storeStepMs }, 'the session store did not answer how much is unsent; stopping without it');
  if (!drained) {
    log.warn({ graceMs: options.graceMs, pending }, 'some replies were still being sent at shutdown; what was not sent stays in the outbox for the next start');
  } else if (pending !== undefined && pending > 0) {
    log.info({ pending }, 'outbox entries not due yet stay pending for the next start or another replica');
  }

  // Each platform bounds its own stop (settleSends for Slack and Discord; the shard manager kills a shard that overstays).
  await Promise.allSettled(platforms.map((p) => p.stop()));
  await options.closeHealth?.().catch((error: unknown) => log.warn({ err: error }, 'closing the health server failed'));
  const closed = await within(
    store.close().catch((error: unknown) => log.error({ err: error }, 'closing the session store failed')),
    storeStepMs,
  );
  if (!closed) log.warn({ afterMs: storeStepMs }, 'the session store did not close in time; stopping without waiting for it');
  log.info({ drained, pending, ms: Date.now() - started }, 'stopped');
  return { drained, pending };
}
