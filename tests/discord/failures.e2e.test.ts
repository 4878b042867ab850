/**
 * Discord calls that fail: each is logged with context, explained to the user
 * ephemerally, loses nothing already recorded, and what may pass (a 5xx, a
 * rate limit) stays in the outbox to be sent later.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { BotUnderTest, stopStartedBots, components } from './harness/bot-under-test.ts';
import { discordErrors, type FakeChannel, type InteractionPayload, type RecordedRequest, type StoredMessage } from './harness/fake-discord.ts';
import { FIRST, FIRST_ANSWER, SECOND, titleOf } from './harness/first-question.ts';

const EPHEMERAL = 64;

let t: BotUnderTest;
afterEach(stopStartedBots);

/** Runs an interview to its recommendation and opens the channel picker; returns the picker message. */
async function openChannelPicker(bot: BotUnderTest): Promise<{ threadId: string; picker: StoredMessage; selectId: string }> {
  const { world, fake } = bot;
  const { threadId } = await bot.startInterview();
  const q1 = bot.liveMessage(threadId);
  await bot.handled(bot.answer(q1, FIRST_ANSWER.label));
  const q2 = bot.liveMessage(threadId);
  await bot.handled(fake.click(world.alice, q2, bot.control(q2, 'result').custom_id));
  const recommendation = bot.liveMessage(threadId);
  const post = fake.click(world.alice, recommendation, bot.control(recommendation, 'share').custom_id);
  await bot.handled(post);
  const picker = bot.pickerMessage(threadId);
  return { threadId, picker, selectId: components(picker)[0]!.custom_id };
}

/** What the person was told privately in answer to `interaction` (ephemeral replies and follow-ups), in order. */
function toldText(bot: BotUnderTest, interaction: InteractionPayload): string {
  return bot.fake
    .requestsFor(interaction)
    .map((r: RecordedRequest) => {
      const body = (r.body ?? {}) as { flags?: number; content?: string; data?: { flags?: number; content?: string } };
      const message = r.route === 'interactionCallback' ? body.data : body;
      return message && (message.flags ?? 0) & EPHEMERAL ? String(message.content ?? '') : '';
    })
    .filter(Boolean)
    .join('\n');
}

function failureLine(bot: BotUnderTest, step: string): Record<string, unknown> | undefined {
  return bot.logs.lines.find((l) => l.msg === 'discord call failed' && l['step'] === step);
}

function postsTo(bot: BotUnderTest, channel: FakeChannel): RecordedRequest[] {
  return bot.fake.requests.filter((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === channel.id);
}

describe('posting the recommendation to a channel', () => {
  test('50013 Missing Permissions in the chosen channel is logged with context and explained; the picker is offered again', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === world.locked.id, ...discordErrors.missingPermissions() });
    const { threadId, picker, selectId } = await openChannelPicker(t);
    const answersBefore = (await t.session(threadId))?.answers;

    const chosen = fake.selectChannel(world.alice, picker, selectId, world.locked);
    expect(await t.handled(chosen)).toBe('post_failed');
    expect(postsTo(t, world.locked).map((r) => r.status)).toEqual([403]);
    const text = toldText(t, chosen);
    expect(text).toBe(
      `I couldn't post the summary in <#${world.locked.id}>. I'm missing a permission for that (Send Messages, Embed Links or Create Public Threads); a server admin can grant it. Your answers are saved.`,
    );
    expect(components(fake.message(picker.id))[0]?.type).toBe(8);
    expect(fake.message(picker.id).channel_id).toBe(threadId);
    const logged = failureLine(t, 'post the summary');
    expect(logged).toMatchObject({ failure: 'missing_permissions', status: 403, code: 50013, channelId: world.locked.id, interactionId: chosen.id, userId: world.alice.id });
    expect((await t.session(threadId))?.answers).toEqual(answersBefore);
    // A permission does not come back by waiting: nothing is left to retry.
    expect(await t.store.pendingOutboxCount()).toBe(0);

    // Another channel still works from the same picker.
    const retry = fake.selectChannel(world.alice, fake.message(picker.id), selectId, world.announcements);
    expect(await t.handled(retry)).toBe('posted');
    expect(postsTo(t, world.announcements).map((r) => r.status)).toEqual([200]);
  });

  test('a short 429 is waited out and the summary still arrives', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === world.announcements.id, ...discordErrors.rateLimited(0.01) });
    const { picker, selectId } = await openChannelPicker(t);
    const chosen = fake.selectChannel(world.alice, picker, selectId, world.announcements);
    expect(await t.handled(chosen)).toBe('posted');
    expect(postsTo(t, world.announcements).map((r) => r.status)).toEqual([429, 200]);
  });

  test('a long 429 is not waited out past the interaction: the user is told, and the summary waits in the outbox', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === world.announcements.id, ...discordErrors.rateLimited(60) });
    const { picker, selectId } = await openChannelPicker(t);
    const chosen = fake.selectChannel(world.alice, picker, selectId, world.announcements);
    expect(await t.handled(chosen)).toBe('post_failed');
    // Discord's wait, rounded up from when the answer came: 60 or 61 s.
    expect(toldText(t, chosen)).toMatch(new RegExp(`^I couldn't post the summary in <#${world.announcements.id}>. Discord asked me to slow down for about 6[01] s\\.`));
    expect(toldText(t, chosen)).toContain('try again');
    expect(failureLine(t, 'post the summary')).toMatchObject({ failure: 'rate_limited' });
    expect(await t.store.pendingOutboxCount()).toBeGreaterThan(0);
  });

  test('a 5xx that outlasts the retries is explained', async () => {
    t = await BotUnderTest.start({ restRetries: 1 });
    const { world, fake } = t;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === world.announcements.id, ...discordErrors.serverError(503), times: 5 });
    const { picker, selectId } = await openChannelPicker(t);
    const chosen = fake.selectChannel(world.alice, picker, selectId, world.announcements);
    expect(await t.handled(chosen)).toBe('post_failed');
    expect(postsTo(t, world.announcements).map((r) => r.status)).toEqual([503, 503]);
    expect(toldText(t, chosen)).toContain(`I couldn't post the summary in <#${world.announcements.id}>. Discord had a problem on its side (HTTP 503).`);
  });
});

