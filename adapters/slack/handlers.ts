/**
 * What the advisor does for each kind of Slack input, once it is acknowledged
 * and parsed: the slash command, button/select actions, typed thread messages
 * and mentions. Platform input becomes core events here; the core's replies go
 * out through ThreadWriter. Bolt registration lives in app.ts.
 *
 * Ownership: an interview belongs to the person who started it. Buttons pressed
 * by anyone else get an ephemeral "this interview is @owner's". Typed messages
 * from others in the thread are left alone (people talk in threads); the first
 * one a person types gets the same ephemeral hint, once per person and thread.
 */
import type { ConversationEvent, Reply, Session, SessionKey } from '../../src/conversation/types.ts';
import { helpReply, recommendationFor } from '../../src/conversation/views.ts';
import { parseText } from '../../src/conversation/parse.ts';
import { askKnowledge } from '../../src/engine/ask.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { Logger } from '../../src/logger.ts';
import type { ConversationService } from '../../src/sessions/service.ts';
import { parseActionKind, parseActionValue, type ActionKind, type ActionValue } from './action-codec.ts';
import { askMessage, helpMessage, retiredMessage, section, sharePickerMessage, summaryMessage, type SlackMessage } from './blocks.ts';
import { plainTextFromSlack } from './escape.ts';
import { failureText } from './failures.ts';
import type { AppMention, BlockAction, BlockActions, SlashCommand, ThreadMessage } from './payloads.ts';
import type { RecentDeliveries } from './recent-deliveries.ts';
import { PLATFORM, sessionKey, threadConversation } from './session-key.ts';
import { isSlackCallError, type SlackCalls } from './slack-calls.ts';
import { META, ThreadWriter } from './thread.ts';
import { notYourInterview, parentMessage, sharedTo, unknownSubcommand } from './wording.ts';

/** Posts to a request's `response_url` (Bolt's `respond`). */
export type Respond = (message: { text: string; blocks?: SlackMessage['blocks']; response_type: 'ephemeral'; replace_original?: false }) => Promise<unknown>;

/** The per-request tools: Web API calls bound to the request, and `respond` where Slack gave a response_url. */
export interface RequestIO {
  calls: SlackCalls;
  respond?: Respond;
  logger: Logger;
}

export interface HandlerDeps {
  service: ConversationService;
  deliveries: RecentDeliveries;
}

type SlashSubcommand = { kind: 'start' } | { kind: 'ask'; question: string } | { kind: 'help'; unknown?: string };

export function parseSubcommand(text: string): SlashSubcommand {
  const trimmed = text.trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  if (word === '' || word === 'start') return { kind: 'start' };
  if (word === 'help') return { kind: 'help' };
  if (word === 'ask') {
    const question = trimmed.slice(first.length).trim();
    return question === '' ? { kind: 'help' } : { kind: 'ask', question: plainTextFromSlack(question) };
  }
  return { kind: 'help', unknown: [first, ...rest].join(' ') };
}

const messageOf = (escapedText: string): SlackMessage => ({ text: escapedText, blocks: [section(escapedText)] });

export class SlackHandlers {
  private pickerResets = 0;

  constructor(private readonly deps: HandlerDeps) {}

  // ---------- /advisor ----------

  async onCommand(command: SlashCommand, io: RequestIO): Promise<void> {
    const sub = parseSubcommand(command.text);
    switch (sub.kind) {
      case 'start':
        return this.startInterview(command, io);
      case 'ask':
        return this.answerQuestion(command, sub.question, io);
      case 'help': {
        const lead = sub.unknown === undefined ? undefined : unknownSubcommand(sub.unknown);
        await this.tellPrivately(io, command, helpMessage(helpReply(), lead === undefined ? {} : { lead }));
        return;
      }
    }
  }

  private async startInterview(command: SlashCommand, io: RequestIO): Promise<void> {
    const { channel_id: channel, user_id: user, team_id: team } = command;
    let threadTs: string;
    try {
      threadTs = await io.calls.postMessage(channel, messageOf(parentMessage(user)));
    } catch (error) {
      if (!isSlackCallError(error)) throw error;
      await this.tellPrivately(io, command, messageOf(failureText(error, { interview: false })));
      return;
    }
    const key = sessionKey(team, channel, threadTs, user);
    const eventId = command.trigger_id ? `command:${command.trigger_id}` : undefined;
    const result = await this.deps.service.handle(key, { type: 'start' }, eventId ? { eventId } : {});
    if (result.duplicate) return;
    await this.deps.service.setMeta(key, { [META.channel]: channel, [META.thread]: threadTs });
    await this.deliverToThread(key, { channel, threadTs, actor: user }, result.session, result.replies, io);
  }

