/**
 * Slack gets its HTTP 200 right after the turn is committed, before the Web
 * API calls that show it: the tests hold every chat.postMessage unanswered and
 * see the acknowledgement arrive anyway, with the delivery already in the
 * store. No timing is measured; the order of events proves it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blockAction, slashCommand } from './harness/payloads.ts';
import { control, posts } from './harness/recorded.ts';
import { startHttpRig, testKnowledge, type HttpRig } from './harness/rig.ts';
import { firstQuestion } from '../support/questions.ts';

let rig: HttpRig;
beforeAll(async () => {
  rig = await startHttpRig();
});
afterAll(async () => {
  await rig.stop();
});

it('a slash command is acknowledged once committed, while its messages are still waiting on Slack', async () => {
  const held = rig.webApi.hold('chat.postMessage');
  const command = slashCommand({ responseUrl: rig.webApi.responseUrl('start') });
  const response = await rig.rawClient.command(command);
  expect(response.status).toBe(200);
  expect(posts(rig.webApi)).toEqual([]);
  expect(await rig.store.hasDelivery(`command:${command['trigger_id']}`, Date.now())).toBe(true);

  await rig.webApi.waitFor(() => held.waiting() === 1);
  held.release();
  await rig.webApi.waitFor(() => posts(rig.webApi).length === 2);
  expect(posts(rig.webApi)[1]!.threadTs).toBe(posts(rig.webApi)[0]!.ts);
  await rig.turns.idle();
});

it('a click is acknowledged once committed, while the next question is still waiting on Slack', async () => {
  const [parent, question] = posts(rig.webApi);
  rig.webApi.reset();
  const skip = control(question!, 'Skip');
  const held = rig.webApi.hold('chat.postMessage');
  const response = await rig.rawClient.interaction(
    blockAction({ messageTs: question!.ts, threadTs: parent!.ts, responseUrl: rig.webApi.responseUrl('c'), actionId: skip.actionId, button: { value: skip.value! } }),
  );
  expect(response.status).toBe(200);
  expect((await rig.store.listByConversation({ platform: 'slack', workspace: 'T0TEAM', conversation: `C0GENERAL:${parent!.ts}` }))[0]?.session.answers).toEqual({ [firstQuestion(testKnowledge())]: 'skip' });
  await rig.webApi.waitFor(() => held.waiting() === 1);
  expect(posts(rig.webApi)).toEqual([]);
  held.release();
  await rig.webApi.waitFor(() => posts(rig.webApi).length === 1);
  await rig.turns.idle();
  expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
});
