/**
 * One interview turn, from a Discord trigger to the thread: read the session's
 * meta, let the core apply the event (it commits before returning), plan where
 * the replies go, deliver them, remember the new message ids. Turns of one
 * interview run one at a time; the first response is deferred if the turn
 * (queue wait included) outlasts the acknowledgement budget.
 */
import { expiredNotice } from '../../src/conversation/views.ts';
import type { ConversationEvent, SessionKey } from '../../src/conversation/types.ts';
import type { Logger } from '../../src/logger.ts';
import type { ConversationService } from '../../src/sessions/service.ts';
import { sessionId } from '../../src/sessions/store.ts';
import { startAckTimer } from './deadline.ts';
import { deliverTurn } from './deliver.ts';
import { classifyDiscordError } from './errors.ts';
import type { KeyedQueue } from './keyed-queue.ts';
import { planTurn, type TurnPlan } from './plan.ts';
import { noticeMessage } from './render.ts';
import type { TurnSurface } from './surfaces.ts';

export const PLATFORM = 'discord';

export function sessionKey(guildId: string, threadId: string, userId: string): SessionKey {
  return { platform: PLATFORM, workspace: guildId, conversation: threadId, user: userId };
}

export type TurnOutcome = 'ok' | 'duplicate' | 'expired' | 'shown_with_failure';

export interface TurnRunner {
  run(input: {
    key: SessionKey;
    event: ConversationEvent;
    /** Discord interaction id or message id: a redelivery is applied once. */
    eventId: string;
    surface: TurnSurface;
    /** False for `start`, which may create the session. */
    requireSession: boolean;
    logger: Logger;
  }): Promise<TurnOutcome>;
}

export function createTurnRunner(deps: { service: ConversationService; queue: KeyedQueue; ackBudgetMs: number }): TurnRunner {
  const { service, queue, ackBudgetMs } = deps;
  return {
    async run({ key, event, eventId, surface, requireSession, logger }) {
      const ack = startAckTimer(ackBudgetMs, () => surface.acknowledge());
      return queue.run(sessionId(key), async () => {
        const before = await service.get(key);
        if (!before && requireSession) {
          await settle(ack, logger);
          const plan: TurnPlan = {
            edits: surface.sourceMessageId ? [{ messageId: surface.sourceMessageId, message: { components: [] } }] : [],
            posts: [],
            notes: [noticeMessage(expiredNotice())],
          };
          await deliverTurn(plan, surface, logger);
          return 'expired';
        }
        let result;
        try {
          result = await service.handle(key, event, { eventId });
        } finally {
          await settle(ack, logger);
        }
        if (result.duplicate) return 'duplicate';
        const plan = planTurn(
          { knowledge: service.knowledge, owner: key.user },
          { replies: result.replies, meta: before?.meta ?? {}, guildId: key.workspace, threadId: key.conversation },
        );
        const delivery = await deliverTurn(plan, surface, logger);
        if (Object.keys(delivery.meta).length > 0) await service.setMeta(key, delivery.meta);
        if (delivery.failure) return 'shown_with_failure';
        return result.expired ? 'expired' : 'ok';
      });
    },
  };
}

async function settle(ack: { settle(): Promise<void> }, logger: Logger): Promise<void> {
  try {
    await ack.settle();
  } catch (error) {
    const failure = classifyDiscordError(error);
    logger.warn({ err: error, failure: failure.kind, status: failure.status, code: failure.code }, 'deferring the interaction failed');
  }
}
