/**
 * The work a running advisor does besides answering deliveries: sending what
 * the outbox still holds (once at start-up, for what a crash left unsent, then
 * every few seconds for retries), removing expired sessions, and the store's
 * own upkeep (SQLite's WAL checkpoint, once a second on its own thread, instead of
 * inside a turn).
 */
import type { Logger } from '../src/logger.ts';

/** What the background work needs of a platform's TurnService. */
export interface TurnsHandle {
  /** `stopped`: checked between threads, so a shutdown does not wait behind a long sweep. */
  readonly outbox: { sweep(stopped?: () => boolean): Promise<number> };
  cleanup(): Promise<number>;
  idle(): Promise<void>;
}

export interface BackgroundOptions {
  /** One per platform: each sweeps its own platform's threads. */
  turns: readonly { name: string; turns: TurnsHandle }[];
  logger: Logger;
  sweepEveryMs?: number;
  cleanupEveryMs?: number;
  /** Store upkeep kept out of the turns (SQLite's WAL checkpoint), run every `maintainEveryMs`; closed by `stop()`. */
  maintain?: StoreUpkeep;
  maintainEveryMs?: number;
}

export interface StoreUpkeep {
  run(): Promise<unknown>;
  close(): Promise<void>;
}

export interface Background {
  /** Stops the timers and waits for a sweep or cleanup in progress. */
  stop(): Promise<void>;
}

const SWEEP_EVERY_MS = 2_000;
const CLEANUP_EVERY_MS = 60 * 60 * 1000;
const MAINTAIN_EVERY_MS = 1_000;

/** Sends each platform's pending outbox entries; never throws (a failure is logged, the next sweep tries again). */
export async function sweepAll(turns: BackgroundOptions['turns'], logger: Logger, stopped?: () => boolean): Promise<void> {
  for (const platform of turns) {
    try {
      await platform.turns.outbox.sweep(stopped);
    } catch (error) {
      logger.error({ err: error, platform: platform.name }, 'outbox sweep failed; the next one will try again');
    }
  }
}

/**
 * Starts the periodic sweep and cleanup. Each runs again only after the
 * previous run finished (a slow platform never piles sweeps up), on unref'd
 * timers that never keep the process alive.
 */
export function startBackground(options: BackgroundOptions): Background {
  const { turns, logger } = options;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();

  const every = (ms: number, work: () => Promise<void>): (() => void) => {
    let timer: NodeJS.Timeout | undefined;
    const schedule = (): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        const run = work()
          .catch((error: unknown) => logger.error({ err: error }, 'background work failed'))
          .finally(() => {
            inFlight.delete(run);
            schedule();
          });
        inFlight.add(run);
      }, ms);
      timer.unref();
    };
    schedule();
    return () => clearTimeout(timer);
  };

  const cancelSweep = every(options.sweepEveryMs ?? SWEEP_EVERY_MS, () => sweepAll(turns, logger));
  const cancelCleanup = every(options.cleanupEveryMs ?? CLEANUP_EVERY_MS, async () => {
    // The store is shared: one platform's cleanup covers all of them.
    const first = turns[0];
    if (!first) return;
    await first.turns.cleanup().then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, 'session cleanup failed'),
    );
  });

  const { maintain } = options;
  const cancelMaintain = maintain
    ? every(options.maintainEveryMs ?? MAINTAIN_EVERY_MS, () =>
        maintain.run().then(
          () => undefined,
          (error: unknown) => logger.error({ err: error }, 'store upkeep failed; the next run will try again'),
        ),
      )
    : () => {};

  return {
    async stop() {
      stopped = true;
      cancelSweep();
      cancelCleanup();
      cancelMaintain();
      await Promise.all(inFlight);
      await maintain?.close().catch((error: unknown) => logger.error({ err: error }, 'could not stop the store upkeep'));
    },
  };
}
