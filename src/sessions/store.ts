/**
 * The session store contract. SQLite (embedded) implements it by default; a
 * server database can implement the same interface later and reuse the
 * contract tests in tests/sessions/store-contract.ts.
 *
 * Methods are async so that a networked store fits the same shape.
 */
import type { Session, SessionKey } from '../conversation/types.ts';

export interface StoredSession {
  session: Session;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

export interface CommitInput {
  session: Session;
  /**
   * The version the caller read (0 when creating). The commit fails with
   * SESSION_CONFLICT if the stored version differs: someone else committed first.
   */
  expectedVersion: number;
  /** Platform delivery id (Slack event_id, Discord interaction id, ...). Recorded so a redelivery is recognised. */
  eventId?: string;
  now: number;
}

export interface SessionStore {
  load(key: SessionKey): Promise<StoredSession | undefined>;
  /**
   * Atomically: check the version, save the session, record the event id.
   * An existing session keeps its stored `meta`: adapter data changes only
   * through `updateMeta`, so a commit made from an older copy cannot undo it.
   */
  commit(input: CommitInput): Promise<void>;
  /**
   * Atomically merges `patch` into the stored session's `meta` without changing
   * its version (buttons already posted stay valid). Returns the updated session,
   * or undefined when there is none.
   */
  updateMeta(key: SessionKey, patch: Readonly<Record<string, string>>, now: number): Promise<StoredSession | undefined>;
  /** True when this event id was already committed for this session. */
  hasEvent(key: SessionKey, eventId: string): Promise<boolean>;
  delete(key: SessionKey): Promise<void>;
  /** Sessions in one conversation (any user), e.g. to tell others whose interview a thread is. */
  listByConversation(platform: string, workspace: string, conversation: string): Promise<StoredSession[]>;
  /** Deletes sessions (and their event ids) not updated since `olderThan`; returns how many. */
  deleteExpired(olderThan: number): Promise<number>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** A stable string for a key (used as the primary key and in logs). */
export function sessionId(key: SessionKey): string {
  return [key.platform, key.workspace, key.conversation, key.user].map(encodeURIComponent).join(':');
}
