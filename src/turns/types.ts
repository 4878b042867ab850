/**
 * The platform-neutral turn: what an adapter decodes a platform delivery into
 * (`Delivery` + `Inbound`), what a committed turn asks the platform to do
 * (`Operation`s holding `Content`), and the thread's own record (`ThreadState`).
 *
 * Everything here is plain JSON: operations are stored in the outbox and sent
 * later, possibly by another process. Adapters render `Content` into their
 * messages; no platform type appears here.
 */
import type { AskAnswer } from '../engine/ask-types.ts';
import type { ConversationEvent, HelpReply, NoticeReply, RecommendationView, Reply } from '../conversation/types.ts';

/** A conversation on a platform: a thread (or a channel, for `ask` and starts). */
export interface ThreadKey {
  platform: string;
  workspace: string;
  conversation: string;
}

/** A stable string for a thread key, used as a primary key and in logs. */
export function threadId(key: ThreadKey): string {
  return [key.platform, key.workspace, key.conversation].map(encodeURIComponent).join(':');
}

/** One delivery from a platform, decoded at the edge. */
export interface Delivery {
  /**
   * The platform's id for this delivery (Slack event_id, a signed command's
   * signature, a click's message+action, a Discord interaction id). A delivery
   * id is applied once, across processes, for 24 hours. The terminal, which
   * has no redeliveries, gives none.
   */
  id?: string;
  thread: ThreadKey;
  /** True when `thread.conversation` is an interview thread; false for a channel (a start there opens a thread). */
  inThread: boolean;
  /** The person who acted. */
  actor: string;
  /** Discord encodes the interview's owner in its buttons; when given, a click from anyone else is refused. */
  claimedOwner?: string;
  /** The platform's id of the message whose control this delivery is (a click, a choice), when it names one. */
  clicked?: string;
}

export type Inbound =
  /** `/advisor` (or typed `start`): in a channel it opens a thread, in a thread it starts or resumes there. */
  | { kind: 'start' }
  /** A button or select in an interview: answer, skip, back, why, result, refine, restart, details. */
  | { kind: 'control'; event: ConversationEvent }
  /** Anything typed in an interview thread; `ask …` and `start` are understood by the core. */
  | { kind: 'text'; text: string }
  /** A question for the knowledge base (`/advisor ask`, a mention). */
  | { kind: 'ask'; question: string }
  /** `/advisor help`, or an unknown subcommand (`unknown` says which). */
  | { kind: 'help'; unknown?: string }
  /** "Post to channel": offer a channel picker in the thread. */
  | { kind: 'share'; version: number }
  /** A channel picked in that picker: post the summary there. `picker` is the picker's message id. */
  | { kind: 'shareTo'; channel: string; picker?: string };

/** Notices the turn layer itself gives (the core's conversation notices come as replies). */
export type TurnNotice =
  | { code: 'not_owner'; owner: string }
  | { code: 'expired' }
  | { code: 'nothing_to_share' }
  | { code: 'unknown_subcommand'; text: string }
  /** A message of this turn could not be sent; `explanation` is the platform's words for why and what to do. */
  | { code: 'delivery_failed'; failed: FailedDelivery; explanation: string; retrying: boolean };

/** What did not go out, as the person is told: a post in the turn's own conversation, the summary in another channel, or a new interview thread. */
export type FailedDelivery = { what: 'post' } | { what: 'summary'; channel: string } | { what: 'openThread' };

/** The failed delivery a person is told about: a post or a new thread is; a tidy-up edit or a private note is not. */
export function failedDelivery(operation: Operation): FailedDelivery | undefined {
  if (operation.op === 'openThread') return { what: 'openThread' };
  if (operation.op !== 'post') return undefined;
  // Only the summary is posted outside the turn's own conversation.
  return operation.channel === undefined ? { what: 'post' } : { what: 'summary', channel: operation.channel };
}

