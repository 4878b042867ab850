/**
 * Where things live in Slack, as the turn layer sees them: platform `slack`,
 * workspace = team id, conversation = a channel id (`C123`, for `/advisor`
 * and `/advisor ask` in a channel) or an interview thread `<channel>:<thread ts>`
 * (the thread under the parent message). A session's user is whoever started it.
 */
import type { SessionKey } from '../../src/conversation/types.ts';
import type { ThreadKey } from '../../src/turns/types.ts';

export const PLATFORM = 'slack';

const TS = /^\d+\.\d+$/;

export function threadConversation(channel: string, threadTs: string): string {
  return `${channel}:${threadTs}`;
}

export function threadKey(team: string, conversation: string): ThreadKey {
  return { platform: PLATFORM, workspace: team, conversation };
}

export function sessionKey(teamId: string, channel: string, threadTs: string, userId: string): SessionKey {
  return { platform: PLATFORM, workspace: teamId, conversation: threadConversation(channel, threadTs), user: userId };
}

/** The channel (and, for an interview thread, its thread ts) a conversation id names; throws on an id this adapter did not write. */
export function parseConversation(conversation: string): { channel: string; threadTs?: string } {
  const [channel = '', threadTs, ...rest] = conversation.split(':');
  if (channel === '' || rest.length > 0 || (threadTs !== undefined && !TS.test(threadTs))) {
    throw new Error(`not a Slack conversation id: ${JSON.stringify(conversation)}`);
  }
  return threadTs === undefined ? { channel } : { channel, threadTs };
}
