/**
 * A whole interview through a real Bolt app in HTTP mode, with signed requests:
 * /advisor, a select, a button, a typed message answering several criteria,
 * Why?, Back, See result, and Post to channel into another channel. Each step
 * checks the exact Web API calls the app made and their key fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionKey, threadKey } from '../../adapters/slack/session-key.ts';
import type { Session } from '../../src/conversation/types.ts';
import { ALICE, CHANNEL, OTHER_CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { control, controls, lastPost, postedMessage, readableText, type PostedMessage } from './harness/recorded.ts';
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
    expect(readableText(question.blocks)).toContain('What kind of project are you building?');
    expect(readableText(question.blocks)).toContain('Question 1 · verdict not settled yet');
    // Eight options: a static select, not buttons; controls without Back on the first question.
    const select = controls(question.blocks).find((c) => c.type === 'static_select');
    expect(select?.options).toHaveLength(8);
    expect(select?.options.map((o) => o.text)).toContain('API / backend service');
    expect(controls(question.blocks).filter((c) => c.type === 'button').map((c) => c.caption)).toEqual(['Skip', 'Why?', 'See result']);

    const stored = await session(parent.ts);
    expect(stored).toMatchObject({ phase: 'asking', current: 'project_type', version: 1 });
    expect(stored.key).toEqual({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${parent.ts}`, user: ALICE });
    // The turn layer's record of the thread: whose it is, and which message is live (the question).
    const thread = await rig.store.loadThread(threadKey(TEAM, `${CHANNEL}:${parent.ts}`));
    expect(thread?.state).toMatchObject({ owner: ALICE, live: { version: 1, view: 'question:project_type' } });
    expect(await rig.store.messageIdOf(threadKey(TEAM, `${CHANNEL}:${parent.ts}`), thread!.state.live!.handle)).toBe(question.ts);
  });

  it('choosing in the select records the answer, turns the question into a record and asks the next', async () => {
    rig.webApi.reset();
    const select = controls(question.blocks).find((c) => c.type === 'static_select')!;
    const api = select.options.find((o) => o.text === 'API / backend service')!;
    const response = await rig.client.interaction(
      blockAction({ messageTs: question.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('select'), actionId: select.actionId, select: { value: api.value } }),
    );
    expect(response.status).toBe(200);

    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
    const [update] = rig.webApi.callsTo('chat.update');
    expect(update!.body).toMatchObject({ channel: CHANNEL, ts: question.ts });
    const record = update!.body['blocks'] as { type: string }[];
    expect(record.some((b) => b.type === 'actions')).toBe(false);
    expect(readableText(record as never)).toContain('✓ *API / backend service*');

    question = lastPost(rig.webApi);
    expect(question.threadTs).toBe(parent.ts);
    expect(controls(question.blocks).map((c) => c.caption)).toContain('Back');
    expect((await session(parent.ts)).answers).toEqual({ project_type: 'api' });
  });

  it('a button answers the next question', async () => {
    rig.webApi.reset();
    const current = (await session(parent.ts)).current!;
    const firstAnswer = controls(question.blocks).find((c) => c.actionId === 'advisor:answer:0')!;
    await click(question, firstAnswer.caption);

    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
    expect(rig.webApi.callsTo('chat.update')[0]!.body['ts']).toBe(question.ts);
    const after = await session(parent.ts);
    expect(after.answers[current]).toBeDefined();
    expect(after.version).toBe(3);
    question = lastPost(rig.webApi);
  });

  it('a typed message in the thread answers several criteria at once', async () => {
    rig.webApi.reset();
    const asked = (await session(parent.ts)).current!;
    const response = await rig.client.event(messageEvent({ eventId: 'Ev0TYPED', threadTs: parent.ts, text: 'we are 3 developers and need an admin panel' }));
    expect(response.status).toBe(200);

    const after = await session(parent.ts);
    expect(after.answers).toMatchObject({ team_size: 'small', admin_panel: 'yes' });
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

  it('Back re-asks the last answered question, showing its current answer', async () => {
    rig.webApi.reset();
    const before = await session(parent.ts);
    const last = before.history.at(-1)!;
    await click(question, 'Back');
    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
    expect(rig.webApi.callsTo('chat.update')[0]!.body['ts']).toBe(question.ts);
    question = lastPost(rig.webApi);
    expect(readableText(question.blocks)).toContain(`_${optionLabel(last, before.answers[last]!)}_ ✓`);
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
    const header = card.blocks[0] as { type: string; text: { text: string } };
    expect(header.type).toBe('header');
    expect(header.text.text).toMatch(/Flask|Django/);
    const text = readableText(card.blocks);
    expect(text).toMatch(/`[█░]{10}` \*Flask\*/);
    expect(text).toMatch(/`[█░]{10}` \*Django\*/);
    expect(text).toContain('*Why*');
    expect(text).toMatch(/Sources: /);
    expect(text).toMatch(/Based on \d+ answers?/);
    expect(controls(card.blocks).map((c) => c.caption)).toEqual(['Keep refining', 'Start over', 'Post to channel']);
    expect((await session(parent.ts)).phase).toBe('result');
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
    expect(text).toContain(`${title('project_type')}: API / backend service`);
    expect(text).toContain(`<https://advisor-test.slack.com/archives/${CHANNEL}/p${parent.ts.replace('.', '')}|See the whole interview>`);
    expect((summary.blocks[1] as { type: string }).type).toBe('header');

    const update = rig.webApi.callsTo('chat.update')[0]!.body;
    expect(update).toMatchObject({ channel: CHANNEL, ts: picker.ts });
    expect(readableText(update['blocks'] as never)).toBe(`<@${ALICE}> posted the summary to <#${OTHER_CHANNEL}>`);
  });
});
