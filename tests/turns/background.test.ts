/**
 * The background work `npm start` runs beside the platforms: outbox sweeps
 * that never overlap and survive failures, cleanup, and a stop that waits for
 * the sweep in progress, and the store's upkeep (SQLite's WAL checkpoint).
 */
import { describe, expect, it } from 'vitest';
import { startBackground, sweepAll, type TurnsHandle } from '../../adapters/background.ts';
import { captureLogs } from '../discord/harness/log-capture.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A platform's turn layer whose sweep takes `sweepMs` and fails when `failing` says so. */
function fakeTurns(options: { sweepMs?: number; failing?: (call: number) => boolean } = {}) {
  const state = { sweeps: 0, running: 0, mostAtOnce: 0, cleanups: 0 };
  const turns: TurnsHandle = {
    outbox: {
      async sweep() {
        const call = ++state.sweeps;
        state.running++;
        state.mostAtOnce = Math.max(state.mostAtOnce, state.running);
        try {
          await sleep(options.sweepMs ?? 0);
          if (options.failing?.(call)) throw new Error(`sweep ${call} failed`);
          return 0;
        } finally {
          state.running--;
        }
      },
    },
    async cleanup() {
      state.cleanups++;
      return 0;
    },
    async idle() {},
  };
  return { turns, state };
}

describe('background work', () => {
  it('sweeps again and again, never two at once, and carries on after a failed sweep (which is logged)', async () => {
    const logs = captureLogs();
    const slack = fakeTurns({ sweepMs: 15, failing: (call) => call === 1 });
    const background = startBackground({ turns: [{ name: 'slack', turns: slack.turns }], logger: logs.logger, sweepEveryMs: 2, cleanupEveryMs: 5 });
    await logs.waitFor((line) => line.msg.includes('outbox sweep failed'));
    while (slack.state.sweeps < 4) await sleep(5);
    await background.stop();
    expect(slack.state.mostAtOnce).toBe(1);
    expect(slack.state.cleanups).toBeGreaterThan(0);
    expect(logs.lines.find((line) => line.msg.includes('outbox sweep failed'))).toMatchObject({ platform: 'slack', err: { message: 'sweep 1 failed' } });
  });

  it('stop waits for the sweep in progress, and no sweep starts after it', async () => {
    const slack = fakeTurns({ sweepMs: 40 });
    const background = startBackground({ turns: [{ name: 'slack', turns: slack.turns }], logger: captureLogs().logger, sweepEveryMs: 1 });
    while (slack.state.running === 0) await sleep(1);
    await background.stop();
    expect(slack.state.running).toBe(0);
    const after = slack.state.sweeps;
    await sleep(20);
    expect(slack.state.sweeps).toBe(after);
  });

  it("one platform's failing sweep does not keep the other's from running", async () => {
    const logs = captureLogs();
    const slack = fakeTurns({ failing: () => true });
    const discord = fakeTurns();
    await sweepAll(
      [
        { name: 'slack', turns: slack.turns },
        { name: 'discord', turns: discord.turns },
      ],
      logs.logger,
    );
    expect([slack.state.sweeps, discord.state.sweeps]).toEqual([1, 1]);
    expect(logs.lines.filter((line) => line.level >= 50).map((line) => line['platform'])).toEqual(['slack']);
  });

  it('runs the store upkeep on its own timer, one run at a time, logs a failed run and carries on, and closes it on stop', async () => {
    const logs = captureLogs();
    let runs = 0;
    let running = 0;
    let mostAtOnce = 0;
    let closed = false;
    const maintain = {
      run: async (): Promise<void> => {
        runs++;
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await sleep(5);
        running--;
        if (runs === 2) throw new Error('checkpoint 2 failed');
      },
      close: async (): Promise<void> => {
        expect(running, 'closed only once no run is in progress').toBe(0);
        closed = true;
      },
    };
    const background = startBackground({ turns: [{ name: 'slack', turns: fakeTurns().turns }], logger: logs.logger, sweepEveryMs: 1_000, maintain, maintainEveryMs: 1 });
    while (runs < 4) await sleep(2);
    await background.stop();
    expect(closed).toBe(true);
    expect(mostAtOnce).toBe(1);
    const after = runs;
    await sleep(20);
    expect(runs).toBe(after);
    expect(logs.lines.find((line) => line.msg.includes('store upkeep failed'))).toMatchObject({ err: { message: 'checkpoint 2 failed' } });
  });
});
