/**
 * Small adapter pieces: Slack error classification, the in-memory delivery
 * log, slash subcommand parsing, failure wording and payload parsing.
 */
import { describe, expect, it } from 'vitest';
import { failureText } from '../../adapters/slack/failures.ts';
import { askedQuestion, parseSubcommand, typedEvent } from '../../adapters/slack/handlers.ts';
import { testKnowledge } from './harness/rig.ts';
import { blockActionsSchema, threadMessageSchema } from '../../adapters/slack/payloads.ts';
import { RecentDeliveries } from '../../adapters/slack/recent-deliveries.ts';
import { SlackCallError, toSlackCallError } from '../../adapters/slack/slack-calls.ts';
import { blockAction, messageEvent } from './harness/payloads.ts';

describe('toSlackCallError', () => {
  it('classifies the errors @slack/web-api throws', () => {
    const platform = (error: string): unknown => Object.assign(new Error(error), { code: 'slack_webapi_platform_error', data: { ok: false, error } });
    expect(toSlackCallError(platform('not_in_channel'), 'chat.postMessage', 'C1')).toMatchObject({ code: 'not_in_channel', method: 'chat.postMessage', channel: 'C1' });
    expect(toSlackCallError(platform('channel_not_found'), 'm').code).toBe('channel_not_found');
    expect(toSlackCallError(platform('is_archived'), 'm').code).toBe('channel_not_found');
    expect(toSlackCallError(platform('invalid_blocks'), 'm')).toMatchObject({ code: 'slack_refused', slackError: 'invalid_blocks' });
    expect(toSlackCallError(Object.assign(new Error('rl'), { code: 'slack_webapi_rate_limited_error', retryAfter: 12 }), 'm')).toMatchObject({ code: 'ratelimited', retryAfterSeconds: 12 });
    expect(toSlackCallError(Object.assign(new Error('5xx'), { code: 'slack_webapi_http_error', statusCode: 503 }), 'm')).toMatchObject({ code: 'slack_unavailable', httpStatus: 503 });
    expect(toSlackCallError(Object.assign(new Error('net'), { code: 'slack_webapi_request_error' }), 'm').code).toBe('slack_unavailable');
    expect(toSlackCallError(new TypeError('weird'), 'm').code).toBe('slack_unavailable');
  });

  it('says in plain words what to do', () => {
    const error = (code: SlackCallError['code'], extra: Partial<ConstructorParameters<typeof SlackCallError>[0]> = {}): SlackCallError =>
      new SlackCallError({ code, method: 'chat.postMessage', channel: 'C0X', cause: null, ...extra });
    expect(failureText(error('not_in_channel'), { interview: false })).toContain('Invite me there with `/invite @advisor`');
    expect(failureText(error('ratelimited', { retryAfterSeconds: 5 }), { interview: true })).toContain('Your answers are saved');
    expect(failureText(error('slack_refused', { slackError: '<!here>' }), { interview: false })).toContain('`&lt;!here&gt;`');
  });
});

describe('RecentDeliveries', () => {
  it('claims an id once within its time to live, and again after release or expiry', () => {
    let now = 0;
    const log = new RecentDeliveries({ ttlMs: 1000, clock: () => now });
    expect(log.claim('a')).toBe(true);
    expect(log.claim('a')).toBe(false);
    log.release('a');
    expect(log.claim('a')).toBe(true);
    now = 1001;
    expect(log.claim('a')).toBe(true);
  });

  it('keeps at most maxEntries ids', () => {
    const log = new RecentDeliveries({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) log.claim(id);
    expect(log.size).toBeLessThanOrEqual(3);
    expect(log.claim('e')).toBe(false);
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

describe('typed text', () => {
  it('"ask <question>" is a knowledge question, unless the core reads it as a command', () => {
    const knowledge = testKnowledge();
    expect(askedQuestion(knowledge, 'ask does Flask have an ORM?')).toBe('does Flask have an ORM?');
    expect(askedQuestion(knowledge, 'ask me more')).toBeUndefined();
    expect(askedQuestion(knowledge, 'ask')).toBeUndefined();
    expect(askedQuestion(knowledge, 'we ask a lot of our ORM')).toBeUndefined();
  });

  it('"start" alone is the start event; anything else is text for the core', () => {
    expect(typedEvent(' Start! ')).toEqual({ type: 'start' });
    expect(typedEvent('start over')).toEqual({ type: 'text', text: 'start over' });
    expect(typedEvent('a startup shop')).toEqual({ type: 'text', text: 'a startup shop' });
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
    const { DEFAULT_COMMAND } = await import('../../adapters/slack/app.ts');
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
