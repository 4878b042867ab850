/**
 * Slack redelivers events it thinks were missed (same event_id, with
 * X-Slack-Retry-Num), and people double-click. Neither may record an answer
 * twice or skip a question: the session version and the recorded Web API
 * calls show each is applied once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { ALICE, CHANNEL, OTHER_CHANNEL, TEAM, blockAction, mentionEvent, messageEvent, slashCommand } from './harness/payloads.ts';
import { control, controls, posts, type PostedMessage } from './harness/recorded.ts';
import { startHttpRig, testKnowledge, type HttpRig, storedSession } from './harness/rig.ts';
import { firstQuestion, optionOf } from '../support/questions.ts';

let rig: HttpRig;
beforeAll(async () => {
  rig = await startHttpRig();
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => rig.webApi.reset());

async function startInterview(): Promise<{ parent: PostedMessage; question: PostedMessage }> {
  await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
  const [parent, question] = posts(rig.webApi).slice(-2);
  rig.webApi.reset();
  return { parent: parent!, question: question! };
}

function versionOf(parent: PostedMessage): Promise<number | undefined> {
  return storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE)).then((s) => s?.version);
}

describe('a redelivered event', () => {
  it('is applied once: the retry (same event_id, X-Slack-Retry-Num) records nothing and posts nothing', async () => {
    const { parent } = await startInterview();
    // Typed in words: the first answer of the question shown.
    const typed = messageEvent({ eventId: 'Ev0ONCE', threadTs: parent.ts, text: optionOf(testKnowledge(), firstQuestion(testKnowledge())).label });

    const first = await rig.client.event(typed);
    expect(first.status).toBe(200);
    const afterFirst = await versionOf(parent);
    const callsAfterFirst = rig.webApi.methods();
    expect(afterFirst).toBe(2);
    expect(callsAfterFirst).toEqual(['chat.update', 'chat.postMessage']);

    const retry = await rig.client.event(typed, { retryNum: 1, retryReason: 'http_timeout' });
    const secondRetry = await rig.client.event(typed, { retryNum: 2, retryReason: 'http_error' });
    expect([retry.status, secondRetry.status]).toEqual([200, 200]);
    expect(await versionOf(parent)).toBe(afterFirst);
    expect(rig.webApi.methods()).toEqual(callsAfterFirst);
  });

  it('a retried mention is answered once', async () => {
    const mention = mentionEvent({ eventId: 'Ev0MENTION', text: '<@U0ADVISOR> does flask have an ORM?' });
    await rig.client.event(mention);
    await rig.client.event(mention, { retryNum: 1 });
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
  });
});

describe('a double click', () => {
  function clickPayload(parent: PostedMessage, message: PostedMessage, caption: string): Record<string, unknown> {
    const target = control(message, caption);
    return blockAction({ messageTs: message.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('click'), actionId: target.actionId, button: { value: target.value! } });
  }

  it('on Skip, one after the other, skips exactly one question', async () => {
    const { parent, question } = await startInterview();
    const click = clickPayload(parent, question, 'Skip');
    await rig.client.interaction(click);
    await rig.client.interaction(click);
    expect(await versionOf(parent)).toBe(2);
    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
    const session = await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE));
    expect(session?.answers).toEqual({ [firstQuestion(testKnowledge())]: 'skip' });
  });

  it('on Skip, both clicks in flight at once, skips exactly one question', async () => {
    const { parent, question } = await startInterview();
    const click = clickPayload(parent, question, 'Skip');
    const responses = await Promise.all([rig.client.interaction(click), rig.client.interaction(click)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(await versionOf(parent)).toBe(2);
    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
  });

  it('two different buttons of one question (same version): the second is stale and changes nothing', async () => {
    const { parent, question } = await startInterview();
    await rig.client.interaction(clickPayload(parent, question, 'Skip'));
    rig.webApi.reset();
    await rig.client.interaction(clickPayload(parent, question, 'See result'));
    expect(await versionOf(parent)).toBe(2);
    // The core says the button is out of date (privately); the open question is already in the thread, so it is not posted again.
    expect(rig.webApi.methods()).toEqual(['chat.postEphemeral']);
    expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toContain('earlier step');
  });

  it('on a channel in the share picker posts the summary once', async () => {
    const { parent, question } = await startInterview();
    await rig.client.interaction(clickPayload(parent, question, 'Skip'));
    const next = posts(rig.webApi).at(-1)!;
    const firstAnswer = controls(next.blocks).find((c) => c.actionId.startsWith('advisor:answer'))!;
    await rig.client.interaction(clickPayload(parent, next, firstAnswer.caption));
    await rig.client.interaction(clickPayload(parent, posts(rig.webApi).at(-1)!, 'See result'));
    await rig.client.interaction(clickPayload(parent, posts(rig.webApi).at(-1)!, 'Post to channel'));
    const picker = posts(rig.webApi).at(-1)!;
    rig.webApi.reset();

    const choose = blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('share'), actionId: 'advisor:share_to', conversation: OTHER_CHANNEL });
    await Promise.all([rig.client.interaction(choose), rig.client.interaction(choose)]);
    expect(posts(rig.webApi).filter((p) => p.channel === OTHER_CHANNEL)).toHaveLength(1);
  });
});