describe('during the interview', () => {
  test('when the next question cannot be posted the answer is still saved, the user is told, the sweep posts it later, and /advisor start in the thread picks up', async () => {
    let now = Date.now();
    t = await BotUnderTest.start({ restRetries: 0, clock: () => now });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === threadId, ...discordErrors.serverError(500) });

    const choose = t.answer(q1, FIRST_ANSWER.label);
    expect(await t.handled(choose)).toBe('shown_with_failure');
    expect((await t.session(threadId))?.answers).toEqual({ [FIRST]: FIRST_ANSWER.id });
    const explanation = fake.requestsFor(choose).filter((r) => r.route === 'webhookCreate').at(-1);
    expect((explanation?.body as Record<string, unknown>)['flags']).toBe(EPHEMERAL);
    expect(String((explanation?.body as Record<string, unknown>)['content'])).toBe(
      "I couldn't post my reply here. Discord had a problem on its side (HTTP 500). I will try again shortly; your answers are saved.",
    );
    expect(failureLine(t, 'post in the thread')).toMatchObject({ failure: 'discord_unavailable', status: 500, interactionId: choose.id });
    expect(await t.store.pendingOutboxCount()).toBe(1);
    // For now the question is recorded and nothing clickable is left in the thread...
    expect(() => t.liveMessage(threadId)).toThrow(/no message with controls/);

    // The sweep, once the retry is due, posts the question with the bot token: the thread has its live question again.
    now += 5_000;
    expect(await t.turns.outbox.sweep()).toBe(1);
    const swept = fake.requests.filter((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === threadId).at(-1);
    expect(swept?.status).toBe(200);
    expect(t.liveMessage(threadId).embeds).toEqual([expect.objectContaining({ title: titleOf(SECOND) })]);
    expect(await t.store.pendingOutboxCount()).toBe(0);

    const before = fake.requests.length;
    const resume = fake.slash(world.alice, fake.channel(threadId), 'start');
    expect(await t.handled(resume)).toBe('ok');
    const live = t.liveMessage(threadId);
    expect(live.embeds).toEqual([expect.objectContaining({ title: titleOf(SECOND) })]);
    // The interaction gets its first response; the question shown again goes with the bot token.
    expect(fake.requestsFor(resume).map((r) => r.route)).toEqual(['interactionCallback']);
    expect(fake.requests.slice(before).filter((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === threadId)).toHaveLength(1);
    expect((await t.session(threadId))?.answers).toEqual({ [FIRST]: FIRST_ANSWER.id });
    expect(fake.messagesIn(threadId).filter((m) => (m.flags & EPHEMERAL) === 0 && components(m).length > 0)).toHaveLength(1);
  });

  test('a missing Create Public Threads permission on /advisor start is explained', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    fake.fail({ route: 'threadFromMessage', ...discordErrors.missingPermissions() });
    const start = fake.slash(world.alice, world.general, 'start');
    expect(await t.handled(start)).toBe('thread_failed');
    const note = fake.requestsFor(start).find((r) => r.route === 'webhookCreate');
    expect((note?.body as Record<string, unknown>)['flags']).toBe(EPHEMERAL);
    expect(String((note?.body as Record<string, unknown>)['content'])).toContain('Create Public Threads');
  });
});
