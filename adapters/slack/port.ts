/**
 * The turn layer's reach into Slack: each operation of a committed turn is one
 * Web API call (chat.postMessage, chat.update, chat.postEphemeral), its
 * `Content` rendered as Block Kit on the way.
 *
 * `SlackLive` is what the delivery being answered now offers: Bolt's `respond`
 * (its response_url), which reaches that person privately even where the bot
 * is not a channel member. Entries sent later (a retry, the sweep) have none.
 * (No `deliveryOf`: all starts and asks of a channel share its outbox, and
 * lending each delivery only its own entries made concurrent commands in one
 * channel claim and release each other's.)
 *
 * Slack has no idempotency key for chat.postMessage, so every post carries its
 * outbox handle as message metadata. A post that may have gone out before (a
 * crash between Slack's answer and the outbox's record of it) first looks for
 * its handle in the thread instead of posting twice.
 */
import type { Logger } from '../../src/logger.ts';
import { verdictOf } from '../../src/turns/failure-rules.ts';
import type { FailureVerdict, PlatformPort } from '../../src/turns/port.ts';
import type { Content, ThreadKey } from '../../src/turns/types.ts';
import { limitBlocks, renderContent, section, type RenderContext, type SlackMessage } from './blocks.ts';
import { parseConversation, PLATFORM, threadConversation } from './session-key.ts';
import { ACTION_ID_PATTERN } from './action-codec.ts';
import { SlackCallError, SlackWebApi, type ListedMessage } from './web-api.ts';
import { FAILURES, INTERNAL_FAILURE } from './wording.ts';

/** A private reply through the delivery's response_url. */
export type Respond = (message: SlackMessage) => Promise<void>;

export interface SlackLive {
  /** Who sent the delivery: a response_url reaches only them. */
  user: string;
  respond?: Respond;
  /** A slash command: private notes go through response_url first (it works in channels the bot is not in). */
  command: boolean;
}

/** What chat.postMessage gives back when a knowledge answer could only be sent privately. */
const PRIVATE_REPLY = 'response_url';

/** What a failed call means: try again later or not, and what to tell the person. */
export function classifyFailure(error: unknown): FailureVerdict {
  if (!(error instanceof SlackCallError)) return { retry: false, explanation: INTERNAL_FAILURE };
  return verdictOf(FAILURES[error.code], error, error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000);
}

/** Blocks as Slack keeps them, less the advisor's controls (what `ACTION_ID_PATTERN` owns). */
function withoutControls(blocks: ListedMessage['blocks']): ListedMessage['blocks'] {
  const ours = (element: unknown): boolean => {
    const id = typeof element === 'object' && element !== null ? (element as { action_id?: unknown }).action_id : undefined;
    return typeof id === 'string' && ACTION_ID_PATTERN.test(id);
  };
  return blocks.flatMap((block) => {
    if (block.type === 'actions') return [];
    if (!ours(block['accessory'])) return [block];
    const { accessory: _dropped, ...kept } = block;
    return [kept];
  });
}

export class SlackPort implements PlatformPort<SlackLive> {
  readonly platform = PLATFORM;
  private readonly calls: SlackWebApi;

  constructor(options: { botToken: string; apiUrl?: string; logger: Logger }) {
    this.calls = new SlackWebApi(options);
  }

  close(): void {
    this.calls.close();
  }

  async post(thread: ThreadKey, content: Content, options: { handle: string; channel?: string; live?: SlackLive; resend?: boolean }): Promise<string> {
    const place = parseConversation(thread.conversation);
    const channel = options.channel ?? place.channel;
    const threadTs = options.channel === undefined ? place.threadTs : undefined;
    if (options.resend === true) {
      const found = await this.calls.findPosted(channel, options.handle, threadTs);
      if (found !== undefined) return found;
    }
    const message = renderContent(content, await this.renderContext(content));
    try {
      return await this.calls.postMessage(channel, message, { handle: options.handle, ...(threadTs ? { threadTs } : {}) });
    } catch (error) {
      // A knowledge answer where the bot may not post: the asker still gets it, privately, with the reason.
      const live = options.live;
      const respond = content.kind === 'ask' && live !== undefined && content.asker === live.user ? live.respond : undefined;
      const verdict = this.classify(error);
      if (respond === undefined || verdict.retry) throw error;
      await respond({ text: message.text, blocks: limitBlocks([section(verdict.explanation), ...message.blocks]) });
      return PRIVATE_REPLY;
    }
  }

  async edit(thread: ThreadKey, messageId: string, content: Content): Promise<void> {
    if (messageId === PRIVATE_REPLY) return;
    const { channel } = parseConversation(thread.conversation);
    await this.calls.update(channel, messageId, renderContent(content, await this.renderContext(content)));
  }

  /**
   * Slack replaces a message whole, so the message is read back first and updated with the same blocks less the
   * advisor's controls: its `actions` blocks, and a section's select (the channel picker). A message that is gone
   * or has none is left alone.
   */
  async retire(thread: ThreadKey, messageId: string): Promise<void> {
    if (messageId === PRIVATE_REPLY) return;
    const { channel, threadTs } = parseConversation(thread.conversation);
    const message = await this.calls.messageAt(channel, messageId, threadTs);
    if (message === undefined) return;
    const blocks = withoutControls(message.blocks);
    if (JSON.stringify(blocks) !== JSON.stringify(message.blocks)) await this.calls.update(channel, messageId, { text: message.text, blocks });
  }

  async notify(thread: ThreadKey, user: string, content: Content, live?: SlackLive): Promise<void> {
    const message = renderContent(content);
    const respond = live?.user === user ? live.respond : undefined;
    if (respond && live?.command) return respond(message);
    const { channel, threadTs } = parseConversation(thread.conversation);
    try {
      await this.calls.postEphemeral(channel, user, message, threadTs);
    } catch (error) {
      // Slack refused the ephemeral (rate limit, channel trouble): the response_url is the way left, where there is one.
      if (!respond || !(error instanceof SlackCallError)) throw error;
      await respond(message);
    }
  }

  async openThread(where: ThreadKey, content: Content, live?: SlackLive, options?: { handle: string; resend?: boolean }): Promise<{ conversation: string; messageId: string }> {
    const { channel } = parseConversation(where.conversation);
    const handle = options?.handle;
    const found = options?.resend === true && handle !== undefined ? await this.calls.findPosted(channel, handle) : undefined;
    const ts = found ?? (await this.calls.postMessage(channel, renderContent(content), handle === undefined ? {} : { handle }));
    return { conversation: threadConversation(channel, ts), messageId: ts };
  }

  readonly classify = classifyFailure;

  /** A summary links back to its thread: the permalink when Slack gives one, else the channel. */
  private async renderContext(content: Content): Promise<RenderContext> {
    if (content.kind !== 'summary') return {};
    const place = parseConversation(content.thread.conversation);
    if (place.threadTs === undefined) return { threadChannel: place.channel };
    try {
      return { threadChannel: place.channel, permalink: await this.calls.permalink(place.channel, place.threadTs) };
    } catch (error) {
      if (!(error instanceof SlackCallError)) throw error;
      return { threadChannel: place.channel }; // Logged with the call; the channel link will do.
    }
  }
}
