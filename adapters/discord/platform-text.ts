/**
 * The only words the Discord adapter decides itself: control labels, a few
 * section headings the view models leave to the layout, and explanations of
 * Discord-specific situations (whose interview this is, a channel the bot
 * cannot post in, a rate limit). Everything about frameworks, questions,
 * answers and verdicts comes from the core's view models.
 */
import { SECTION_HEADINGS } from '../../src/conversation/views.ts';

export const LABELS = {
  back: 'Back',
  skip: 'Skip',
  why: 'Why?',
  seeResult: 'See result',
  typeAnswer: 'Type an answer',
  keepRefining: 'Keep refining',
  startOver: 'Start over',
  postToChannel: 'Post to channel',
  chooseAnswer: 'Choose an answer',
  chooseMoreAnswers: 'More answers',
  chooseChannel: 'Choose a channel to post the result in',
  yourAnswer: 'Your answer',
  openThread: 'Open the interview',
} as const;

/** The core's recommendation headings, plus the Discord-only ones. */
export const HEADINGS = {
  ...SECTION_HEADINGS,
  askedBy: 'Asked by',
  slashCommands: 'Commands',
  typedCommands: 'In an interview (Type an answer)',
} as const;

/** The thread an interview runs in, named after its owner. */
export function threadName(displayName: string): string {
  return `Framework advisor · ${displayName}`;
}

export const PLATFORM_TEXT = {
  notOwner: (ownerId: string): string =>
    `This interview belongs to <@${ownerId}>, so only they can answer it. Run \`/advisor start\` to start your own.`,
  notInGuild: 'The advisor works in servers: run `/advisor start` in a channel the bot can see.',
  threadFailed: (reason: string): string =>
    `I couldn't open a thread for the interview here: ${reason} A server admin can fix that, or run \`/advisor start\` in another channel.`,
  postedTo: (channelId: string): string => `Posted to <#${channelId}>.`,
  postFailed: (channelId: string, reason: string): string =>
    `I couldn't post the result in <#${channelId}>: ${reason} Your interview and its answers are saved.`,
  turnNotShown: (reason: string): string =>
    `Your answer is saved, but I couldn't update the thread: ${reason} Run \`/advisor start\` in this thread to see the open question again.`,
  askTooLong: (max: number): string => `Ask a question of up to ${max} characters, for example \`/advisor ask question: does Flask have an ORM?\``,
  internalError: 'Something went wrong on my side, so that did not go through. Try again in a moment.',
  unknownComponent: 'That button is from an older version of the advisor. Run `/advisor start` for a fresh interview.',
} as const;

/** Why a Discord call failed, in words for the person who clicked. */
export const FAILURE_REASONS = {
  missingPermissions: "I'm missing the permission to do that there (Send Messages, Embed Links or Create Public Threads).",
  missingAccess: "I can't see that channel.",
  rateLimited: (seconds: number): string => `Discord is rate-limiting me; try again in about ${Math.max(1, Math.ceil(seconds))} s.`,
  discordUnavailable: (status: number): string => `Discord had a problem on its side (HTTP ${status}); try again in a moment.`,
  unknown: 'Something went wrong talking to Discord; try again in a moment.',
} as const;
