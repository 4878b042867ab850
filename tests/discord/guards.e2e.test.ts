/**
 * What keeps an interview honest on Discord: only its owner can use it, a
 * redelivered interaction or a double click records once, a click on an old
 * message either still works or says the interview expired, and a slow core
 * is deferred within Discord's 3 seconds.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { ConversationEvent, SessionKey } from '../../src/conversation/types.ts';
import { ConversationService, type HandleOptions, type HandleResult } from '../../src/sessions/service.ts';
import { BotUnderTest, stopStartedBots, components, firstEmbed } from './harness/bot-under-test.ts';
import type { RecordedRequest } from './harness/fake-discord.ts';

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
    const before = await t.service.get(t.key(threadId));

    const intrusion = fake.select(world.bob, q1, t.control(q1, 'select').custom_id, ['api']);
    expect(await t.handled(intrusion)).toBe('refused_not_owner');
    const reply = callback(fake.callbacksFor(intrusion)[0]);
    expect(reply.type).toBe(4);
    expect(reply.data['flags']).toBe(EPHEMERAL);
    expect(String(reply.data['content'])).toContain(`<@${world.alice.id}>`);
    expect(String(reply.data['content'])).toContain('/advisor start');

    expect(await t.service.get(t.key(threadId))).toEqual(before);
    expect(await t.service.get(t.key(threadId, world.bob))).toBeUndefined();
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
    const choose = fake.select(world.alice, q1, t.control(q1, 'select').custom_id, ['api']);
    fake.dispatchInteraction(choose);

    await t.logs.waitFor((l) => l.msg === 'interaction handled' && l['interactionId'] === choose.id && l['outcome'] === 'duplicate', 'the redelivery');
    await t.handled(choose);
    expect(t.outcomes(choose).sort()).toEqual(['duplicate', 'ok']);
    expect(fake.callbacksFor(choose)).toHaveLength(1);
    expect(fake.requestsFor(choose).filter((r) => r.route === 'webhookCreate')).toHaveLength(1);
    const session = await t.service.get(t.key(threadId));
    expect(session?.history).toEqual(['project_type']);
    expect(session?.version).toBe(2);
  });

  test('a double click (two interactions on one button) records once; the second click is told so', async () => {
    t = await BotUnderTest.start();
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    await t.handled(fake.select(world.alice, q1, t.control(q1, 'select').custom_id, ['api']));
    const q2 = t.liveMessage(threadId);
    const button = t.control(q2, 'answer', 'Many small services');

    const first = fake.click(world.alice, q2, button.custom_id);
    const second = fake.click(world.alice, q2, button.custom_id);
    expect(await t.handled(first)).toBe('ok');
    expect(await t.handled(second)).toBe('ok');

    const session = await t.service.get(t.key(threadId));
    expect(session?.history).toEqual(['project_type', 'architecture']);
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
    const selectId = t.control(q1, 'select').custom_id;
    await t.handled(fake.select(world.alice, q1, selectId, ['api']));
    const q2 = t.liveMessage(threadId);
    // The old message's select, still on a client that has not refreshed: answering it again differently.
    const stale = fake.select(world.alice, { ...q1, components: q1.components }, selectId, ['web_app']);
    expect(await t.handled(stale)).toBe('ok');
    const reply = callback(fake.callbacksFor(stale)[0]);
    expect(reply.data['flags']).toBe(EPHEMERAL);
    expect(String(reply.data['content'])).toContain('earlier step');
    expect((await t.service.get(t.key(threadId)))?.answers).toEqual({ project_type: 'api' });
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

    const late = fake.select(world.alice, q1, t.control(q1, 'select').custom_id, ['api']);
    expect(await t.handled(late)).toBe('expired');
    const [first] = fake.callbacksFor(late);
    expect(callback(first).type).toBe(7);
    expect(callback(first).data['components']).toEqual([]);
    const notice = fake.requestsFor(late).find((r) => r.route === 'webhookCreate');
    expect((notice?.body as Record<string, unknown>)['flags']).toBe(EPHEMERAL);
    expect(String((notice?.body as Record<string, unknown>)['content'])).toContain('expired');
  });

  test('when the core is slower than the budget the click is deferred (type 6) and the result follows', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let slow = false;
    class SlowService extends ConversationService {
      override async handle(key: SessionKey, event: ConversationEvent, options?: HandleOptions): Promise<HandleResult> {
        if (slow) await gate;
        return super.handle(key, event, options);
      }
    }
    t = await BotUnderTest.start({ ackBudgetMs: 20, makeService: (parts) => new SlowService(parts) });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    slow = true;
    const choose = fake.select(world.alice, q1, t.control(q1, 'select').custom_id, ['api']);
    const deferred = await fake.waitForRequest((r) => r.route === 'interactionCallback' && r.params['interactionId'] === choose.id, 'the deferral');
    expect(callback(deferred).type).toBe(6);
    release();
    expect(await t.handled(choose)).toBe('ok');
    const calls = fake.requestsFor(choose).map((r) => `${r.route}:${r.params['messageId'] ?? ''}`);
    expect(calls).toEqual(['interactionCallback:', 'webhookEdit:@original', 'webhookCreate:']);
    expect(fake.message(q1.id).components).toEqual([]);
    expect(components(t.liveMessage(threadId)).length).toBeGreaterThan(0);
  });
});
