/**
 * Sharded start-up that cannot work stops with a message and exit status 1,
 * without a crash loop: a token Discord refuses is caught by the manager
 * before any shard process starts, and a shard that cannot log in (the
 * Message Content intent not enabled) fails start-up after that one process.
 * With DISCORD_SHARD_LIST a machine runs only its share of the shards, and a
 * shard whose manager dies stops by itself. The store plays no part here, so
 * the e2e-postgres project leaves this file out (vitest.config.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayIntentBits } from 'discord.js';
import { afterEach, expect, test, vi } from 'vitest';
import { FakeDiscord } from './harness/fake-discord.ts';
import { alive, ShardedAdvisor } from './harness/shard-processes.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: { refusedIntents?: number } = {}): Promise<{ fake: FakeDiscord; folder: string }> {
  const fake = await FakeDiscord.start(options);
  fake.rest.recommendedShards = 2;
  fake.rest.maxConcurrency = 16;
  const folder = mkdtempSync(join(tmpdir(), 'advisor-shards-start-'));
  cleanups.push(async () => {
    await fake.close();
    rmSync(folder, { recursive: true, force: true });
  });
  return { fake, folder };
}

function start(fake: FakeDiscord, folder: string, overrides: { token?: string; env?: Record<string, string> } = {}): ShardedAdvisor {
  const advisor = ShardedAdvisor.start({
    token: overrides.token ?? fake.token,
    applicationId: fake.world.applicationId,
    apiUrl: fake.apiUrl,
    shards: '2',
    database: join(folder, 'advisor.db'),
    cwd: folder,
    ...(overrides.env ? { env: overrides.env } : {}),
  });
  cleanups.push(async () => {
    await advisor.stop('SIGKILL');
  });
  return advisor;
}

test('a token Discord refuses stops the manager naming DISCORD_TOKEN, before any shard process starts', async () => {
  const { fake, folder } = await setUp();
  const advisor = start(fake, folder, { token: 'not-the-token' });
  expect(await advisor.exited).toBe(1);
  expect(advisor.text.join('\n')).toContain('DISCORD_TOKEN');
  expect(advisor.lines.filter((l) => l.msg === 'discord shard process started')).toEqual([]);
  expect(fake.gateway.identifies).toEqual([]);
});

test('a shard that cannot log in fails start-up with its own message; it is not started again and again', async () => {
  const { fake, folder } = await setUp({ refusedIntents: GatewayIntentBits.MessageContent });
  const advisor = start(fake, folder, { env: { DISCORD_MESSAGE_CONTENT: 'true' } });
  expect(await advisor.exited).toBe(1);
  const printed = advisor.text.join('\n');
  expect(printed).toContain('DISCORD_MESSAGE_CONTENT');
  expect(printed).toContain('Discord shards could not start');
  expect(advisor.lines.filter((l) => l.msg === 'discord shard process started')).toHaveLength(1);
  expect(fake.gateway.identifies).toHaveLength(1);
});

test("DISCORD_SHARD_LIST: this machine runs only its share of the total; a shard whose manager is killed (SIGKILL) stops by itself", async () => {
  const { fake, folder } = await setUp();
  const advisor = start(fake, folder, { env: { DISCORD_SHARD_LIST: '1' } });
  await advisor.waitFor((l) => l.msg === 'discord shards ready', 'the shard to be ready');
  await advisor.waitFor((l) => l.msg === 'discord bot ready' && l['shard'] === 1, "shard 1's process to be ready");
  expect(fake.gateway.identifies.map((i) => i.shard)).toEqual([[1, 2]]);
  expect(advisor.lines.filter((l) => l.msg === 'discord shard process started').map((l) => l['shard'])).toEqual([1]);

  // Unmanaged shards would log in again next to the ones a restarted manager starts.
  const pid = advisor.pidOf(1);
  await advisor.stop('SIGKILL');
  await advisor.waitFor((l) => l.msg === 'stopping discord shard' && l['pid'] === pid, `shard process ${pid} to stop`);
  await advisor.closed;
  // Orphaned, it is reaped by whoever adopted it: wait for that.
  await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000, interval: 100 });
  expect(advisor.lines.find((l) => l.msg === 'stopping discord shard')?.['reason']).toBe('the shard manager went away');
  expect(advisor.lines.filter((l) => l.msg === 'discord bot stopped')).toHaveLength(1);
  expect(advisor.lines.filter((l) => l.level >= 40)).toEqual([]);
});
