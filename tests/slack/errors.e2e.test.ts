/**
 * Failing Slack calls: the failure is logged with its context, the person is
 * told in plain words what happened, and nothing is lost: the turn was
 * committed before anything was sent, and what did not go out stays in the
 * outbox until a later sweep sends it (or, for a refusal, it is given up and
 * the person told).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { ALICE, CHANNEL, OTHER_CHANNEL, TEAM, blockAction, slashCommand } from './harness/payloads.ts';
import { blocksOf, control, controls, posts, readableText, type PostedMessage } from './harness/recorded.ts';
import { startHttpRig, storedSession, testKnowledge, type HttpRig } from './harness/rig.ts';
import { firstQuestion } from '../support/questions.ts';

let rig: HttpRig;
/** The turn layer's clock: moved forward to reach an entry's retry time. */
let now = Date.now();
beforeAll(async () => {
  rig = await startHttpRig({ clock: () => now });
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => {
  rig.webApi.reset();
  rig.webApi.clearFailures();
  rig.logs.length = 0;
});

/** Past any retry time the outbox may have set (backoff or Retry-After), then a sweep. */
async function sweepLater(): Promise<number> {
  now += 120_000;
  const swept = await rig.turns.outbox.sweep();
  await rig.turns.idle();
  return swept;
}

async function startInterview(): Promise<{ parent: PostedMessage; question: PostedMessage }> {
  await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
  const [parent, question] = posts(rig.webApi).slice(-2);
  rig.webApi.reset();
  return { parent: parent!, question: question! };
}

async function click(parent: PostedMessage, message: PostedMessage, caption: string): Promise<void> {
  const target = control(message, caption);
  const response = await rig.client.interaction(
    blockAction({ messageTs: message.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('click'), actionId: target.actionId, button: { value: target.value! } }),
  );
  expect(response.status).toBe(200);
}

function warnings(method: string): Record<string, unknown>[] {
  return rig.logs.filter((entry) => entry.level === 40 && entry['method'] === method);
}

async function openPicker(): Promise<{ parent: PostedMessage; picker: PostedMessage }> {
  const { parent, question } = await startInterview();
  await click(parent, question, 'Skip');
  await click(parent, posts(rig.webApi).at(-1)!, 'See result');
  await click(parent, posts(rig.webApi).at(-1)!, 'Post to channel');
  const picker = posts(rig.webApi).at(-1)!;
  rig.webApi.reset();
  return { parent, picker };
}

describe('posting the summary to a channel the bot is not in', () => {
  it('tells the user to invite the bot, keeps the session, and works once the bot is invited', async () => {
    const { parent, picker } = await openPicker();
    const key = sessionKey(TEAM, CHANNEL, parent.ts, ALICE);
    const before = await storedSession(rig.store, key);

    rig.webApi.fail('chat.postMessage', { kind: 'slack_error', error: 'not_in_channel' }, 1);
    const pickerControl = control(picker, 'Choose a channel');
    const choose = blockAction({
      messageTs: picker.ts,
      threadTs: parent.ts,
      responseUrl: rig.webApi.responseUrl('share'),
      actionId: 'advisor:share_to',
      conversation: OTHER_CHANNEL,
      blockId: pickerControl.blockId!,
    });
    expect((await rig.client.interaction(choose)).status).toBe(200);

    // Told privately; the picker is redrawn unselected (a new block) so the same channel can be chosen again.
    expect(rig.webApi.methods()).toEqual(['chat.getPermalink', 'chat.postMessage', 'chat.postEphemeral', 'chat.update']);
    const redrawnCall = rig.webApi.callsTo('chat.update')[0]!;
    expect(redrawnCall.body).toMatchObject({ channel: CHANNEL, ts: picker.ts });
    const redrawn = controls(blocksOf(redrawnCall));
    expect(redrawn.map((c) => c.type)).toEqual(['conversations_select']);
    expect(redrawn[0]!.blockId).not.toBe(pickerControl.blockId);
    const told = rig.webApi.callsTo('chat.postEphemeral')[0]!.body;
    expect(told).toMatchObject({ channel: CHANNEL, user: ALICE, thread_ts: parent.ts });
    expect(String(told['text'])).toBe(
      `I couldn't post the summary in <#${OTHER_CHANNEL}>. I need to be invited to the channel first: use \`/invite @advisor\` in it, then try again. Your answers are saved.`,
    );
    expect(warnings('chat.postMessage')).toEqual([expect.objectContaining({ channel: OTHER_CHANNEL, code: 'not_in_channel', slackError: 'not_in_channel' })]);

    const after = await storedSession(rig.store, key);
    expect(after?.answers).toEqual(before?.answers);
    expect(after?.version).toBe(before?.version);
    // A refusal is given up, not retried: nothing is left to send.
    expect(await rig.store.pendingOutboxCount()).toBe(0);

    // Invited: the same choice in the redrawn picker now goes through.
    rig.webApi.reset();
    await rig.client.interaction(
      blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('share'), actionId: 'advisor:share_to', conversation: OTHER_CHANNEL, blockId: redrawn[0]!.blockId! }),
    );
    expect(posts(rig.webApi).map((p) => p.channel)).toEqual([OTHER_CHANNEL]);
  });

  it('a channel Slack cannot find is explained too', async () => {
    const { parent, picker } = await openPicker();
    rig.webApi.fail('chat.postMessage', { kind: 'slack_error', error: 'channel_not_found' }, 1);
    await rig.client.interaction(blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('s'), actionId: 'advisor:share_to', conversation: 'C0PRIVATE' }));
    expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toBe(
      "I couldn't post the summary in <#C0PRIVATE>. I can't see that channel: it may be private, archived or a DM I'm not part of. Invite me with `/invite @advisor`, or pick another channel. Your answers are saved.",
    );
  });

  it('a passing failure names the channel the summary was for, though Slack does not', async () => {
    const { parent, picker } = await openPicker();
    rig.webApi.fail('chat.postMessage', { kind: 'http_error', status: 503 }, 1);
    await rig.client.interaction(blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('s'), actionId: 'advisor:share_to', conversation: OTHER_CHANNEL }));
    expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toBe(
      `I couldn't post the summary in <#${OTHER_CHANNEL}>. Slack had a problem on its side (HTTP 503). I will try again shortly; your answers are saved.`,
    );
    await sweepLater();
    expect(posts(rig.webApi).map((p) => p.channel)).toContain(OTHER_CHANNEL);
  });

  it('a failing permalink only drops the link: the summary still goes out, pointing at the channel', async () => {
    const { parent, picker } = await openPicker();
    rig.webApi.fail('chat.getPermalink', { kind: 'http_error', status: 500 });
    await rig.client.interaction(blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('s'), actionId: 'advisor:share_to', conversation: OTHER_CHANNEL }));
    const summary = posts(rig.webApi).at(-1)!;
    expect(summary.channel).toBe(OTHER_CHANNEL);
    expect(readableText(summary.blocks)).toContain(`<#${CHANNEL}>`);
  });
});

