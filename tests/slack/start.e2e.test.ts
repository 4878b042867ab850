/**
 * Start-up (`npm start` calls startSlack) and session expiry as seen in Slack.
 */
import { describe, expect, it } from 'vitest';
import { startSlack } from '../../adapters/slack/start.ts';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { silentLogger } from '../../src/logger.ts';
import { isAdvisorError } from '../../src/errors.ts';
import { ConversationService } from '../../src/sessions/service.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { ALICE, CHANNEL, TEAM, messageEvent, slashCommand } from './harness/payloads.ts';
import { posts, readableText } from './harness/recorded.ts';
import { BOT_TOKEN, SESSION_TTL_MS, SIGNING_SECRET, startHttpRig, testKnowledge } from './harness/rig.ts';
import { SignedSlackClient } from './harness/signer.ts';
import { SlackWebApiStandIn } from './harness/web-api-stand-in.ts';

describe('startSlack', () => {
  it('looks the bot up once with auth.test, then serves commands', async () => {
    const webApi = await SlackWebApiStandIn.start();
    const store = SqliteSessionStore.open(':memory:');
    const service = new ConversationService({ store, knowledge: testKnowledge(), logger: silentLogger(), ttlMs: SESSION_TTL_MS });
    const running = await startSlack({
      config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0, apiUrl: webApi.apiUrl },
      service,
      logger: silentLogger(),
      host: '127.0.0.1',
      processBeforeResponse: true,
    });
    try {
      expect(running).toMatchObject({ name: 'slack', mode: 'http' });
      expect(webApi.methods()).toEqual(['auth.test']);
      const client = new SignedSlackClient(`http://127.0.0.1:${running.port}/slack/events`, SIGNING_SECRET);
      await client.command(slashCommand({ responseUrl: webApi.responseUrl('s') }));
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
    const store = SqliteSessionStore.open(':memory:');
    const service = new ConversationService({ store, knowledge: testKnowledge(), logger: silentLogger(), ttlMs: SESSION_TTL_MS });
    try {
      const started = startSlack({ config: { botToken: 'xoxb-wrong', signingSecret: SIGNING_SECRET, port: 0, apiUrl: webApi.apiUrl }, service, logger: silentLogger(), host: '127.0.0.1' });
      const error: unknown = await started.then(() => undefined, (e: unknown) => e);
      expect(isAdvisorError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('SLACK_BOT_TOKEN: Slack refused the bot token (invalid_auth)');
    } finally {
      await store.close();
      await webApi.close();
    }
  });
});

describe('an interview left idle past its time to live', () => {
  it('an answer typed by its owner: the core says it expired, and a fresh interview starts with that answer', async () => {
    let now = 1_000_000;
    const rig = await startHttpRig({ clock: () => now });
    try {
      await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
      const parent = posts(rig.webApi)[0]!;
      now += SESSION_TTL_MS + 1;
      rig.webApi.reset();
      await rig.client.event(messageEvent({ eventId: 'Ev0LATE', threadTs: parent.ts, text: 'an online shop' }));
      expect(rig.webApi.methods()).toEqual(['chat.postEphemeral', 'chat.postMessage']);
      expect(String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text'])).toContain('expired');
      expect(posts(rig.webApi).at(-1)!.threadTs).toBe(parent.ts);
      expect(await rig.service.get(sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toMatchObject({ phase: 'asking', answers: { project_type: 'ecommerce' } });
    } finally {
      await rig.stop();
    }
  });

  it('"start" typed by its owner begins a fresh interview in the same thread', async () => {
    let now = 1_000_000;
    const rig = await startHttpRig({ clock: () => now });
    try {
      await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
      const parent = posts(rig.webApi)[0]!;
      now += SESSION_TTL_MS + 1;
      rig.webApi.reset();
      await rig.client.event(messageEvent({ eventId: 'Ev0RESTART', threadTs: parent.ts, text: 'Start' }));
      const question = posts(rig.webApi).at(-1)!;
      expect(question.threadTs).toBe(parent.ts);
      expect(readableText(question.blocks)).toContain('What kind of project are you building?');
      expect(await rig.service.get(sessionKey(TEAM, CHANNEL, parent.ts, ALICE))).toMatchObject({ phase: 'asking', current: 'project_type', answers: {} });
    } finally {
      await rig.stop();
    }
  });
});
