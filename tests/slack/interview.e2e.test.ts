/**
 * A whole interview through a real Bolt app in HTTP mode, with signed requests:
 * /advisor, a button, a select, a typed message answering several criteria,
 * Why?, Back, See result, and Post to channel into another channel. Each step
 * checks the exact Web API calls the app made and their key fields. Which
 * question comes when is read from the session and the engine, not hard-coded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ANSWER_BUTTONS } from '../../adapters/slack/blocks.ts';
import { sessionKey, threadKey } from '../../adapters/slack/session-key.ts';
import type { Session } from '../../src/conversation/types.ts';
import { canStopAsking } from '../../src/engine/chance.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { askedAfter, firstQuestion } from '../support/questions.ts';
import { ALICE, CHANNEL, OTHER_CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { answerChoice, control, controls, lastPost, postedMessage, posts, readableText, type PostedMessage } from './harness/recorded.ts';
import { startHttpRig, testKnowledge, type HttpRig, storedSession } from './harness/rig.ts';

let rig: HttpRig;
beforeAll(async () => {
  rig = await startHttpRig();
});
afterAll(async () => {
  await rig.stop();
});

function optionLabel(criterion: string, option: string): string {
  const found = testKnowledge().criterionById.get(criterion)?.options.find((o) => o.id === option);
  if (!found) throw new Error(`no option ${criterion}.${option}`);
  return found.label;
}

function title(criterion: string): string {
  return testKnowledge().criterionById.get(criterion)!.title;
}

function optionsOf(criterion: string): { id: string; label: string }[] {
  return testKnowledge().criterionById.get(criterion)!.options.map((o) => ({ id: o.id, label: o.label }));
}

/** A question with more options than fit as buttons is answered in a select. */
const hasSelect = (criterion: string): boolean => optionsOf(criterion).length > MAX_ANSWER_BUTTONS;
const FIRST = firstQuestion(testKnowledge());
/** The first question's answer (a button) after which the next question is a select, so the interview uses both. */
const FIRST_ANSWER = optionsOf(FIRST).find((o) => hasSelect(askedAfter(testKnowledge(), { [FIRST]: o.id })));

async function session(threadTs: string): Promise<Session> {
  const found = await storedSession(rig.store, sessionKey(TEAM, CHANNEL, threadTs, ALICE));
  if (!found) throw new Error('no session');
  return found;
}

