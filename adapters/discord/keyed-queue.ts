/**
 * Runs jobs one at a time per key. The adapter runs each interview's turns in
 * order (read meta, apply the event, post, remember message ids) so a double
 * click cannot interleave two deliveries. All interactions of one guild reach
 * the same shard, so in-process ordering is enough; the core's version checks
 * guard the data across processes regardless.
 */
export interface KeyedQueue {
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Resolves when every job queued so far has finished. */
  idle(): Promise<void>;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, job) {
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(job, job);
      const tail = next.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
    async idle() {
      await Promise.all([...tails.values()]);
    },
  };
}
