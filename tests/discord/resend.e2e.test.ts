/**
 * A message that may have gone out is looked for before it is posted again.
 * Discord keeps no idempotency key on a message: the bot-token nonce holds
 * for a few minutes, and posts through an interaction have none. So when the
 * store failed right after Discord took a message, when Discord applied a
 * call but its answer was lost, or when the retry comes after the nonce
 * window, the resend reads the channel first (adapters/discord/find-posted.ts)
 * and the thread keeps exactly one live question.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { AdvisorError } from '../../src/errors.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { intercept } from '../turns/harness.ts';
import { optionOf } from '../support/questions.ts';
import { BotUnderTest, firstEmbed, stopStartedBots, testKnowledge } from './harness/bot-under-test.ts';
import type { StoredMessage } from './harness/fake-discord.ts';
import { discordErrors } from './harness/fake-rest.ts';
import { FIRST, FIRST_ANSWER, SECOND, titleOf } from './harness/first-question.ts';

afterEach(stopStartedBots);

const busy = (): AdvisorError => new AdvisorError('STORE_FAILURE', 'database is locked', { sqliteCode: 'SQLITE_BUSY' });

/** Public messages of `channelId` that carry interview controls, by the title of what they ask. */
function liveTitles(t: BotUnderTest, channelId: string): string[] {
  return t.fake
    .messagesIn(channelId)
    .filter((m: StoredMessage) => (m.flags & 64) === 0 && m.components.length > 0 && m.embeds.length > 0)
    .map((m) => firstEmbed(m).title ?? '');
}

/** A store whose `completeOutbox` of a post (a message id given) fails while `down.on`. */
function completionFails(down: { on: boolean }): (store: SessionStore) => SessionStore {
  return (store) =>
    intercept(store, 'completeOutbox', (real) => async (seq, result) => {
      if (down.on && result.messageId !== undefined) {
        down.on = false;
        throw busy();
      }
      return real(seq, result);
    });
}

describe('a post Discord took, then the store failed', () => {
  test('an answer whose next question went out but was never recorded as sent: the sweep finds it, and it stays the only one', async () => {
    let now = Date.now();
    const down = { on: false };
    const t = await BotUnderTest.start({ clock: () => now, wrapStore: completionFails(down) });
    const { threadId } = await t.startInterview();
    down.on = true;
    await t.handled(t.answer(t.liveMessage(threadId), FIRST_ANSWER.label));
    await t.turns.idle();
    expect(await t.store.pendingOutboxCount()).toBe(1);

    now += 5_000;
    expect(await t.turns.outbox.sweep()).toBe(1);
    await t.turns.idle();
    expect(liveTitles(t, threadId)).toEqual([titleOf(SECOND)]);
    expect(await t.store.pendingOutboxCount()).toBe(0);
    // The question found is the one the store now names: answering it moves the interview on.
    expect(await t.handled(t.answer(t.liveMessage(threadId), optionOf(testKnowledge(), SECOND).label))).toBe('ok');
    expect(liveTitles(t, threadId)).toHaveLength(1);
    expect(liveTitles(t, threadId)[0]).not.toBe(titleOf(SECOND));
  });

  test('a bot-token post resent after Discord has forgotten its nonce is found, not posted twice', async () => {
    let now = Date.now();
    const down = { on: false };
    const t = await BotUnderTest.start({ clock: () => now, wrapStore: completionFails(down) });
    const { world, fake } = t;
    // The first question of a new thread goes out with the bot token; its completion fails.
    fake.rest.onRecorded((request) => {
      if (request.route === 'threadFromMessage') down.on = true;
    });
    const start = fake.slash(world.alice, world.general, 'start');
    await t.handled(start);
    await t.turns.idle();
    const threadId = fake.rest.interactions.get(start.id)!.originalMessageId!;
    expect(await t.store.pendingOutboxCount()).toBe(1);

    now += 10 * 60_000;
    fake.rest.forgetNonces();
    expect(await t.turns.outbox.sweep()).toBe(1);
    await t.turns.idle();
    expect(liveTitles(t, threadId)).toEqual([titleOf(FIRST)]);
    expect(await t.store.pendingOutboxCount()).toBe(0);
  });

  test('/advisor start whose commit in the new thread failed: the retry finds its starter and thread, and asks there', async () => {
    let now = Date.now();
    let commits = 0;
    const t = await BotUnderTest.start({
      clock: () => now,
      // The second commit is the interview's start in the thread just opened.
      wrapStore: (store) => intercept(store, 'commitTurn', (real) => async (input) => (++commits === 2 ? Promise.reject(busy()) : real(input))),
    });
    const { world, fake } = t;
    const start = fake.slash(world.alice, world.general, 'start');
    await t.handled(start);
    await t.turns.idle();
    now += 5_000;
    expect(await t.turns.outbox.sweep()).toBe(1);
    await t.turns.idle();
    const starters = fake.messagesIn(world.general.id).filter((m) => (m.flags & 64) === 0);
    expect(starters).toHaveLength(1);
    expect(liveTitles(t, starters[0]!.id)).toEqual([titleOf(FIRST)]);
  });
});

