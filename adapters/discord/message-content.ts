/**
 * With the Message Content option on, plain messages in an interview thread
 * are answers too: the owner's messages become `text` events (the core parses
 * several criteria at once). Other people's chatter in the thread, and
 * messages outside interview threads, are left alone.
 */
import type { Client, Message } from 'discord.js';
import { z } from 'zod';
import type { Logger } from '../../src/logger.ts';
import type { ConversationService } from '../../src/sessions/service.ts';
import { classifyDiscordError } from './errors.ts';
import { messageSurface, threadMessages } from './surfaces.ts';
import { sessionKey, type TurnRunner } from './turns.ts';

const typedMessageSchema = z.object({
  guildId: z.string().regex(/^\d{15,25}$/),
  threadId: z.string().regex(/^\d{15,25}$/),
  userId: z.string().regex(/^\d{15,25}$/),
  text: z.string().trim().min(1),
});

export function createMessageHandler(deps: { client: Client; service: ConversationService; turns: TurnRunner; logger: Logger }): (message: Message) => Promise<void> {
  const { client, service, turns } = deps;
  return async function handleMessage(message: Message): Promise<void> {
    if (message.author.bot || message.system || !message.inGuild() || !message.channel.isThread()) return;
    const parsed = typedMessageSchema.safeParse({ guildId: message.guildId, threadId: message.channelId, userId: message.author.id, text: message.content });
    if (!parsed.success) return;
    const { guildId, threadId, userId, text } = parsed.data;
    const key = sessionKey(guildId, threadId, userId);
    const log = deps.logger.child({ messageId: message.id, guildId, channelId: threadId, userId });
    const started = performance.now();
    let outcome = 'failed';
    try {
      const session = await service.get(key);
      if (!session || session.phase === 'cancelled') {
        outcome = 'ignored';
        return;
      }
      outcome = await turns.run({ key, event: { type: 'text', text }, eventId: message.id, surface: messageSurface(message, threadMessages(client, threadId)), requireSession: true, logger: log });
    } catch (error) {
      const failure = classifyDiscordError(error);
      log.error({ err: error, failure: failure.kind, status: failure.status, code: failure.code }, 'typed answer failed');
    } finally {
      log.info({ outcome, ms: Math.round((performance.now() - started) * 10) / 10 }, 'message handled');
    }
  };
}
