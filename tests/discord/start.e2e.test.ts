/**
 * Starting the Discord platform (npm start): ready against the stand-in, and
 * setup mistakes reported as configuration problems naming the setting.
 */
import { GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { startDiscord, type RunningDiscord } from '../../adapters/discord/start.ts';
import type { DiscordConfig } from '../../src/config.ts';
import { isAdvisorError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { openTestStore } from '../support/test-store.ts';
import { testKnowledge } from './harness/bot-under-test.ts';
import { FakeDiscord } from './harness/fake-discord.ts';
import { watchProcessErrors } from './harness/process-errors.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: { refusedIntents?: number } = {}) {
  const watch = watchProcessErrors();
  const fake = await FakeDiscord.start(options);
  const store = await openTestStore();
  const shared = { store, knowledge: testKnowledge(), logger: silentLogger(), ttlMs: 3_600_000 };
  cleanups.push(async () => {
    watch.stop();
    await fake.close();
    await store.close();
    expect(watch.errors).toEqual([]);
  });
  const config = (overrides: Partial<DiscordConfig> = {}): DiscordConfig => ({
    token: fake.token,
    applicationId: fake.world.applicationId,
    apiUrl: `${fake.apiUrl}/`,
    messageContent: false,
    ...overrides,
  });
  return { fake, shared, config };
}

describe('startDiscord', () => {
  test('logs in through DISCORD_API_URL (a trailing slash is fine), is ready, and stops', async () => {
    const { fake, shared, config } = await setUp();
    const running: RunningDiscord = await startDiscord({ ...shared, config: config() });
    expect(running.name).toBe('discord');
    expect(running.client.isReady()).toBe(true);
    expect(running.turns.outbox).toBeDefined();
    expect(fake.requests[0]?.route).toBe('gatewayBot');
    await running.stop();
    expect(running.client.isReady()).toBe(false);
  });

  test('stop does not wait for ever on a send that hangs: it closes the client after 5 s (what was not sent stays in the outbox)', async () => {
    const { shared, config } = await setUp();
    const running = await startDiscord({ ...shared, config: config() });
    vi.spyOn(running.turns, 'idle').mockReturnValue(new Promise<void>(() => {}));
    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(running.client.isReady()).toBe(false);
  });

  test('a token Discord refuses is a configuration problem naming DISCORD_TOKEN', async () => {
    const { shared, config } = await setUp();
    const failure = await startDiscord({ ...shared, config: config({ token: 'not-the-token' }) }).catch((error: unknown) => error);
    expect(isAdvisorError(failure, 'CONFIG_INVALID')).toBe(true);
    expect((failure as Error).message).toContain('DISCORD_TOKEN');
  });

  test('Message Content requested but not enabled for the bot is a configuration problem naming DISCORD_MESSAGE_CONTENT', async () => {
    const { shared, config } = await setUp({ refusedIntents: GatewayIntentBits.MessageContent });
    const failure = await startDiscord({ ...shared, config: config({ messageContent: true }) }).catch((error: unknown) => error);
    expect(isAdvisorError(failure, 'CONFIG_INVALID')).toBe(true);
    expect((failure as Error).message).toContain('DISCORD_MESSAGE_CONTENT');
  });
});
