/**
 * Start-up (`npm start` calls startSlack) and session expiry as seen in Slack:
 * an expired interview is announced once, and its old buttons are retired.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSlack } from '../../adapters/slack/start.ts';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { silentLogger } from '../../src/logger.ts';
import { isAdvisorError } from '../../src/errors.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { openTestStore } from '../support/test-store.ts';
import { ALICE, CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { blocksOf, control, controls, posts, readableText, type PostedMessage } from './harness/recorded.ts';
import { BOT_TOKEN, SESSION_TTL_MS, SIGNING_SECRET, startHttpRig, testKnowledge, storedSession, type HttpRig } from './harness/rig.ts';
import { SignedSlackClient } from './harness/signer.ts';
import { SlackWebApiStandIn } from './harness/web-api-stand-in.ts';
import { firstQuestion, optionOf } from '../support/questions.ts';

/** The first question of every interview, as the engine asks it. */
const FIRST = firstQuestion(testKnowledge());

/** What startSlack rejects with, for these settings (HTTP mode on 127.0.0.1). */
async function startError(config: { botToken: string; port: number; apiUrl: string }, store: SessionStore): Promise<unknown> {
  const started = startSlack({ config: { ...config, signingSecret: SIGNING_SECRET }, store, knowledge: testKnowledge(), ttlMs: SESSION_TTL_MS, logger: silentLogger(), host: '127.0.0.1' });
  return started.then(
    async (running) => {
      await running.stop();
      return undefined;
    },
    (error: unknown) => error,
  );
}

describe('startSlack', () => {
  it('looks the bot up once with auth.test, then serves commands', async () => {
    const webApi = await SlackWebApiStandIn.start();
    const store = await openTestStore();
    const running = await startSlack({
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0, apiUrl: webApi.apiUrl },
      store,
      knowledge: testKnowledge(),
      ttlMs: SESSION_TTL_MS,
      logger: silentLogger(),
      host: '127.0.0.1',
    });
    try {
      expect(running).toMatchObject({ name: 'slack', mode: 'http' });
      expect(webApi.methods()).toEqual(['auth.test']);
      const client = new SignedSlackClient(`http://127.0.0.1:${running.port}/slack/events`, SIGNING_SECRET);
      await client.command(slashCommand({ responseUrl: webApi.responseUrl('s') }));
      await running.turns.idle();
      expect(webApi.methods()).toEqual(['auth.test', 'chat.postMessage', 'chat.postMessage']);
    } finally {
      await running.stop();
      await store.close();
      await webApi.close();
    }
  });

  it('a bot token Slack refuses stops start-up with a message naming SLACK_BOT_TOKEN', async () => {
    const webApi = await SlackWebApiStandIn.start();
    webApi.fail('auth.test', { kind: 'slack_error', error: 'invalid_auth' });
    const store = await openTestStore();
    try {
      const error = await startError({ botToken: 'xoxb-wrong', port: 0, apiUrl: webApi.apiUrl }, store);
      expect(isAdvisorError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('SLACK_BOT_TOKEN: Slack refused the bot token (invalid_auth)');
    } finally {
      await store.close();
      await webApi.close();
    }
  });
});

