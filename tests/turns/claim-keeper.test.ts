/**
 * The claim keeper on its own: it renews every third of the lease only what is
 * still unsent, reads a missing entry as a lost claim, except the one being
 * sent right now (its completion may land before the drain hears of it), and
 * renews nothing once stopped.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { ClaimKeeper } from '../../src/turns/claim-keeper.ts';

/** A store whose renewals renew what `held` says, recording what was asked. */
function fakeStore(held: (seq: number) => boolean) {
  const asked: number[][] = [];
  return {
    asked,
    renewOutbox: async (seqs: readonly number[]) => {
      asked.push([...seqs]);
      return seqs.filter(held);
    },
  };
}

const keeperOn = (store: ReturnType<typeof fakeStore>) => new ClaimKeeper({ store, clock: () => 0, leaseMs: 9_000, owner: 'A#1', seqs: [1, 2, 3], log: silentLogger() });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ClaimKeeper', () => {
  it('renews every third of the lease only the entries not settled yet, and nothing once stopped', async () => {
    const store = fakeStore(() => true);
    const keeper = keeperOn(store);
    await vi.advanceTimersByTimeAsync(3_000);
    keeper.settled(1);
    await vi.advanceTimersByTimeAsync(3_000);
    await keeper.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(store.asked).toEqual([
      [1, 2, 3],
      [2, 3],
    ]);
    expect(keeper.lost).toBe(false);
  });

  it('counts the entry being sent as no loss when a renewal finds it gone (it was just completed)', async () => {
    const store = fakeStore((seq) => seq !== 1);
    const keeper = keeperOn(store);
    keeper.sending(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(keeper.lost).toBe(false);
    await keeper.stop();
  });

  it('reads any other entry gone as a lost claim, and a renewal that fails too', async () => {
    const taken = keeperOn(fakeStore((seq) => seq !== 2));
    taken.sending(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(taken.lost).toBe(true);
    await taken.stop();

    const failing = new ClaimKeeper({
      store: {
        renewOutbox: async () => {
          throw new Error('database is locked');
        },
      },
      clock: () => 0,
      leaseMs: 9_000,
      owner: 'A#2',
      seqs: [5],
      log: silentLogger(),
    });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(failing.lost).toBe(true);
    await failing.stop();
  });
});
