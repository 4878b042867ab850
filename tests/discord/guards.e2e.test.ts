/**
 * What keeps an interview honest on Discord: only its owner can use it, a
 * redelivered interaction or a double click records once, a click on an old
 * message either still works or says the interview expired, and a slow commit
 * is answered after it is saved and deferred within Discord's 3 seconds.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { BotUnderTest, stopStartedBots, components, firstEmbed } from './harness/bot-under-test.ts';
import type { RecordedRequest } from './harness/fake-discord.ts';
import { slowCommits } from './harness/stores.ts';
import { FIRST, FIRST_ANSWER, SECOND, titleOf } from './harness/first-question.ts';
import { canStopAsking } from '../../src/engine/chance.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { optionOf } from '../support/questions.ts';
import { testKnowledge } from './harness/bot-under-test.ts';

const EPHEMERAL = 64;

function callback(request: RecordedRequest | undefined): { type: number; data: Record<string, unknown> } {
  if (!request) throw new Error('no callback recorded');
  return request.body as { type: number; data: Record<string, unknown> };
}

let t: BotUnderTest;
afterEach(stopStartedBots);

describe('ownership', () => {
  test("someone else's click is refused ephemerally with a hint, and changes nothing", async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    const { threadId } = await t.startInterview(world.alice);
    const q1 = t.liveMessage(threadId);
    const before = await t.session(threadId);

    const intrusion = t.answer(q1, FIRST_ANSWER.label, world.bob);
    expect(await t.handled(intrusion)).toBe('refused_not_owner');
    const reply = callback(fake.callbacksFor(intrusion)[0]);
    expect(reply.type).toBe(4);
    expect(reply.data['flags']).toBe(EPHEMERAL);
    expect(String(reply.data['content'])).toContain(`<@${world.alice.id}>`);
    expect(String(reply.data['content'])).toContain('/advisor start');

    expect(await t.session(threadId)).toEqual(before);
    expect(await t.session(threadId, world.bob)).toBeUndefined();
    expect(fake.message(q1.id).components).toEqual(q1.components);
    expect(fake.requestsFor(intrusion).map((r) => r.route)).toEqual(['interactionCallback']);
  });

  test('/advisor start inside a thread that is someone else\'s interview is refused', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    const { threadId } = await t.startInterview(world.alice);
    const start = fake.slash(world.bob, fake.channel(threadId), 'start');
    expect(await t.handled(start)).toBe('refused_not_owner');
    expect(callback(fake.callbacksFor(start)[0]).data['flags']).toBe(EPHEMERAL);
  });
});

describe('applied once', () => {
  test('a redelivered INTERACTION_CREATE (same interaction id) is applied once and answered once', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    const choose = t.answer(q1, FIRST_ANSWER.label);
    fake.dispatchInteraction(choose);

    await t.logs.waitFor((l) => l.msg === 'interaction handled' && l['interactionId'] === choose.id && l['outcome'] === 'duplicate', 'the redelivery');
    await t.logs.waitFor((l) => l.msg === 'interaction handled' && l['interactionId'] === choose.id && l['outcome'] === 'ok', 'the first delivery');
    expect(t.outcomes(choose).sort()).toEqual(['duplicate', 'ok']);
    expect(fake.callbacksFor(choose)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === threadId)).toHaveLength(2);
    expect(fake.messagesIn(threadId).filter((m) => m.embeds.length > 0 && firstEmbed(m).title === titleOf(SECOND))).toHaveLength(1);
    const session = await t.session(threadId);
    expect(session?.history).toEqual([FIRST]);
    expect(session?.version).toBe(2);
  });

  test('a double click (two interactions on one answer) records once; the second click is told so', async () => {
    t = await BotUnderTest.start();
    const { fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    await t.handled(t.answer(q1, FIRST_ANSWER.label));
    const q2 = t.liveMessage(threadId);
    // The second question's last answer, after which a third question is asked.
    const last = optionOf(testKnowledge(), SECOND, testKnowledge().criterionById.get(SECOND)!.options.length - 1);
    expect(canStopAsking(recommend(testKnowledge(), { [FIRST]: FIRST_ANSWER.id, [SECOND]: last.id }))).toBe(false);

    const first = t.answer(q2, last.label);
    const second = t.answer(q2, last.label);
    expect(await t.handled(first)).toBe('ok');
    expect(await t.handled(second)).toBe('ok');

    const session = await t.session(threadId);
    expect(session?.history).toEqual([FIRST, SECOND]);
    expect(session?.version).toBe(3);
    const secondReply = callback(fake.callbacksFor(second)[0]);
    expect(secondReply.type).toBe(4);
    expect(secondReply.data['flags']).toBe(EPHEMERAL);
    expect(String(secondReply.data['content'])).toMatch(/Already recorded|earlier step/);
    const questionsPosted = fake.messagesIn(threadId).filter((m) => (m.flags & EPHEMERAL) === 0 && m.embeds.length > 0);
    expect(questionsPosted.filter((m) => firstEmbed(m).footer?.text.includes('Question 3'))).toHaveLength(1);
  });

  test('a click on an old question after moving on changes nothing and points at the open question', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    // The message as a client that has not refreshed keeps showing it, controls and all.
    const shownBefore = { ...q1, components: q1.components };
    await t.handled(t.answer(q1, FIRST_ANSWER.label));
    const q2 = t.liveMessage(threadId);
    // Its controls, answered again differently.
    const stale = t.answer(shownBefore, optionOf(testKnowledge(), FIRST, 1).label);
    expect(await t.handled(stale)).toBe('ok');
    const reply = callback(fake.callbacksFor(stale)[0]);
    expect(reply.data['flags']).toBe(EPHEMERAL);
    expect(String(reply.data['content'])).toContain('earlier step');
    expect((await t.session(threadId))?.answers).toEqual({ [FIRST]: FIRST_ANSWER.id });
    expect(t.liveMessage(threadId).id).toBe(q2.id);
  });
});

describe('old messages and slow work', () => {
  test('a click after the interview expired says so plainly and removes the dead controls', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    t = await BotUnderTest.start({ ttlMs: 60_000, clock: () => now });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    now += 61_000;

    const late = t.answer(q1, FIRST_ANSWER.label);
    expect(await t.handled(late)).toBe('expired');
    const [first] = fake.callbacksFor(late);
    expect(callback(first).type).toBe(7);
    expect(callback(first).data['components']).toEqual([]);
    // One notice, privately; nothing else is posted and the interview is not restarted by a click.
    const notices = fake.requestsFor(late).filter((r) => r.route === 'webhookCreate');
    expect(notices).toHaveLength(1);
    expect((notices[0]?.body as Record<string, unknown>)['flags']).toBe(EPHEMERAL);
    expect(String((notices[0]?.body as Record<string, unknown>)['content'])).toContain('expired');
    expect(fake.message(q1.id).components).toEqual([]);
    expect((await t.session(threadId))?.answers).toEqual({});
  });

  test('a click once cleanup has removed the interview: the clicked question loses its controls and keeps what it asked', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    t = await BotUnderTest.start({ ttlMs: 60_000, clock: () => now });
    const { fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    const shown = { content: q1.content, embeds: q1.embeds };
    now += 61_000;
    expect(await t.store.deleteExpired(now - 60_000, now)).toBe(1);

    const late = t.answer(q1, FIRST_ANSWER.label);
    await t.handled(late);
    // The notice first, privately, as the interaction's reply; then the tidy-up, with the bot token.
    const [first] = fake.callbacksFor(late);
    expect(callback(first)).toMatchObject({ type: 4, data: { flags: EPHEMERAL } });
    expect(String(callback(first).data['content'])).toContain('expired');
    const retire = fake.requests.filter((r) => r.route === 'channelMessageEdit' && r.params['messageId'] === q1.id).at(-1);
    // Only the controls are sent: Discord keeps the fields an edit leaves out.
    expect(retire?.body).toMatchObject({ components: [] });
    expect(retire?.body).not.toHaveProperty('content');
    expect(retire?.body).not.toHaveProperty('embeds');
    expect(fake.message(q1.id)).toMatchObject({ ...shown, components: [] });
    expect(await t.session(threadId)).toBeUndefined();
  });

  test('a slow commit: nothing is said to Discord before the turn is saved, then the click is deferred (type 6) at once and the result follows', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = { on: false };
    t = await BotUnderTest.start({ ackBudgetMs: 20, wrapStore: (store) => slowCommits(store, slow, gate) });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    slow.on = true;
    const choose = t.answer(q1, FIRST_ANSWER.label);
    // Well past the budget, the commit is still held: Discord has heard nothing.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.callbacksFor(choose)).toEqual([]);
    expect((await t.session(threadId))?.answers).toEqual({});
    release();
    expect(await t.handled(choose)).toBe('ok');
    expect(callback(fake.callbacksFor(choose)[0]).type).toBe(6);
    const calls = fake.requestsFor(choose).map((r) => `${r.route}:${r.params['messageId'] ?? ''}`);
    // The deferral, the answered question edited through it, then the next question with the bot token.
    expect(calls).toEqual(['interactionCallback:', 'webhookEdit:@original']);
    expect(fake.requests.at(-1)).toMatchObject({ route: 'channelMessageCreate', params: { channelId: threadId } });
    expect(fake.message(q1.id).components).toEqual([]);
    expect(components(t.liveMessage(threadId)).length).toBeGreaterThan(0);
  });
});
