/**
 * Keeps a drain's claim on its outbox entries alive while the drain runs.
 *
 * A claim lapses after its lease so that a crashed process's entries go out
 * from another one. But a live drain can outlast the lease too: one slow
 * platform call (Slack allows 10 s), or several in a row. Without renewal
 * another process would take the entries over, look them up, find nothing yet
 * and send them while this drain is still sending: the message twice. So the
 * claim is renewed every third of the lease while the drain runs, and a drain
 * whose claim was lost (it stalled past the lease, or the store could not
 * renew it) stops before its next entry.
 */
import type { Logger } from '../logger.ts';
import type { SessionStore } from '../sessions/store.ts';

export interface ClaimKeeperOptions {
  store: Pick<SessionStore, 'renewOutbox'>;
  clock: () => number;
  leaseMs: number;
  owner: string;
  /** The claimed entries, in sending order. */
  seqs: readonly number[];
  log: Logger;
}

export class ClaimKeeper {
  readonly #options: ClaimKeeperOptions;
  readonly #unsent: Set<number>;
  readonly #timer: NodeJS.Timeout;
  #renewing: Promise<void> | undefined;
  /** The entry whose platform call runs now: a renewal may find it completed before the drain hears so. */
  #inFlight: number | undefined;
  #lost = false;

  constructor(options: ClaimKeeperOptions) {
    this.#options = options;
    this.#unsent = new Set(options.seqs);
    this.#timer = setInterval(() => this.#renew(), Math.max(1, Math.floor(options.leaseMs / 3)));
    // A drain's timer never keeps a process alive that is otherwise done.
    this.#timer.unref();
  }

  /** The claim may no longer be this drain's: send nothing more on it. */
  get lost(): boolean {
    return this.#lost;
  }

  /** The drain starts sending this entry. */
  sending(seq: number): void {
    this.#inFlight = seq;
  }

  /** The entry is settled (sent, failed or given back): it needs the claim no longer. */
  settled(seq: number): void {
    this.#unsent.delete(seq);
    if (this.#inFlight === seq) this.#inFlight = undefined;
  }

  /** Ends the renewals (again is harmless); waits for one in flight, so the drain's own later writes come after it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#renewing;
  }

  #renew(): void {
    if (this.#renewing !== undefined || this.#lost || this.#unsent.size === 0) return;
    const { store, clock, leaseMs, owner, log } = this.#options;
    const seqs = [...this.#unsent];
    this.#renewing = store
      .renewOutbox(seqs, owner, { now: clock(), leaseMs })
      .then((renewed) => {
        // An entry settled while the renewal ran, or the one being sent (its completion may have just landed), is no loss.
        const missing = seqs.filter((seq) => this.#unsent.has(seq) && seq !== this.#inFlight && !renewed.includes(seq));
        if (missing.length > 0) {
          this.#lost = true;
          log.warn({ missing, owner }, "this drain's claim was taken over (it outlasted its lease); it sends nothing more");
        }
      })
      .catch((error: unknown) => {
        this.#lost = true;
        log.warn({ err: error, owner }, "could not renew this drain's claim; it sends nothing more, and what is unsent goes with a later drain");
      })
      .finally(() => {
        this.#renewing = undefined;
      });
  }
}
