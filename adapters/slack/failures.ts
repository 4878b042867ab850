/**
 * What a failed Slack call means for the turn layer: whether to try again
 * later (rate limits, 5xx, the network), how long Slack asked to wait, and
 * what to tell the person in plain words.
 */
import type { FailureVerdict } from '../../src/turns/port.ts';
import { isSlackCallError, type SlackCallError } from './web-api.ts';
import { FAILURES } from './wording.ts';

/** The platform's part of the explanation; the turn layer adds "I will try again" or "your answers are saved". */
export function failureText(error: SlackCallError): string {
  switch (error.code) {
    case 'not_in_channel':
      return FAILURES.notInChannel(error.channel);
    case 'channel_not_found':
      return FAILURES.channelNotFound(error.channel);
    case 'ratelimited':
      return FAILURES.rateLimited(error.retryAfterSeconds);
    case 'slack_unavailable':
      return FAILURES.unavailable;
    case 'slack_refused':
      return FAILURES.refused(error.slackError ?? 'unknown_error');
  }
}

export function classifyFailure(error: unknown): FailureVerdict {
  // Anything that is not a Web API failure is a fault of ours (a bad stored id, a layout bug): trying again would not help.
  if (!isSlackCallError(error)) return { retry: false, explanation: FAILURES.internal };
  const explanation = failureText(error);
  switch (error.code) {
    case 'ratelimited':
      return { retry: true, explanation, ...(error.retryAfterSeconds === undefined ? {} : { retryAfterMs: error.retryAfterSeconds * 1000 }) };
    case 'slack_unavailable':
      return { retry: true, explanation };
    default:
      return { retry: false, explanation };
  }
}
