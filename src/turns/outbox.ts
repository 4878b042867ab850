/**
 * Sends what committed turns queued, in order per thread, and remembers what
 * went out. An entry is marked sent only after the platform accepted it, so a
 * crash or a failed call leaves it pending: the next drain (the platform's
 * retry, the periodic sweep, or the next start) sends it. Delivery is
 * therefore at least once; an entry in flight when a process dies may be sent
 * twice, never lost.
 *
 * Across processes a claim (a lease in the store) keeps two drains of one
 * thread apart; in one process a keyed queue does.
 */
import type { Logger } from '../logger.ts';
import { isAdvisorError } from '../errors.ts';
import type { OutboxEntry, ReleasedEntry, SessionStore } from '../sessions/store.ts';
import { ClaimKeeper } from './claim-keeper.ts';
import { createKeyedQueue, type KeyedQueue } from './keyed-queue.ts';
import type { PlatformPort, ResendHints } from './port.ts';
import { failedDelivery, threadId, type ThreadKey } from './types.ts';

export interface OutboxOptions<Live> {
  store: SessionStore;
  port: PlatformPort<Live>;
  logger: Logger;
  clock: () => number;
  /** This process, as named in claims. */
  owner: string;
  /** How long a claim holds before another process may send the same entries. */
  leaseMs?: number;
  /** Attempts before a failing entry is given up. */
  maxAttempts?: number;
  /**
   * Commits the start of the interview in a thread that an `openThread` entry
   * just opened, marking that entry sent in the same transaction. Returns the
   * new thread, with the place its start's commit reserved (see `reserve`), if it did.
   */
  onThreadOpened(entry: OutboxEntry, opened: { conversation: string; messageId: string }): Promise<Opened<Live>>;
}

/** A thread an `openThread` entry opened, to drain once the thread that opened it is done. */
export interface Opened<Live> {
  thread: ThreadKey;
  reservation?: ReservedDrain<Live>;
}

/**
 * A place in a thread's queue of drains, taken right after a commit that
 * claimed its own entries (`TurnCommit.lease`): drains of the thread queued
 * after it wait for it, so the claimed entries still go out in commit order.
 * Exactly one of `send` and `cancel` must be called.
 */
export interface Reservation<Live> {
  /** Sends the claimed entries, then anything else pending (as `drain`). Never throws. */
  send(live?: Live): Promise<void>;
  /** Gives the place up unsent (the delivery was not acknowledged): the claim is given back, and the next drain or sweep sends the entries. */
  cancel(): void;
}

/** Entries a commit claimed as `owner`; `at` is the commit's `now`, from which its lease runs (see `reserve`). */
interface Claimed {
  entries: OutboxEntry[];
  owner: string;
  at: number;
}

export interface ReservedDrain<Live> extends Reservation<Live> {
  /** `send` without finishing the live delivery (an opened thread is drained within its opener's). */
  run(live: Live | undefined): Promise<void>;
}

/**
 * Long enough for a thread's few Web API calls, short enough that a process
 * restarted after a crash takes over what the dead one had claimed within
 * seconds. A drain that outlives it may be repeated by another process: a
 * message sent twice, never one lost.
 */
const DEFAULT_LEASE_MS = 10_000;
/**
 * Tries before an entry failing for a passing reason (Slack or Discord down) is given up. With the waits of
 * `backoffMs` the last one comes about 15 minutes after the first: longer than most outages, so the thread's live
 * question is there when the platform is back. Counted, not timed, so no clock of any replica or database matters.
 */
const DEFAULT_MAX_ATTEMPTS = 20;
const SWEEP_BATCH = 100;
/** Claims one drain makes at most (each sends everything pending then), so a thread that keeps getting turns cannot hold it forever. */
const MAX_DRAIN_ROUNDS = 5;

/** 1 s, 2 s, 4 s, ... up to a minute, or what the platform asked for if longer. */
function backoffMs(attempts: number, asked: number | undefined): number {
  return Math.max(Math.min(60_000, 1_000 * 2 ** attempts), asked ?? 0);
}

/**
 * Whether `entry` was queued by `delivery` (or by the start it opened a thread
 * for, committed as `<delivery>/started`): only then may that delivery's live
 * handle send it. Another delivery's post must not answer this interaction.
 */
function owns(entry: OutboxEntry, delivery: string | undefined): boolean {
  if (delivery === undefined || entry.deliveryId === undefined) return true;
  return entry.deliveryId === delivery || entry.deliveryId.startsWith(`${delivery}/`);
}

