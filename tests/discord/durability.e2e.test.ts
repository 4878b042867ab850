/**
 * Issue 8 on Discord: a delivery is applied once however often it arrives
 * (also at two processes sharing one SQLite file), nothing is said before the
 * turn is saved and nothing is recorded when saving fails, a post that failed
 * waits in the outbox until a sweep sends it, and a resent post is not doubled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { DiscordPort } from '../../adapters/discord/port.ts';
import { silentLogger } from '../../src/logger.ts';
import { NOT_SAVED } from '../../src/turns/wording.ts';
import { BotUnderTest, components, firstEmbed, stopStartedBots, testKnowledge } from './harness/bot-under-test.ts';
import { discordErrors, type InteractionPayload } from './harness/fake-discord.ts';
import { failingCommits } from './harness/stores.ts';
import { FIRST, FIRST_ANSWER, SECOND, titleOf } from './harness/first-question.ts';

const EPHEMERAL = 64;

const folders: string[] = [];
afterEach(async () => {
  await stopStartedBots();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function databaseFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'advisor-discord-'));
  folders.push(folder);
  return join(folder, 'advisor.db');
}

async function outcomeOf(bot: BotUnderTest, interaction: InteractionPayload): Promise<string> {
  return bot.handled(interaction);
}

describe('applied once', () => {
  test('one interaction delivered to two processes on one SQLite file: applied once, answered once, posted once', async () => {
    const databasePath = databaseFile();
    const a = await BotUnderTest.start({ databasePath });
    const { world, fake } = a;
    const { threadId } = await a.startInterview();
    const q1 = a.liveMessage(threadId);
    // A second process: its own client on the same stand-in (every dispatch reaches both) and its own TurnService on the same file.
    const b = await BotUnderTest.start({ databasePath, fake });

    const choose = a.answer(q1, FIRST_ANSWER.label);
    const outcomes = await Promise.all([outcomeOf(a, choose), outcomeOf(b, choose)]);
    expect(outcomes.sort()).toEqual(['duplicate', 'ok']);
    await Promise.all([a.turns.idle(), b.turns.idle()]);

    const session = await a.session(threadId);
    expect(session?.history).toEqual([FIRST]);
    expect(session?.version).toBe(2);
    expect(fake.callbacksFor(choose)).toHaveLength(1);
    expect(fake.message(q1.id).components).toEqual([]);
    const questions = fake.messagesIn(threadId).filter((m) => m.embeds.length > 0 && firstEmbed(m).title === titleOf(SECOND));
    expect(questions).toHaveLength(1);
    expect(await a.store.pendingOutboxCount()).toBe(0);

    // The same interaction once more, to both: nothing new anywhere.
    const requestsBefore = fake.requests.length;
    fake.dispatchInteraction(choose);
    await vi.waitFor(() => expect([...a.outcomes(choose), ...b.outcomes(choose)].sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'ok']));
    await Promise.all([a.turns.idle(), b.turns.idle()]);
    expect(fake.requests.slice(requestsBefore)).toEqual([]);
    expect((await a.session(threadId))?.version).toBe(2);
  });
});

describe('each delivery answered through its own interaction', () => {
  test('six people running /advisor start at once in one channel each get their own reply and thread', async () => {
    const t = await BotUnderTest.start();
    const { world, fake } = t;
    const users = [world.alice, world.bob, ...[3, 4, 5, 6].map((n) => ({ ...world.bob, id: `90000000000000000${n}`, username: `user${n}`, global_name: `User ${n}` }))];
    // One channel is one outbox queue: each drain must answer its own interaction, not the one queued before it.
    const starts = users.map((user) => fake.slash(user, world.general, 'start'));
    expect(await Promise.all(starts.map((start) => t.handled(start)))).toEqual(users.map(() => 'ok'));
    for (const [index, start] of starts.entries()) {
      const user = users[index]!;
      const [reply] = fake.callbacksFor(start);
      expect(reply?.body).toMatchObject({ type: 4, data: { content: expect.stringContaining(`<@${user.id}>`) } });
      const threadId = fake.rest.interactions.get(start.id)!.originalMessageId!;
      expect(t.controlsOwner(t.liveMessage(threadId))).toBe(user.id);
    }
  });
});

describe('durable before acknowledged', () => {
  test('a commit that fails (database locked) tells the person privately and records nothing; the interaction applies once it can be saved', async () => {
    const failing = { on: false };
    const t = await BotUnderTest.start({ wrapStore: (store) => failingCommits(store, failing) });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    failing.on = true;

    const choose = t.answer(q1, FIRST_ANSWER.label);
    expect(await t.handled(choose)).toBe('not_saved');
    const [told] = fake.callbacksFor(choose);
    expect(told?.body).toMatchObject({ type: 4, data: { flags: EPHEMERAL, content: NOT_SAVED } });
    expect(t.logs.lines.find((l) => l.msg === 'the turn could not be saved; nothing was recorded')).toMatchObject({ interactionId: choose.id, level: 50 });
    expect((await t.session(threadId))?.answers).toEqual({});
    expect(await t.store.hasDelivery(choose.id, Date.now())).toBe(false);
    expect(await t.store.pendingOutboxCount()).toBe(0);
    expect(fake.message(q1.id).components).toEqual(q1.components);

    // Saving works again and the same interaction arrives once more: it applies now. Its token was spent on the
    // notice (Discord answers 40060), so the record and the next question go with the bot token instead.
    failing.on = false;
    fake.gateway.dispatch('INTERACTION_CREATE', choose); // the stand-in remembers it was answered already

    await t.logs.waitFor((l) => l.msg === 'interaction handled' && l['interactionId'] === choose.id && l['outcome'] === 'ok', 'the second delivery');
    expect((await t.session(threadId))?.answers).toEqual({ [FIRST]: FIRST_ANSWER.id });
    expect(fake.callbacksFor(choose).map((r) => r.status)).toEqual([204, 400]);
    expect(fake.requests.some((r) => r.route === 'channelMessageEdit' && r.params['messageId'] === q1.id && r.status === 200)).toBe(true);
    expect(fake.message(q1.id).components).toEqual([]);
    expect(firstEmbed(t.liveMessage(threadId)).title).toBe(titleOf(SECOND));
  });

  test('the first question of a new thread that fails to post waits in the outbox; the sweep posts it, once', async () => {
    let now = Date.now();
    const t = await BotUnderTest.start({ restRetries: 0, clock: () => now });
    const { world, fake } = t;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] !== world.general.id, ...discordErrors.serverError(500) });

    const start = fake.slash(world.alice, world.general, 'start');
    expect(await t.handled(start)).toBe('shown_with_failure');
    const threadId = fake.rest.interactions.get(start.id)!.originalMessageId!;
    expect(fake.channel(threadId)).toBeDefined();
    expect(() => t.liveMessage(threadId)).toThrow();
    expect(await t.store.pendingOutboxCount()).toBe(1);
    const note = fake.requestsFor(start).find((r) => r.route === 'webhookCreate');
    expect((note?.body as { flags: number }).flags).toBe(EPHEMERAL);

    // Not due yet: the sweep leaves it.
    expect(await t.turns.outbox.sweep()).toBe(0);
    now += 5_000;
    expect(await t.turns.outbox.sweep()).toBe(1);
    const q1 = t.liveMessage(threadId);
    expect(firstEmbed(q1).title).toBe(titleOf(FIRST));
    expect(fake.messagesIn(threadId).filter((m) => components(m).length > 0)).toHaveLength(1);
    expect(await t.store.pendingOutboxCount()).toBe(0);

    // And the interview goes on from it.
    const choose = t.answer(q1, FIRST_ANSWER.label);
    expect(await t.handled(choose)).toBe('ok');
    expect(fake.callbacksFor(choose)[0]?.body).toMatchObject({ type: 7 });
  });

  test('a post resent with the same handle is not doubled (Discord nonce); another handle is a new message', async () => {
    const t = await BotUnderTest.start();
    const { world, fake } = t;
    const port = new DiscordPort(t.bot.client, testKnowledge(), silentLogger());
    const where = { platform: 'discord', workspace: world.guild.id, conversation: world.general.id };
    const content = { kind: 'turnNotice' as const, notice: { code: 'nothing_to_share' as const } };
    const first = await port.post(where, content, { handle: 'delivery-1#0' });
    const again = await port.post(where, content, { handle: 'delivery-1#0' });
    const other = await port.post(where, content, { handle: 'delivery-2#0' });
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(fake.messagesIn(world.general.id).map((m) => m.id)).toEqual([first, other]);
  });

  test('retired with the bot token (no interaction at hand): only the controls go; a message deleted since is no failure', async () => {
    const t = await BotUnderTest.start();
    const { world, fake } = t;
    const port = new DiscordPort(t.bot.client, testKnowledge(), silentLogger());
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    const thread = { platform: 'discord', workspace: world.guild.id, conversation: threadId };
    await port.retire(thread, q1.id);
    const edit = fake.rest.requests.filter((r) => r.route === 'channelMessageEdit').at(-1);
    expect(edit?.body).toMatchObject({ components: [] });
    expect(edit?.body).not.toHaveProperty('content');
    expect(edit?.body).not.toHaveProperty('embeds');
    expect(fake.message(q1.id)).toMatchObject({ content: q1.content, embeds: q1.embeds, components: [] });
    await expect(port.retire(thread, '999999999999999999')).resolves.toBeUndefined();
  });
});
