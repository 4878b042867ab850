/**
 * Builders for the payloads Slack sends (slash commands, block_actions, Events
 * API envelopes), shaped like Slack's, with only the details a test cares
 * about as parameters.
 */
export const TEAM = 'T0TEAM';
export const CHANNEL = 'C0GENERAL';
export const OTHER_CHANNEL = 'C0DECISIONS';
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';

let triggerCounter = 0;
function nextTrigger(): string {
  triggerCounter += 1;
  return `${triggerCounter}.trigger`;
}

export interface CommandInput {
  text?: string;
  user?: string;
  channel?: string;
  team?: string;
  responseUrl: string;
  command?: string;
}

/** The form fields of a slash command. */
export function slashCommand(input: CommandInput): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: input.team ?? TEAM,
    team_domain: 'advisor-test',
    channel_id: input.channel ?? CHANNEL,
    channel_name: 'general',
    user_id: input.user ?? ALICE,
    user_name: 'alice',
    command: input.command ?? '/advisor',
    text: input.text ?? '',
    api_app_id: 'A0ADVISOR',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: nextTrigger(),
  };
}

export type ActionInput = {
  user?: string;
  team?: string;
  channel?: string;
  /** The ts of the message the control is on. */
  messageTs: string;
  /** The thread it is in (absent for a top-level message). */
  threadTs?: string;
  responseUrl: string;
  actionId: string;
  /** The block the control is in (Slack sends it with every action; a redrawn block gets a new one). */
  blockId?: string;
} & ({ button: { value: string; text?: string } } | { select: { value: string } } | { conversation: string });

let actionCounter = 0;

/** A `block_actions` payload for one button click, static select choice or conversations select choice. */
export function blockAction(input: ActionInput): Record<string, unknown> {
  actionCounter += 1;
  const actionTs = `1700001000.${String(actionCounter).padStart(6, '0')}`;
  let action: Record<string, unknown>;
  const blockId = input.blockId ?? 'b1';
  if ('button' in input) {
    action = { type: 'button', action_id: input.actionId, block_id: blockId, value: input.button.value, text: { type: 'plain_text', text: input.button.text ?? 'x' }, action_ts: actionTs };
  } else if ('select' in input) {
    action = { type: 'static_select', action_id: input.actionId, block_id: blockId, selected_option: { text: { type: 'plain_text', text: 'x' }, value: input.select.value }, action_ts: actionTs };
  } else {
    action = { type: 'conversations_select', action_id: input.actionId, block_id: blockId, selected_conversation: input.conversation, action_ts: actionTs };
  }
  const channel = input.channel ?? CHANNEL;
  const message: Record<string, unknown> = { type: 'message', user: 'U0ADVISOR', ts: input.messageTs, text: '', blocks: [] };
  if (input.threadTs) message['thread_ts'] = input.threadTs;
  return {
    type: 'block_actions',
    user: { id: input.user ?? ALICE, username: 'someone', name: 'someone', team_id: input.team ?? TEAM },
    api_app_id: 'A0ADVISOR',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: input.messageTs, channel_id: channel, is_ephemeral: false, ...(input.threadTs ? { thread_ts: input.threadTs } : {}) },
    trigger_id: nextTrigger(),
    team: { id: input.team ?? TEAM, domain: 'advisor-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'general' },
    message,
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [action],
  };
}

export interface MessageInput {
  eventId: string;
  user?: string;
  channel?: string;
  team?: string;
  text: string;
  ts?: string;
  threadTs?: string;
  subtype?: string;
  botId?: string;
}

let messageCounter = 0;
function nextMessageTs(): string {
  messageCounter += 1;
  return `1700002000.${String(messageCounter).padStart(6, '0')}`;
}

function envelope(eventId: string, team: string, event: Record<string, unknown>): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: team,
    api_app_id: 'A0ADVISOR',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: 1_700_000_000,
    authorizations: [{ enterprise_id: null, team_id: team, user_id: 'U0ADVISOR', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${eventId}`,
  };
}

/** An Events API envelope for a `message` (message.channels) event. */
export function messageEvent(input: MessageInput): Record<string, unknown> {
  const ts = input.ts ?? nextMessageTs();
  const event: Record<string, unknown> = {
    type: 'message',
    channel: input.channel ?? CHANNEL,
    user: input.user ?? ALICE,
    text: input.text,
    ts,
    event_ts: ts,
    channel_type: 'channel',
    team: input.team ?? TEAM,
  };
  if (input.threadTs) event['thread_ts'] = input.threadTs;
  if (input.subtype) event['subtype'] = input.subtype;
  if (input.botId) event['bot_id'] = input.botId;
  return envelope(input.eventId, input.team ?? TEAM, event);
}

/** An Events API envelope for an `app_mention` event. */
export function mentionEvent(input: MessageInput): Record<string, unknown> {
  const ts = input.ts ?? nextMessageTs();
  const event: Record<string, unknown> = {
    type: 'app_mention',
    channel: input.channel ?? CHANNEL,
    user: input.user ?? ALICE,
    text: input.text,
    ts,
    event_ts: ts,
    team: input.team ?? TEAM,
  };
  if (input.threadTs) event['thread_ts'] = input.threadTs;
  return envelope(input.eventId, input.team ?? TEAM, event);
}
