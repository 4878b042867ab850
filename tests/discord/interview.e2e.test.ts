/**
 * A whole interview through a real discord.js client against the local
 * stand-in: /advisor start opens a thread, a select, a button and a typed
 * (modal) answer move it on, each answered question turns into a record, the
 * recommendation is shown and posted to another channel as a summary.
 * Assertions are on the REST calls the stand-in recorded and on the store.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parseCustomId } from '../../adapters/discord/custom-id.ts';
import { BotUnderTest, components, firstEmbed } from './harness/bot-under-test.ts';
import type { RecordedRequest } from './harness/fake-discord.ts';

const CALLBACK = { channelMessage: 4, deferredUpdate: 6, updateMessage: 7, modal: 9 } as const;
const EPHEMERAL = 64;

function body(request: RecordedRequest): Record<string, unknown> {
  return request.body as Record<string, unknown>;
}
function callbackData(request: RecordedRequest): Record<string, unknown> {
  return body(request)['data'] as Record<string, unknown>;
}

let t: BotUnderTest;
beforeEach(async () => {
  t = await BotUnderTest.start();
});
afterEach(async () => {
  await t.stop();
  expect(t.errors.errors).toEqual([]);
});

describe('a whole interview', () => {
  test('from /advisor start through a select, a button and a typed answer to a recommendation posted in another channel', async () => {
    const { world, fake } = t;

    // /advisor start: a public reply in #general, a thread from it, the first question in the thread.
    const { threadId, interaction: start } = await t.startInterview();
    const [startCallback] = fake.callbacksFor(start);
    expect(startCallback).toBeDefined();
    expect(body(startCallback!)['type']).toBe(CALLBACK.channelMessage);
    expect(startCallback!.query['with_response']).toBe('true');
    expect(String(callbackData(startCallback!)['content'])).toContain(`<@${world.alice.id}>`);
    expect(callbackData(startCallback!)['flags'] ?? 0).toBe(0);
    const threadCall = fake.requests.find((r) => r.route === 'threadFromMessage')!;
    expect(threadCall.params['channelId']).toBe(world.general.id);
    expect(body(threadCall)).toMatchObject({ name: expect.stringContaining('Alice'), auto_archive_duration: 1440 });
    expect(threadCall.authorization).toBe(`Bot ${fake.token}`);

    // Question 1 has eight options: a string select, then the controls row.
    const q1 = t.liveMessage(threadId);
    expect(firstEmbed(q1).title).toBe('Project type');
    expect(firstEmbed(q1).footer?.text).toContain('Question 1');
    const select = t.control(q1, 'select');
    expect(select.options?.map((o) => o.value)).toContain('api');
    expect(components(q1).filter((c) => c.type === 2).map((c) => c.label)).toEqual(['Skip', 'Why?', 'See result', 'Type an answer']);
    expect(q1.allowed_mentions).toEqual({ parse: [], replied_user: false });

    // Choosing in the select: the question message becomes its record (type 7, no components), the next question is a follow-up.
    const choose = fake.select(world.alice, q1, select.custom_id, ['api']);
    expect(await t.handled(choose)).toBe('ok');
    const [chooseCallback] = fake.callbacksFor(choose);
    expect(body(chooseCallback!)['type']).toBe(CALLBACK.updateMessage);
    expect(callbackData(chooseCallback!)['components']).toEqual([]);
    expect(fake.message(q1.id).components).toEqual([]);
    expect(firstEmbed(fake.message(q1.id)).description).toContain('API / backend service');
    const followUp = fake.requestsFor(choose).find((r) => r.route === 'webhookCreate');
    expect(followUp?.params['applicationId']).toBe(world.applicationId);

    // Question 2 has three options: buttons, and Back is offered now.
    const q2 = t.liveMessage(threadId);
    expect(q2.id).not.toBe(q1.id);
    expect(firstEmbed(q2).title).toBe('Architecture');
    expect(components(q2).map((c) => c.label)).toEqual(expect.arrayContaining(['One application (monolith)', 'Back']));
    const monolith = t.control(q2, 'answer', 'One application (monolith)');
    const click = fake.click(world.alice, q2, monolith.custom_id);
    expect(await t.handled(click)).toBe('ok');
    expect(body(fake.callbacksFor(click)[0]!)['type']).toBe(CALLBACK.updateMessage);
    expect(firstEmbed(fake.message(q2.id)).description).toContain('✅ **One application (monolith)**');

    // "Type an answer" opens a modal; its text answers the open question and two more at once.
    const q3 = t.liveMessage(threadId);
    expect(firstEmbed(q3).title).toBe('Flexibility');
    const typeButton = t.control(q3, 'typeAnswer');
    const open = fake.click(world.alice, q3, typeButton.custom_id);
    expect(await t.handled(open)).toBe('ok');
    const [modalCallback] = fake.callbacksFor(open);
    expect(body(modalCallback!)['type']).toBe(CALLBACK.modal);
    const modal = callbackData(modalCallback!);
    expect(parseCustomId(String(modal['custom_id']))?.kind).toBe('modal');
    const input = (modal['components'] as { component: { custom_id: string; max_length: number } }[])[0]!.component;
    const submit = fake.submitModal(world.alice, q3, String(modal['custom_id']), { [input.custom_id]: 'flexible, 3 devs and an admin panel' });
    expect(await t.handled(submit)).toBe('ok');
    expect(body(fake.callbacksFor(submit)[0]!)['type']).toBe(CALLBACK.updateMessage);
    expect(firstEmbed(fake.message(q3.id)).description).toContain('Maximum freedom');
    // The note that several answers were understood goes to the one who typed them.
    const notes = fake.requestsFor(submit).filter((r) => r.route === 'webhookCreate' && body(r)['flags'] === EPHEMERAL).map((r) => body(r));
    expect(notes.some((b) => String(b['content'] ?? '').includes('Got several answers'))).toBe(true);
    const session = await t.session(threadId);
    expect(session?.answers).toMatchObject({ project_type: 'api', architecture: 'monolith', flexibility: 'high', team_size: 'small', admin_panel: 'yes' });

    // See result: the recommendation embed with its own buttons; the question it came from loses its controls.
    const q4 = t.liveMessage(threadId);
    const result = fake.click(world.alice, q4, t.control(q4, 'result').custom_id);
    expect(await t.handled(result)).toBe('ok');
    expect(fake.message(q4.id).components).toEqual([]);
    const recommendation = t.liveMessage(threadId);
    const verdict = firstEmbed(recommendation);
    expect(verdict.title).toMatch(/Django|Flask/);
    expect(verdict.description).toMatch(/█|░/);
    expect(verdict.fields?.[0]?.name).toContain('Why');
    expect(verdict.footer?.text).toContain('Sources:');
    expect(components(recommendation).map((c) => c.label)).toEqual(['Keep refining', 'Start over', 'Post to channel']);

    // Post to channel: a channel select limited to text channels, posted in the thread (it becomes the record of where the summary went)...
    const post = fake.click(world.alice, recommendation, t.control(recommendation, 'postToChannel').custom_id);
    expect(await t.handled(post)).toBe('ok');
    expect(body(fake.callbacksFor(post)[0]!)['type']).toBe(CALLBACK.deferredUpdate);
    const picker = t.pickerMessage(threadId);
    expect(picker.flags & EPHEMERAL).toBe(0);
    expect(picker.content).toContain('which channel');
    expect(fake.requestsFor(post).some((r) => r.route === 'webhookCreate' && (r.body as { components: unknown[] }).components.length === 1)).toBe(true);
    const channelSelect = components(picker)[0] as unknown as { type: number; custom_id: string; channel_types: number[] };
    expect(channelSelect.type).toBe(8);
    expect(channelSelect.channel_types).toEqual([0]);
    expect(components(t.liveMessage(threadId)).map((c) => c.label)).toEqual(['Keep refining', 'Start over', 'Post to channel']);

    // ...then the summary embed in the chosen channel (bot token, with a nonce), and the picker says where it went.
    const chosen = fake.selectChannel(world.alice, picker, channelSelect.custom_id, world.announcements);
    expect(await t.handled(chosen)).toBe('posted');
    const summaryCall = fake.requests.find((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === world.announcements.id)!;
    expect(summaryCall.status).toBe(200);
    expect(summaryCall.authorization).toBe(`Bot ${fake.token}`);
    expect(body(summaryCall)).toMatchObject({ nonce: expect.stringMatching(/^[0-9a-f]{25}$/), enforce_nonce: true });
    const summary = firstEmbed(body(summaryCall) as { embeds: unknown[] });
    expect(summary.title).toBe(verdict.title);
    expect(summary.url).toBe(`https://discord.com/channels/${world.guild.id}/${threadId}`);
    const summaryText = JSON.stringify(summary);
    expect(summaryText).toContain('Project type: API / backend service');
    expect(summaryText).toContain(`<@${world.alice.id}>`);
    expect(body(summaryCall)['allowed_mentions']).toEqual({ parse: [], replied_user: false });
    const [pickerUpdate] = fake.callbacksFor(chosen);
    expect(body(pickerUpdate!)['type']).toBe(CALLBACK.updateMessage);
    expect(callbackData(pickerUpdate!)).toMatchObject({ content: `<@${world.alice.id}> posted the summary to <#${world.announcements.id}>`, components: [] });
    expect(fake.message(picker.id).components).toEqual([]);
  });

  test('Why? explains the open question in the thread, for everyone following it; Back re-asks the previous question', async () => {
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    await t.handled(fake.select(world.alice, q1, t.control(q1, 'select').custom_id, ['api']));
    const q2 = t.liveMessage(threadId);

    const why = fake.click(world.alice, q2, t.control(q2, 'why').custom_id);
    expect(await t.handled(why)).toBe('ok');
    const [whyCallback] = fake.callbacksFor(why);
    expect(body(whyCallback!)['type']).toBe(CALLBACK.deferredUpdate);
    const whyPost = fake.requestsFor(why).find((r) => r.route === 'webhookCreate')!;
    expect(body(whyPost)['flags']).toBeUndefined();
    expect(JSON.stringify(body(whyPost)['embeds'])).toContain('Architecture');
    expect(fake.message(q2.id).components).not.toEqual([]);
    expect(t.liveMessage(threadId).id).toBe(q2.id);

    const back = fake.click(world.alice, q2, t.control(q2, 'back').custom_id);
    expect(await t.handled(back)).toBe('ok');
    expect(fake.message(q2.id).components).toEqual([]);
    const again = t.liveMessage(threadId);
    expect(firstEmbed(again).title).toBe('Project type');
    const session = await t.session(threadId);
    expect(session?.answers).toEqual({});
    const state = await t.threadState(threadId);
    expect(await t.messageIdOf(threadId, state!.questions['project_type']!)).toBe(again.id);
    expect(await t.messageIdOf(threadId, state!.live!.handle)).toBe(again.id);
  });
});