export class Outbox<Live> {
  private readonly queue: KeyedQueue = createKeyedQueue();
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  /** Counts this process's commit claims (`owner#n`); from a random start, so a restarted run with the same owner (the terminal's) never reuses an earlier run's claim name. */
  private leases = Math.floor(Math.random() * 1e9);

  constructor(private readonly options: OutboxOptions<Live>) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** Sends the thread's pending entries; `live` is the delivery being answered now, if any. Never throws. */
  async drain(thread: ThreadKey, live?: Live): Promise<void> {
    await this.drainWithOpened(thread, live).catch((error: unknown) => this.unexpected(thread, error));
    await this.finish(thread, live);
  }

  /** A drain that failed outside any one entry (a port that threw where it must not): what is unsent stays for the sweep. */
  private unexpected(thread: ThreadKey, error: unknown): void {
    this.options.logger.error({ err: error, thread: threadId(thread) }, 'the outbox drain failed; what is unsent stays for the next sweep');
  }

  /**
   * Ends the claims this owner holds on the thread's unsent entries, so they go with the next drain. Only for an
   * owner that no other live process shares (the terminal's, named after its person): its earlier run is gone.
   * Never throws: what it cannot end lapses as usual.
   */
  async takeOverEarlierRun(thread: ThreadKey): Promise<number> {
    return this.options.store.releaseClaimsOf(thread, this.options.owner).catch((error: unknown) => {
      this.options.logger.warn({ err: error, thread: threadId(thread) }, "could not take over an earlier run's claims; they will lapse");
      return 0;
    });
  }

  /** A claim for a commit to take on its own entries (`TurnCommit.lease`): named for one drain, so no other drain of this process takes them. */
  leaseFor(): { owner: string; leaseMs: number } {
    this.leases += 1;
    return { owner: `${this.options.owner}#${this.leases}`, leaseMs: this.leaseMs };
  }

  /**
   * Takes the thread's next place in the queue for `leased`, the entries a commit just claimed as `lease.owner`
   * (from `leaseFor`) with its `now` as `lease.at`; call it before anything else can queue a drain of the thread.
   */
  reserve(thread: ThreadKey, leased: OutboxEntry[], lease: { owner: string; at: number }): ReservedDrain<Live> {
    const claim: Claimed = { entries: leased, ...lease };
    let open!: (started: { live: Live | undefined } | undefined) => void;
    const gate = new Promise<{ live: Live | undefined } | undefined>((resolve) => (open = resolve));
    const slot = this.queue.run(threadId(thread), async () => {
      const started = await gate;
      if (started !== undefined) return this.drainNow(thread, started.live, claim);
      // Given back before any later drain of the thread runs, so the platform's retry (or that drain) sends them at once.
      await this.options.store.releaseOutbox(leased, lease.owner).catch((error: unknown) => {
        this.options.logger.warn({ err: error, thread: threadId(thread) }, 'could not release outbox entries; their claim will lapse');
      });
      return [];
    });
    const run = async (live: Live | undefined): Promise<void> => {
      open({ live });
      await this.continueOpened(await slot, live);
    };
    return {
      run,
      send: async (live) => {
        await run(live).catch((error: unknown) => this.unexpected(thread, error));
        await this.finish(thread, live);
      },
      cancel: () => open(undefined),
    };
  }

  private async finish(thread: ThreadKey, live: Live | undefined): Promise<void> {
    if (live !== undefined && this.options.port.finish) {
      await this.options.port.finish(live).catch((error: unknown) => {
        this.options.logger.warn({ err: error, thread: threadId(thread) }, 'could not finish the response to the platform');
      });
    }
  }

  /** Drains `thread`, then any thread it opened. */
  private async drainWithOpened(thread: ThreadKey, live: Live | undefined): Promise<void> {
    await this.continueOpened(await this.queue.run(threadId(thread), () => this.drainNow(thread, live)), live);
  }

  private async continueOpened(opened: Opened<Live>[], live: Live | undefined): Promise<void> {
    for (const [index, next] of opened.entries()) {
      try {
        if (next.reservation) await next.reservation.run(live);
        else await this.drainWithOpened(next.thread, live);
      } catch (error) {
        // A reservation left closed would hold its thread's queue (and `idle`) for ever.
        for (const rest of opened.slice(index + 1)) rest.reservation?.cancel();
        throw error;
      }
    }
  }

  /** Sends every thread's pending entries (after a start, and periodically for retries); returns how many threads it tried. */
  async sweep(stopped?: () => boolean): Promise<number> {
    const threads = await this.options.store.threadsWithPendingOutbox(this.options.clock(), SWEEP_BATCH, this.options.port.platform);
    for (const thread of threads) if (stopped?.() !== true) await this.drain(thread); // once stopped, shutdown's sweep takes over
    return threads.length;
  }