describe('a failure while the interview goes on', () => {
  it('a rate limit on the next question: the answer is kept, the user is told, and the question follows once Slack allows', async () => {
    const { parent, question } = await startInterview();
    rig.webApi.fail('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 30 }, 1);
    await click(parent, question, 'Skip');

    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage', 'chat.postEphemeral']);
    const postCall = rig.webApi.callsTo('chat.postMessage')[0]!;
    expect(postCall.status).toBe(429);
    const told = String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text']);
    expect(told).toBe("I couldn't post my reply here. Slack asked me to slow down for about 30 s. I will try again shortly; your answers are saved.");
    expect(warnings('chat.postMessage')).toEqual([expect.objectContaining({ code: 'ratelimited', retryAfterSeconds: 30, channel: CHANNEL })]);

    const key = sessionKey(TEAM, CHANNEL, parent.ts, ALICE);
    expect((await storedSession(rig.store, key))?.answers).toEqual({ [firstQuestion(testKnowledge())]: 'skip' });

    // Not before Slack's 30 s: a sweep now sends nothing.
    rig.webApi.reset();
    now += 10_000;
    await rig.turns.outbox.sweep();
    expect(rig.webApi.calls).toEqual([]);
    await sweepLater();
    // A later send first checks that the message did not go out after all (see durability.e2e.test.ts).
    expect(rig.webApi.methods()).toEqual(['conversations.replies', 'chat.postMessage']);
    expect(posts(rig.webApi)[0]!.threadTs).toBe(parent.ts);
  });

  it('a failed chat.postMessage (500, then ok) stays in the outbox, and the next sweep posts the live question', async () => {
    const { parent, question } = await startInterview();
    rig.webApi.fail('chat.postMessage', { kind: 'http_error', status: 500 }, 1);
    await click(parent, question, 'Skip');
    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage', 'chat.postEphemeral']);
    expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toBe(
      "I couldn't post my reply here. Slack had a problem on its side (HTTP 500). I will try again shortly; your answers are saved.",
    );
    expect(await rig.store.pendingOutboxCount()).toBe(1);
    rig.webApi.reset();

    expect(await sweepLater()).toBe(1);
    const reposted = posts(rig.webApi);
    expect(reposted).toHaveLength(1);
    expect(reposted[0]!.threadTs).toBe(parent.ts);
    expect(controls(reposted[0]!.blocks).length).toBeGreaterThan(0);
    const session = await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE));
    const open = testKnowledge().criterionById.get(session?.current ?? '');
    expect(open).toBeDefined();
    expect(readableText(reposted[0]!.blocks)).toContain(`*${open!.title}*`);
    expect(await rig.store.pendingOutboxCount()).toBe(0);
  });
});

