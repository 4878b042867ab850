/**
 * The turn layer's reach into Slack: each operation of a committed turn
 * becomes one Web API call (chat.postMessage, chat.update, chat.postEphemeral),
 * its `Content` rendered as Block Kit on the way.
 *
 * `SlackLive` is what the delivery being answered right now offers: Bolt's
 * `respond` (the request's response_url), which reaches the person privately
 * even where the bot is not a channel member; it is used only for that person.
 * Entries sent later (a retry, the sweep after a restart) have none, and
 * everything still works without it. (No `deliveryOf`: all starts and asks of a
 * channel share its outbox, and lending each delivery only its own entries
 * made concurrent commands in one channel claim and release each other's.)
 *
 * Slack has no idempotency key for chat.postMessage, so every post carries its
 * outbox handle as message metadata. An entry sent by anything but its
 * delivery's first drain (the sweep, a retry, a redelivery) may have gone out
 * before: a crash between Slack's answer and the outbox's record of it. Such a
 * post first looks for its handle in the thread and returns the message it
 * finds instead of posting twice.
 */
import type { Logger } from '../../src/logger.ts';
import type { FailureVerdict, PlatformPort } from '../../src/turns/port.ts';
import type { Content, ThreadKey } from '../../src/turns/types.ts';
import { section, limitBlocks, type SlackMessage } from './blocks.ts';
import { classifyFailure } from './failures.ts';
import { renderContent, type RenderContext } from './render.ts';
import { parseConversation, PLATFORM, threadConversation } from './session-key.ts';
import { isSlackCallError, SlackWebApi } from './web-api.ts';

/** A private reply through the delivery's response_url. */
export type Respond = (message: SlackMessage) => Promise<void>;

export interface SlackLive {
  /** Who sent the delivery: a response_url reaches only them. */
  user: string;
  respond?: Respond;
  /** A slash command: private notes go through response_url first (it works in channels the bot is not in). */
  command: boolean;
  /** The delivery was applied before (Slack's retry, a replay): what it queued may have gone out already. */
  redelivered?: boolean;
}

/** Whether a send may repeat one that already reached Slack: it is not the delivery's own first drain. */
function mayHaveGoneOut(live: SlackLive | undefined): boolean {
  return live === undefined || live.redelivered === true;
}

/** What chat.postMessage gives back when a knowledge answer could only be sent privately. */
const PRIVATE_REPLY = 'response_url';

export interface SlackPortOptions {
  botToken: string;
  /** The Web API base URL (tests, proxies); Slack's by default. */
  apiUrl?: string;
  logger: Logger;
}

export class SlackPort implements PlatformPort<SlackLive> {
  readonly platform = PLATFORM;
  private readonly calls: SlackWebApi;

  constructor(options: SlackPortOptions) {
    this.calls = new SlackWebApi({ botToken: options.botToken, logger: options.logger, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) });
  }

  /** Closes the Web API connections. */
  close(): void {
    this.calls.close();
  }

  async post(thread: ThreadKey, content: Content, options: { handle: string; channel?: string; live?: SlackLive; resend?: boolean }): Promise<string> {
    const place = parseConversation(thread.conversation);
    const channel = options.channel ?? place.channel;
    const threadTs = options.channel === undefined ? place.threadTs : undefined;
    if (options.resend === true || mayHaveGoneOut(options.live)) {
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

  async notify(thread: ThreadKey, user: string, content: Content, live?: SlackLive): Promise<void> {
    const message = renderContent(content);
    const respond = live?.user === user ? live.respond : undefined;
    if (respond && live?.command) return respond(message);
    const { channel, threadTs } = parseConversation(thread.conversation);
    try {
      await this.calls.postEphemeral(channel, user, message, threadTs);
    } catch (error) {
      // Slack refused the ephemeral (rate limit, channel trouble): the response_url is the way left, where there is one.
      if (!respond || !isSlackCallError(error)) throw error;
      await respond(message);
    }
  }

  async openThread(where: ThreadKey, content: Content, live?: SlackLive, options?: { handle: string; resend?: boolean }): Promise<{ conversation: string; messageId: string }> {
    const { channel } = parseConversation(where.conversation);
    const handle = options?.handle;
    const found = (options?.resend === true || mayHaveGoneOut(live)) && handle !== undefined ? await this.calls.findPosted(channel, handle) : undefined;
    const ts = found ?? (await this.calls.postMessage(channel, renderContent(content), handle === undefined ? {} : { handle }));
    return { conversation: threadConversation(channel, ts), messageId: ts };
  }

  classify(error: unknown): FailureVerdict {
    return classifyFailure(error);
  }

  /** A summary links back to its thread: the permalink when Slack gives one, else the channel. */
  private async renderContext(content: Content): Promise<RenderContext> {
    if (content.kind !== 'summary') return {};
    const place = parseConversation(content.thread.conversation);
    if (place.threadTs === undefined) return { threadChannel: place.channel };
    try {
      return { threadChannel: place.channel, permalink: await this.calls.permalink(place.channel, place.threadTs) };
    } catch (error) {
      if (!isSlackCallError(error)) throw error;
      return { threadChannel: place.channel }; // Logged with the call; the channel link will do.
    }
  }
}
