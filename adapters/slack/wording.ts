/**
 * Every word the Slack adapter itself puts in front of people, in one place.
 *
 * These are platform words only: button captions, Slack-specific instructions
 * (`/invite`, `/advisor`), explanations of Slack failures, and how Slack writes
 * a mention or a channel. Everything about the interview comes from the core's
 * view models, and the turn layer's own notices from src/turns/wording.ts.
 */
import type { PlatformSyntax } from '../../src/turns/wording.ts';
import { channelLink, escapeText, mention } from './escape.ts';

export const COMMAND = '/advisor';

export const SLACK_SYNTAX: PlatformSyntax = { mention, channel: channelLink, startCommand: COMMAND };

export const CAPTIONS = {
  back: 'Back',
  skip: 'Skip',
  why: 'Why?',
  result: 'See result',
  refine: 'Keep refining',
  restart: 'Start over',
  share: 'Post to channel',
  chooseAnswer: 'Choose an answer',
  chooseChannel: 'Choose a channel',
} as const;

/** Section headings on the recommendation card and the channel summary: the core's. */
export { SECTION_HEADINGS as HEADINGS } from '../../src/conversation/views.ts';

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

/** What a Slack failure means for the person; the turn layer adds whether it will try again. */
export const FAILURES = {
  notInChannel: (channelId: string | undefined) =>
    `I'm not a member of ${channelId ? channelLink(channelId) : 'that channel'}. Invite me there with \`/invite @advisor\`, then try again.`,
  channelNotFound: (channelId: string | undefined) =>
    `I can't see ${channelId ? channelLink(channelId) : 'that channel'}: it may be private, archived or a DM I'm not part of. Invite me with \`/invite @advisor\`, or pick another channel.`,
  rateLimited: (retryAfterSeconds: number | undefined) =>
    `Slack asked me to slow down${retryAfterSeconds ? ` for ${retryAfterSeconds} s` : ''}, so my reply didn't go out.`,
  unavailable: "Slack had a problem on its side, so my reply didn't go out.",
  refused: (error: string) => `Slack refused my message (\`${escapeText(error)}\`).`,
  internal: "Something went wrong on my side, so my reply didn't go out.",
  /** A delivery whose commit failed (database locked, disk full): nothing of it was kept. */
  notRecorded: "I couldn't save that just now, so nothing was recorded. Please try again in a moment.",
} as const;
