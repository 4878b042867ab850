/**
 * Slack payloads, parsed with zod at the edge, decoded into the turn layer's
 * `Delivery` + `Inbound`. Only the fields the adapter reads are declared; Slack
 * sends many more, which are ignored. Pure: nothing here reads the store or
 * calls Slack.
 *
 * Delivery ids, applied once across processes by the store:
 * - events: `event:<event_id>` (Slack's retries carry the same id);
 * - slash commands: `command:<trigger_id>` (a replayed signed command has the same trigger_id);
 * - clicks: `action:<channel>:<message ts>:<action_id>:<block_id>:<value or picked channel>`,
 *   so a double click on one control is one delivery, and a redrawn picker (new block_id) is a new one.
 */
import { z } from 'zod';
import { controlInbound } from '../../src/turns/controls.ts';
import type { Delivery, Inbound } from '../../src/turns/types.ts';
import { parseActionKind, parseActionValue } from './action-codec.ts';
import { plainTextFromSlack } from './escape.ts';
import { threadConversation, threadKey } from './session-key.ts';

const id = z.string().min(1).max(64);
const ts = z.string().regex(/^\d+\.\d+$/);

const slashCommandSchema = z.object({
  command: z.string().min(1),
  text: z.string().default(''),
  team_id: id,
  channel_id: id,
  user_id: id,
  trigger_id: z.string().optional(),
  response_url: z.string().url().optional(),
});

const actionSchema = z.object({
  action_id: z.string().min(1).max(255),
  block_id: z.string().max(255).optional(),
  type: z.string(),
  value: z.string().optional(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_conversation: id.nullish(),
  action_ts: z.string().optional(),
});

export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id, team_id: id.optional() }),
  team: z.object({ id }).nullish(),
  channel: z.object({ id }).optional(),
  container: z.object({
    type: z.string(),
    channel_id: id.optional(),
    message_ts: ts.optional(),
    thread_ts: ts.optional(),
    is_ephemeral: z.boolean().optional(),
  }),
  message: z.object({ ts, thread_ts: ts.optional() }).optional(),
  response_url: z.string().url().optional(),
  actions: z.array(actionSchema).min(1),
});

/** The Events API envelope around `message` and `app_mention`. */
const eventEnvelopeSchema = z.object({
  team_id: id,
  event_id: z.string().min(1),
});

/**
 * A message someone typed in a thread. Bot messages (`bot_id`), edits and other
 * subtypes (`message_changed`, `thread_broadcast`, joins, ...) do not match.
 */
export const threadMessageSchema = z.object({
  type: z.literal('message'),
  subtype: z.never().optional(),
  bot_id: z.never().optional(),
  channel: id,
  user: id,
  text: z.string(),
  ts,
  thread_ts: ts,
});

const appMentionSchema = z.object({
  type: z.literal('app_mention'),
  bot_id: z.never().optional(),
  channel: id,
  user: id,
  text: z.string(),
  ts,
  thread_ts: ts.optional(),
});

export interface Decoded {
  delivery: Delivery;
  inbound: Inbound;
}

/** A payload the advisor does not act on, and why (for the log). */
type Ignored = { ignored: string; details?: Record<string, unknown> };

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
  return { delivery, inbound: parseSubcommand(command.text) };
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
    clicked: messageTs,
  };
  if (kind === 'share_to') {
    if (!action.selected_conversation) return { ignored: 'a channel picker choice without a channel', details: { channel, messageTs } };
    return { delivery, inbound: { kind: 'shareTo', channel: action.selected_conversation, picker: messageTs } };
  }
  const value = parseActionValue(rawValue);
  if (kind === 'share') return { delivery, inbound: { kind: 'share', version: value?.version ?? 0 } };
  const inbound = value && controlInbound(kind, value);
  if (!inbound) return { ignored: 'an action with a value the advisor did not write', details: { actionId: action.action_id, value: rawValue.slice(0, 160) } };
  return { delivery, inbound };
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
