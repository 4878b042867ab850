/**
 * With the Message Content option on, plain messages in threads are typed
 * turns: answers (several at once), commands such as `back`, `why` or
 * `ask does flask have an ORM?`, all understood by the core's parser. The turn
 * layer decides whose they are: a thread with no interview is left alone, and
 * someone else's chatter in an interview thread is told once whose interview
 * it is. Bots, system messages and messages outside threads never reach it.
 */
import type { Message } from 'discord.js';
import { z } from 'zod';
import type { Logger } from '../../src/logger.ts';
import { LiveMessage } from './live.ts';
import { PLATFORM } from './port.ts';
import { runTurn, type TurnOutcome, type TurnRunnerDeps } from './run-turn.ts';

const snowflake = z.string().regex(/^\d{15,25}$/);
const typedMessageSchema = z.object({
  messageId: snowflake,
  guildId: snowflake,
  threadId: snowflake,
  userId: snowflake,
  text: z.string().trim().min(1),
});

export function createMessageHandler(deps: TurnRunnerDeps & { logger: Logger }): (message: Message) => Promise<void> {
  return async function handleMessage(message: Message): Promise<void> {
    if (message.author.bot || message.system || !message.inGuild() || !message.channel.isThread()) return;
    const parsed = typedMessageSchema.safeParse({ messageId: message.id, guildId: message.guildId, threadId: message.channelId, userId: message.author.id, text: message.content });
    if (!parsed.success) return;
    const { messageId, guildId, threadId, userId, text } = parsed.data;
    const log = deps.logger.child({ messageId, guildId, channelId: threadId, userId });
    const started = performance.now();
    let outcome: TurnOutcome | 'failed' = 'failed';
    try {
      outcome = await runTurn(
        deps,
        { id: messageId, thread: { platform: PLATFORM, workspace: guildId, conversation: threadId }, inThread: true, actor: userId },
        { kind: 'text', text },
        new LiveMessage(message),
        log,
      );
    } catch (error) {
      log.error({ err: error }, 'typed message failed');
    } finally {
      log.info({ outcome, ms: Math.round((performance.now() - started) * 10) / 10 }, 'message handled');
    }
  };
}
