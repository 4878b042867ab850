/**
 * The order of a graceful shutdown (adapters/shutdown.ts), with stand-in
 * platforms: no new work first, then the turns in flight, one last sweep, and
 * only then the clients and the store; and a time limit that a hanging
 * platform cannot stretch. The real program is stopped mid-burst in
 * tests/slack/shutdown.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Background } from '../../adapters/background.ts';
import { shutDown, type StoppablePlatform } from '../../adapters/shutdown.ts';
import { silentLogger } from '../../src/logger.ts';
import type { SessionStore } from '../../src/sessions/store.ts';

function platform(name: string, steps: string[], options: { idle?: () => Promise<void> } = {}): StoppablePlatform {
  return {
    name,
    turns: {
      outbox: {
        sweep: async () => {
          steps.push(`${name}: sweep`);
          return 0;
        },
      },
      cleanup: async () => 0,
      idle: async () => {
        steps.push(`${name}: idle`);
        await options.idle?.();
      },
    },
    stopIntake: async () => {
      steps.push(`${name}: stop intake`);
    },
    stop: async () => {
      steps.push(`${name}: stop`);
    },
  };
}

function store(steps: string[], pending: number): SessionStore {
  const fake = {
    pendingOutboxCount: async () => pending,
    close: async () => {
      steps.push('store: close');
    },
  };
  return fake as unknown as SessionStore;
}

function background(steps: string[]): Background {
  return {
    stop: async () => {
      steps.push('background: stop');
    },
  };
}

describe('shutDown', () => {
  it('stops taking work, lets the turns finish, sweeps once more, then closes the clients, the health server and the store', async () => {
    const steps: string[] = [];
    const report = await shutDown({
      platforms: [platform('slack', steps), platform('discord', steps)],
      background: background(steps),
      store: store(steps, 0),
      logger: silentLogger(),
      beginStopping: () => steps.push('health: 503'),
      closeHealth: async () => {
        steps.push('health: close');
      },
      graceMs: 1_000,
    });
    expect(report).toEqual({ drained: true, pending: 0 });
    expect(steps).toEqual([
      'health: 503',
      'background: stop',
      'slack: stop intake',
      'discord: stop intake',
      'slack: idle',
      'discord: idle',
      'slack: sweep',
      'discord: sweep',
      'slack: idle',
      'discord: idle',
      'slack: stop',
      'discord: stop',
      'health: close',
      'store: close',
    ]);
  });

  it('gives up waiting after the grace period: what was not sent stays pending, and the store still closes', async () => {
    const steps: string[] = [];
    const started = Date.now();
    const report = await shutDown({
      platforms: [platform('slack', steps, { idle: () => new Promise<void>(() => {}) })],
      background: background(steps),
      store: store(steps, 3),
      logger: silentLogger(),
      beginStopping: () => undefined,
      graceMs: 100,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report).toEqual({ drained: false, pending: 3 });
    expect(steps).not.toContain('slack: sweep');
    expect(steps.slice(-2)).toEqual(['slack: stop', 'store: close']);
  });

  it('does not wait for ever on a database that stopped answering: counting and closing each get their time, then it stops', async () => {
    const steps: string[] = [];
    const hung = { pendingOutboxCount: () => new Promise<number>(() => {}), close: () => new Promise<void>(() => {}) } as unknown as SessionStore;
    const started = Date.now();
    const report = await shutDown({
      platforms: [platform('slack', steps)],
      background: background(steps),
      store: hung,
      logger: silentLogger(),
      beginStopping: () => undefined,
      graceMs: 100,
      storeStepMs: 50,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report).toEqual({ drained: true, pending: undefined });
    expect(steps.at(-1)).toBe('slack: stop');
  });
});
