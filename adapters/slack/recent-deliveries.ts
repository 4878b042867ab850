/**
 * Remembers recently handled delivery ids in memory, for deliveries that touch
 * no session and so cannot use the core's durable event-id check: knowledge
 * questions by mention (Slack retries an event it thinks was missed) and the
 * share flow (a double click must not post the summary twice).
 *
 * `claim` is synchronous, so two concurrent deliveries of one id in this
 * process can never both win. Across processes this is best effort; the
 * interview itself is protected durably by the core.
 */
export interface RecentDeliveriesOptions {
  /** How long an id is remembered. Slack retries after about 1 and 5 minutes, so the default covers the schedule. */
  ttlMs?: number;
  /** At most this many ids are kept; the oldest are forgotten first. */
  maxEntries?: number;
  clock?: () => number;
}

export class RecentDeliveries {
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly clock: () => number;

  constructor(options: RecentDeliveriesOptions = {}) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  /** True the first time `id` is claimed within the TTL; false for a repeat. */
  claim(id: string): boolean {
    const now = this.clock();
    this.prune(now);
    const expiresAt = this.seen.get(id);
    if (expiresAt !== undefined && expiresAt > now) return false;
    this.seen.delete(id);
    this.seen.set(id, now + this.ttlMs);
    return true;
  }

  /** Forgets `id`, so a retry after a failure is handled again. */
  release(id: string): void {
    this.seen.delete(id);
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    // Map iteration is in insertion order, so expired and surplus entries are at the front.
    for (const [id, expiresAt] of this.seen) {
      if (expiresAt > now && this.seen.size < this.maxEntries) break;
      this.seen.delete(id);
    }
  }
}
