/**
 * Socket Mode against a local WebSocket stand-in: the app asks the Web API
 * stand-in for a connection URL (apps.connections.open, with the app-level
 * token), connects, receives envelopes and acknowledges each by envelope id.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALICE, CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { controls, posts } from './harness/recorded.ts';
import { APP_TOKEN, startSocketRig, type SocketRig } from './harness/rig.ts';
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

it('an interactive envelope (a select choice) is acknowledged and answers the question', async () => {
  const [parent, question] = posts(rig.webApi);
  const select = controls(question!.blocks).find((c) => c.type === 'static_select')!;
  const api = select.options.find((o) => o.text === 'API / backend service')!;
  rig.webApi.reset();
  const ack = await rig.socket.deliver(
    'interactive',
    blockAction({ messageTs: question!.ts, threadTs: parent!.ts, responseUrl: rig.webApi.responseUrl('socket-select'), actionId: select.actionId, select: { value: api.value } }),
    { envelopeId: 'env-action' },
  );
  expect(ack.envelope_id).toBe('env-action');
  await rig.webApi.waitFor(() => rig.webApi.methods().length === 2);
  expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
  const session = await rig.service.get(sessionKey(TEAM, CHANNEL, parent!.ts, ALICE));
  expect(session?.answers).toEqual({ project_type: 'api' });
});

it('an events_api envelope (a typed answer) is acknowledged and applied once, even when redelivered', async () => {
  const key = sessionKey(TEAM, CHANNEL, parentTs, ALICE);
  const before = (await rig.service.get(key))!.version;
  rig.webApi.reset();
  const event = messageEvent({ eventId: 'Ev0SOCKET', threadTs: parentTs, text: 'skip' });
  const ack = await rig.socket.deliver('events_api', event, { envelopeId: 'env-event' });
  expect(ack.envelope_id).toBe('env-event');
  await rig.webApi.waitFor(() => rig.webApi.methods().includes('chat.postMessage'));
  const redelivery = await rig.socket.deliver('events_api', event, { envelopeId: 'env-event-retry', retryAttempt: 1 });
  expect(redelivery.envelope_id).toBe('env-event-retry');
  // Events are acknowledged before they are processed; a typed "why" after the retry queues behind it on the same session.
  await rig.socket.deliver('events_api', messageEvent({ eventId: 'Ev0SOCKETWHY', threadTs: parentTs, text: 'why' }), { envelopeId: 'env-why' });
  await rig.webApi.waitFor(() => rig.webApi.methods().filter((m) => m === 'chat.postMessage').length === 2);
  expect((await rig.service.get(key))?.version).toBe(before + 1);
  expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage', 'chat.postMessage']);
  expect(rig.socket.acks.map((a) => a.envelope_id)).toEqual(['env-command', 'env-action', 'env-event', 'env-event-retry', 'env-why']);
});
