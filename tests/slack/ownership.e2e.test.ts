/**
 * An interview belongs to whoever started it. Others' clicks get an ephemeral
 * note and change nothing; others' typed messages in the thread are left alone,
 * with one private hint per person.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { ALICE, BOB, CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { control, posts, type PostedMessage } from './harness/recorded.ts';
import { startHttpRig, testKnowledge, type HttpRig, storedSession } from './harness/rig.ts';
import { firstQuestion } from '../support/questions.ts';

let rig: HttpRig;
let parent: PostedMessage;
let question: PostedMessage;

beforeAll(async () => {
  rig = await startHttpRig();
  await rig.client.command(slashCommand({ user: ALICE, responseUrl: rig.webApi.responseUrl('start') }));
  [parent, question] = posts(rig.webApi) as [PostedMessage, PostedMessage];
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => rig.webApi.reset());

const aliceKey = (): ReturnType<typeof sessionKey> => sessionKey(TEAM, CHANNEL, parent.ts, ALICE);

describe("someone else's interview", () => {
  it("a click by another person gets an ephemeral note naming the owner, and changes nothing", async () => {
    const skip = control(question, 'Skip');
    const response = await rig.client.interaction(
      blockAction({ user: BOB, messageTs: question.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('bob'), actionId: skip.actionId, button: { value: skip.value! } }),
    );
    expect(response.status).toBe(200);
    expect(rig.webApi.methods()).toEqual(['chat.postEphemeral']);
    expect(rig.webApi.callsTo('chat.postEphemeral')[0]!.body).toMatchObject({
      channel: CHANNEL,
      user: BOB,
      thread_ts: parent.ts,
      // The turn layer's words, the same on every platform.
      text: `This interview is <@${ALICE}>'s; start your own with /advisor.`,
    });
    expect(await storedSession(rig.store, aliceKey())).toMatchObject({ version: 1, answers: {} });
    expect(await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, BOB))).toBeUndefined();
  });

  it('typed messages by another person are not answers; they get the same hint once, then silence', async () => {
    await rig.client.event(messageEvent({ eventId: 'Ev0BOB1', user: BOB, threadTs: parent.ts, text: 'an online shop' }));
    await rig.client.event(messageEvent({ eventId: 'Ev0BOB2', user: BOB, threadTs: parent.ts, text: 'skip' }));
    expect(rig.webApi.methods()).toEqual(['chat.postEphemeral']);
    expect(rig.webApi.callsTo('chat.postEphemeral')[0]!.body).toMatchObject({ user: BOB, thread_ts: parent.ts });
    expect(await storedSession(rig.store, aliceKey())).toMatchObject({ version: 1, answers: {} });
  });

  it('messages outside interview threads, edits and bot messages are ignored', async () => {
    await rig.client.event(messageEvent({ eventId: 'Ev0TOP', text: 'skip' }));
    await rig.client.event(messageEvent({ eventId: 'Ev0OTHERTHREAD', threadTs: '1699999999.000001', text: 'skip' }));
    await rig.client.event(messageEvent({ eventId: 'Ev0EDIT', threadTs: parent.ts, text: 'skip', subtype: 'message_changed' }));
    await rig.client.event(messageEvent({ eventId: 'Ev0BOT', threadTs: parent.ts, text: 'skip', botId: 'B0OTHER' }));
    expect(rig.webApi.calls).toEqual([]);
    expect(await storedSession(rig.store, aliceKey())).toMatchObject({ version: 1, answers: {} });
  });

  it('the owner can still answer (the checks above were about who, not what)', async () => {
    await rig.client.event(messageEvent({ eventId: 'Ev0ALICE', user: ALICE, threadTs: parent.ts, text: 'skip' }));
    expect(await storedSession(rig.store, aliceKey())).toMatchObject({ version: 2, answers: { [firstQuestion(testKnowledge())]: 'skip' } });
  });
});
