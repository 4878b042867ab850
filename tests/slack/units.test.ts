/**
 * Small adapter pieces: the Web API client's error coding, failure wording and classification, decoding
 * payloads into deliveries (ids, conversations, inbounds), conversation ids,
 * and payload parsing.
 */
import { describe, expect, it } from 'vitest';
import { blockActionsSchema, decodeAction, decodeCommand, decodeMention, decodeThreadMessage, parseSubcommand, threadMessageSchema } from '../../adapters/slack/inbound.ts';
import { classifyFailure } from '../../adapters/slack/port.ts';
import { parseConversation, threadConversation } from '../../adapters/slack/session-key.ts';
import { SlackCallError, SlackWebApi } from '../../adapters/slack/web-api.ts';
import { blockAction, messageEvent, mentionEvent, slashCommand } from './harness/payloads.ts';
import { capturingLogger } from './harness/rig.ts';
import { SlackWebApiStandIn } from './harness/web-api-stand-in.ts';

describe('the Web API client', () => {
  it('codes every way a call can fail, and logs each once with its method and channel', async () => {
    const webApi = await SlackWebApiStandIn.start();
    const { logger, entries } = capturingLogger();
    const api = new SlackWebApi({ botToken: 'xoxb-test', apiUrl: webApi.apiUrl, logger });
    const message = { text: 'hi', blocks: [] };
    const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);
    try {
      expect(await api.postMessage('C1', message, { threadTs: '1700000000.000001', handle: 'h#0' })).toMatch(/^\d+\.\d+$/);
      expect(webApi.calls[0]).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test', body: { channel: 'C1', thread_ts: '1700000000.000001', text: 'hi' } });
      for (const [error, code] of [['not_in_channel', 'not_in_channel'], ['channel_not_found', 'channel_not_found'], ['is_archived', 'channel_not_found'], ['invalid_blocks', 'slack_refused']] as const) {
        webApi.fail('chat.postMessage', { kind: 'slack_error', error }, 1);
        expect(await failure(api.postMessage('C1', message))).toMatchObject({ code, slackError: error, method: 'chat.postMessage', channel: 'C1' });
      }
      webApi.fail('chat.update', { kind: 'rate_limited', retryAfterSeconds: 12 }, 1);
      expect(await failure(api.update('C1', '1.2', message))).toMatchObject({ code: 'ratelimited', retryAfterSeconds: 12, httpStatus: 429 });
      webApi.fail('chat.postEphemeral', { kind: 'http_error', status: 503 }, 1);
      expect(await failure(api.postEphemeral('C1', 'U1', message))).toMatchObject({ code: 'slack_unavailable', httpStatus: 503 });
      webApi.fail('chat.getPermalink', { kind: 'http_error', status: 404 }, 1);
      expect(await failure(api.permalink('C1', '1.2'))).toMatchObject({ code: 'slack_refused', httpStatus: 404 });
      expect(entries.filter((e) => e.level === 40).map((e) => e['method'])).toEqual(['chat.postMessage', 'chat.postMessage', 'chat.postMessage', 'chat.postMessage', 'chat.update', 'chat.postEphemeral', 'chat.getPermalink']);
    } finally {
      api.close();
      await webApi.close();
    }
    const unreachable = new SlackWebApi({ botToken: 'xoxb-test', apiUrl: webApi.apiUrl, logger: capturingLogger().logger });
    expect(await failure(unreachable.postMessage('C1', message))).toMatchObject({ code: 'slack_unavailable', method: 'chat.postMessage' });
  });

  it('says in plain words what happened', () => {
    const error = (code: SlackCallError['code'], extra: Partial<ConstructorParameters<typeof SlackCallError>[0]> = {}): SlackCallError =>
      new SlackCallError({ code, method: 'chat.postMessage', channel: 'C0X', ...extra });
    const failureText = (failure: SlackCallError): string => classifyFailure(failure).explanation;
    expect(failureText(error('not_in_channel'))).toContain('use `/invite @advisor` in it');
    expect(failureText(error('ratelimited', { retryAfterSeconds: 5 }))).toBe('Slack asked me to slow down for about 5 s.');
    expect(failureText(error('slack_unavailable', { httpStatus: 502 }))).toBe('Slack had a problem on its side (HTTP 502).');
    expect(failureText(error('slack_unavailable'))).toBe('Slack had a problem on its side.');
    expect(failureText(error('slack_refused', { slackError: '<!here>' }))).toContain('`&lt;!here&gt;`');
  });
});

