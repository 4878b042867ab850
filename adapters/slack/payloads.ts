/**
 * zod schemas for the Slack payloads the advisor handles, parsed at the edge
 * before anything reaches the core. Only the fields the adapter reads are
 * declared; Slack sends many more, which are ignored.
 */
import { z } from 'zod';

const id = z.string().min(1).max(64);
const ts = z.string().regex(/^\d+\.\d+$/);

export const slashCommandSchema = z.object({
  command: z.string().min(1),
  text: z.string().default(''),
  team_id: id,
  channel_id: id,
  user_id: id,
  trigger_id: z.string().optional(),
  response_url: z.string().url().optional(),
});
export type SlashCommand = z.infer<typeof slashCommandSchema>;

const actionSchema = z.object({
  action_id: z.string().min(1).max(255),
  block_id: z.string().max(255).optional(),
  type: z.string(),
  value: z.string().optional(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_conversation: id.nullish(),
  action_ts: z.string().optional(),
});
export type BlockAction = z.infer<typeof actionSchema>;

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
export type BlockActions = z.infer<typeof blockActionsSchema>;

/** The Events API envelope around `message` and `app_mention`. */
export const eventEnvelopeSchema = z.object({
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
export type ThreadMessage = z.infer<typeof threadMessageSchema>;

export const appMentionSchema = z.object({
  type: z.literal('app_mention'),
  bot_id: z.never().optional(),
  channel: id,
  user: id,
  text: z.string(),
  ts,
  thread_ts: ts.optional(),
});
export type AppMention = z.infer<typeof appMentionSchema>;
