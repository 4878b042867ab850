/**
 * The only words the Discord adapter decides itself: control labels, a few
 * section headings the view models leave to the layout, how Discord writes a
 * mention, and explanations of Discord-specific situations (a payload it
 * cannot use, a channel the bot cannot post in, a rate limit). Everything
 * about frameworks, interviews, ownership and expiry comes from the core.
 */
import { SECTION_HEADINGS } from '../../src/conversation/views.ts';
import type { PlatformSyntax } from '../../src/turns/wording.ts';

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
  openThread: 'Open the interview',
} as const;

/** The core's recommendation headings, plus the Discord-only ones. */
export const HEADINGS = {
  ...SECTION_HEADINGS,
  askedBy: 'Asked by',
  slashCommands: 'Commands',
  typedCommands: 'In an interview (Type an answer)',
} as const;

/** How the core's notices name people, channels and the start command on Discord. */
export const DISCORD_SYNTAX: PlatformSyntax = {
  mention: (userId) => `<@${userId}>`,
  channel: (channelId) => `<#${channelId}>`,
  startCommand: '`/advisor start`',
};

/** The thread an interview runs in, named after its owner. */
export function threadName(displayName: string | undefined): string {
  return displayName ? `Framework advisor · ${displayName}` : 'Framework advisor';
}

export const PLATFORM_TEXT = {
  notInGuild: 'The advisor works in servers: run `/advisor start` in a channel the bot can see.',
  noThreadsHere: "I can't open an interview thread here: run `/advisor start` in a text channel, or inside an interview thread.",
  askTooLong: (max: number): string => `Ask a question of up to ${max} characters, for example \`/advisor ask question: does Flask have an ORM?\``,
  /** The turn could not be saved (database locked, disk full): nothing happened, so it is safe to repeat. */
  notSaved: "I couldn't save that just now, so nothing changed. Try again in a moment.",
  internalError: 'Something went wrong on my side, so that did not go through. Try again in a moment.',
  unknownComponent: 'That button is from an older version of the advisor. Run `/advisor start` for a fresh interview.',
} as const;

/** Why a Discord call failed, in words for the person who acted. The turn layer adds whether it will be tried again. */
export const FAILURE_REASONS = {
  missingPermissions: "I'm missing the permission to do that there (Send Messages, Embed Links or Create Public Threads); a server admin can grant it.",
  missingAccess: "I can't see that channel.",
  rateLimited: (seconds: number): string => `Discord is rate-limiting me for about ${Math.max(1, Math.ceil(seconds))} s.`,
  discordUnavailable: (status: number): string => `Discord had a problem on its side (HTTP ${status}).`,
  network: "I couldn't reach Discord.",
  unknown: 'Something went wrong talking to Discord.',
} as const;

/** What could not be done, by step, with the reason. */
export const STEP_FAILED = {
  'post in the thread': (reason: string): string => `I couldn't update the thread: ${reason}`,
  'post the summary': (reason: string, channelId?: string): string =>
    `I couldn't post the summary in ${channelId ? `<#${channelId}>` : 'that channel'}: ${reason}`,
  'edit a message': (reason: string): string => `I couldn't update an earlier message: ${reason}`,
  'tell the person': (reason: string): string => `I couldn't answer you privately: ${reason}`,
  'open a thread': (reason: string): string => `I couldn't open a thread for the interview here: ${reason}`,
} as const;
