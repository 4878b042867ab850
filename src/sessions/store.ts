/**
 * The store contract: sessions, each thread's state, the outbox of operations
 * still to send, and the delivery ids already applied. SQLite (embedded, the
 * default) implements it; a server database implements the same interface and
 * passes the same contract tests (tests/sessions/store-contract.ts).
 *
 * One turn is one atomic `commitTurn`: the delivery id is claimed, the session
 * and the thread state are version-checked and written, and the turn's
 * operations are appended to the outbox, or nothing happens at all. Only after
 * that is the platform told the delivery was received, and only after that are
 * the operations sent.
 *
 * Methods are async so that a networked store fits the same shape.
 *
 * Times. Callers pass their clock's `now`. A store shared by several
 * processes may decide expiry and leases on its own clock instead (the
 * PostgreSQL store uses the database's), so that processes whose clocks
 * disagree still agree on them: it then reads each absolute time it is given
 * (`expiresAt`, `retryAt`, `olderThan`) as an offset from the `now` passed
 * alongside, and the times it returns are on its clock. SQLite uses `now` as is.
 */
import type { Session, SessionKey } from '../conversation/types.ts';
import type { Operation, ThreadKey, ThreadState } from '../turns/types.ts';

export interface StoredSession {
  session: Session;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

export interface StoredThread {
  state: ThreadState;
  /** Increases with every commit that writes the thread state; 0 means none stored. */
  version: number;
  updatedAt: number;
}

export interface TurnCommit {
  now: number;
  /**
   * Claimed in the same transaction as everything else. When it was claimed
   * before, the commit fails with DUPLICATE_DELIVERY and changes nothing, so a
   * delivery is never marked as seen unless its turn was applied.
   */
  delivery?: { id: string; expiresAt: number };
  /** The session after the turn; fails with SESSION_CONFLICT when the stored version is not `expectedVersion` (0 = none). */
  session?: { session: Session; expectedVersion: number };
  /** The thread state after the turn, with the same optimistic check. */
  thread?: { key: ThreadKey; state: ThreadState; expectedVersion: number };
  /** Appended to the thread's outbox in this order. */
  outbox?: { thread: ThreadKey; operations: readonly Operation[]; deliveryId?: string; actor?: string };
  /** Marks an outbox entry sent in the same transaction (the turn that continues it). */
  completes?: { seq: number; messageId?: string };
  /**
   * Claims the appended entries for the caller in the same transaction (as
   * `claimOutbox` would, for `leaseMs`), so the drain that sends them needs no
   * claim of its own. Only when the thread had no unsent entry before them:
   * otherwise those go first, and the new ones wait for an ordinary claim.
   * `owner` should name this one drain, not just the process, so that no other
   * drain of the same process takes them over.
   */
  lease?: { owner: string; leaseMs: number };
}

/** What a commit hands back. */
export interface TurnCommitted {
  /** The appended entries, in order, when `lease` claimed them; otherwise empty. */
  leased: OutboxEntry[];
}

/** What a turn reads before it runs (see `readTurn`). */
export interface TurnRead {
  /** The delivery id was claimed and has not expired: the turn was applied already. */
  applied: boolean;
  thread?: StoredThread;
  session?: StoredSession;
}

/** What `releaseOutbox` needs of a claimed entry. */
export type ReleasedEntry = Pick<OutboxEntry, 'seq' | 'mayHaveBeenSent'>;

export interface OutboxEntry {
  /** Position in the outbox; entries of one thread are sent in this order. */
  seq: number;
  thread: ThreadKey;
  operation: Operation;
  /** The delivery whose turn queued it, and who acted (told when it cannot be sent). */
  deliveryId?: string;
  actor?: string;
  /** Failed attempts so far. */
  attempts: number;
  /**
   * True when an earlier attempt may have reached the platform: it failed
   * (perhaps after the platform took it), or its claim lapsed (the process
   * died mid-send). Ports with no idempotency key look before posting again.
   */
  mayHaveBeenSent: boolean;
  createdAt: number;
}

export interface ClaimOptions {
  now: number;
  /** How long the claim holds; a process that dies mid-send loses it after this. */
  leaseMs: number;
  /** Who claims (process id); a claim by another owner that has not lapsed blocks the thread. */
  owner: string;
  /**
   * The owner renews a claim under which it has sent nothing yet (a commit's lease that waited long): entries
   * it still holds come back fresh. Without it, any recorded claim, the owner's own included, may have been sent.
   */
  renewing?: boolean;
}

export interface SessionStore {
  load(key: SessionKey): Promise<StoredSession | undefined>;
  /** Sessions in one conversation (any user), oldest first: whose interview a thread is. */
  listByConversation(thread: ThreadKey): Promise<StoredSession[]>;
  loadThread(thread: ThreadKey): Promise<StoredThread | undefined>;
  /** True when this delivery id was claimed and has not expired. */
  hasDelivery(id: string, now: number): Promise<boolean>;
  /**
   * Everything a turn reads, in one call (one round trip on a server
   * database): whether `deliveryId` was applied (as `hasDelivery`), the
   * thread's state (as `loadThread`) and `user`'s session in it (as `load`).
   * Not a snapshot the commit relies on: the commit checks versions again.
   */
  readTurn(input: { thread: ThreadKey; user: string; deliveryId?: string; now: number }): Promise<TurnRead>;
  /** The whole turn, atomically (see TurnCommit). */
  commitTurn(input: TurnCommit): Promise<TurnCommitted>;

