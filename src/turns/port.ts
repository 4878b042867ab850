/**
 * What each platform implements so the turn layer can reach it: post, edit,
 * tell one person, open a thread, and say what a failure means. Adapters
 * render `Content` into their own messages inside these calls.
 *
 * `Live` is the platform's handle on the delivery being answered right now (a
 * Discord interaction, a Slack response_url); it is absent when the outbox is
 * sent later (after a restart, or a retry). A port must work without it.
 */
import type { Content, ThreadKey } from './types.ts';

export interface FailureVerdict {
  /** True for trouble that may pass (rate limits, 5xx, the network): the operation is tried again later. */
  retry: boolean;
  /** How long the platform asked to wait, when it said. */
  retryAfterMs?: number;
  /** What it means for the person and what to do, in the platform's words. */
  explanation: string;
}

/** What a post needs to tell a resend from a first try, and its own earlier message from another's (see `post`). */
export interface ResendHints {
  resend?: boolean;
  since?: number;
  taken?: (messageIds: readonly string[]) => Promise<string[]>;
}

export interface PlatformPort<Live = unknown> {
  readonly platform: string;
  /**
   * Posts in `thread` (or in `channel`, when given); returns the new message's
   * id. `handle` is unique per message (an idempotency key where the platform
   * has one); `resend` says an earlier attempt may have gone out, so a port
   * without idempotency keys should look for the message before posting again;
   * `since` is when the operation was queued (what it posted is no older), and `taken` says which messages other
   * operations already account for (a look-up must not claim one of those as its own).
   */
  post(thread: ThreadKey, content: Content, options: { handle: string; channel?: string; live?: Live } & ResendHints): Promise<string>;
  edit(thread: ThreadKey, messageId: string, content: Content, live?: Live): Promise<void>;
  /** Takes every control off message `messageId` in `thread`, leaving what it shows; a message that is gone is no failure. */
  retire(thread: ThreadKey, messageId: string, live?: Live): Promise<void>;
  /** Tells `user` privately in `thread`, where the platform allows that. */
  notify(thread: ThreadKey, user: string, content: Content, live?: Live): Promise<void>;
  /**
   * Posts `content` in the channel `where` and opens a thread on it; returns the thread's conversation id and the message id.
   * `handle` is unique per operation, as for `post` (an idempotency key where the platform has one).
   */
  openThread(where: ThreadKey, content: Content, live?: Live, options?: { handle: string } & ResendHints): Promise<{ conversation: string; messageId: string }>;
  /**
   * The delivery id `live` answers. When given, a drain lends `live` only to
   * that delivery's operations and leaves later deliveries' operations to their
   * own drains (a Discord interaction must not carry another interaction's reply).
   */
  deliveryOf?(live: Live): string | undefined;
  /** Called once a delivery's operations are sent (or none were due): a Discord interaction must still get a response. */
  finish?(live: Live): Promise<void>;
  classify(error: unknown): FailureVerdict;
}