  /** Resolves when every drain started so far has finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Claims and sends the thread's pending entries, then claims again: while this drain held its
   * claim, another process may have committed a turn whose own drain found the thread claimed and
   * sent nothing, so this one sends that too rather than leaving it to the next sweep.
   */
  private async drainNow(thread: ThreadKey, live: Live | undefined, leased?: Claimed): Promise<Opened<Live>[]> {
    const opened: Opened<Live>[] = [];
    try {
      for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
        if (!(await this.drainClaimed(thread, live, opened, round === 0 ? leased : undefined))) break;
      }
    } catch (error) {
      for (const next of opened) next.reservation?.cancel();
      throw error;
    }
    return opened;
  }

  /**
   * One claim of the thread's pending entries (or the entries its commit claimed), sent in order;
   * true when it sent every entry it claimed (and claimed some).
   */
  private async drainClaimed(thread: ThreadKey, live: Live | undefined, opened: Opened<Live>[], leased: Claimed | undefined): Promise<boolean> {
    const { store, clock, logger } = this.options;
    const log = logger.child({ thread: threadId(thread) });
    const owner = leased?.owner ?? this.options.owner;
    let claimed: OutboxEntry[];
    try {
      const now = clock();
      // A claim that waited long (behind a slow drain) is renewed, or found taken over once it lapsed, before anything is sent on it.
      if (leased && now - leased.at < this.leaseMs / 2) claimed = leased.entries;
      else claimed = await store.claimOutbox(thread, { now, leaseMs: this.leaseMs, owner, renewing: leased !== undefined });
    } catch (error) {
      log.error({ err: error }, 'could not read the outbox; the sweep will try again');
      return false;
    }
    const delivery = live === undefined ? undefined : this.options.port.deliveryOf?.(live);
    const entries = this.upToOwn(claimed, delivery);
    if (entries.length < claimed.length) {
      // Later deliveries' entries wait for their own drain (queued right behind this one) or the sweep, so each delivery is answered through its own live handle.
      await store.releaseOutbox(claimed.slice(entries.length), owner).catch((releaseError: unknown) => {
        log.warn({ err: releaseError }, 'could not release outbox entries; their claim will lapse');
      });
    }
    const keeper = new ClaimKeeper({ store, clock, leaseMs: this.leaseMs, owner, seqs: entries.map((entry) => entry.seq), log });
    /** Ends the renewals, then gives back what this drain will not try (only what it still holds goes back). */
    const stopAndRelease = async (rest: readonly ReleasedEntry[]): Promise<false> => {
      await keeper.stop();
      if (rest.length > 0) {
        await store.releaseOutbox(rest, owner).catch((releaseError: unknown) => {
          log.warn({ err: releaseError }, 'could not release outbox entries; their claim will lapse');
        });
      }
      return false;
    };
    try {
      for (const [index, entry] of entries.entries()) {
        if (keeper.lost) return await stopAndRelease(entries.slice(index));
        keeper.sending(entry.seq);
        try {
          const next = await this.send(entry, owns(entry, delivery) ? live : undefined);
          keeper.settled(entry.seq);
          if (next) opened.push(next);
        } catch (error) {
          keeper.settled(entry.seq);
          const keepGoing = isAdvisorError(error, 'STORE_FAILURE') ? await this.storeFailed(entry, error, { owner, log }) : await this.failed(entry, error, { live, owner, log });
          if (!keepGoing) return await stopAndRelease(entries.slice(index + 1));
        }
      }
      return entries.length > 0 && entries.length === claimed.length;
    } finally {
      // Also when something threw out of the loop: a keeper left running would hold the entries for ever.
      await keeper.stop();
    }
  }

  /** With a live delivery: the entries up to its last own one (earlier ones of other deliveries still go first, in order). */
  private upToOwn(entries: OutboxEntry[], delivery: string | undefined): OutboxEntry[] {
    if (delivery === undefined) return entries;
    let last = -1;
    entries.forEach((entry, index) => {
      if (owns(entry, delivery)) last = index;
    });
    return entries.slice(0, last + 1);
  }

  private resendHints(entry: OutboxEntry): ResendHints {
    return { resend: entry.mayHaveBeenSent, since: entry.createdAt, taken: (ids) => this.options.store.sentMessageIds(entry.thread, ids) };
  }

  /** Sends one entry and marks it sent; returns the thread it opened, if it opened one. */
  private async send(entry: OutboxEntry, live: Live | undefined): Promise<Opened<Live> | undefined> {
    const { store, port, clock } = this.options;
    const { operation, thread } = entry;
    switch (operation.op) {
      case 'post': {
        const messageId = await port.post(thread, operation.content, {
          handle: operation.handle,
          ...(operation.channel === undefined ? {} : { channel: operation.channel }),
          ...(live === undefined ? {} : { live }),
          ...this.resendHints(entry),
        });
        await store.completeOutbox(entry.seq, { now: clock(), messageId });
        return undefined;
      }
      case 'edit': {
        const { target, when } = operation;
        const ready = when === undefined || (await store.messageIdOf(thread, when.handle)) !== undefined === when.sent;
        const messageId = 'messageId' in target ? target.messageId : await store.messageIdOf(thread, target.handle);
        // A message whose post was given up has nothing to edit.
        if (ready && messageId !== undefined) await port.edit(thread, messageId, operation.content, live);
        await store.completeOutbox(entry.seq, { now: clock() });
        return undefined;
      }
      case 'retire':
        await port.retire(thread, operation.messageId, live);
        await store.completeOutbox(entry.seq, { now: clock() });
        return undefined;
      case 'notify':
        await port.notify(thread, operation.user, operation.content, live);
        await store.completeOutbox(entry.seq, { now: clock() });
        return undefined;
      case 'openThread': {
        const opened = await port.openThread(thread, operation.content, live, { handle: operation.handle, ...this.resendHints(entry) });
        return this.options.onThreadOpened(entry, opened);
      }
    }
  }

  /**
   * The store failed while the entry was being sent, perhaps after the platform took it (its completion, or the start
   * committed in a thread just opened). The try is recorded like a passing failure, so a later drain, after the usual
   * wait, looks the message up before sending it; no one is told, as it may well have gone out. A post or a new
   * thread is never given up for this (given up, its message would be unknown, and later edits could not retire its
   * buttons); an edit or a note is, once out of tries. Returns false: the thread's later entries wait behind it.
   */
  private async storeFailed(entry: OutboxEntry, error: unknown, context: { owner: string; log: Logger }): Promise<false> {
    const { store, clock } = this.options;
    const { owner, log } = context;
    const attempts = entry.attempts + 1;
    const op = entry.operation.op;
    const retry = op === 'post' || op === 'openThread' || attempts < this.maxAttempts;
    log.error({ err: error, seq: entry.seq, op, attempts, retry }, 'the store failed while sending an outbox entry');
    try {
      const now = clock();
      const message = error instanceof Error ? error.message : String(error);
      await store.failOutbox(entry.seq, { now, error: message, owner, ...(retry ? { retryAt: now + backoffMs(attempts, undefined) } : {}) });
    } catch (storeError) {
      log.warn({ err: storeError, seq: entry.seq }, 'could not record the try either; the entry goes back as possibly sent');
      await store.releaseOutbox([{ seq: entry.seq, mayHaveBeenSent: true }], owner).catch(() => undefined);
    }
    return false;
  }

  /**
   * Records a failure under the drain's claim (`owner`); returns whether later entries of the thread may still go.
   * A claim taken over meanwhile (this drain stalled past its lease) records nothing: the entry is the new holder's.
   */
  private async failed(entry: OutboxEntry, error: unknown, context: { live: Live | undefined; owner: string; log: Logger }): Promise<boolean> {
    const { store, port, clock } = this.options;
    const { live, owner, log } = context;
    const verdict = port.classify(error);
    const attempts = entry.attempts + 1;
    const retry = verdict.retry && attempts < this.maxAttempts;
    log.warn({ err: error, seq: entry.seq, op: entry.operation.op, attempts, retry }, 'outbox entry not sent');
    try {
      const now = clock();
      const message = error instanceof Error ? error.message : String(error);
      const recorded = await store.failOutbox(entry.seq, { now, error: message, owner, ...(retry ? { retryAt: now + backoffMs(attempts, verdict.retryAfterMs) } : {}) });
      if (!recorded) {
        log.warn({ seq: entry.seq }, 'the entry was sent or taken over by another drain meanwhile; this drain stops');
        return false;
      }
    } catch (storeError) {
      log.error({ err: storeError, seq: entry.seq }, 'could not record the failure; the claim will lapse and the entry will be tried again');
      return false;
    }
    // Told at the first failure, and again when the entry is given up.
    const failed = failedDelivery(entry.operation);
    if (failed !== undefined && entry.actor !== undefined && (!retry || entry.attempts === 0)) {
      const content = { kind: 'turnNotice' as const, notice: { code: 'delivery_failed' as const, failed, explanation: verdict.explanation, retrying: retry } };
      await port.notify(entry.thread, entry.actor, content, live).catch((notifyError: unknown) => {
        log.warn({ err: notifyError }, 'could not tell the person that a message did not go out');
      });
    }
    return !retry;
  }
}