describe('an interview from /advisor to a summary in another channel', () => {
  let parent: PostedMessage;
  let question: PostedMessage;

  async function click(message: PostedMessage, caption: string): Promise<void> {
    const target = control(message, caption);
    const response = await rig.client.interaction(
      blockAction({ messageTs: message.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('action'), actionId: target.actionId, button: { value: target.value ?? '' } }),
    );
    expect(response.status).toBe(200);
  }

  it('/advisor posts the parent message and asks the first question in its thread', async () => {
    const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
    expect(response.status).toBe(200);
    expect(response.body).toBe('');

    expect(rig.webApi.methods()).toEqual(['chat.postMessage', 'chat.postMessage']);
    const [parentCall, questionCall] = rig.webApi.callsTo('chat.postMessage');
    parent = postedMessage(parentCall!);
    question = postedMessage(questionCall!);
    expect(parentCall!.token).toBe('xoxb-test-bot-token');
    expect(parent.channel).toBe(CHANNEL);
    expect(parent.threadTs).toBeUndefined();
    expect(parent.text).toBe(`<@${ALICE}> is choosing a framework — follow along in the thread`);

    expect(question.channel).toBe(CHANNEL);
    expect(question.threadTs).toBe(parent.ts);
    expect(readableText(question.blocks)).toContain(testKnowledge().criterionById.get(FIRST)!.question);
    expect(readableText(question.blocks)).toContain('Question 1 · verdict not settled yet');
    // Every option of the question: as buttons when they fit, else in a static select; no Back on the first question.
    const labels = optionsOf(FIRST).map((o) => o.label);
    const select = controls(question.blocks).find((c) => c.type === 'static_select');
    const buttons = controls(question.blocks).filter((c) => c.type === 'button').map((c) => c.caption);
    if (hasSelect(FIRST)) {
      expect(select?.options.map((o) => o.text)).toEqual(labels);
      expect(buttons).toEqual(['Skip', 'Why?', 'See result']);
    } else {
      expect(select).toBeUndefined();
      expect(buttons).toEqual([...labels, 'Skip', 'Why?', 'See result']);
    }

    const stored = await session(parent.ts);
    expect(stored).toMatchObject({ phase: 'asking', current: FIRST, version: 1 });
    expect(stored.key).toEqual({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${parent.ts}`, user: ALICE });
    // The turn layer's record of the thread: whose it is, and which message is live (the question).
    const thread = await rig.store.loadThread(threadKey(TEAM, `${CHANNEL}:${parent.ts}`));
    expect(thread?.state).toMatchObject({ owner: ALICE, live: { version: 1, view: `question:${FIRST}` } });
    expect(await rig.store.messageIdOf(threadKey(TEAM, `${CHANNEL}:${parent.ts}`), thread!.state.live!.handle)).toBe(question.ts);
  });

  it('an answer records it, turns the question into a record and asks the next', async () => {
    rig.webApi.reset();
    expect(FIRST_ANSWER).toBeDefined();
    const chosen = answerChoice(question, FIRST_ANSWER!.label);
    const response = await rig.client.interaction(
      blockAction({ messageTs: question.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('answer'), ...chosen }),
    );
    expect(response.status).toBe(200);

    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
    const [update] = rig.webApi.callsTo('chat.update');
    expect(update!.body).toMatchObject({ channel: CHANNEL, ts: question.ts });
    const record = update!.body['blocks'] as { type: string }[];
    expect(record.some((b) => b.type === 'actions')).toBe(false);
    expect(readableText(record as never)).toContain(`✓ *${FIRST_ANSWER!.label}*`);

    question = lastPost(rig.webApi);
    expect(question.threadTs).toBe(parent.ts);
    expect(controls(question.blocks).map((c) => c.caption)).toContain('Back');
    expect((await session(parent.ts)).answers).toEqual({ [FIRST]: FIRST_ANSWER!.id });
  });

  it('choosing in the select answers the next question', async () => {
    rig.webApi.reset();
    const current = (await session(parent.ts)).current!;
    const select = controls(question.blocks).find((c) => c.type === 'static_select');
    expect(select?.options.map((o) => o.text)).toEqual(optionsOf(current).map((o) => o.label));
    const response = await rig.client.interaction(
      blockAction({ messageTs: question.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('select'), actionId: select!.actionId, select: { value: select!.options[0]!.value } }),
    );
    expect(response.status).toBe(200);

    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
    expect(rig.webApi.callsTo('chat.update')[0]!.body['ts']).toBe(question.ts);
    const after = await session(parent.ts);
    expect(after.answers[current]).toBe(optionsOf(current)[0]!.id);
    expect(after.version).toBe(3);
    question = lastPost(rig.webApi);
  });

  it('a typed message in the thread answers several criteria at once', async () => {
    rig.webApi.reset();
    const before = await session(parent.ts);
    const asked = before.current!;
    // The sentence names two other topics than the question open, and leaves the verdict open.
    expect(['team_size', 'admin_panel']).not.toContain(asked);
    expect(canStopAsking(recommend(testKnowledge(), { ...before.answers, team_size: 'small', admin_panel: 'yes' }))).toBe(false);
    const response = await rig.client.event(messageEvent({ eventId: 'Ev0TYPED', threadTs: parent.ts, text: 'we are 3 developers and need an admin panel' }));
    expect(response.status).toBe(200);

    const after = await session(parent.ts);
    expect(after.answers).toEqual({ ...before.answers, team_size: 'small', admin_panel: 'yes' });
    // Neither typed answer had a question message of its own; the core confirms both privately,
    // and re-asks the open question, whose old message loses its buttons.
    expect(rig.webApi.methods()).toEqual(['chat.postEphemeral', 'chat.update', 'chat.postMessage']);
    const ephemeral = rig.webApi.callsTo('chat.postEphemeral')[0]!.body;
    expect(ephemeral).toMatchObject({ channel: CHANNEL, user: ALICE, thread_ts: parent.ts });
    expect(String(ephemeral['text'])).toContain(`${title('team_size')}: ${optionLabel('team_size', 'small')}`);
    expect(rig.webApi.callsTo('chat.update')[0]!.body['ts']).toBe(question.ts);
    question = lastPost(rig.webApi);
    expect(after.current).toBe(asked);
  });

  it('Why? explains the open question in the thread, with sources, and changes nothing', async () => {
    rig.webApi.reset();
    const before = await session(parent.ts);
    await click(question, 'Why?');
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
    const why = lastPost(rig.webApi);
    expect(why.threadTs).toBe(parent.ts);
    const text = readableText(why.blocks);
    expect(text).toContain(`*${title(before.current!)}*`);
    expect(text).toMatch(/Sources: /);
    expect(controls(why.blocks)).toEqual([]);
    const after = await session(parent.ts);
    expect(after.version).toBe(before.version);
  });

  it('Back undoes everything the typed message recorded, says so privately, and asks the open question again', async () => {
    rig.webApi.reset();
    const before = await session(parent.ts);
    await click(question, 'Back');
    expect(rig.webApi.methods()).toEqual(['chat.postEphemeral', 'chat.update', 'chat.postMessage']);
    expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toContain(
      `Undid the 2 answers from your last message: ${title('team_size')} is unanswered again (was "${optionLabel('team_size', 'small')}"); ` +
        `${title('admin_panel')} is unanswered again (was "${optionLabel('admin_panel', 'yes')}").`,
    );
    expect(rig.webApi.callsTo('chat.update')[0]!.body['ts']).toBe(question.ts);
    question = lastPost(rig.webApi);
    const after = await session(parent.ts);
    const { team_size: _team, admin_panel: _admin, ...rest } = before.answers;
    expect(after.answers).toEqual(rest);
    expect(after.current).toBe(before.current);
  });

  it('Back again re-asks the question answered before, without the answer it undid', async () => {
    rig.webApi.reset();
    const before = await session(parent.ts);
    const last = before.history.at(-1)!;
    await click(question, 'Back');
    // Back always says what it undid (privately), even a single answer to the question asked again.
    expect(rig.webApi.methods()).toEqual(['chat.postEphemeral', 'chat.update', 'chat.postMessage']);
    expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toContain(
      `Undid ${title(last)}: "${optionLabel(last, before.answers[last]!)}". It is unanswered again.`,
    );
    expect(rig.webApi.callsTo('chat.update')[0]!.body['ts']).toBe(question.ts);
    question = lastPost(rig.webApi);
    // An undone answer is not shown as the question's current one.
    expect(readableText(question.blocks)).toContain(testKnowledge().criterionById.get(last)!.question);
    expect(readableText(question.blocks)).not.toContain(`_${optionLabel(last, before.answers[last]!)}_ ✓`);
    expect(readableText(question.blocks)).not.toMatch(/_ ✓/);
    const after = await session(parent.ts);
    expect(after.current).toBe(last);
    expect(after.answers[last]).toBeUndefined();
  });

  let card: PostedMessage;

  it('See result posts the recommendation card', async () => {
    rig.webApi.reset();
    await click(question, 'See result');
    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
    card = lastPost(rig.webApi);
    expect(card.threadTs).toBe(parent.ts);
    const answered = await session(parent.ts);
    const leader = testKnowledge().frameworkById.get(recommend(testKnowledge(), answered.answers).winner!)!.name;
    const header = card.blocks[0] as { type: string; text: { text: string } };
    expect(header.type).toBe('header');
    expect(header.text.text).toContain(leader);
    const text = readableText(card.blocks);
    expect(text).toMatch(/`[█░]{10}` \*Flask\*/);
    expect(text).toMatch(/`[█░]{10}` \*Django\*/);
    // The compact card: the leader's strongest reasons with their points; everything else is behind Details.
    expect(text).toMatch(new RegExp(`\\*For ${leader}\\*\\n• .+ \\(\\+\\d ${leader}\\)`));
    expect(text).toMatch(/Based on \d+ answers?/);
    expect(controls(card.blocks).map((c) => c.caption)).toEqual(['Keep refining', 'Start over', 'Details', 'Post to channel']);
    expect(answered.phase).toBe('result');

    // Details: every reason with its sources, in the thread, changing nothing.
    rig.webApi.reset();
    await click(card, 'Details');
    const details = posts(rig.webApi);
    expect(details.length).toBeGreaterThan(0);
    expect(details.every((m) => m.threadTs === parent.ts && controls(m.blocks).length === 0)).toBe(true);
    expect(details.map((m) => readableText(m.blocks)).join('\n')).toMatch(/Sources: /);
    expect(await session(parent.ts)).toEqual(answered);
  });

  it('Post to channel offers a channel picker in the thread', async () => {
    rig.webApi.reset();
    await click(card, 'Post to channel');
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
    const picker = lastPost(rig.webApi);
    expect(picker.threadTs).toBe(parent.ts);
    expect(controls(picker.blocks)).toEqual([expect.objectContaining({ type: 'conversations_select', actionId: 'advisor:share_to' })]);
  });

  it('choosing a channel posts a compact summary there with a link back to the thread', async () => {
    const picker = lastPost(rig.webApi);
    rig.webApi.reset();
    const response = await rig.client.interaction(
      blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('share'), actionId: 'advisor:share_to', conversation: OTHER_CHANNEL }),
    );
    expect(response.status).toBe(200);
    expect(rig.webApi.methods()).toEqual(['chat.getPermalink', 'chat.postMessage', 'chat.update']);
    expect(rig.webApi.callsTo('chat.getPermalink')[0]!.body).toMatchObject({ channel: CHANNEL, message_ts: parent.ts });

    const summary = lastPost(rig.webApi);
    expect(summary.channel).toBe(OTHER_CHANNEL);
    expect(summary.threadTs).toBeUndefined();
    const text = readableText(summary.blocks);
    expect(text).toContain(`<@${ALICE}> asked the advisor`);
    expect(text).toContain(`${title(FIRST)}: ${FIRST_ANSWER!.label}`);
    expect(text).toContain(`<https://advisor-test.slack.com/archives/${CHANNEL}/p${parent.ts.replace('.', '')}|See the whole interview>`);
    expect((summary.blocks[1] as { type: string }).type).toBe('header');

    const update = rig.webApi.callsTo('chat.update')[0]!.body;
    expect(update).toMatchObject({ channel: CHANNEL, ts: picker.ts });
    expect(readableText(update['blocks'] as never)).toBe(`<@${ALICE}> posted the summary to <#${OTHER_CHANNEL}>`);
  });
});
