/**
 * Where a Slack interview lives: platform `slack`, workspace = team id,
 * conversation = `<channel>:<thread ts>` (the thread under the parent message),
 * user = the person who started it.
 */
import type { SessionKey } from '../../src/conversation/types.ts';

export const PLATFORM = 'slack';

export function threadConversation(channel: string, threadTs: string): string {
  return `${channel}:${threadTs}`;
}

export function sessionKey(teamId: string, channel: string, threadTs: string, userId: string): SessionKey {
  return { platform: PLATFORM, workspace: teamId, conversation: threadConversation(channel, threadTs), user: userId };
}
