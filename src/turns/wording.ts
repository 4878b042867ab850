/**
 * The words of the turn layer's own messages (ownership, expiry, sharing,
 * failed deliveries), the same on every platform. A platform supplies only
 * how it writes a mention, a channel and its start command.
 */
import type { TurnNotice } from './types.ts';

export interface PlatformSyntax {
  mention(userId: string): string;
  channel(channelId: string): string;
  /** How a person starts an interview there, e.g. `/advisor` or `/advisor start`. */
  startCommand: string;
}

export function turnNoticeText(notice: TurnNotice, syntax: PlatformSyntax): string {
  switch (notice.code) {
    case 'not_owner':
      return `This interview is ${syntax.mention(notice.owner)}'s; start your own with ${syntax.startCommand}.`;
    case 'expired':
      return `That interview has ended (it expired after a long pause, or was started over). Start a new one with ${syntax.startCommand}.`;
    case 'nothing_to_share':
      return 'Answer at least one question first; there is no recommendation to post yet.';
    case 'unknown_subcommand':
      return `I don't know “${notice.text}”.`;
    case 'delivery_failed':
      return notice.retrying
        ? `${notice.explanation} I will try again shortly; your answers are saved.`
        : `${notice.explanation} Your answers are saved.`;
  }
}

export function threadParentText(owner: string, syntax: PlatformSyntax): string {
  return `${syntax.mention(owner)} is choosing a framework — follow along in the thread`;
}

export function sharedText(owner: string, channel: string, syntax: PlatformSyntax): string {
  return `${syntax.mention(owner)} posted the summary to ${syntax.channel(channel)}`;
}

export function summaryIntroText(owner: string, syntax: PlatformSyntax): string {
  return `${syntax.mention(owner)} asked the advisor which Python web framework fits their project`;
}

export const SHARE_PROMPT = 'Post a summary of this recommendation to which channel?';
export const THREAD_LINK_LABEL = 'See the whole interview';
