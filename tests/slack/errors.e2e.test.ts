/**
 * Failing Slack calls: the failure is logged with its context, the person is
 * told in plain words what to do, and the interview's answers are never lost
 * (the core committed them before anything was rendered).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdvisorError } from '../../src/errors.ts';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { ALICE, CHANNEL, OTHER_CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { blocksOf, control, controls, posts, readableText, type PostedMessage } from './harness/recorded.ts';
import { startHttpRig, testKnowledge, type HttpRig } from './harness/rig.ts';

let rig: HttpRig;
beforeAll(async () => {
  rig = await startHttpRig();
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => {
  rig.webApi.reset();
  rig.webApi.clearFailures();
  rig.logs.length = 0;
});

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

describe('posting the summary to a channel the bot is not in', () => {
  it('tells the user to invite the bot, keeps the session, and works once the bot is invited', async () => {
    const { parent, question } = await startInterview();
    await click(parent, question, 'Skip');
    await click(parent, posts(rig.webApi).at(-1)!, 'See result');
    await click(parent, posts(rig.webApi).at(-1)!, 'Post to channel');
    const picker = posts(rig.webApi).at(-1)!;
    const key = sessionKey(TEAM, CHANNEL, parent.ts, ALICE);
    const before = await rig.service.get(key);
    rig.webApi.reset();

    rig.webApi.fail('chat.postMessage', { kind: 'slack_error', error: 'not_in_channel' }, 1);
    const choose = blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('share'), actionId: 'advisor:share_to', conversation: OTHER_CHANNEL });
    expect((await rig.client.interaction(choose)).status).toBe(200);

    // Told privately; the picker is redrawn unselected so the same channel can be chosen again.
    expect(rig.webApi.methods()).toEqual(['chat.getPermalink', 'chat.postMessage', 'chat.postEphemeral', 'chat.update']);
    const redrawn = rig.webApi.callsTo('chat.update')[0]!.body;
    expect(redrawn).toMatchObject({ channel: CHANNEL, ts: picker.ts });
    expect(controls(blocksOf(rig.webApi.callsTo('chat.update')[0]!)).map((c) => c.type)).toEqual(['conversations_select']);
    const told = rig.webApi.callsTo('chat.postEphemeral')[0]!.body;
    expect(told).toMatchObject({ channel: CHANNEL, user: ALICE, thread_ts: parent.ts });
    expect(String(told['text'])).toBe(`I'm not a member of <#${OTHER_CHANNEL}>. Invite me there with \`/invite @advisor\`, then try again.`);
    expect(warnings('chat.postMessage')).toEqual([expect.objectContaining({ channel: OTHER_CHANNEL, code: 'not_in_channel', slackError: 'not_in_channel' })]);

    const after = await rig.service.get(key);
    expect(after?.answers).toEqual(before?.answers);
    expect(after?.version).toBe(before?.version);

    // Invited: the same choice now goes through.
    rig.webApi.reset();
    await rig.client.interaction(choose);
    expect(posts(rig.webApi).map((p) => p.channel)).toEqual([OTHER_CHANNEL]);
  });

  it('a channel Slack cannot find is explained too', async () => {
    const { parent, question } = await startInterview();
    await click(parent, question, 'Skip');
    await click(parent, posts(rig.webApi).at(-1)!, 'See result');
    await click(parent, posts(rig.webApi).at(-1)!, 'Post to channel');
    const picker = posts(rig.webApi).at(-1)!;
    rig.webApi.reset();
    rig.webApi.fail('chat.postMessage', { kind: 'slack_error', error: 'channel_not_found' }, 1);
    await rig.client.interaction(blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('s'), actionId: 'advisor:share_to', conversation: 'C0PRIVATE' }));
    expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toContain("I can't see <#C0PRIVATE>");
  });

  it('a failing permalink only drops the link: the summary still goes out, pointing at the channel', async () => {
    const { parent, question } = await startInterview();
    await click(parent, question, 'Skip');
    await click(parent, posts(rig.webApi).at(-1)!, 'See result');
    await click(parent, posts(rig.webApi).at(-1)!, 'Post to channel');
    const picker = posts(rig.webApi).at(-1)!;
    rig.webApi.reset();
    rig.webApi.fail('chat.getPermalink', { kind: 'http_error', status: 500 });
    await rig.client.interaction(blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('s'), actionId: 'advisor:share_to', conversation: OTHER_CHANNEL }));
    const summary = posts(rig.webApi).at(-1)!;
    expect(summary.channel).toBe(OTHER_CHANNEL);
    expect(readableText(summary.blocks)).toContain(`<#${CHANNEL}>`);
  });
});

describe('a failure while the interview goes on', () => {
  it('a rate limit on the next question: the answer is kept and the user is told how to continue', async () => {
    const { parent, question } = await startInterview();
    rig.webApi.fail('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 30 }, 1);
    await click(parent, question, 'Skip');

    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage', 'chat.postEphemeral']);
    const postCall = rig.webApi.callsTo('chat.postMessage')[0]!;
    expect(postCall.status).toBe(429);
    const told = String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text']);
    expect(told).toBe('Slack asked me to slow down for 30 s, so my reply didn\'t go out. Your answers are saved: type `start` in the thread to pick up where you left off.');
    expect(warnings('chat.postMessage')).toEqual([expect.objectContaining({ code: 'ratelimited', retryAfterSeconds: 30, channel: CHANNEL })]);

    const key = sessionKey(TEAM, CHANNEL, parent.ts, ALICE);
    expect((await rig.service.get(key))?.answers).toEqual({ project_type: 'skip' });
  });

  it('after the failure, typing start in the thread shows the open question again', async () => {
    const { parent, question } = await startInterview();
    rig.webApi.fail('chat.postMessage', { kind: 'http_error', status: 503 }, 1);
    await click(parent, question, 'Skip');
    expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toContain("Slack had a problem on its side, so my reply didn't go out.");
    rig.webApi.reset();

    await rig.client.event(messageEvent({ eventId: 'Ev0RESUME', threadTs: parent.ts, text: 'start' }));
    const reposted = posts(rig.webApi).at(-1)!;
    expect(reposted.threadTs).toBe(parent.ts);
    expect(controls(reposted.blocks).length).toBeGreaterThan(0);
    const session = await rig.service.get(sessionKey(TEAM, CHANNEL, parent.ts, ALICE));
    const open = testKnowledge().criterionById.get(session?.current ?? '');
    expect(open).toBeDefined();
    expect(readableText(reposted.blocks)).toContain(`*${open!.title}*`);
  });
});

describe('an unexpected failure behind a click', () => {
  it('is logged with its context and the person is told, privately, that their answers are safe', async () => {
    const { parent, question } = await startInterview();
    const handle = vi.spyOn(rig.service, 'handle').mockRejectedValueOnce(new AdvisorError('STORE_FAILURE', 'cannot commit session: disk I/O error'));
    try {
      await click(parent, question, 'Skip');
    } finally {
      handle.mockRestore();
    }
    expect(rig.webApi.responses).toEqual([
      { id: 'click', body: expect.objectContaining({ response_type: 'ephemeral', replace_original: false, text: 'Something went wrong on my side; your answers so far are saved. Please try again.' }) },
    ]);
    const logged = rig.logs.find((entry) => entry.level === 50 && entry.msg === 'Slack request failed after its acknowledgement');
    expect(logged).toMatchObject({ kind: 'action', user: ALICE, team: TEAM, err: expect.objectContaining({ message: 'cannot commit session: disk I/O error' }) });
  });
});

describe('/advisor where the bot cannot post', () => {
  it('not_in_channel: the user is told privately (response_url) to invite the bot, and no session is created', async () => {
    rig.webApi.fail('chat.postMessage', { kind: 'slack_error', error: 'not_in_channel' }, 1);
    const before = await rig.store.count();
    await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('cmd-1') }));
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
    expect(rig.webApi.responses).toEqual([
      { id: 'cmd-1', body: expect.objectContaining({ response_type: 'ephemeral', text: `I'm not a member of <#${CHANNEL}>. Invite me there with \`/invite @advisor\`, then try again.` }) },
    ]);
    expect(await rig.store.count()).toBe(before);
  });

  it('a 5xx from Slack: the user is told it was Slack, and to try again', async () => {
    rig.webApi.fail('chat.postMessage', { kind: 'http_error', status: 502 }, 1);
    await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('cmd-2') }));
    expect(rig.webApi.responses[0]?.body['text']).toBe("Slack had a problem on its side, so my reply didn't go out. Please try again in a moment.");
    expect(warnings('chat.postMessage')).toEqual([expect.objectContaining({ code: 'slack_unavailable', httpStatus: 502 })]);
  });
});
