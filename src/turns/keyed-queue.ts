/**
 * Runs jobs one at a time per key, in the order they were queued. The turn
 * layer keeps each thread's turns (and, separately, its outbox drains) in
 * order inside one process; the store's versions and claims guard them across
 * processes.
 */
export interface KeyedQueue {
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Resolves when every job queued so far has finished. */
  idle(): Promise<void>;
  /** Keys with a job queued or running. */
  size(): number;
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
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
    size() {
      return tails.size;
    },
  };
}