  /**
   * Claims the thread's unsent entries, in order, for `options.leaseMs`. Returns
   * none while another owner's claim holds, or while the first entry waits for
   * its retry time (later entries must not overtake it).
   */
  claimOutbox(thread: ThreadKey, options: ClaimOptions): Promise<OutboxEntry[]>;
  /** Marks an entry sent; `messageId` is remembered under the operation's handle. */
  completeOutbox(seq: number, result: { now: number; messageId?: string }): Promise<void>;
  /**
   * Records a failed attempt. `retryAt` puts it back for a later try; without it
   * the entry is given up (a permanent failure) and later entries may go.
   * Applies only while the entry is unsent and, with `owner`, still claimed by
   * that owner (a drain whose claim was taken over must not end the new one);
   * returns whether it did.
   */
  failOutbox(seq: number, failure: { now: number; error: string; retryAt?: number; owner?: string }): Promise<boolean>;
  /**
   * Gives back claimed entries this drain did not try (those after one that failed, or another delivery's). An entry
   * that came with `mayHaveBeenSent` (taken over from a lapsed claim) keeps saying so, since an earlier holder may
   * have sent it; the others come back as fresh. Only entries still claimed by `owner` are given back.
   */
  releaseOutbox(entries: readonly ReleasedEntry[], owner: string): Promise<void>;
  /**
   * Extends `owner`'s claim on the entries `seqs` to `now + leaseMs`, while it still holds them (a drain whose
   * platform calls run long keeps its claim, so no other process sends the same entries meanwhile); returns the
   * seqs it renewed. One missing was sent, given back, or taken over after the claim lapsed.
   */
  renewOutbox(seqs: readonly number[], owner: string, options: { now: number; leaseMs: number }): Promise<number[]>;
  /**
   * Ends every claim `owner` holds on the thread's unsent entries, its commits' claims (`owner#<n>`, see
   * `TurnCommit.lease`) included, as if they had lapsed (the entries still count as possibly sent); returns how many.
   * For a front end that names its owner after the person (the terminal): a run that starts again takes over at once
   * what a killed one left, instead of waiting for the claim to lapse.
   */
  releaseClaimsOf(thread: ThreadKey, owner: string): Promise<number>;
  /** The platform's id of a message the outbox posted under `handle`. */
  messageIdOf(thread: ThreadKey, handle: string): Promise<string | undefined>;
  /** Which of `messageIds` are recorded as the messages of sent entries of `thread` (a look-up must not claim them). */
  sentMessageIds(thread: ThreadKey, messageIds: readonly string[]): Promise<string[]>;
  /**
   * Threads of `platform` whose first unsent entry is ready to send (unclaimed
   * or with a lapsed claim, retry time reached), oldest first. Each platform's sweep sends only
   * its own: another platform's operations mean nothing to its port.
   */
  threadsWithPendingOutbox(now: number, limit: number, platform: string): Promise<ThreadKey[]>;
  /** Unsent entries in all threads (for health checks and tests). */
  pendingOutboxCount(): Promise<number>;
  /**
   * One cheap round trip (`SELECT 1`), for the health endpoint: resolves when
   * the store answers, fails with STORE_FAILURE when it cannot (closed,
   * unreachable, out of connections).
   */
  ping(): Promise<void>;

  delete(key: SessionKey): Promise<void>;
  /**
   * Deletes sessions and thread states not updated since `olderThan`, sent or
   * given-up outbox entries older than that, and delivery ids past their expiry
   * at `now`; returns how many sessions went.
   */
  deleteExpired(olderThan: number, now: number): Promise<number>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** A stable string for a key (used as the primary key and in logs). */
export function sessionId(key: SessionKey): string {
  return [key.platform, key.workspace, key.conversation, key.user].map(encodeURIComponent).join(':');
}

/** The thread a session lives in. */
export function threadOf(key: SessionKey): ThreadKey {
  return { platform: key.platform, workspace: key.workspace, conversation: key.conversation };
}

/** The entries a commit appended for `outbox`, as a claim would return them: numbered `seqs`, never attempted. */
export function appendedEntries(outbox: NonNullable<TurnCommit['outbox']>, seqs: readonly number[], createdAt: number): OutboxEntry[] {
  return outbox.operations.map((operation, index) => ({
    seq: seqs[index]!,
    thread: outbox.thread,
    operation,
    ...(outbox.deliveryId === undefined ? {} : { deliveryId: outbox.deliveryId }),
    ...(outbox.actor === undefined ? {} : { actor: outbox.actor }),
    attempts: 0,
    mayHaveBeenSent: false,
    createdAt,
  }));
}
