/**
 * A platform's failed calls as the turn layer's verdicts. Each adapter lists,
 * for every kind of failure it tells apart, whether waiting may help and what
 * to tell the person; `verdictOf` makes the verdict of one failure.
 */
import type { FailureVerdict } from './port.ts';

export interface FailureRule<F> {
  /** True for trouble that may pass (rate limits, 5xx, the network): the operation is tried again later. */
  retry: boolean;
  /** The platform's part of the explanation; the turn layer adds whether it will try again. */
  explain(failure: F): string;
}

export function verdictOf<F>(rule: FailureRule<F>, failure: F, retryAfterMs?: number): FailureVerdict {
  return { retry: rule.retry, explanation: rule.explain(failure), ...(rule.retry && retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}
