/**
 * What to tell a person when a Slack call failed: plain words about what
 * happened and what to do, built from the coded SlackCallError.
 */
import type { SlackCallError } from './slack-calls.ts';
import { FAILURES } from './wording.ts';

export interface FailureContext {
  /** True when the failure interrupted an interview (its answers are safe in the store). */
  interview: boolean;
}

export function failureText(error: SlackCallError, context: FailureContext): string {
  const followUp = context.interview ? FAILURES.interviewSafe : FAILURES.tryAgain;
  switch (error.code) {
    case 'not_in_channel':
      return FAILURES.notInChannel(error.channel);
    case 'channel_not_found':
      return FAILURES.channelNotFound(error.channel);
    case 'ratelimited':
      return `${FAILURES.rateLimited(error.retryAfterSeconds)} ${followUp}`;
    case 'slack_unavailable':
      return `${FAILURES.unavailable} ${followUp}`;
    case 'slack_refused':
      return `${FAILURES.refused(error.slackError ?? 'unknown_error')} ${followUp}`;
  }
}
