/**
 * The words the Slack adapter itself says: its command and help, how Slack
 * writes a mention or a channel, and why a Slack call failed. The interview's
 * words are the core's; captions, what failed and "not saved" are the turn
 * layer's (message-plan.ts, wording.ts).
 */
import type { FailureRule } from '../../src/turns/failure-rules.ts';
import { FAILURE_REASONS, type PlatformSyntax } from '../../src/turns/wording.ts';
import { channelLink, escapeText, mention } from './escape.ts';
import type { SlackCallError, SlackFailureCode } from './web-api.ts';

export const COMMAND = '/advisor';

export const SLACK_SYNTAX: PlatformSyntax = { mention, channel: channelLink, startCommand: COMMAND };

export function askedBy(userId: string, question: string): string {
  return `${mention(userId)} asked: “${escapeText(question)}”`;
}

export const SLASH_HELP: readonly { usage: string; description: string }[] = [
  { usage: COMMAND, description: `start an interview in a thread here (same as ${COMMAND} start)` },
  { usage: `${COMMAND} ask <question>`, description: `ask the knowledge base, e.g. ${COMMAND} ask does Flask have an ORM?` },
  { usage: `${COMMAND} help`, description: 'this help' },
];
export const THREAD_HELP_HEADING = 'In an interview thread, type or click:';
export const MENTION_HELP = 'Mention me in a thread with a question to get an answer with sources.';

/** Why each Slack failure happened and what the person can do, and whether waiting may help. */
export const FAILURES: Readonly<Record<SlackFailureCode, FailureRule<SlackCallError>>> = {
  not_in_channel: { retry: false, explain: () => 'I need to be invited to the channel first: use `/invite @advisor` in it, then try again.' },
  channel_not_found: {
    retry: false,
    explain: () => "I can't see that channel: it may be private, archived or a DM I'm not part of. Invite me with `/invite @advisor`, or pick another channel.",
  },
  ratelimited: { retry: true, explain: (e) => FAILURE_REASONS.rateLimited('Slack', e.retryAfterSeconds || undefined) },
  // A garbled answer with status 200 is no HTTP error worth naming.
  slack_unavailable: { retry: true, explain: (e) => FAILURE_REASONS.unavailable('Slack', (e.httpStatus ?? 0) >= 500 ? e.httpStatus : undefined) },
  slack_refused: { retry: false, explain: (e) => `Slack refused my message (\`${escapeText(e.slackError ?? 'unknown_error')}\`).` },
};
/** Anything that is not a Slack failure is a fault of ours (a bad stored id, a layout bug): trying again would not help. */
export const INTERNAL_FAILURE = 'Something went wrong on my side.';