  private async answerQuestion(command: SlashCommand, question: string, io: RequestIO): Promise<void> {
    const message = askMessage(askKnowledge(this.deps.service.knowledge, question), { userId: command.user_id });
    try {
      await io.calls.postMessage(command.channel_id, message);
    } catch (error) {
      if (!isSlackCallError(error)) throw error;
      // Not allowed to post here: the asker still gets the answer, privately, with the reason.
      await this.tellPrivately(io, command, { text: message.text, blocks: [section(failureText(error, { interview: false })), ...message.blocks] });
    }
  }

  // ---------- buttons and selects ----------

  async onAction(payload: BlockActions, io: RequestIO): Promise<void> {
    const action = payload.actions[0]!;
    const kind = parseActionKind(action.action_id);
    const rawValue = action.value ?? action.selected_option?.value ?? '';
    const value = parseActionValue(rawValue);
    const channel = payload.channel?.id ?? payload.container.channel_id;
    const messageTs = payload.message?.ts ?? payload.container.message_ts;
    const team = payload.team?.id ?? payload.user.team_id;
    const user = payload.user.id;
    if (!kind || !channel || !messageTs || !team) {
      io.logger.warn({ actionId: action.action_id, channel, messageTs, team }, 'ignoring an action without the fields an interview needs');
      return;
    }
    const threadTs = payload.message?.thread_ts ?? payload.container.thread_ts ?? messageTs;
    const log = io.logger.child({ channel, threadTs, user, action: kind });

    const owner = await this.interviewOwner(team, channel, threadTs, user);
    if (owner.kind === 'other') {
      await this.tellInThread(io, channel, user, threadTs, messageOf(notYourInterview(owner.session.key.user)));
      return;
    }
    const key = owner.kind === 'mine' ? owner.session.key : sessionKey(team, channel, threadTs, user);
    /** The same button (or the same choice) on the same message is one delivery, however often it is clicked. */
    const eventId = `action:${channel}:${messageTs}:${action.action_id}:${kind === 'share_to' ? (action.selected_conversation ?? '') : rawValue}`;

    if (kind === 'share') return this.openSharePicker(key, channel, threadTs, user, value, eventId, io);
    if (kind === 'share_to') return this.shareSummary(owner.kind === 'mine' ? owner.session : undefined, key, channel, threadTs, messageTs, action, eventId, io);

    const event = value ? toConversationEvent(kind, value) : undefined;
    if (!event) {
      log.warn({ value: rawValue }, 'ignoring an action with a value the advisor did not write');
      return;
    }
    const result = await this.deps.service.handle(key, event, { eventId });
    if (result.duplicate) {
      log.info({ eventId }, 'repeated click ignored');
      return;
    }
    await this.deliverToThread(key, { channel, threadTs, actor: user }, result.session, result.replies, io);
  }

  private async openSharePicker(key: SessionKey, channel: string, threadTs: string, user: string, value: ActionValue | undefined, eventId: string, io: RequestIO): Promise<void> {
    if (!this.deps.deliveries.claim(eventId)) return;
    try {
      const ts = await io.calls.postMessage(channel, sharePickerMessage(value?.version ?? 0), { threadTs });
      await this.deps.service.setMeta(key, { [META.picker]: ts });
    } catch (error) {
      this.deps.deliveries.release(eventId);
      if (!isSlackCallError(error)) throw error;
      await this.tellInThread(io, channel, user, threadTs, messageOf(failureText(error, { interview: true })));
    }
  }

  private async shareSummary(
    session: Session | undefined,
    key: SessionKey,
    channel: string,
    threadTs: string,
    pickerTs: string,
    action: BlockAction,
    eventId: string,
    io: RequestIO,
  ): Promise<void> {
    const target = action.selected_conversation;
    if (!target || !session) return;
    if (!this.deps.deliveries.claim(eventId)) return;
    const knowledge = this.deps.service.knowledge;
    const view = recommendationFor(knowledge, session.answers);
    let permalink: string | undefined;
    try {
      permalink = await io.calls.permalink(channel, threadTs);
    } catch (error) {
      if (!isSlackCallError(error)) throw error; // Already logged; the summary links the channel instead.
    }
    try {
      await io.calls.postMessage(target, summaryMessage({ userId: key.user, view, threadChannel: channel, ...(permalink ? { permalink } : {}) }));
    } catch (error) {
      this.deps.deliveries.release(eventId); // After inviting the bot, the same choice must work.
      if (!isSlackCallError(error)) throw error;
      await this.tellInThread(io, channel, key.user, threadTs, messageOf(failureText(error, { interview: false })));
      await this.resetPicker(channel, pickerTs, session.version, io);
      return;
    }
    try {
      await io.calls.update(channel, pickerTs, retiredMessage(sharedTo(target, key.user)));
    } catch (error) {
      if (!isSlackCallError(error)) throw error; // The summary is out; a stale picker is only cosmetic.
    }
  }

