/**
 * Discord calls that fail: each is logged with context, explained to the user
 * ephemerally, and loses nothing already recorded.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { BotUnderTest, stopStartedBots, components } from './harness/bot-under-test.ts';
import { discordErrors, type FakeChannel, type InteractionPayload, type RecordedRequest, type StoredMessage } from './harness/fake-discord.ts';

const EPHEMERAL = 64;

let t: BotUnderTest;
afterEach(stopStartedBots);

/** Runs an interview to its recommendation and opens the channel picker; returns the picker message. */
async function openChannelPicker(bot: BotUnderTest): Promise<{ threadId: string; picker: StoredMessage; selectId: string }> {
  const { world, fake } = bot;
  const { threadId } = await bot.startInterview();
  const q1 = bot.liveMessage(threadId);
  await bot.handled(fake.select(world.alice, q1, bot.control(q1, 'select').custom_id, ['api']));
  const q2 = bot.liveMessage(threadId);
  await bot.handled(fake.click(world.alice, q2, bot.control(q2, 'result').custom_id));
  const recommendation = bot.liveMessage(threadId);
  const post = fake.click(world.alice, recommendation, bot.control(recommendation, 'postToChannel').custom_id);
  await bot.handled(post);
  const picker = fake.message(fake.rest.interactions.get(post.id)!.originalMessageId!);
  return { threadId, picker, selectId: components(picker)[0]!.custom_id };
}

function pickerText(bot: BotUnderTest, interaction: InteractionPayload): string {
  const edit = bot.fake.requestsFor(interaction).filter((r: RecordedRequest) => r.route === 'webhookEdit').at(-1);
  return String((edit?.body as Record<string, unknown> | undefined)?.['content'] ?? '');
}

function postsTo(bot: BotUnderTest, channel: FakeChannel): RecordedRequest[] {
  return bot.fake.requests.filter((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === channel.id);
}

describe('posting the recommendation to a channel', () => {
  test('50013 Missing Permissions in the chosen channel is logged with context and explained; the picker stays', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === world.locked.id, ...discordErrors.missingPermissions() });
    const { threadId, picker, selectId } = await openChannelPicker(t);
    const answersBefore = (await t.service.get(t.key(threadId)))?.answers;

    const chosen = fake.selectChannel(world.alice, picker, selectId, world.locked);
    expect(await t.handled(chosen)).toBe('post_failed');
    expect(postsTo(t, world.locked).map((r) => r.status)).toEqual([403]);
    const text = pickerText(t, chosen);
    expect(text).toContain(`<#${world.locked.id}>`);
    expect(text).toContain('permission');
    expect(text).toContain('saved');
    expect(components(fake.message(picker.id))[0]?.type).toBe(8);
    expect(fake.message(picker.id).flags & EPHEMERAL).toBe(EPHEMERAL);
    const logged = t.logs.lines.find((l) => l.msg === 'posting the recommendation failed');
    expect(logged).toMatchObject({ failure: 'missing_permissions', status: 403, code: 50013, channelId: world.locked.id, interactionId: chosen.id, userId: world.alice.id });
    expect((await t.service.get(t.key(threadId)))?.answers).toEqual(answersBefore);

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

  test('a long 429 is not waited out past the interaction: the user is told to try again later', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === world.announcements.id, ...discordErrors.rateLimited(60) });
    const { picker, selectId } = await openChannelPicker(t);
    const chosen = fake.selectChannel(world.alice, picker, selectId, world.announcements);
    expect(await t.handled(chosen)).toBe('post_failed');
    expect(pickerText(t, chosen)).toContain('rate-limiting');
    expect(t.logs.lines.find((l) => l.msg === 'posting the recommendation failed')).toMatchObject({ failure: 'rate_limited' });
  });

  test('a 5xx that outlasts the retries is explained', async () => {
    t = await BotUnderTest.start({ restRetries: 1 });
    const { world, fake } = t;
    fake.fail({ route: 'channelMessageCreate', when: (r) => r.params['channelId'] === world.announcements.id, ...discordErrors.serverError(503), times: 5 });
    const { picker, selectId } = await openChannelPicker(t);
    const chosen = fake.selectChannel(world.alice, picker, selectId, world.announcements);
    expect(await t.handled(chosen)).toBe('post_failed');
    expect(postsTo(t, world.announcements).map((r) => r.status)).toEqual([503, 503]);
    expect(pickerText(t, chosen)).toContain('HTTP 503');
  });
});

describe('during the interview', () => {
  test('when the next question cannot be posted the answer is still saved, the user is told, and /advisor start in the thread picks up', async () => {
    t = await BotUnderTest.start({ restRetries: 0 });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    fake.fail({ route: 'webhookCreate', when: (r) => (r.body as Record<string, unknown>)['flags'] === undefined, ...discordErrors.serverError(500) });

    const choose = fake.select(world.alice, q1, t.control(q1, 'select').custom_id, ['api']);
    expect(await t.handled(choose)).toBe('shown_with_failure');
    expect((await t.service.get(t.key(threadId)))?.answers).toEqual({ project_type: 'api' });
    const explanation = fake.requestsFor(choose).filter((r) => r.route === 'webhookCreate').at(-1);
    expect((explanation?.body as Record<string, unknown>)['flags']).toBe(EPHEMERAL);
    expect(String((explanation?.body as Record<string, unknown>)['content'])).toContain('Your answer is saved');
    expect(t.logs.lines.find((l) => l.msg === 'discord call failed')).toMatchObject({ step: 'post in the thread', failure: 'discord_unavailable', status: 500 });

    const resume = fake.slash(world.alice, fake.channel(threadId), 'start');
    expect(await t.handled(resume)).toBe('ok');
    const live = t.liveMessage(threadId);
    expect(live.embeds).toEqual([expect.objectContaining({ title: 'Architecture' })]);
    expect(fake.requestsFor(resume).map((r) => r.route)).toEqual(['interactionCallback', 'webhookCreate']);
    expect((await t.service.get(t.key(threadId)))?.answers).toEqual({ project_type: 'api' });
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
