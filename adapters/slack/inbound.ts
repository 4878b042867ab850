/**
 * Slack payloads (already shaped by zod in payloads.ts) decoded into the turn
 * layer's `Delivery` + `Inbound`. Pure: nothing here reads the store or calls
 * Slack.
 *
 * Delivery ids, applied once across processes by the store:
 * - events: `event:<event_id>` (Slack's retries carry the same id);
 * - slash commands: `command:<trigger_id>` (a replayed signed command has the same trigger_id);
 * - clicks: `action:<channel>:<message ts>:<action_id>:<block_id>:<value or picked channel>`,
 *   so a double click on one control is one delivery, and a redrawn picker (new block_id) is a new one.
 */
import type { Delivery, Inbound } from '../../src/turns/types.ts';
import { parseActionKind, parseActionValue, toConversationEvent } from './action-codec.ts';
import { plainTextFromSlack } from './escape.ts';
import { appMentionSchema, blockActionsSchema, eventEnvelopeSchema, slashCommandSchema, threadMessageSchema } from './payloads.ts';
import { threadConversation, threadKey } from './session-key.ts';

export interface Decoded {
  delivery: Delivery;
  inbound: Inbound;
}

/** A payload the advisor does not act on, and why (for the log). */
export interface Ignored {
  ignored: string;
  details?: Record<string, unknown>;
}

export type DecodeResult = Decoded | Ignored;

export function isIgnored(result: DecodeResult): result is Ignored {
  return 'ignored' in result;
}

type Subcommand = { kind: 'start' } | { kind: 'ask'; question: string } | { kind: 'help'; unknown?: string };

export function parseSubcommand(text: string): Subcommand {
  const trimmed = text.trim();
  const [first = ''] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  if (word === '' || word === 'start') return { kind: 'start' };
  if (word === 'help') return { kind: 'help' };
  if (word === 'ask') {
    const question = trimmed.slice(first.length).trim();
    return question === '' ? { kind: 'help' } : { kind: 'ask', question: plainTextFromSlack(question) };
  }
  return { kind: 'help', unknown: trimmed };
}

export function decodeCommand(body: unknown): DecodeResult {
  const parsed = slashCommandSchema.safeParse(body);
  if (!parsed.success) return { ignored: 'a slash command payload that does not parse', details: { issues: parsed.error.issues.slice(0, 5) } };
  const command = parsed.data;
  const delivery: Delivery = {
    ...(command.trigger_id ? { id: `command:${command.trigger_id}` } : {}),
    thread: threadKey(command.team_id, command.channel_id),
    inThread: false,
    actor: command.user_id,
  };
  const sub = parseSubcommand(command.text);
  return { delivery, inbound: sub };
}

export function decodeAction(body: unknown): DecodeResult {
  const parsed = blockActionsSchema.safeParse(body);
  if (!parsed.success) return { ignored: 'an action payload that does not parse', details: { issues: parsed.error.issues.slice(0, 5) } };
  const payload = parsed.data;
  const action = payload.actions[0]!;
  const kind = parseActionKind(action.action_id);
  const channel = payload.channel?.id ?? payload.container.channel_id;
  const messageTs = payload.message?.ts ?? payload.container.message_ts;
  const team = payload.team?.id ?? payload.user.team_id;
  if (!kind || !channel || !messageTs || !team) {
    return { ignored: 'an action without the fields an interview needs', details: { actionId: action.action_id, channel, messageTs, team } };
  }
  const threadTs = payload.message?.thread_ts ?? payload.container.thread_ts ?? messageTs;
  const rawValue = action.value ?? action.selected_option?.value ?? '';
  const chosen = kind === 'share_to' ? (action.selected_conversation ?? '') : rawValue;
  const delivery: Delivery = {
    id: `action:${channel}:${messageTs}:${action.action_id}:${action.block_id ?? ''}:${chosen}`,
    thread: threadKey(team, threadConversation(channel, threadTs)),
    inThread: true,
    actor: payload.user.id,
  };
  if (kind === 'share_to') {
    if (!action.selected_conversation) return { ignored: 'a channel picker choice without a channel', details: { channel, messageTs } };
    return { delivery, inbound: { kind: 'shareTo', channel: action.selected_conversation, picker: messageTs } };
  }
  const value = parseActionValue(rawValue);
  if (kind === 'share') return { delivery, inbound: { kind: 'share', version: value?.version ?? 0 } };
  const event = value ? toConversationEvent(kind, value) : undefined;
  if (!event) return { ignored: 'an action with a value the advisor did not write', details: { actionId: action.action_id, value: rawValue.slice(0, 160) } };
  return { delivery, inbound: { kind: 'control', event } };
}

/** A message typed in a thread. Messages that mention the bot are questions for it, left to `app_mention`. */
export function decodeThreadMessage(event: unknown, body: unknown, botUserId: string | undefined): DecodeResult {
  const message = threadMessageSchema.safeParse(event);
  const envelope = eventEnvelopeSchema.safeParse(body);
  // Top-level messages, edits, bot posts and other subtypes do not parse, by design: they are not answers.
  if (!message.success || !envelope.success) return { ignored: 'not a message typed in a thread' };
  const { channel, thread_ts: threadTs, user, text } = message.data;
  if (botUserId && text.includes(`<@${botUserId}`)) return { ignored: 'a thread message that mentions the bot (answered as app_mention)' };
  return {
    delivery: { id: `event:${envelope.data.event_id}`, thread: threadKey(envelope.data.team_id, threadConversation(channel, threadTs)), inThread: true, actor: user },
    inbound: { kind: 'text', text: plainTextFromSlack(text, botUserId ? { dropMentionOf: botUserId } : {}) },
  };
}

/** `@advisor <question>`: answered in the thread it was asked in (under the mention when it is top-level). */
export function decodeMention(event: unknown, body: unknown, botUserId: string | undefined): DecodeResult {
  const mention = appMentionSchema.safeParse(event);
  const envelope = eventEnvelopeSchema.safeParse(body);
  if (!mention.success || !envelope.success) {
    return { ignored: 'a mention payload that does not parse', details: { issues: (mention.error ?? envelope.error)?.issues.slice(0, 5) } };
  }
  const { channel, thread_ts: threadTs, ts, user, text } = mention.data;
  const question = plainTextFromSlack(text, botUserId ? { dropMentionOf: botUserId } : {});
  return {
    delivery: { id: `event:${envelope.data.event_id}`, thread: threadKey(envelope.data.team_id, threadConversation(channel, threadTs ?? ts)), inThread: true, actor: user },
    inbound: question === '' ? { kind: 'help' } : { kind: 'ask', question },
  };
}