describe('a PORT that cannot be listened on', () => {
  it('stops start-up with a message naming PORT, not a stack trace', async () => {
    const webApi = await SlackWebApiStandIn.start();
    const store = await openTestStore();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const error = await startError({ botToken: BOT_TOKEN, port, apiUrl: webApi.apiUrl }, store);
      expect(isAdvisorError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain(`PORT: port ${port} is already in use`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      await store.close();
      await webApi.close();
    }
  });
});

/** An interview whose clock has moved past its time to live, on a rig of its own (stopped after `body`). */
async function afterIdling(
  body: (idle: { rig: HttpRig; parent: PostedMessage; question: PostedMessage; now: number; setNow: (at: number) => void }) => Promise<void>,
): Promise<void> {
  let now = 1_000_000;
  const rig = await startHttpRig({ clock: () => now });
  try {
    await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
    const [parent, question] = posts(rig.webApi) as [PostedMessage, PostedMessage];
    now += SESSION_TTL_MS + 1;
    rig.webApi.reset();
    await body({ rig, parent, question, now, setNow: (at) => (now = at) });
  } finally {
    await rig.stop();
  }
}

/** A click on the button captioned `caption` of `question`. */
function clickOn(rig: HttpRig, parent: PostedMessage, question: PostedMessage, caption: string, responseId: string): Record<string, unknown> {
  const button = control(question, caption);
  return blockAction({ messageTs: question.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl(responseId), actionId: button.actionId, button: { value: button.value! } });
}

describe('an interview left idle past its time to live', () => {
  it('an answer typed by its owner: told it expired, the old question loses its buttons, and a fresh interview begins', () =>
    afterIdling(async ({ rig, parent, question: oldQuestion }) => {
      // Words that answer the question shown.
      await rig.client.event(messageEvent({ eventId: 'Ev0LATE', threadTs: parent.ts, text: optionOf(testKnowledge(), FIRST).label }));
      expect(rig.webApi.methods()).toEqual(['chat.postEphemeral', 'chat.update', 'chat.postMessage']);
      expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toContain('expired');
      const retired = rig.webApi.callsTo('chat.update')[0]!;
      expect(retired.body['ts']).toBe(oldQuestion.ts);
      expect(controls(blocksOf(retired))).toEqual([]);
      const question = posts(rig.webApi).at(-1)!;
      expect(question.threadTs).toBe(parent.ts);
      expect(readableText(question.blocks)).toContain(testKnowledge().criterionById.get(FIRST)!.question);
      // After expiry the interview begins afresh (the notice says so); what was typed is not taken as an answer.
      expect(await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toMatchObject({ phase: 'asking', current: FIRST, answers: {} });
    }));

  it('a click on the expired interview: one private notice, and its buttons are retired', () =>
    afterIdling(async ({ rig, parent, question }) => {
      expect((await rig.client.interaction(clickOn(rig, parent, question, 'Skip', 'late'))).status).toBe(200);
      expect(rig.webApi.methods()).toEqual(['chat.update', 'chat.postEphemeral']);
      expect(rig.webApi.callsTo('chat.update')[0]!.body['ts']).toBe(question.ts);
      expect(controls(blocksOf(rig.webApi.callsTo('chat.update')[0]!))).toEqual([]);
      expect(rig.webApi.callsTo('chat.postEphemeral')[0]!.body).toMatchObject({
        user: ALICE,
        thread_ts: parent.ts,
        text: 'That interview has ended (it expired after a long pause, or was started over). Start a new one with /advisor.',
      });
      expect(rig.webApi.responses).toEqual([]);
      expect(await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toMatchObject({ version: 1, answers: {} });
    }));

  it('a click once cleanup has removed the interview: the clicked question is read back and loses only its buttons', () =>
    afterIdling(async ({ rig, parent, question, now }) => {
      expect(await rig.store.deleteExpired(now - SESSION_TTL_MS, now)).toBe(1);
      expect((await rig.client.interaction(clickOn(rig, parent, question, 'Skip', 'late'))).status).toBe(200);
      // The notice first: the tidy-up after it (a read, an update) may wait on Slack's rate limits.
      expect(rig.webApi.methods()).toEqual(['chat.postEphemeral', 'conversations.replies', 'chat.update']);
      expect(rig.webApi.callsTo('conversations.replies')[0]!.body).toMatchObject({ channel: CHANNEL, ts: parent.ts, oldest: question.ts, latest: question.ts });
      const update = rig.webApi.callsTo('chat.update')[0]!;
      expect(update.body).toMatchObject({ channel: CHANNEL, ts: question.ts, text: question.text });
      // Everything but the buttons is as it was.
      expect(controls(blocksOf(update))).toEqual([]);
      expect(blocksOf(update)).toEqual(question.blocks.filter((block) => block.type !== 'actions'));
      expect(readableText(blocksOf(update))).toContain(testKnowledge().criterionById.get(FIRST)!.question);
      expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toContain('That interview has ended');
      expect(await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toBeUndefined();

      // Another of its buttons, on a client that has not redrawn: read back, nothing left to take off, no update.
      rig.webApi.reset();
      expect((await rig.client.interaction(clickOn(rig, parent, question, optionOf(testKnowledge(), FIRST, 0).label, 'later'))).status).toBe(200);
      expect(rig.webApi.methods()).toEqual(['chat.postEphemeral', 'conversations.replies']);
    }));

  it("a channel picked on a cleaned-up interview's picker: the picker's select goes, its words stay", () =>
    afterIdling(async ({ rig, parent, question, now, setNow }) => {
      // Back in time: answer, look at the result, offer to post it (the picker), all before the interview expired.
      setNow(now - SESSION_TTL_MS);
      await rig.client.interaction(clickOn(rig, parent, question, optionOf(testKnowledge(), FIRST, 0).label, 'a1'));
      await rig.client.interaction(clickOn(rig, parent, posts(rig.webApi).at(-1)!, 'See result', 'r'));
      await rig.client.interaction(clickOn(rig, parent, posts(rig.webApi).at(-1)!, 'Post to channel', 's'));
      const picker = posts(rig.webApi).at(-1)!;
      expect(controls(picker.blocks).map((c) => c.actionId)).toEqual(['advisor:share_to']);
      setNow(now + SESSION_TTL_MS);
      expect(await rig.store.deleteExpired(now, now + SESSION_TTL_MS)).toBe(1);
      rig.webApi.reset();

      const choose = blockAction({ messageTs: picker.ts, threadTs: parent.ts, responseUrl: rig.webApi.responseUrl('pick'), actionId: 'advisor:share_to', conversation: 'C0DECISIONS' });
      expect((await rig.client.interaction(choose)).status).toBe(200);
      expect(rig.webApi.methods()).toEqual(['chat.postEphemeral', 'conversations.replies', 'chat.update']);
      const update = rig.webApi.callsTo('chat.update')[0]!;
      expect(update.body['ts']).toBe(picker.ts);
      expect(controls(blocksOf(update))).toEqual([]);
      expect(readableText(blocksOf(update))).toBe(readableText(picker.blocks));
    }));

  it('"start" typed by its owner begins a fresh interview in the same thread', () =>
    afterIdling(async ({ rig, parent }) => {
      await rig.client.event(messageEvent({ eventId: 'Ev0RESTART', threadTs: parent.ts, text: 'Start' }));
      const question = posts(rig.webApi).at(-1)!;
      expect(question.threadTs).toBe(parent.ts);
      expect(readableText(question.blocks)).toContain(testKnowledge().criterionById.get(FIRST)!.question);
      expect(await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toMatchObject({ phase: 'asking', current: FIRST, answers: {} });
    }));
});
