/**
 * Discord wants a first response to every interaction within 3 seconds, and
 * the advisor gives none before the turn is committed. After the commit the
 * adapter answers directly when sending is quick (the usual case: a single
 * response that already shows the result) and defers when sending, including
 * waiting behind an earlier send in the same thread, outlasts what is left of
 * a budget counted from the interaction's arrival.
 */

/** Default time from arrival before deferring: half of Discord's 3 s, leaving room for the network. */
export const DEFAULT_ACK_BUDGET_MS = 1500;

export interface AckTimer {
  /**
   * Stops the timer. Resolves once an acknowledgement it already started has
   * landed (so the caller knows whether the interaction is deferred); rejects
   * if that acknowledgement failed.
   */
  settle(): Promise<void>;
}

/** Calls `acknowledge` once if `settle` has not been called within `budgetMs`. */
export function startAckTimer(budgetMs: number, acknowledge: () => Promise<void>): AckTimer {
  let pending: Promise<void> | undefined;
  const timer = setTimeout(() => {
    pending = acknowledge();
    // Observed here so an early failure is never an unhandled rejection; `settle` reports it.
    pending.catch(() => undefined);
  }, budgetMs);
  return {
    settle() {
      clearTimeout(timer);
      return pending ?? Promise.resolve();
    },
  };
}
