/**
 * The words the Slack adapter itself says: its command and help, how Slack
 * writes a mention or a channel, and what Slack's failures mean. The interview's
 * words are the core's; captions are the turn layer's (message-plan.ts).
 */
import type { FailureRule } from '../../src/turns/failure-rules.ts';
import type { PlatformSyntax } from '../../src/turns/wording.ts';
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

const place = (channel: string | undefined): string => (channel ? channelLink(channel) : 'that channel');

/** What each Slack failure means for the person, and whether waiting may help. */
export const FAILURES: Readonly<Record<SlackFailureCode, FailureRule<SlackCallError>>> = {
  not_in_channel: { retry: false, explain: (e) => `I'm not a member of ${place(e.channel)}. Invite me there with \`/invite @advisor\`, then try again.` },
  channel_not_found: {
    retry: false,
    explain: (e) => `I can't see ${place(e.channel)}: it may be private, archived or a DM I'm not part of. Invite me with \`/invite @advisor\`, or pick another channel.`,
  },
  ratelimited: { retry: true, explain: (e) => `Slack asked me to slow down${e.retryAfterSeconds ? ` for ${e.retryAfterSeconds} s` : ''}, so my reply didn't go out.` },
  slack_unavailable: { retry: true, explain: () => "Slack had a problem on its side, so my reply didn't go out." },
  slack_refused: { retry: false, explain: (e) => `Slack refused my message (\`${escapeText(e.slackError ?? 'unknown_error')}\`).` },
};
/** Anything that is not a Slack failure is a fault of ours (a bad stored id, a layout bug): trying again would not help. */
export const INTERNAL_FAILURE = "Something went wrong on my side, so my reply didn't go out.";
/** A delivery whose commit failed (database locked, disk full): nothing of it was kept. */
export const NOT_RECORDED = "I couldn't save that just now, so nothing was recorded. Please try again in a moment.";