/** What one message shows. Adapters render it; the core owns every word in it. */
export type Content =
  /** An interview message: a question, settled offer or result (with controls when live), a record, why, help or notice. */
  | { kind: 'reply'; reply: Reply; owner: string; controls: boolean }
  | { kind: 'ask'; answer: AskAnswer; asker?: string }
  | { kind: 'help'; reply: HelpReply; lead?: string }
  | { kind: 'turnNotice'; notice: TurnNotice }
  /** The message a thread hangs from: "@owner is choosing a framework". */
  | { kind: 'threadParent'; owner: string }
  | { kind: 'sharePicker'; owner: string; version: number; attempt: number }
  | { kind: 'shared'; owner: string; channel: string }
  | { kind: 'summary'; owner: string; view: RecommendationView; thread: ThreadKey; threadMessage?: string }
  | { kind: 'notice'; notice: NoticeReply };

/** Where an edit points: a message the outbox posted (by handle) or one the platform named. */
export type MessageTarget = { handle: string } | { messageId: string };

export type Operation =
  /** Post in the turn's thread, or in `channel` (a summary). `handle` names the message for later edits. */
  | { op: 'post'; handle: string; content: Content; channel?: string }
  /** `when` makes the edit depend on whether an earlier post of this thread went out (a summary, say). */
  | { op: 'edit'; target: MessageTarget; content: Content; when?: { handle: string; sent: boolean } }
  /** Tell one person privately, in the thread (ephemeral where the platform allows it). */
  | { op: 'notify'; user: string; content: Content }
  /** Post `content` in a channel and open a thread on it, then start `owner`'s interview there. */
  | { op: 'openThread'; handle: string; content: Content; owner: string; startDelivery: string }
  /** Take the controls off a message the thread's record no longer names (cleaned up), keeping what it shows. */
  | { op: 'retire'; messageId: string };

/** The live message: the one whose controls are current. */
export interface LiveMessage {
  handle: string;
  /** The session version its controls carry. */
  version: number;
  /** What it shows (e.g. `question:team_size`), to tell a restatement from news. */
  view: string;
  /** Its content, so it can be re-rendered without controls when it is retired. */
  content: Content;
}

/** The turn layer's record of one thread: which message is live, which asked what, who was told what. */
export interface ThreadState {
  /** Whose interview runs here (undefined before the first start). */
  owner?: string;
  live?: LiveMessage;
  /** criterion id -> handle of the message that asked it, to turn into a record once answered. */
  questions: Record<string, string>;
  /** People who were told once that this interview is not theirs. */
  hinted: string[];
  /** The open channel picker's handle. */
  picker?: string;
  /** How many times a picker was offered; a new attempt makes platforms redraw a fresh one. */
  pickerAttempts: number;
}

export function emptyThreadState(): ThreadState {
  return { questions: {}, hinted: [], pickerAttempts: 0 };
}

/** What `TurnService.accept` reports. */
export interface TurnResult {
  thread: ThreadKey;
  /** The delivery id was already committed: nothing was applied again (unsent operations are still sent). */
  duplicate: boolean;
  /** The person's interview had expired before this delivery. */
  expired: boolean;
  /** The session changed (an answer, a new phase). */
  changed: boolean;
  /** The delivery was refused because the interview belongs to someone else. */
  refused: boolean;
  /** Operations committed to the outbox by this turn. */
  queued: number;
}

/** How a turn went, as every platform's "handled" log line names it (a platform may add outcomes of its own sends). */
export type TurnOutcome = 'ok' | 'duplicate' | 'expired' | 'refused_not_owner' | 'ignored';

export function turnOutcome(result: TurnResult): TurnOutcome {
  if (result.duplicate) return 'duplicate';
  if (result.refused) return 'refused_not_owner';
  if (result.expired) return 'expired';
  if (result.queued === 0 && !result.changed) return 'ignored';
  return 'ok';
}
