/**
 * Socket Mode against a local WebSocket stand-in: the app asks the Web API
 * stand-in for a connection URL (apps.connections.open, with the app-level
 * token), connects, receives envelopes and acknowledges each by envelope id,
 * only once the envelope's turn is committed: an envelope whose commit fails is
 * not acknowledged, so Slack redelivers it.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { AdvisorError } from '../../src/errors.ts';
import { ALICE, CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { answerChoice, posts } from './harness/recorded.ts';
import { APP_TOKEN, startSocketRig, testKnowledge, type SocketRig, storedSession } from './harness/rig.ts';
import { firstQuestion, optionOf } from '../support/questions.ts';
import { sessionKey } from '../../adapters/slack/session-key.ts';

let rig: SocketRig;
let parentTs = '';
beforeAll(async () => {
  rig = await startSocketRig();
});
afterAll(async () => {
  await rig.stop();
});

it('connects with the app-level token through apps.connections.open', () => {
  const open = rig.webApi.callsTo('apps.connections.open');
  expect(open).toHaveLength(1);
  expect(open[0]!.token).toBe(APP_TOKEN);
  expect(rig.socket.connections).toBe(1);
});

it('a slash command envelope is acknowledged and starts the interview in a thread', async () => {
  const ack = await rig.socket.deliver('slash_commands', slashCommand({ responseUrl: rig.webApi.responseUrl('socket-start') }), { envelopeId: 'env-command' });
  expect(ack.envelope_id).toBe('env-command');
  await rig.webApi.waitFor(() => posts(rig.webApi).length === 2);
  const [parent, question] = posts(rig.webApi);
  parentTs = parent!.ts;
  expect(parent!.text).toBe(`<@${ALICE}> is choosing a framework — follow along in the thread`);
  expect(question!.threadTs).toBe(parent!.ts);
  expect(rig.webApi.callsTo('chat.postMessage').every((c) => c.token === 'xoxb-test-bot-token')).toBe(true);
});

it('an interactive envelope (an answer chosen on the question) is acknowledged and answers the question', async () => {
  const [parent, question] = posts(rig.webApi);
  // The first answer the question shows (a button, or an entry of its select).
  const first = firstQuestion(testKnowledge());
  const answer = optionOf(testKnowledge(), first);
  const chosen = answerChoice(question!, answer.label);
  rig.webApi.reset();
  const ack = await rig.socket.deliver(
    'interactive',
    blockAction({ messageTs: question!.ts, threadTs: parent!.ts, responseUrl: rig.webApi.responseUrl('socket-select'), ...chosen }),
    { envelopeId: 'env-action' },
  );
  expect(ack.envelope_id).toBe('env-action');
  await rig.webApi.waitFor(() => rig.webApi.methods().length === 2);
  expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
  const session = await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent!.ts, ALICE));
  expect(session?.answers).toEqual({ [first]: answer.id });
});

it('an events_api envelope (a typed answer) is acknowledged and applied once, even when redelivered', async () => {
  const key = sessionKey(TEAM, CHANNEL, parentTs, ALICE);
  const before = (await storedSession(rig.store, key))!.version;
  rig.webApi.reset();
  const event = messageEvent({ eventId: 'Ev0SOCKET', threadTs: parentTs, text: 'skip' });
  const ack = await rig.socket.deliver('events_api', event, { envelopeId: 'env-event' });
  expect(ack.envelope_id).toBe('env-event');
  await rig.webApi.waitFor(() => rig.webApi.methods().includes('chat.postMessage'));
  const redelivery = await rig.socket.deliver('events_api', event, { envelopeId: 'env-event-retry', retryAttempt: 1 });
  expect(redelivery.envelope_id).toBe('env-event-retry');
  // The retry's own drain is over before the next message (on a networked store it may otherwise take the next turn's post, and look before posting).
  await rig.turns.idle();
  // Acknowledged once committed; a typed "why" after the retry is applied after it, on the same session.
  await rig.socket.deliver('events_api', messageEvent({ eventId: 'Ev0SOCKETWHY', threadTs: parentTs, text: 'why' }), { envelopeId: 'env-why' });
  await rig.webApi.waitFor(() => rig.webApi.methods().filter((m) => m === 'chat.postMessage').length === 2);
  expect((await storedSession(rig.store, key))?.version).toBe(before + 1);
  expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage', 'chat.postMessage']);
  expect(rig.socket.acks.map((a) => a.envelope_id)).toEqual(['env-command', 'env-action', 'env-event', 'env-event-retry', 'env-why']);
});

it('an envelope is acknowledged after its commit, before the Web API calls that show it', async () => {
  const key = sessionKey(TEAM, CHANNEL, parentTs, ALICE);
  const before = (await storedSession(rig.store, key))!.version;
  await rig.turns.idle();
  rig.webApi.reset();
  const held = rig.webApi.hold('chat.postMessage');
  const ack = await rig.socket.deliver('events_api', messageEvent({ eventId: 'Ev0HELD', threadTs: parentTs, text: 'skip' }), { envelopeId: 'env-held' });
  expect(ack.envelope_id).toBe('env-held');
  expect(await rig.store.hasDelivery('event:Ev0HELD', Date.now())).toBe(true);
  expect((await storedSession(rig.store, key))?.version).toBe(before + 1);
  expect(rig.webApi.callsTo('chat.postMessage')).toEqual([]);
  held.release();
  await rig.turns.idle();
  expect(rig.webApi.callsTo('chat.postMessage')).toHaveLength(1);
});

it('an envelope whose commit fails is not acknowledged, and its redelivery is applied', async () => {
  const key = sessionKey(TEAM, CHANNEL, parentTs, ALICE);
  const before = (await storedSession(rig.store, key))!.version;
  rig.webApi.reset();
  const commit = vi.spyOn(rig.store, 'commitTurn').mockRejectedValueOnce(new AdvisorError('STORE_FAILURE', 'cannot commit the turn: database is locked'));
  const event = messageEvent({ eventId: 'Ev0LOCKED', threadTs: parentTs, text: 'skip' });
  try {
    // The stand-in's timeout is only how long this test waits for an ack that must never come.
    await expect(rig.socket.deliver('events_api', event, { envelopeId: 'env-locked', timeoutMs: 1_000 })).rejects.toThrow('not acknowledged');
  } finally {
    commit.mockRestore();
  }
  expect(rig.socket.acks.map((a) => a.envelope_id)).not.toContain('env-locked');
  expect(await rig.store.hasDelivery('event:Ev0LOCKED', Date.now())).toBe(false);
  expect((await storedSession(rig.store, key))?.version).toBe(before);
  expect(rig.webApi.calls).toEqual([]);

  const redelivered = await rig.socket.deliver('events_api', event, { envelopeId: 'env-locked-retry', retryAttempt: 1 });
  expect(redelivered.envelope_id).toBe('env-locked-retry');
  await rig.turns.idle();
  expect((await storedSession(rig.store, key))?.version).toBe(before + 1);
});
