/**
 * Durable before acknowledged, and applied once: a replayed signed request is
 * one delivery (its id is in the store, not in memory), and when the commit
 * fails nothing is recorded and Slack is told so that it (or the person) tries
 * again: an event gets a 5xx, a command an ephemeral answer, a click a private
 * note through its response_url.
 */
import { stringify as formEncode } from 'node:querystring';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { AdvisorError } from '../../src/errors.ts';
import { NOT_SAVED } from '../../src/turns/wording.ts';
import { ALICE, CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { control, posts, readableText, type PostedMessage } from './harness/recorded.ts';
import { startHttpRig, storedSession, testKnowledge, type HttpRig } from './harness/rig.ts';
import { firstQuestion } from '../support/questions.ts';
import { FORM } from './harness/signer.ts';

let rig: HttpRig;
/** The turn layer's clock, moved forward to reach a retry time. */
let now = Date.now();
beforeAll(async () => {
  rig = await startHttpRig({ clock: () => now });
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => {
  rig.webApi.reset();
  rig.logs.length = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The store refuses the next commit as a locked or full database would. */
function failNextCommit(): void {
  vi.spyOn(rig.store, 'commitTurn').mockRejectedValueOnce(new AdvisorError('STORE_FAILURE', 'cannot commit the turn: database is locked'));
}

async function startInterview(): Promise<{ parent: PostedMessage; question: PostedMessage }> {
  await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
  const [parent, question] = posts(rig.webApi).slice(-2);
  rig.webApi.reset();
  return { parent: parent!, question: question! };
}

describe('a replayed signed slash command (same body, signature and timestamp)', () => {
  const timestampSeconds = Math.floor(Date.now() / 1000);

  it('/advisor starts one interview', async () => {
    const body = formEncode(slashCommand({ responseUrl: rig.webApi.responseUrl('replay-start') }));
    const sessions = await rig.store.count();
    const first = await rig.client.send(body, FORM, { timestampSeconds });
    const replay = await rig.client.send(body, FORM, { timestampSeconds });
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(rig.webApi.methods()).toEqual(['chat.postMessage', 'chat.postMessage']);
    expect(await rig.store.count()).toBe(sessions + 1);
  });

  it('/advisor ask is answered once', async () => {
    const body = formEncode(slashCommand({ text: 'ask does flask have an ORM?', responseUrl: rig.webApi.responseUrl('replay-ask') }));
    await rig.client.send(body, FORM, { timestampSeconds });
    await rig.client.send(body, FORM, { timestampSeconds });
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
    expect(readableText(posts(rig.webApi)[0]!.blocks)).toContain('asked: “does flask have an ORM?”');
  });
});

describe('a commit that fails', () => {
  it('an event gets a 5xx and nothing is recorded; Slack’s retry is then applied', async () => {
    const { parent } = await startInterview();
    const key = sessionKey(TEAM, CHANNEL, parent.ts, ALICE);
    const typed = messageEvent({ eventId: 'Ev0LOCKED', threadTs: parent.ts, text: 'skip' });
    failNextCommit();
    const response = await rig.client.event(typed);
    expect(response.status).toBe(500);
    expect(rig.webApi.calls).toEqual([]);
    expect(await rig.store.hasDelivery('event:Ev0LOCKED', now)).toBe(false);
    expect(await storedSession(rig.store, key)).toMatchObject({ version: 1, answers: {} });
    expect(rig.logs.find((entry) => entry.level === 50 && entry.msg === 'event not recorded; Slack will redeliver it')).toMatchObject({
      kind: 'message',
      delivery: 'event:Ev0LOCKED',
      user: ALICE,
      err: expect.objectContaining({ message: 'cannot commit the turn: database is locked' }),
    });

    const retry = await rig.client.event(typed, { retryNum: 1, retryReason: 'http_error' });
    expect(retry.status).toBe(200);
    expect(await storedSession(rig.store, key)).toMatchObject({ version: 2, answers: { [firstQuestion(testKnowledge())]: 'skip' } });
    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
  });

  it('a slash command is answered ephemerally that nothing was recorded', async () => {
    const sessions = await rig.store.count();
    failNextCommit();
    const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('locked-command') }));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ response_type: 'ephemeral', text: NOT_SAVED });
    expect(rig.webApi.calls).toEqual([]);
    expect(rig.webApi.responses).toEqual([]);
    expect(await rig.store.count()).toBe(sessions);
    expect(await rig.store.pendingOutboxCount()).toBe(0);
  });

  it('a click is told privately, through its response_url, that nothing was recorded', async () => {
    const { parent, question } = await startInterview();
    const skip = control(question, 'Skip');
    const click = blockAction({ messageTs: question.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('locked-click'), actionId: skip.actionId, button: { value: skip.value! } });
    failNextCommit();
    expect((await rig.client.interaction(click)).status).toBe(200);
    expect(rig.webApi.calls).toEqual([]);
    expect(rig.webApi.responses).toEqual([
      { id: 'locked-click', body: expect.objectContaining({ response_type: 'ephemeral', replace_original: false, text: NOT_SAVED }) },
    ]);
    expect(await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toMatchObject({ version: 1, answers: {} });

    // Nothing was recorded, so the same click, tried again, is applied.
    await rig.client.interaction(click);
    expect(await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toMatchObject({ version: 2, answers: { [firstQuestion(testKnowledge())]: 'skip' } });
  });
});

describe('a retried delivery whose messages did not all go out', () => {
  it('sends what is still unsent instead of dropping it', async () => {
    const { parent, question } = await startInterview();
    rig.webApi.fail('chat.postMessage', { kind: 'http_error', status: 503 }, 1);
    const typed = messageEvent({ eventId: 'Ev0HALFSENT', threadTs: parent.ts, text: 'skip' });
    await rig.client.event(typed);
    expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage', 'chat.postEphemeral']);
    expect(await rig.store.pendingOutboxCount()).toBe(1);
    rig.webApi.clearFailures();
    rig.webApi.reset();
    // Slack's retry of the same event (say the first response was lost): not applied again, but the unsent question goes out once due.
    now += 120_000;
    await rig.client.event(typed, { retryNum: 1 });
    expect(rig.webApi.methods()).toEqual(['conversations.replies', 'chat.postMessage']);
    expect(posts(rig.webApi)[0]!.threadTs).toBe(parent.ts);
    expect(posts(rig.webApi)[0]!.ts).not.toBe(question.ts);
    expect(await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toMatchObject({ version: 2 });
  });
});

describe('the log', () => {
  it('has one "delivery handled" line per delivery the advisor took, with its outcome and duration, as on Discord', async () => {
    const { parent } = await startInterview();
    const typed = messageEvent({ eventId: 'Ev0LOGGED', threadTs: parent.ts, text: 'skip' });
    await rig.client.event(typed);
    await rig.client.event(typed, { retryNum: 1 });
    const lines = rig.logs.filter((entry) => entry.msg === 'delivery handled');
    expect(lines.map((line) => [line['kind'], line['inbound'], line['outcome']])).toEqual([
      ['command', 'start', 'ok'],
      ['message', 'text', 'ok'],
      ['message', 'text', 'duplicate'],
    ]);
    expect(lines.every((line) => typeof line['ms'] === 'number' && typeof line['thread'] === 'string')).toBe(true);
  });
});

describe('a message that waited behind a failed one', () => {
  it('is posted by the sweep without looking for it first: the store knows it was never tried', async () => {
    const { parent } = await startInterview();
    rig.webApi.fail('chat.update', { kind: 'http_error', status: 503 }, 1);
    await rig.client.event(messageEvent({ eventId: 'Ev0BEHIND', threadTs: parent.ts, text: 'skip' }));
    expect(rig.webApi.methods()[0]).toBe('chat.update');
    expect(rig.webApi.methods()).not.toContain('chat.postMessage');
    rig.webApi.clearFailures();
    rig.webApi.reset();
    now += 120_000;
    await rig.turns.outbox.sweep();
    await rig.turns.idle();
    // Conversations.replies is rate-limited (Tier 3): only a send that may have gone out before looks first.
    expect(rig.webApi.methods()).not.toContain('conversations.replies');
    expect(posts(rig.webApi).filter((p) => p.threadTs === parent.ts)).toHaveLength(1);
  });
});

describe('a message that reached Slack but whose answer was lost (a crash, a dropped connection)', () => {
  /**
   * Skips the first question; the next one reaches Slack but its answer is lost, so the outbox does not know it
   * went out. `chatter` messages are in the thread before it. Returns the parent and a count of the thread's replies.
   */
  async function skipWithLostAnswer(chatter = 0): Promise<{ parent: PostedMessage; inThread: () => number }> {
    const { parent, question } = await startInterview();
    for (let i = 0; i < chatter; i++) rig.webApi.messages.push({ channel: CHANNEL, ts: `1700000100.${String(i).padStart(6, '0')}`, threadTs: parent.ts, text: `chatter ${i}`, blocks: undefined, metadata: undefined });
    rig.webApi.fail('chat.postMessage', { kind: 'lost_answer' }, 1);
    const skip = control(question, 'Skip');
    await rig.client.interaction(blockAction({ messageTs: question.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('lost'), actionId: skip.actionId, button: { value: skip.value! } }));
    rig.webApi.reset();
    return { parent, inThread: () => rig.webApi.messages.filter((m) => m.threadTs === parent.ts).length - chatter };
  }

  async function sweepLater(): Promise<void> {
    now += 120_000;
    await rig.turns.outbox.sweep();
    await rig.turns.idle();
  }

  it('is found by its handle when sent again, not posted twice', async () => {
    const { parent, inThread } = await skipWithLostAnswer();
    // Slack has the next question; the outbox does not know it.
    expect(inThread()).toBe(2);
    expect(await rig.store.pendingOutboxCount()).toBe(1);

    await sweepLater();
    expect(rig.webApi.methods()).toEqual(['conversations.replies']);
    expect(inThread()).toBe(2);
    expect(await rig.store.pendingOutboxCount()).toBe(0);

    // The thread goes on from the message found: answering retires its buttons.
    const next = rig.webApi.messages.filter((m) => m.threadTs === parent.ts).at(-1)!;
    const thread = await rig.store.loadThread({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${parent.ts}` });
    expect(await rig.store.messageIdOf({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${parent.ts}` }, thread!.state.live!.handle)).toBe(next.ts);
  });

  it('waits when Slack cannot answer the look-up for now, instead of posting it a second time', async () => {
    const { inThread } = await skipWithLostAnswer();
    expect(inThread()).toBe(2);

    // The look-up is rate limited: nothing is posted blind; the entry waits.
    rig.webApi.fail('conversations.replies', { kind: 'rate_limited', retryAfterSeconds: 1 }, 1);
    await sweepLater();
    expect(rig.webApi.methods()).toEqual(['conversations.replies']);
    expect(inThread()).toBe(2);
    expect(await rig.store.pendingOutboxCount()).toBe(1);

    // Its next try finds the message: still two in the thread, nothing pending.
    rig.webApi.reset();
    await sweepLater();
    expect(rig.webApi.methods()).toEqual(['conversations.replies']);
    expect(inThread()).toBe(2);
    expect(await rig.store.pendingOutboxCount()).toBe(0);
  });

  it('is posted after all when only a later page of the look-up is refused (some installs may read one page a minute)', async () => {
    const { inThread } = await skipWithLostAnswer(450);
    rig.webApi.fail('conversations.replies', { kind: 'rate_limited', retryAfterSeconds: 60 }, 1, 1);
    await sweepLater();
    expect(rig.webApi.methods()).toEqual(['conversations.replies', 'conversations.replies', 'chat.postMessage']);
    // Posted twice, as before this look-up existed, rather than held back for ever.
    expect(inThread()).toBe(3);
    expect(await rig.store.pendingOutboxCount()).toBe(0);
  });

  it('is found in a long thread, past the first page of replies', async () => {
    // 450 messages of a busy thread come before the question whose answer was lost.
    const { inThread } = await skipWithLostAnswer(450);
    await sweepLater();
    expect(inThread()).toBe(2);
    expect(rig.webApi.methods()).toEqual(['conversations.replies', 'conversations.replies', 'conversations.replies']);
    expect(rig.webApi.callsTo('conversations.replies').map((call) => call.body['cursor'])).toEqual([undefined, 'page-200', 'page-400']);
    expect(await rig.store.pendingOutboxCount()).toBe(0);
  });
});
