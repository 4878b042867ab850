/**
 * With the production setting (`processBeforeResponse: false`), Slack gets its
 * HTTP 200 before the work behind a command or click is done: the tests hold
 * every chat.postMessage unanswered and see the acknowledgement arrive anyway.
 * No timing is measured; the order of events proves it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blockAction, slashCommand } from './harness/payloads.ts';
import { control, posts } from './harness/recorded.ts';
import { startHttpRig, type HttpRig } from './harness/rig.ts';

let rig: HttpRig;
beforeAll(async () => {
  rig = await startHttpRig({ processBeforeResponse: false });
});
afterAll(async () => {
  await rig.stop();
});

it('a slash command is acknowledged while its messages are still waiting on Slack', async () => {
  const held = rig.webApi.hold('chat.postMessage');
  const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
  expect(response.status).toBe(200);
  expect(posts(rig.webApi)).toEqual([]);

  await rig.webApi.waitFor(() => held.waiting() === 1);
  held.release();
  await rig.webApi.waitFor(() => posts(rig.webApi).length === 2);
  expect(posts(rig.webApi)[1]!.threadTs).toBe(posts(rig.webApi)[0]!.ts);
});

it('a click is acknowledged while the next question is still waiting on Slack', async () => {
  const [parent, question] = posts(rig.webApi);
  rig.webApi.reset();
  const skip = control(question!, 'Skip');
  const held = rig.webApi.hold('chat.postMessage');
  const response = await rig.client.interaction(
    blockAction({ messageTs: question!.ts, threadTs: parent!.ts, responseUrl: rig.webApi.responseUrl('c'), actionId: skip.actionId, button: { value: skip.value! } }),
  );
  expect(response.status).toBe(200);
  await rig.webApi.waitFor(() => held.waiting() === 1);
  expect(posts(rig.webApi)).toEqual([]);
  held.release();
  await rig.webApi.waitFor(() => posts(rig.webApi).length === 1);
  expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postMessage']);
});