describe('the same words posted for another operation are not taken for a resend', () => {
  test('a second /advisor start within the minute, whose thread failed once: its own starter gets its own thread', async () => {
    let now = Date.now();
    const t = await BotUnderTest.start({ clock: () => now, restRetries: 0 });
    const { world, fake } = t;
    const { threadId: first } = await t.startInterview();
    const firstThreadMessages = fake.messagesIn(first).length;
    now += 20_000;
    fake.fail({ route: 'threadFromMessage', ...discordErrors.serverError(500) });
    const second = fake.slash(world.alice, world.general, 'start');
    await t.handled(second);
    await t.turns.idle();
    now += 5_000;
    expect(await t.turns.outbox.sweep()).toBe(1);
    await t.turns.idle();
    // Both starters read "@alice is choosing a framework"; the first is the first interview's, recorded as sent.
    const starters = fake.messagesIn(world.general.id).filter((m) => (m.flags & 64) === 0);
    expect(starters).toHaveLength(2);
    const secondThread = fake.rest.interactions.get(second.id)!.originalMessageId!;
    expect(fake.rest.channels.has(secondThread)).toBe(true);
    expect(liveTitles(t, secondThread)).toEqual([titleOf(FIRST)]);
    expect(fake.messagesIn(first)).toHaveLength(firstThreadMessages);
  });

  test('a second /advisor start that comes too late to answer (10062): posted anew, not found in the first', async () => {
    const t = await BotUnderTest.start();
    const { world, fake } = t;
    const { threadId: first } = await t.startInterview();
    const firstThreadMessages = fake.messagesIn(first).length;
    fake.fail({ route: 'interactionCallback', status: 404, body: { code: 10062, message: 'Unknown interaction' } });
    await t.handled(fake.slash(world.alice, world.general, 'start'));
    await t.turns.idle();
    const starters = fake.messagesIn(world.general.id).filter((m) => (m.flags & 64) === 0);
    expect(starters.filter((m) => fake.rest.channels.has(m.id))).toHaveLength(2);
    expect(fake.messagesIn(first)).toHaveLength(firstThreadMessages);
    // Nothing was read back: an interaction that expired sent nothing.
    expect(fake.requests.filter((r) => r.route === 'channelMessageList')).toEqual([]);
  });
});

describe('where the bot token may not post', () => {
  test('a thread the bot cannot post in (a private thread it is not in): the next question goes as a follow-up', async () => {
    const t = await BotUnderTest.start();
    const { fake } = t;
    const { threadId } = await t.startInterview();
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === threadId, status: 403, body: { code: 50001, message: 'Missing Access' } });
    expect(await t.handled(t.answer(t.liveMessage(threadId), FIRST_ANSWER.label))).toBe('ok');
    await t.turns.idle();
    expect(liveTitles(t, threadId)).toEqual([titleOf(SECOND)]);
    expect(fake.requests.filter((r) => r.route === 'webhookCreate' && (r.body as { flags?: number }).flags === undefined)).toHaveLength(1);
    expect(await t.store.pendingOutboxCount()).toBe(0);
  });
});

describe('a call Discord applied whose answer was lost', () => {
  test("the next question answered 500 after it was made: discord.js's retry carries the same nonce, so Discord gives back that message", async () => {
    const t = await BotUnderTest.start();
    const { fake } = t;
    const { threadId } = await t.startInterview();
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === threadId, applied: true, ...discordErrors.serverError(500) });
    expect(await t.handled(t.answer(t.liveMessage(threadId), FIRST_ANSWER.label))).toBe('ok');
    await t.turns.idle();
    expect(liveTitles(t, threadId)).toEqual([titleOf(SECOND)]);
    expect(await t.store.pendingOutboxCount()).toBe(0);
    // No public message went as an interaction follow-up, whose retry has no nonce to hold it to one message.
    expect(fake.requests.filter((r) => r.route === 'webhookCreate' && (r.body as { flags?: number }).flags === undefined)).toEqual([]);
  });

  test('the same with no retry by discord.js, and the outbox retry after the nonce is forgotten: the look-up finds it', async () => {
    let now = Date.now();
    const t = await BotUnderTest.start({ clock: () => now, restRetries: 0 });
    const { fake } = t;
    const { threadId } = await t.startInterview();
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === threadId, applied: true, ...discordErrors.serverError(500) });
    await t.handled(t.answer(t.liveMessage(threadId), FIRST_ANSWER.label));
    await t.turns.idle();
    expect(await t.store.pendingOutboxCount()).toBe(1);
    now += 5_000;
    fake.rest.forgetNonces();
    expect(await t.turns.outbox.sweep()).toBe(1);
    await t.turns.idle();
    expect(liveTitles(t, threadId)).toEqual([titleOf(SECOND)]);
    expect(await t.store.pendingOutboxCount()).toBe(0);
  });

  test("/advisor start's reply answered 500 after it was made: discord.js retries, hears it was answered, and the channel is read before posting", async () => {
    const t = await BotUnderTest.start();
    const { world, fake } = t;
    fake.fail({ route: 'interactionCallback', applied: true, ...discordErrors.serverError(500) });
    const start = fake.slash(world.alice, world.general, 'start');
    await t.handled(start);
    await t.turns.idle();
    const starters = fake.messagesIn(world.general.id).filter((m) => (m.flags & 64) === 0);
    expect(starters).toHaveLength(1);
    expect(liveTitles(t, starters[0]!.id)).toEqual([titleOf(FIRST)]);
  });
});
