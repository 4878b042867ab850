/**
 * The words the Discord adapter itself says: its help headings, how Discord
 * writes a mention, a thread's name, and Discord-only situations (a payload it
 * cannot use, a place it cannot work in). The interview's words are the core's;
 * captions are the turn layer's (message-plan.ts).
 */
import type { PlatformSyntax } from '../../src/turns/wording.ts';

export const HELP_HEADINGS = { slashCommands: 'Commands', typedCommands: 'In an interview (Type an answer)' } as const;

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
  internalError: 'Something went wrong on my side, so that did not go through. Try again in a moment.',
  unknownComponent: 'That button is from an older version of the advisor. Run `/advisor start` for a fresh interview.',
} as const;
