/**
 * A whole interview through a real discord.js client against the local
 * stand-in: /advisor start opens a thread, a button, a select and a typed
 * (modal) answer move it on, each answered question turns into a record, the
 * recommendation is shown and posted to another channel as a summary.
 * Assertions are on the REST calls the stand-in recorded and on the store.
 * Which question comes when is read from the engine, not hard-coded.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parseCustomId } from '../../adapters/discord/custom-id.ts';
import { DISCORD_LIMITS } from '../../adapters/discord/limits.ts';
import { canStopAsking } from '../../src/engine/chance.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { askedAfter } from '../support/questions.ts';
import { BotUnderTest, components, firstEmbed, testKnowledge } from './harness/bot-under-test.ts';
import type { RecordedRequest } from './harness/fake-discord.ts';
import { FIRST, FIRST_ANSWER, SECOND, titleOf } from './harness/first-question.ts';

const knowledge = testKnowledge();
const optionsOf = (criterion: string) => knowledge.criterionById.get(criterion)!.options;
/** More options than fit in a row of buttons are offered in a select. */
const hasSelect = (criterion: string): boolean => optionsOf(criterion).length > DISCORD_LIMITS.buttonsPerRow;

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
  test('from /advisor start through a button, a select and a typed answer to a recommendation posted in another channel', async () => {
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

    // Question 1: its options as buttons (a select when there are more than fit), then the controls row.
    const q1 = t.liveMessage(threadId);
    expect(firstEmbed(q1).title).toBe(titleOf(FIRST));
    expect(firstEmbed(q1).footer?.text).toContain('Question 1');
    const controlsRow = ['Skip', 'Why?', 'See result', 'Type an answer'];
    const labels = optionsOf(FIRST).map((o) => o.label);
    expect(components(q1).filter((c) => c.type === 2).map((c) => c.label)).toEqual(hasSelect(FIRST) ? controlsRow : [...labels, ...controlsRow]);
    expect(q1.allowed_mentions).toEqual({ parse: [], replied_user: false });

    // The first question's answer after which the next question is a select, so the interview uses both.
    const a1 = optionsOf(FIRST).find((o) => hasSelect(askedAfter(knowledge, { [FIRST]: o.id })));
    expect(a1).toBeDefined();
    const answers: Record<string, string> = { [FIRST]: a1!.id };

    // Answering: the question message becomes its record (type 7, no components), the next question is a follow-up.
    const choose = t.answer(q1, a1!.label);
    expect(await t.handled(choose)).toBe('ok');
    const [chooseCallback] = fake.callbacksFor(choose);
    expect(body(chooseCallback!)['type']).toBe(CALLBACK.updateMessage);
    expect(callbackData(chooseCallback!)['components']).toEqual([]);
    expect(fake.message(q1.id).components).toEqual([]);
    expect(firstEmbed(fake.message(q1.id)).description).toContain(`✅ **${a1!.label}**`);
    // The next question goes with the bot token (its nonce makes a retry safe), not as a follow-up.
    expect(fake.requestsFor(choose).filter((r) => r.route === 'webhookCreate')).toEqual([]);
    expect(fake.requests.at(-1)).toMatchObject({ route: 'channelMessageCreate', params: { channelId: threadId } });

    // Question 2 has more options than buttons: a string select, and Back is offered now.
    const second = askedAfter(knowledge, answers);
    const q2 = t.liveMessage(threadId);
    expect(q2.id).not.toBe(q1.id);
    expect(firstEmbed(q2).title).toBe(titleOf(second));
    const select = t.control(q2, 'select');
    expect(select.options?.map((o) => o.label)).toEqual(optionsOf(second).map((o) => o.label));
    expect(components(q2).map((c) => c.label)).toContain('Back');
    const a2 = optionsOf(second)[0]!;
    const selected = fake.select(world.alice, q2, select.custom_id, [select.options![0]!.value]);
    expect(await t.handled(selected)).toBe('ok');
    expect(body(fake.callbacksFor(selected)[0]!)['type']).toBe(CALLBACK.updateMessage);
    expect(firstEmbed(fake.message(q2.id)).description).toContain(`✅ **${a2.label}**`);
    answers[second] = a2.id;

    // "Type an answer" opens a modal; its text answers the open question and two more at once.
    const third = askedAfter(knowledge, answers);
    expect(['team_size', 'admin_panel']).not.toContain(third);
    const a3 = optionsOf(third)[0]!;
    Object.assign(answers, { [third]: a3.id, team_size: 'small', admin_panel: 'yes' });
    expect(canStopAsking(recommend(knowledge, answers))).toBe(false);
    const q3 = t.liveMessage(threadId);
    expect(firstEmbed(q3).title).toBe(titleOf(third));
    const typeButton = t.control(q3, 'typeAnswer');
    const open = fake.click(world.alice, q3, typeButton.custom_id);
    expect(await t.handled(open)).toBe('ok');
    const [modalCallback] = fake.callbacksFor(open);
    expect(body(modalCallback!)['type']).toBe(CALLBACK.modal);
    const modal = callbackData(modalCallback!);
    expect(parseCustomId(String(modal['custom_id']))?.kind).toBe('modal');
    const input = (modal['components'] as { component: { custom_id: string; max_length: number } }[])[0]!.component;
    const submit = fake.submitModal(world.alice, q3, String(modal['custom_id']), { [input.custom_id]: `${a3.label.toLowerCase()}, 3 devs and an admin panel` });
    expect(await t.handled(submit)).toBe('ok');
    expect(body(fake.callbacksFor(submit)[0]!)['type']).toBe(CALLBACK.updateMessage);
    expect(firstEmbed(fake.message(q3.id)).description).toContain(a3.label);
    // The note that several answers were understood goes to the one who typed them.
    const notes = fake.requestsFor(submit).filter((r) => r.route === 'webhookCreate' && body(r)['flags'] === EPHEMERAL).map((r) => body(r));
    // The open question's answer is its record; the note names only the others.
    expect(notes.some((b) => String(b['content'] ?? '').includes('Also got from that'))).toBe(true);
    const session = await t.session(threadId);
    expect(session?.answers).toEqual(answers);

    // See result: the recommendation embed with its own buttons; the question it came from loses its controls.
    const q4 = t.liveMessage(threadId);
    const result = fake.click(world.alice, q4, t.control(q4, 'result').custom_id);
    expect(await t.handled(result)).toBe('ok');
    expect(fake.message(q4.id).components).toEqual([]);
    const recommendation = t.liveMessage(threadId);
    const verdict = firstEmbed(recommendation);
    const leader = knowledge.frameworkById.get(recommend(knowledge, answers).winner!)!.name;
    expect(verdict.title).toContain(leader);
    expect(verdict.description).toMatch(/█|░/);
    // The compact result: the leader's strongest reasons first, with their points; everything else is behind Details.
    expect(verdict.fields?.[0]?.name).toBe(`For ${leader}`);
    expect(verdict.fields?.[0]?.value).toMatch(new RegExp(`^• .+ \\(\\+\\d ${leader}\\)`));
    const resultControls = ['Keep refining', 'Start over', 'Details', 'Post to channel'];
    expect(components(recommendation).map((c) => c.label)).toEqual(resultControls);

    // Details: every reason with its sources, posted in the thread without controls; the result keeps its own.
    const postedBefore = fake.messagesIn(threadId).length;
    const details = fake.click(world.alice, recommendation, t.control(recommendation, 'details').custom_id);
    expect(await t.handled(details)).toBe('ok');
    await t.turns.idle();
    const pages = fake.messagesIn(threadId).slice(postedBefore).filter((m) => m.embeds.length > 0);
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.every((page) => page.components.length === 0)).toBe(true);
    expect(firstEmbed(pages.at(-1)!).footer?.text).toMatch(/^Sources: /);
    expect(t.liveMessage(threadId).id).toBe(recommendation.id);

    // Post to channel: a channel select limited to text channels, posted in the thread (it becomes the record of where the summary went)...
    const post = fake.click(world.alice, recommendation, t.control(recommendation, 'share').custom_id);
    expect(await t.handled(post)).toBe('ok');
    expect(body(fake.callbacksFor(post)[0]!)['type']).toBe(CALLBACK.deferredUpdate);
    const picker = t.pickerMessage(threadId);
    expect(picker.flags & EPHEMERAL).toBe(0);
    expect(picker.content).toContain('which channel');
    expect(fake.requests.some((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === threadId && (r.body as { components: unknown[] }).components.length === 1)).toBe(true);
    const channelSelect = components(picker)[0] as unknown as { type: number; custom_id: string; channel_types: number[] };
    expect(channelSelect.type).toBe(8);
    expect(channelSelect.channel_types).toEqual([0]);
    expect(components(t.liveMessage(threadId)).map((c) => c.label)).toEqual(resultControls);

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
    expect(summaryText).toContain(`${titleOf(FIRST)}: ${a1!.label}`);
    expect(JSON.stringify(body(summaryCall))).toContain(`<@${world.alice.id}>`);
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
    await t.handled(t.answer(q1, FIRST_ANSWER.label));
    const q2 = t.liveMessage(threadId);

    const why = fake.click(world.alice, q2, t.control(q2, 'why').custom_id);
    expect(await t.handled(why)).toBe('ok');
    const [whyCallback] = fake.callbacksFor(why);
    expect(body(whyCallback!)['type']).toBe(CALLBACK.deferredUpdate);
    const whyPost = fake.requests.filter((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === threadId).at(-1)!;
    expect(body(whyPost)['flags']).toBeUndefined();
    expect(JSON.stringify(body(whyPost)['embeds'])).toContain(titleOf(SECOND));
    expect(fake.message(q2.id).components).not.toEqual([]);
    expect(t.liveMessage(threadId).id).toBe(q2.id);

    const back = fake.click(world.alice, q2, t.control(q2, 'back').custom_id);
    expect(await t.handled(back)).toBe('ok');
    expect(fake.message(q2.id).components).toEqual([]);
    const again = t.liveMessage(threadId);
    expect(firstEmbed(again).title).toBe(titleOf(FIRST));
    const session = await t.session(threadId);
    expect(session?.answers).toEqual({});
    const state = await t.threadState(threadId);
    expect(await t.messageIdOf(threadId, state!.questions[FIRST]!)).toBe(again.id);
    expect(await t.messageIdOf(threadId, state!.live!.handle)).toBe(again.id);
  });
});