  /**
   * Clears the picker's selection (a new block_id makes Slack redraw it empty), so
   * choosing the same channel again, after inviting the bot, sends a new action.
   */
  private async resetPicker(channel: string, pickerTs: string, version: number, io: RequestIO): Promise<void> {
    this.pickerResets += 1;
    try {
      await io.calls.update(channel, pickerTs, sharePickerMessage(version, this.pickerResets));
    } catch (error) {
      if (!isSlackCallError(error)) throw error;
    }
  }

  // ---------- typed messages in a thread ----------

  async onThreadMessage(teamId: string, eventId: string, message: ThreadMessage, botUserId: string | undefined, io: RequestIO): Promise<void> {
    // A message that mentions the bot is a question for it (app_mention), not an answer.
    if (botUserId && message.text.includes(`<@${botUserId}`)) return;
    const key = sessionKey(teamId, message.channel, message.thread_ts, message.user);
    // An expired interview of this person still answers them: the core says it expired and starts afresh.
    const mine = (await this.deps.service.lookup(key))?.session;
    if (!mine) {
      await this.hintOthersOnce(teamId, message, io);
      return;
    }
    const text = plainTextFromSlack(message.text, botUserId ? { dropMentionOf: botUserId } : {});
    const question = askedQuestion(this.deps.service.knowledge, text);
    if (question !== undefined) {
      await this.answerInThread(eventId, message.channel, message.thread_ts, question, io);
      return;
    }
    const result = await this.deps.service.handle(key, typedEvent(text), { eventId: `event:${eventId}` });
    if (result.duplicate) {
      io.logger.info({ eventId }, 'redelivered event ignored');
      return;
    }
    // The person is reading the bottom of the thread: show the open question there again when the core restates it.
    const where = { channel: message.channel, threadTs: message.thread_ts, actor: message.user };
    await this.deliverToThread(key, where, result.session, result.replies, io, { repostOpen: true });
  }

  /** Someone typed in another person's interview thread: tell them once, privately, then stay quiet. */
  private async hintOthersOnce(teamId: string, message: ThreadMessage, io: RequestIO): Promise<void> {
    const sessions = await this.deps.service.findInConversation(PLATFORM, teamId, threadConversation(message.channel, message.thread_ts));
    const owner = sessions[0];
    if (!owner || owner.meta[META.hinted(message.user)]) return;
    await this.deps.service.setMeta(owner.key, { [META.hinted(message.user)]: '1' });
    await this.tellInThread(io, message.channel, message.user, message.thread_ts, messageOf(notYourInterview(owner.key.user)));
  }

  // ---------- mentions ----------

  async onMention(eventId: string, mention: AppMention, botUserId: string | undefined, io: RequestIO): Promise<void> {
    if (!this.deps.deliveries.claim(`event:${eventId}`)) {
      io.logger.info({ eventId }, 'redelivered mention ignored');
      return;
    }
    const threadTs = mention.thread_ts ?? mention.ts;
    const question = plainTextFromSlack(mention.text, botUserId ? { dropMentionOf: botUserId } : {});
    const message = question === '' ? helpMessage(helpReply()) : askMessage(askKnowledge(this.deps.service.knowledge, question));
    await this.postQuietly(io, mention.channel, message, threadTs);
  }

  /** `ask <question>` typed in an interview thread: answered from the knowledge base, in the thread, once. */
  private async answerInThread(eventId: string, channel: string, threadTs: string, question: string, io: RequestIO): Promise<void> {
    if (!this.deps.deliveries.claim(`event:${eventId}`)) return;
    await this.postQuietly(io, channel, askMessage(askKnowledge(this.deps.service.knowledge, question)), threadTs);
  }

