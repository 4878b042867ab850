/**
 * Running Discord in production: `/healthz` on HEALTH_PORT (Discord has no
 * port of its own) from the real program, and shutdown: once it began, new
 * interactions are left alone while turns already accepted still finish.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort, startAdvisorProcess, type AdvisorProcess } from '../slack/harness/advisor-process.ts';
import { processDatabase, testStoreKind, type ProcessDatabase } from '../support/test-store.ts';
import { BotUnderTest, stopStartedBots } from './harness/bot-under-test.ts';
import { FakeDiscord } from './harness/fake-discord.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await stopStartedBots();
});

async function health(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('Discord only: /healthz on HEALTH_PORT (the real program)', () => {
  test(`answers 200 while the bot runs interviews, ${testStoreKind() === 'postgres' ? '503 once the database is gone, ' : ''}and SIGTERM ends it with status 0`, { timeout: 60_000 }, async () => {
    const fake = await FakeDiscord.start();
    const folder = mkdtempSync(join(tmpdir(), 'advisor-discord-health-'));
    const database: ProcessDatabase = await processDatabase(folder);
    let advisor: AdvisorProcess | undefined;
    cleanups.push(async () => {
      await advisor?.kill();
      await fake.close();
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
    });
    const healthPort = await freePort();
    advisor = await startAdvisorProcess({
      port: healthPort,
      database: database.setting,
      apiUrl: '',
      cwd: folder,
      env: {
        SLACK_BOT_TOKEN: undefined,
        SLACK_SIGNING_SECRET: undefined,
        SLACK_API_URL: undefined,
        PORT: undefined,
        DISCORD_TOKEN: fake.token,
        DISCORD_APPLICATION_ID: fake.world.applicationId,
        DISCORD_GUILD_ID: fake.world.guild.id,
        DISCORD_API_URL: fake.apiUrl,
        HEALTH_PORT: String(healthPort),
      },
    });
    const url = `http://127.0.0.1:${healthPort}/healthz`;
    expect(await health(url)).toEqual({ status: 200, body: { status: 'ok', storeMs: expect.any(Number) } });

    // The process serves Discord: /advisor start opens a thread with the first question.
    const start = fake.slash(fake.world.alice, fake.world.general, 'start');
    const opened = await fake.waitForRequest((r) => r.route === 'threadFromMessage', 'the interview thread');
    // A thread started from a message takes the message's id.
    await fake.waitForRequest((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === opened.params['messageId'], 'the first question in the thread');
    expect(fake.callbacksFor(start)).toHaveLength(1);

    if (testStoreKind() === 'postgres') {
      await database.drop();
      expect(await health(url)).toEqual({ status: 503, body: { status: 'unavailable', error: 'STORE_FAILURE' } });
    }
    await advisor.kill('SIGTERM');
    expect(await advisor.exited).toBe(0);
  });
});

describe('shutdown', () => {
  test('once intake stopped, a new interaction is left alone; the bot still sends and stops cleanly', async () => {
    const t = await BotUnderTest.start();
    const { threadId } = await t.startInterview();
    await t.turns.idle();
    const before = await t.session(threadId);

    await t.bot.stopIntake();
    const late = t.fake.slash(t.world.alice, t.world.general, 'start');
    await t.logs.waitFor((l) => l.msg === 'not handled: shutting down' && l['interactionId'] === late.id, 'the late interaction to be left alone');
    expect(t.outcomes(late)).toEqual([]);
    expect(t.fake.callbacksFor(late)).toEqual([]);
    expect(await t.session(threadId)).toEqual(before);
    // Sending is not intake: the outbox still goes out.
    expect(await t.turns.outbox.sweep()).toBeGreaterThanOrEqual(0);
    expect(await t.store.pendingOutboxCount()).toBe(0);
  });
});