describe('classifyFailure', () => {
  const error = (code: SlackCallError['code'], extra: Partial<ConstructorParameters<typeof SlackCallError>[0]> = {}): SlackCallError =>
    new SlackCallError({ code, method: 'chat.postMessage', channel: 'C0X', ...extra });

  it('tries rate limits again after the wait Slack asked for, and 5xx or network trouble soon', () => {
    expect(classifyFailure(error('ratelimited', { retryAfterSeconds: 30 }))).toMatchObject({ retry: true, retryAfterMs: 30_000 });
    expect(classifyFailure(error('slack_unavailable'))).toMatchObject({ retry: true });
    expect(classifyFailure(error('slack_unavailable')).retryAfterMs).toBeUndefined();
  });

  it('gives up where a retry cannot help: the channel, a refusal, or a fault of ours', () => {
    for (const code of ['not_in_channel', 'channel_not_found', 'slack_refused'] as const) expect(classifyFailure(error(code)).retry).toBe(false);
    expect(classifyFailure(new TypeError('a layout bug'))).toMatchObject({ retry: false, explanation: expect.stringContaining('on my side') });
  });
});

describe('parseSubcommand', () => {
  it('reads start, ask, help and anything else', () => {
    expect(parseSubcommand('')).toEqual({ kind: 'start' });
    expect(parseSubcommand('  Start ')).toEqual({ kind: 'start' });
    expect(parseSubcommand('ask does Flask have an ORM?')).toEqual({ kind: 'ask', question: 'does Flask have an ORM?' });
    expect(parseSubcommand('ask')).toEqual({ kind: 'help' });
    expect(parseSubcommand('HELP')).toEqual({ kind: 'help' });
    expect(parseSubcommand('dance now')).toEqual({ kind: 'help', unknown: 'dance now' });
  });
});

describe('conversation ids', () => {
  it('a thread is its channel and thread ts; a channel is its id; anything else is refused', () => {
    expect(parseConversation(threadConversation('C0GENERAL', '1700000000.000001'))).toEqual({ channel: 'C0GENERAL', threadTs: '1700000000.000001' });
    expect(parseConversation('C0GENERAL')).toEqual({ channel: 'C0GENERAL' });
    for (const bad of ['', ':1.2', 'C1:notats', 'C1:1.2:3.4']) expect(() => parseConversation(bad)).toThrow();
  });
});