  /** Posts in a thread; a Slack failure is already logged by SlackCalls, and with no response_url there is nobody else to tell. */
  private async postQuietly(io: RequestIO, channel: string, message: SlackMessage, threadTs: string): Promise<void> {
    try {
      await io.calls.postMessage(channel, message, { threadTs });
    } catch (error) {
      if (!isSlackCallError(error)) throw error;
    }
  }

  // ---------- shared ----------

  private async interviewOwner(
    team: string,
    channel: string,
    threadTs: string,
    user: string,
  ): Promise<{ kind: 'mine'; session: Session } | { kind: 'other'; session: Session } | { kind: 'none' }> {
    const sessions = await this.deps.service.findInConversation(PLATFORM, team, threadConversation(channel, threadTs));
    const mine = sessions.find((s) => s.key.user === user);
    if (mine) return { kind: 'mine', session: mine };
    const other = sessions[0];
    return other ? { kind: 'other', session: other } : { kind: 'none' };
  }

  private async deliverToThread(
    key: SessionKey,
    where: { channel: string; threadTs: string; actor: string },
    session: Session,
    replies: readonly Reply[],
    io: RequestIO,
    options: { repostOpen?: boolean } = {},
  ): Promise<void> {
    const writer = new ThreadWriter(
      {
        service: this.deps.service,
        calls: io.calls,
        logger: io.logger,
        notifyActor: (message) => this.tellInThread(io, where.channel, where.actor, where.threadTs, message),
      },
      { key, ...where },
      session,
      options,
    );
    try {
      await writer.deliver(replies);
    } catch (error) {
      if (!isSlackCallError(error)) throw error;
      await this.tellInThread(io, where.channel, where.actor, where.threadTs, messageOf(failureText(error, { interview: true })));
    }
  }

  /**
   * An ephemeral message in the thread for one person. When Slack refuses it
   * (rate limit, channel trouble), `respond` is the fallback where there is one;
   * otherwise the failure stays in the log.
   */
  private async tellInThread(io: RequestIO, channel: string, user: string, threadTs: string, message: SlackMessage): Promise<void> {
    try {
      await io.calls.postEphemeral(channel, user, message, { threadTs });
    } catch (error) {
      if (!isSlackCallError(error)) throw error;
      await this.respondSafely(io, message);
    }
  }

  /** A private reply to a slash command: through its response_url, which works even where the bot is not a member. */
  private async tellPrivately(io: RequestIO, command: SlashCommand, message: SlackMessage): Promise<void> {
    if (io.respond) {
      await this.respondSafely(io, message);
      return;
    }
    try {
      await io.calls.postEphemeral(command.channel_id, command.user_id, message);
    } catch (error) {
      if (!isSlackCallError(error)) throw error;
    }
  }

  private async respondSafely(io: RequestIO, message: SlackMessage): Promise<void> {
    if (!io.respond) return;
    try {
      await io.respond({ text: message.text, blocks: message.blocks, response_type: 'ephemeral', replace_original: false });
    } catch (error) {
      io.logger.warn({ err: error }, 'could not answer through response_url');
    }
  }
}

/**
 * The question in a typed `ask <question>`, as the core's help offers it; undefined
 * for anything else, including phrases the core reads as commands ("ask me more").
 */
export function askedQuestion(knowledge: Knowledge, text: string): string | undefined {
  const match = /^ask\s+(\S.*)$/is.exec(text.trim());
  if (!match || parseText(knowledge, text, null).kind === 'command') return undefined;
  return match[1];
}

/**
 * A typed message as a core event. The core's help lists `start` ("start an
 * interview, or pick up where you left off") but its text parser does not read
 * it, so a message that is exactly "start" becomes the start event here.
 */
export function typedEvent(text: string): ConversationEvent {
  return /^\s*start\s*[.!]?\s*$/i.test(text) ? { type: 'start' } : { type: 'text', text };
}

export function toConversationEvent(kind: Exclude<ActionKind, 'share' | 'share_to'>, value: ActionValue): ConversationEvent | undefined {
  const { version, criterion, option } = value;
  switch (kind) {
    case 'answer':
      return criterion && option ? { type: 'answer', criterion, option, version } : undefined;
    case 'skip':
      return criterion ? { type: 'skip', criterion, version } : { type: 'skip', version };
    case 'back':
      return { type: 'back', version };
    case 'why':
      return criterion ? { type: 'why', criterion } : { type: 'why' };
    case 'result':
      return { type: 'result', version };
    case 'refine':
      return { type: 'refine', version };
    case 'restart':
      return { type: 'restart', version };
  }
}
