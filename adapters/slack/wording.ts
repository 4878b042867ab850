/**
 * Every word the Slack adapter itself puts in front of people, in one place.
 *
 * These are platform words only: button captions, Slack-specific instructions
 * (`/invite`, `/advisor`), the thread's parent message, explanations of Slack
 * failures. Everything about the interview (questions, progress, verdicts,
 * reasons, notices, help) comes from the core's view models.
 */
import { channelLink, escapeText, mention } from './escape.ts';

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

export function parentMessage(userId: string): string {
  return `${mention(userId)} is choosing a framework — follow along in the thread`;
}

export function notYourInterview(ownerId: string): string {
  return `This interview is ${mention(ownerId)}'s; start your own with /advisor`;
}

export const SHARE_PROMPT = 'Post a summary of this recommendation to which channel?';

export function sharedTo(channelId: string, userId: string): string {
  return `${mention(userId)} posted the summary to ${channelLink(channelId)}`;
}

export function summaryIntro(userId: string): string {
  return `${mention(userId)} asked the advisor which Python web framework fits their project`;
}

export const THREAD_LINK_LABEL = 'See the whole interview';

export function askedBy(userId: string, question: string): string {
  return `${mention(userId)} asked: “${escapeText(question)}”`;
}

export const SLASH_HELP: readonly { usage: string; description: string }[] = [
  { usage: '/advisor', description: 'start an interview in a thread here (same as /advisor start)' },
  { usage: '/advisor ask <question>', description: 'ask the knowledge base, e.g. /advisor ask does Flask have an ORM?' },
  { usage: '/advisor help', description: 'this help' },
];

export const THREAD_HELP_HEADING = 'In an interview thread, type or click:';
export const MENTION_HELP = 'Mention me in a thread with a question to get an answer with sources.';

export function unknownSubcommand(subcommand: string): string {
  return `I don't know “${escapeText(subcommand)}”.`;
}

/** What a Slack failure means for the person, and what to do about it. */
export const FAILURES = {
  notInChannel: (channelId: string | undefined) =>
    `I'm not a member of ${channelId ? channelLink(channelId) : 'that channel'}. Invite me there with \`/invite @advisor\`, then try again.`,
  channelNotFound: (channelId: string | undefined) =>
    `I can't see ${channelId ? channelLink(channelId) : 'that channel'}: it may be private, archived or a DM I'm not part of. Invite me with \`/invite @advisor\`, or pick another channel.`,
  rateLimited: (retryAfterSeconds: number | undefined) =>
    `Slack asked me to slow down${retryAfterSeconds ? ` for ${retryAfterSeconds} s` : ''}, so my reply didn't go out.`,
  unavailable: 'Slack had a problem on its side, so my reply didn\'t go out.',
  refused: (error: string) => `Slack refused my message (\`${escapeText(error)}\`).`,
  /** Appended when an interview's answers are safe: how to get the thread going again. */
  interviewSafe: 'Your answers are saved: type `start` in the thread to pick up where you left off.',
  tryAgain: 'Please try again in a moment.',
  internal: 'Something went wrong on my side; your answers so far are saved. Please try again.',
} as const;