describe('decoding deliveries', () => {
  const THREAD = '1700000000.000001';

  it('a slash command: its trigger_id is the delivery id, in the channel', () => {
    const fields = slashCommand({ text: 'ask does flask have an ORM?', responseUrl: 'http://127.0.0.1/r' });
    expect(decodeCommand(fields)).toEqual({
      delivery: { id: `command:${fields['trigger_id']}`, thread: { platform: 'slack', workspace: 'T0TEAM', conversation: 'C0GENERAL' }, inThread: false, actor: 'U0ALICE' },
      inbound: { kind: 'ask', question: 'does flask have an ORM?' },
    });
    expect(decodeCommand({ ...fields, text: '' })).toMatchObject({ inbound: { kind: 'start' } });
  });

  it('a click: one id per control and message, whoever clicks how often; in the thread', () => {
    const click = blockAction({ messageTs: '1700000000.000002', threadTs: THREAD, responseUrl: 'http://127.0.0.1/r', actionId: 'advisor:skip', button: { value: '3|team_size|' } });
    const decoded = decodeAction(click);
    expect(decoded).toEqual({
      delivery: { id: 'action:C0GENERAL:1700000000.000002:advisor:skip:b1:3|team_size|', thread: { platform: 'slack', workspace: 'T0TEAM', conversation: `C0GENERAL:${THREAD}` }, inThread: true, actor: 'U0ALICE', clicked: '1700000000.000002' },
      inbound: { kind: 'control', event: { type: 'skip', criterion: 'team_size', version: 3 } },
    });
    const again = blockAction({ messageTs: '1700000000.000002', threadTs: THREAD, responseUrl: 'http://127.0.0.1/other', actionId: 'advisor:skip', button: { value: '3|team_size|' } });
    expect(decodeAction(again)).toEqual(decoded);
  });

  it('the channel picker: the chosen channel is part of the id, and a redrawn picker (new block) is a new delivery', () => {
    const pick = (blockId: string): unknown =>
      decodeAction(blockAction({ messageTs: '1700000000.000003', threadTs: THREAD, responseUrl: 'http://127.0.0.1/r', actionId: 'advisor:share_to', conversation: 'C0DECISIONS', blockId }));
    expect(pick('share:2:1')).toMatchObject({ delivery: { id: 'action:C0GENERAL:1700000000.000003:advisor:share_to:share:2:1:C0DECISIONS' }, inbound: { kind: 'shareTo', channel: 'C0DECISIONS', picker: '1700000000.000003' } });
    expect(pick('share:2:2')).toMatchObject({ delivery: { id: 'action:C0GENERAL:1700000000.000003:advisor:share_to:share:2:2:C0DECISIONS' } });
  });

  it('a value the advisor did not write is ignored', () => {
    const forged = blockAction({ messageTs: '1700000000.000002', threadTs: THREAD, responseUrl: 'http://127.0.0.1/r', actionId: 'advisor:answer:0', button: { value: '1|team_size|' } });
    expect(decodeAction(forged)).toMatchObject({ ignored: expect.stringContaining('value') });
  });

  it('a typed thread message: its event id, as text; one that mentions the bot is left to app_mention', () => {
    const typed = messageEvent({ eventId: 'Ev1', threadTs: THREAD, text: 'ask does flask have an ORM?' });
    expect(decodeThreadMessage(typed['event'], typed, 'U0ADVISOR')).toEqual({
      delivery: { id: 'event:Ev1', thread: { platform: 'slack', workspace: 'T0TEAM', conversation: `C0GENERAL:${THREAD}` }, inThread: true, actor: 'U0ALICE' },
      inbound: { kind: 'text', text: 'ask does flask have an ORM?' },
    });
    const mentioning = messageEvent({ eventId: 'Ev2', threadTs: THREAD, text: '<@U0ADVISOR> is flask ok?' });
    expect(decodeThreadMessage(mentioning['event'], mentioning, 'U0ADVISOR')).toMatchObject({ ignored: expect.any(String) });
    const topLevel = messageEvent({ eventId: 'Ev3', text: 'skip' });
    expect(decodeThreadMessage(topLevel['event'], topLevel, 'U0ADVISOR')).toMatchObject({ ignored: expect.any(String) });
  });

  it('a mention: a question answered under it (or in its thread); an empty one gets the help', () => {
    const top = mentionEvent({ eventId: 'Ev4', ts: '1700000000.000009', text: '<@U0ADVISOR> does flask have an ORM?' });
    expect(decodeMention(top['event'], top, 'U0ADVISOR')).toMatchObject({
      delivery: { id: 'event:Ev4', thread: { conversation: 'C0GENERAL:1700000000.000009' }, inThread: true },
      inbound: { kind: 'ask', question: 'does flask have an ORM?' },
    });
    const empty = mentionEvent({ eventId: 'Ev5', threadTs: THREAD, text: '<@U0ADVISOR>' });
    expect(decodeMention(empty['event'], empty, 'U0ADVISOR')).toMatchObject({ delivery: { thread: { conversation: `C0GENERAL:${THREAD}` } }, inbound: { kind: 'help' } });
  });
});

describe('payload schemas', () => {
  it('accept what Slack sends and refuse what the advisor must not act on', () => {
    const event = messageEvent({ eventId: 'Ev1', threadTs: '1700000000.000001', text: 'hi' })['event'] as Record<string, unknown>;
    expect(threadMessageSchema.safeParse(event).success).toBe(true);
    expect(threadMessageSchema.safeParse({ ...event, subtype: 'message_changed' }).success).toBe(false);
    expect(threadMessageSchema.safeParse({ ...event, bot_id: 'B1' }).success).toBe(false);
    expect(threadMessageSchema.safeParse({ ...event, thread_ts: undefined }).success).toBe(false);

    const action = blockAction({ messageTs: '1700000000.000002', responseUrl: 'http://127.0.0.1/x', actionId: 'advisor:back', button: { value: '1||' } });
    expect(blockActionsSchema.safeParse(action).success).toBe(true);
    expect(blockActionsSchema.safeParse({ ...action, actions: [] }).success).toBe(false);
  });
});

describe('manifest.yaml', () => {
  it('declares the command, events and the smallest scopes the code relies on', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const { DEFAULT_COMMAND } = await import('../../adapters/slack/start.ts');
    const manifest = parse(readFileSync(new URL('../../adapters/slack/manifest.yaml', import.meta.url), 'utf8')) as {
      features: { slash_commands: { command: string; usage_hint: string }[] };
      oauth_config: { scopes: { bot: string[] } };
      settings: { event_subscriptions: { bot_events: string[] }; interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
    };
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([DEFAULT_COMMAND]);
    expect(manifest.features.slash_commands[0]!.usage_hint).toContain('ask');
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['app_mentions:read', 'channels:history', 'chat:write', 'commands', 'groups:history']);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_mention', 'message.channels', 'message.groups']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});