describe('/advisor where the bot cannot post', () => {
  it('not_in_channel: the user is told privately (response_url) to invite the bot, and no session is created', async () => {
    rig.webApi.fail('chat.postMessage', { kind: 'slack_error', error: 'not_in_channel' }, 1);
    const before = await rig.store.count();
    await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('cmd-1') }));
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
    expect(rig.webApi.responses).toEqual([
      { id: 'cmd-1', body: expect.objectContaining({ response_type: 'ephemeral', text: expect.stringContaining(`I couldn't open a thread for the interview here. I need to be invited to the channel first: use \`/invite @advisor\` in it, then try again.`) }) },
    ]);
    expect(await rig.store.count()).toBe(before);
    expect(await rig.store.pendingOutboxCount()).toBe(0);
  });

  it('a 5xx from Slack: the user is told it was Slack, and the thread opens once Slack is back', async () => {
    rig.webApi.fail('chat.postMessage', { kind: 'http_error', status: 502 }, 1);
    const sessions = await rig.store.count();
    await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('cmd-2') }));
    expect(rig.webApi.responses[0]?.body['text']).toBe("I couldn't open a thread for the interview here. Slack had a problem on its side (HTTP 502). I will try again shortly; your answers are saved.");
    expect(warnings('chat.postMessage')).toEqual([expect.objectContaining({ code: 'slack_unavailable', httpStatus: 502 })]);
    expect(await rig.store.count()).toBe(sessions);

    rig.webApi.reset();
    await sweepLater();
    const [parent, question] = posts(rig.webApi);
    expect(parent).toMatchObject({ channel: CHANNEL, threadTs: undefined, text: `<@${ALICE}> is choosing a framework — follow along in the thread` });
    expect(question?.threadTs).toBe(parent!.ts);
    expect(await rig.store.count()).toBe(sessions + 1);
  });
});
