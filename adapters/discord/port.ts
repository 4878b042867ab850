/**
 * The turn layer's port on Discord: renders `Content` and makes the discord.js
 * calls, through the delivery being answered now (`live`) where it can:
 * - edit: the clicked message through its interaction, any other with the bot token;
 * - post: as the interaction's reply when that is its first response; otherwise
 *   with the bot token and a nonce from the operation's handle (`enforceNonce`),
 *   so a retry within Discord's nonce window returns the message already made;
 *   a resend first looks for the message in the channel (find-posted.ts);
 * - notify: an ephemeral reply or follow-up, or a reply to a typed message;
 *   with neither, nothing private can be sent and the note is skipped;
 * - openThread: the reply to `/advisor start` becomes the thread's starter.
 * A failed call is logged with context and thrown as a `DiscordCallError`
 * naming the step, which `classify` explains.
 */
import { createHash } from 'node:crypto';
import { ChannelType, ThreadAutoArchiveDuration, type Client, type NewsChannel, type SendableChannels, type TextChannel } from 'discord.js';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { Logger } from '../../src/logger.ts';
import type { FailureVerdict, PlatformPort, ResendHints } from '../../src/turns/port.ts';
import type { Content, ThreadKey } from '../../src/turns/types.ts';
import { classifyDiscordError, DiscordCallError, THREAD_ALREADY_CREATED, verdictFor, type DiscordStep } from './errors.ts';
import { findPosted } from './find-posted.ts';
import { DISCORD_LIMITS, truncate } from './limits.ts';
import type { DiscordLive } from './live.ts';
import { threadName } from './platform-text.ts';
import { forEdit, renderContent, type DiscordMessage } from './render.ts';

export const PLATFORM = 'discord';

/** The same handle always gives the same nonce (Discord takes up to 25 characters). */
export function nonceFor(handle: string): string {
  return createHash('sha256').update(handle).digest('hex').slice(0, 25);
}

function liveContext(live: DiscordLive | undefined): Record<string, string> {
  if (!live) return {};
  return live.kind === 'interaction' ? { interactionId: live.interaction.id, userId: live.userId } : { messageId: live.message.id, userId: live.userId };
}

export class DiscordPort implements PlatformPort<DiscordLive> {
  readonly platform = PLATFORM;

  constructor(
    private readonly client: Client,
    private readonly knowledge: Knowledge,
    private readonly logger: Logger,
  ) {}

  post(thread: ThreadKey, content: Content, options: { handle: string; channel?: string; live?: DiscordLive } & ResendHints): Promise<string> {
    const { live, handle } = options;
    const target = options.channel ?? thread.conversation;
    const message = renderContent(content, this.knowledge);
    return this.attempt(content.kind === 'summary' ? 'post the summary' : 'post in the thread', content.kind, live, target, async () => {
      const found = await this.lookUp(target, message, options);
      if (found !== undefined) return found;
      const viaInteraction = live?.kind === 'interaction' && live.channelId === target ? await live.post(message) : undefined;
      return viaInteraction ?? (await this.afterTokenLoss(live, target, message, options)) ?? this.sendOrFollowUp(live, target, message, handle);
    });
  }

  edit(thread: ThreadKey, messageId: string, content: Content, live?: DiscordLive): Promise<void> {
    const message = forEdit(renderContent(content, this.knowledge));
    return this.attempt('edit a message', content.kind, live, thread.conversation, async () => {
      if (live?.kind === 'interaction' && live.sourceMessageId === messageId && (await live.editSource(message))) return;
      await (await this.sendable(thread.conversation)).messages.edit(messageId, message);
    });
  }

  /** Sends only `components: []`: Discord leaves the fields an edit omits (the text, the embeds) as they are. */
  retire(thread: ThreadKey, messageId: string, live?: DiscordLive): Promise<void> {
    const message = { components: [] };
    return this.attempt('edit a message', 'controls', live, thread.conversation, async () => {
      if (live?.kind === 'interaction' && live.sourceMessageId === messageId && (await live.editSource(message))) return;
      try {
        await (await this.sendable(thread.conversation)).messages.edit(messageId, message);
      } catch (error) {
        // Deleted since (the message or its thread): nothing carries the controls any more.
        if (classifyDiscordError(error).kind !== 'not_found') throw error;
      }
    });
  }

  notify(thread: ThreadKey, user: string, content: Content, live?: DiscordLive): Promise<void> {
    const message = renderContent(content, this.knowledge);
    return this.attempt('tell the person', content.kind, live, thread.conversation, async () => {
      if (live?.kind === 'message' && live.userId === user) return live.reply(message);
      if (live?.kind === 'interaction' && live.userId === user && (await live.notify(message))) return;
      this.logger.info({ channelId: thread.conversation, user, content: content.kind, ...liveContext(live) }, 'nothing private can be sent without a live interaction; note skipped');
    });
  }

