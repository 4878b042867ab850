/**
 * Decides where each of the core's replies goes in a Discord thread: which
 * earlier messages are edited (a question becomes the record of its answer;
 * superseded controls are removed), which new messages are posted, and what is
 * said only to the person who acted. Pure: the delivery is done elsewhere.
 *
 * Message ids live in the session's adapter meta:
 *   q:<criterion>  the message that asked that criterion (edited into a record once answered)
 *   live           the message that carries the interview's current controls
 *   liveVersion    the session version that message was rendered for
 * A reply at the version the live message already shows is a restatement (a
 * stale click, a hint, "picking up where you left off"): it is not posted
 * again; the notice goes to the person who acted, with a link to the live
 * message when there is nothing else to say.
 */
import type { Reply } from '../../src/conversation/types.ts';
import { SLASH_USAGE } from './commands.ts';
import {
  answeredRecord,
  helpMessage,
  noticeMessage,
  questionMessage,
  recommendationMessage,
  settledMessage,
  whyMessage,
  type DiscordMessage,
  type RenderContext,
} from './render.ts';

export const META_KEYS = {
  question: (criterion: string): string => `q:${criterion}`,
  live: 'live',
  liveVersion: 'liveVersion',
} as const;

export interface PlannedPost {
  message: DiscordMessage;
  /** Set for question messages: remembered as `q:<criterion>`. */
  criterion?: string;
  /** Carries the interview's controls: becomes the live message. */
  live: boolean;
  version?: number;
}

export interface TurnPlan {
  edits: { messageId: string; message: DiscordMessage }[];
  posts: PlannedPost[];
  /** For the person who acted only (ephemeral where the platform allows). */
  notes: DiscordMessage[];
}

export interface PlanInput {
  replies: readonly Reply[];
  /** The session's adapter meta before this turn. */
  meta: Readonly<Record<string, string>>;
  /** Where the thread is, to link to the live message. */
  guildId: string;
  threadId: string;
}

function messageUrl(guildId: string, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}

export function planTurn(context: RenderContext, input: PlanInput): TurnPlan {
  const { replies, meta } = input;
  const plan: TurnPlan = { edits: [], posts: [], notes: [] };
  const liveVersion = meta[META_KEYS.liveVersion];
  const isRestatement = (version: number): boolean => liveVersion !== undefined && liveVersion === String(version);
  // The turn changed the session when it recorded an answer or produced a state at a new version.
  const changed = replies.some(
    (reply) =>
      reply.kind === 'answered' ||
      ((reply.kind === 'question' || reply.kind === 'settled' || reply.kind === 'recommendation') && !isRestatement(reply.version)),
  );
  let restated = false;

  for (const reply of replies) {
    switch (reply.kind) {
      case 'answered': {
        const messageId = meta[META_KEYS.question(reply.criterion)];
        if (messageId) plan.edits.push({ messageId, message: answeredRecord(reply) });
        break;
      }
      case 'question':
        if (isRestatement(reply.version)) {
          restated = true;
          if (reply.hint) plan.notes.push({ content: reply.hint });
        } else {
          plan.posts.push({ message: questionMessage(context, reply), criterion: reply.criterion, live: true, version: reply.version });
        }
        break;
      case 'settled':
        if (isRestatement(reply.version)) restated = true;
        else plan.posts.push({ message: settledMessage(context, reply), live: true, version: reply.version });
        break;
      case 'recommendation':
        if (isRestatement(reply.version)) restated = true;
        else plan.posts.push({ message: recommendationMessage(context, reply), live: true, version: reply.version });
        break;
      case 'notice':
        if (changed && reply.code !== 'expired') plan.posts.push({ message: noticeMessage(reply), live: false });
        else plan.notes.push(noticeMessage(reply));
        break;
      case 'why':
        plan.notes.push(whyMessage(reply));
        break;
      case 'help':
        plan.notes.push(helpMessage(reply, SLASH_USAGE));
        break;
    }
  }

  const live = meta[META_KEYS.live];
  if (live && plan.posts.some((post) => post.live) && !plan.edits.some((edit) => edit.messageId === live)) {
    plan.edits.push({ messageId: live, message: { components: [] } });
  }
  if (restated && live && plan.notes.length === 0 && plan.posts.length === 0) {
    plan.notes.push({ content: messageUrl(input.guildId, input.threadId, live) });
  }
  return plan;
}

/** The meta to store after delivering `posts`, given the ids they were posted under (undefined when a post failed). */
export function metaAfter(posts: readonly PlannedPost[], postedIds: readonly (string | undefined)[]): Record<string, string> {
  const meta: Record<string, string> = {};
  posts.forEach((post, index) => {
    const id = postedIds[index];
    if (!id) return;
    if (post.criterion) meta[META_KEYS.question(post.criterion)] = id;
    if (post.live) {
      meta[META_KEYS.live] = id;
      if (post.version !== undefined) meta[META_KEYS.liveVersion] = String(post.version);
    }
  });
  return meta;
}
