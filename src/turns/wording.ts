/**
 * The words of the turn layer's own messages (ownership, expiry, sharing,
 * failed deliveries), the same on every platform. A platform supplies only
 * how it writes a mention, a channel and its start command.
 */
import type { FailedDelivery, TurnNotice } from './types.ts';

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
    case 'delivery_failed': {
      const said = `${failedLead(notice.failed, syntax)}. ${notice.explanation}`;
      return notice.retrying ? `${said} I will try again shortly; your answers are saved.` : `${said} Your answers are saved.`;
    }
  }
}

/** What could not be done, before the platform's reason. */
function failedLead(failed: FailedDelivery, syntax: PlatformSyntax): string {
  switch (failed.what) {
    case 'post':
      return "I couldn't post my reply here";
    case 'summary':
      return `I couldn't post the summary in ${syntax.channel(failed.channel)}`;
    case 'openThread':
      return "I couldn't open a thread for the interview here";
  }
}

/**
 * The reasons for a failed call that read the same on every platform, given
 * its name; each adapter maps its own failure codes onto these, or words its
 * own (a remedy only it knows, such as a permission's name).
 */
export const FAILURE_REASONS = {
  rateLimited: (platform: string, seconds?: number): string => `${platform} asked me to slow down${seconds === undefined ? '' : ` for about ${seconds} s`}.`,
  unavailable: (platform: string, httpStatus?: number): string => `${platform} had a problem on its side${httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`}.`,
} as const;

/** A delivery whose commit failed (database locked, disk full): nothing of it was kept, so repeating it is safe. */
export const NOT_SAVED = "I couldn't save that just now, so nothing was recorded. Try again in a moment.";

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