  openThread(where: ThreadKey, content: Content, live?: DiscordLive, options?: { handle: string } & ResendHints): Promise<{ conversation: string; messageId: string }> {
    const message = renderContent(content, this.knowledge);
    return this.attempt('open a thread', content.kind, live, where.conversation, async () => {
      const channel = await this.threadable(where.conversation);
      // A starter found again (posted, then the thread or the start's commit failed) gets its thread, or has it already.
      const found = options === undefined ? undefined : await this.lookUp(where.conversation, message, options);
      const viaInteraction = found === undefined && live?.kind === 'interaction' && live.channelId === where.conversation ? await live.post(message) : undefined;
      const lost = found ?? viaInteraction ?? (options === undefined ? undefined : await this.afterTokenLoss(live, where.conversation, message, options));
      const messageId = lost ?? (await this.send(where.conversation, message, options?.handle ?? `${where.conversation}#thread`));
      const owner = content.kind === 'threadParent' ? content.owner : undefined;
      const displayName = live?.kind === 'interaction' && live.userId === owner ? live.interaction.user.displayName : undefined;
      try {
        const thread = await channel.threads.create({
          name: truncate(threadName(displayName), DISCORD_LIMITS.threadName),
          startMessage: messageId,
          autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
        });
        return { conversation: thread.id, messageId };
      } catch (error) {
        // A resend after a crash: the nonce gave back the message already posted, and its thread exists
        // (a thread started from a message has that message's id).
        if (classifyDiscordError(error).code === THREAD_ALREADY_CREATED) return { conversation: messageId, messageId };
        throw error;
      }
    });
  }

  deliveryOf(live: DiscordLive): string {
    return live.kind === 'interaction' ? live.interaction.id : live.message.id;
  }

  async finish(live: DiscordLive): Promise<void> {
    if (live.kind === 'interaction') await live.finish();
  }

  readonly classify: (error: unknown) => FailureVerdict = verdictFor;

  /** On a resend, the message an earlier attempt posted, if it is there (see find-posted.ts). */
  private async lookUp(channelId: string, message: DiscordMessage, options: ResendHints): Promise<string | undefined> {
    const botId = this.client.user?.id;
    if (options.resend !== true || options.since === undefined || botId === undefined) return undefined;
    const found = await findPosted(await this.sendable(channelId), botId, message, { since: options.since, ...(options.taken ? { taken: options.taken } : {}) });
    if (found !== undefined) this.logger.info({ channelId, messageId: found }, 'a message resent after a failure was there already; not posted again');
    return found;
  }

  /**
   * The interaction was "already acknowledged" while posting through it (discord.js retried a 5xx whose answer was
   * lost): what it sent first may have been applied, so the channel is looked at before the bot token posts. An
   * interaction that had simply expired sent nothing.
   */
  private afterTokenLoss(live: DiscordLive | undefined, channelId: string, message: DiscordMessage, options: ResendHints): Promise<string | undefined> {
    if (live?.kind !== 'interaction' || !live.answeredElsewhere || live.channelId !== channelId) return Promise.resolve(undefined);
    return this.lookUp(channelId, message, { ...options, resend: true });
  }

  /**
   * With the bot token; where the bot may not post (a private thread it is not a member of) but the interaction
   * being answered is in that channel, as its follow-up instead, which needs no access of the bot's own.
   */
  private async sendOrFollowUp(live: DiscordLive | undefined, channelId: string, message: DiscordMessage, handle: string): Promise<string> {
    try {
      return await this.send(channelId, message, handle);
    } catch (error) {
      const { kind } = classifyDiscordError(error);
      const followed = live?.kind === 'interaction' && live.channelId === channelId && (kind === 'missing_access' || kind === 'missing_permissions') ? await live.followUp(message) : undefined;
      if (followed === undefined) throw error;
      this.logger.info({ channelId, messageId: followed }, 'the bot may not post here; sent as a follow-up of the interaction instead');
      return followed;
    }
  }

  private async send(channelId: string, message: DiscordMessage, handle: string): Promise<string> {
    const sent = await (await this.sendable(channelId)).send({ ...message, nonce: nonceFor(handle), enforceNonce: true });
    return sent.id;
  }

  private async sendable(channelId: string): Promise<SendableChannels> {
    const channel = await this.client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error(`channel ${channelId} does not take messages from the bot`);
    return channel;
  }

  private async threadable(channelId: string): Promise<TextChannel | NewsChannel> {
    const channel = await this.client.channels.fetch(channelId);
    if (channel?.type === ChannelType.GuildText || channel?.type === ChannelType.GuildAnnouncement) return channel;
    throw new Error(`channel ${channelId} cannot hold interview threads`);
  }

  /** Runs one step: journals it on `live`, logs a failure with context, and throws it named. */
  private async attempt<T>(step: DiscordStep, what: Content['kind'] | 'controls', live: DiscordLive | undefined, channelId: string, work: () => Promise<T>): Promise<T> {
    try {
      const value = await work();
      live?.journal.push({ step, content: what, ok: true });
      return value;
    } catch (error) {
      live?.journal.push({ step, content: what, ok: false });
      const failure = classifyDiscordError(error);
      this.logger.warn(
        { err: error, step, channelId, content: what, failure: failure.kind, status: failure.status, code: failure.code, ...liveContext(live) },
        'discord call failed',
      );
      throw new DiscordCallError(step, error, channelId);
    }
  }
}
