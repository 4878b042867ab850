/**
 * One delivery through the turn layer, in the order issue 8 requires:
 *
 *   commit (turns.commit) → first response to Discord → send (outbox drain)
 *
 * Discord wants a first response to every interaction within 3 seconds, and
 * none is given before the commit. After it, the adapter answers directly when
 * sending is quick (the usual case: one response that already shows the
 * result) and defers when sending, including waiting behind an earlier send in
 * the same thread, outlasts what is left of a budget counted from the
 * interaction's arrival. If the commit fails nothing was recorded, and the
 * person is told so (Discord does not resend interactions: they try again).
 */
import type { Logger } from '../../src/logger.ts';
import type { CommittedTurn, TurnService } from '../../src/turns/service.ts';
import { turnOutcome, type Delivery, type Inbound, type TurnOutcome as NeutralOutcome, type TurnResult } from '../../src/turns/types.ts';
import { NOT_SAVED } from '../../src/turns/wording.ts';
import type { DiscordStep } from './errors.ts';
import type { DiscordLive } from './live.ts';

/** Default time from arrival before deferring: half of Discord's 3 s, leaving room for the network. */
export const DEFAULT_ACK_BUDGET_MS = 1500;

/** The turn layer's outcomes, and what Discord's journal of the sends adds. */
export type TurnOutcome = NeutralOutcome | 'thread_failed' | 'posted' | 'post_failed' | 'shown_with_failure' | 'not_saved';

export interface TurnRunnerDeps {
  turns: TurnService<DiscordLive>;
  /** How long after arrival an interaction is deferred if it has not been answered yet. */
  ackBudgetMs: number;
  logger: Logger;
}

/**
 * Calls `acknowledge` once unless settled within `budgetMs`. `settle` resolves
 * once an acknowledgement already started has landed (so the caller knows
 * whether the interaction is deferred), and rejects if that failed.
 */
function startAckTimer(budgetMs: number, acknowledge: () => Promise<void>): { settle(): Promise<void> } {
  let pending: Promise<void> | undefined;
  const timer = setTimeout(() => {
    pending = acknowledge();
    pending.catch(() => undefined); // observed here so an early failure is never unhandled; `settle` reports it
  }, budgetMs);
  return {
    settle() {
      clearTimeout(timer);
      return pending ?? Promise.resolve();
    },
  };
}

/** Runs a delivery's handling and logs one "handled" line with its outcome and duration; `failed` reports an error. */
export async function logHandled(log: Logger, message: string, handle: () => Promise<string>, failed: (error: unknown) => Promise<void>): Promise<void> {
  const started = performance.now();
  let outcome = 'failed';
  try {
    outcome = await handle();
  } catch (error) {
    await failed(error);
  } finally {
    log.info({ outcome, ms: Math.round((performance.now() - started) * 10) / 10 }, message);
  }
}

export async function runTurn(deps: TurnRunnerDeps, delivery: Delivery, inbound: Inbound, live: DiscordLive, log: Logger): Promise<TurnOutcome> {
  const { turns } = deps;
  let committed: CommittedTurn<DiscordLive>;
  try {
    committed = await turns.commit(delivery, inbound);
  } catch (error) {
    log.error({ err: error }, 'the turn could not be saved; nothing was recorded');
    await tellNotSaved(live).catch((tellError: unknown) => log.warn({ err: tellError }, 'could not tell the person that nothing was saved'));
    return 'not_saved';
  }
  const { result } = committed;
  if (result.duplicate) {
    // Applied before (a redelivery, or another process got it first): that delivery answers Discord.
    // What it left unsent still goes, with the bot token.
    await committed.send();
    return 'duplicate';
  }
  if (live.kind === 'message') {
    await committed.send(live);
    return outcomeOf(result, live);
  }
  // The commit may have used the budget up (a busy database): then defer before sending anything.
  const remaining = deps.ackBudgetMs - (performance.now() - live.receivedAt);
  if (remaining <= 0) await live.acknowledge().catch((error: unknown) => log.warn({ err: error }, 'deferring the interaction failed'));
  const ack = startAckTimer(Math.max(0, remaining), () => live.acknowledge());
  try {
    await committed.send(live);
  } finally {
    await ack.settle().catch((error: unknown) => log.warn({ err: error }, 'deferring the interaction failed'));
  }
  return outcomeOf(result, live);
}

async function tellNotSaved(live: DiscordLive): Promise<void> {
  const message = { content: NOT_SAVED };
  if (live.kind === 'message') await live.reply(message);
  else await live.notify(message);
}

/** How the turn went, for the "handled" log line: from the result, and from what the port managed to send. */
function outcomeOf(result: TurnResult, live: DiscordLive): TurnOutcome {
  const failed = (step: DiscordStep): boolean => live.journal.some((entry) => entry.step === step && !entry.ok);
  if (result.refused) return 'refused_not_owner';
  if (failed('open a thread')) return 'thread_failed';
  if (failed('post the summary')) return 'post_failed';
  if (failed('post in the thread')) return 'shown_with_failure';
  if (live.journal.some((entry) => entry.step === 'post the summary' && entry.ok)) return 'posted';
  return turnOutcome(result);
}
