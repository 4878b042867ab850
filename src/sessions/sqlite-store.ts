/**
 * The default store: one embedded SQLite file (better-sqlite3).
 *
 * better-sqlite3 is synchronous, so every method does its work before its
 * promise settles; two commits can never interleave inside one process. Across
 * processes, write transactions are IMMEDIATE (they take the write lock before
 * reading what they check) and wait up to `busy_timeout` for it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Session, SessionKey } from '../conversation/types.ts';
import { AdvisorError } from '../errors.ts';
import { threadId, type ThreadKey, type ThreadState } from '../turns/types.ts';
import { OwnDocuments } from './own-documents.ts';
import { decodeSessionRow } from './session-schema.ts';
import { migrate } from './sqlite-schema.ts';
import { prepareStatements, type SessionRow, type Statements } from './sqlite-statements.ts';
import { applyTurn, deleteExpiredBatch, firstOutboxSince, leaseUnsent, type CleanupBatch, type CleanupCut, type CommitTexts } from './sqlite-transactions.ts';
import { parseThreadState } from './stored-json.ts';
import { sessionId, type ClaimOptions, type OutboxEntry, type ReleasedEntry, type SessionStore, type StoredSession, type StoredThread, type TurnCommit, type TurnCommitted, type TurnRead } from './store.ts';

export { SQLITE_SCHEMA_VERSION } from './sqlite-schema.ts';

export interface SqliteStoreOptions {
  /**
   * `normal` (default): WAL with synchronous=NORMAL. Commits survive a crash of
   * the process; an OS crash or power loss may lose the last few commits.
   * `full`: synchronous=FULL, every commit is fsynced before it returns.
   */
  durability?: 'normal' | 'full';
  /** How long a write waits for another process's lock before failing with STORE_FAILURE. */
  busyTimeoutMs?: number;
  /**
   * `auto` (default): SQLite checkpoints the WAL inside whichever commit
   * crosses its threshold (1,000 pages). `background`: the owner checkpoints
   * (`checkpoint()`, or a WalCheckpointer on another thread), which keeps that
   * cost out of the turns a platform is waiting on; a commit checkpoints only if
   * the WAL has still grown past BACKGROUND_SAFETY_PAGES, so it stays bounded.
   */
  walCheckpoint?: 'auto' | 'background';
}

export interface SqliteStoreSettings {
  /** `wal` for a file; `memory` for `':memory:'`. */
  journalMode: string;
  synchronous: string;
  foreignKeys: boolean;
  busyTimeoutMs: number;
  /** Pages after which a commit checkpoints the WAL itself (1,000 by default; BACKGROUND_SAFETY_PAGES with background checkpoints). */
  walAutocheckpointPages: number;
  userVersion: number;
}

const SYNCHRONOUS_NAMES: readonly string[] = ['off', 'normal', 'full', 'extra'];

/**
 * A write waits at most this long for another process's lock. Slack and
 * Discord want an answer within 3 s and the platform is told nothing until the
 * turn is committed, so a commit that cannot get the lock in 2 s fails instead:
 * the platform gets an error (Slack resends events), and nothing half-done is kept.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 2_000;
/** With background checkpoints, a commit still checkpoints once the WAL passes this many pages (about 40 MiB). */
export const BACKGROUND_SAFETY_PAGES = 10_000;
/** Rows of each table one cleanup transaction removes at most: a few milliseconds of work. */
const CLEANUP_BATCH = 500;

/** Wraps an unexpected error (SQLITE_BUSY, I/O errors, a closed database) as STORE_FAILURE, keeping the cause. */
function storeFailure(message: string, cause: unknown, details: Record<string, unknown> = {}): AdvisorError {
  const sqliteCode = cause instanceof Database.SqliteError ? cause.code : undefined;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new AdvisorError('STORE_FAILURE', `${message}: ${reason}`, {
    ...details,
    ...(sqliteCode === undefined ? {} : { sqliteCode }),
  });
  error.cause = cause;
  return error;
}

export class SqliteSessionStore implements SessionStore {
  readonly #db: Database.Database;
  readonly #statements: Statements;
  /** What this store wrote lately, by row: read back unchanged, it needs no schema check (see OwnDocuments). */
  readonly #sessions = new OwnDocuments<Session>();
  readonly #threads = new OwnDocuments<ThreadState>();
  /** Built once: better-sqlite3's `transaction()` wrapper is worth reusing on the hot path. */
  readonly #transactions: {
    commitTurn: Database.Transaction<(input: TurnCommit, texts: CommitTexts) => TurnCommitted>;
    claimOutbox: Database.Transaction<(id: string, options: ClaimOptions) => OutboxEntry[]>;
    cleanup: Database.Transaction<(cut: CleanupCut, limit: number) => CleanupBatch>;
  };

  private constructor(db: Database.Database) {
    this.#db = db;
    const statements = prepareStatements(db);
    this.#statements = statements;
    this.#transactions = {
      commitTurn: db.transaction((input: TurnCommit, texts: CommitTexts) => applyTurn(statements, input, texts)),
      claimOutbox: db.transaction((id: string, options: ClaimOptions) => leaseUnsent(statements, id, options)),
      cleanup: db.transaction((cut: CleanupCut, limit: number) => deleteExpiredBatch(statements, cut, limit)),
    };
  }

  /** Opens (creating folders, file and schema as needed) the database at `path`; `':memory:'` for a private in-memory one. */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteSessionStore {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      if (options.walCheckpoint === 'background') db.pragma(`wal_autocheckpoint = ${BACKGROUND_SAFETY_PAGES}`);
      migrate(db);
      return new SqliteSessionStore(db);
    } catch (error) {
      db?.close();
      // The schema's refusal says what to do; it is prefixed with the file it is about.
      if (error instanceof AdvisorError) throw new AdvisorError(error.code, `${path}: ${error.message}`, { ...error.details, path });
      throw storeFailure(`cannot open session database ${path}`, error, { path });
    }
  }

  async load(key: SessionKey): Promise<StoredSession | undefined> {
    const id = sessionId(key);
    return this.#guard(`cannot load session ${id}`, { sessionId: id }, () => {
      const row = this.#statements.selectSession.get(id);
      return row === undefined ? undefined : this.#decodeSession(row);
    });
  }

  async listByConversation(thread: ThreadKey): Promise<StoredSession[]> {
    return this.#guard(`cannot list sessions of ${threadId(thread)}`, { thread: threadId(thread) }, () =>
      this.#statements.listByConversation.all(thread.platform, thread.workspace, thread.conversation).map((row) => this.#decodeSession(row)),
    );
  }

  async loadThread(thread: ThreadKey): Promise<StoredThread | undefined> {
    const id = threadId(thread);
    return this.#guard(`cannot load thread ${id}`, { thread: id }, () => this.#threadAt(id));
  }

  async readTurn(input: { thread: ThreadKey; user: string; deliveryId?: string; now: number }): Promise<TurnRead> {
    const id = threadId(input.thread);
    return this.#guard(`cannot read the turn's state in ${id}`, { thread: id, deliveryId: input.deliveryId }, () => {
      const s = this.#statements;
      const applied = input.deliveryId !== undefined && s.selectDelivery.get(input.deliveryId, input.now) !== undefined;
      const thread = this.#threadAt(id);
      const row = s.selectSession.get(sessionId({ ...input.thread, user: input.user }));
      return { applied, ...(thread ? { thread } : {}), ...(row ? { session: this.#decodeSession(row) } : {}) };
    });
  }

  async hasDelivery(id: string, now: number): Promise<boolean> {
    return this.#guard('cannot read delivery ids', { deliveryId: id }, () => this.#statements.selectDelivery.get(id, now) !== undefined);
  }

  async commitTurn(input: TurnCommit): Promise<TurnCommitted> {
    const details = { deliveryId: input.delivery?.id, thread: input.thread ? threadId(input.thread.key) : undefined };
    return this.#guard('cannot commit the turn', details, () => {
      const texts: CommitTexts = {};
      if (input.session) texts.session = JSON.stringify(input.session.session);
      if (input.thread) texts.thread = JSON.stringify(input.thread.state);
      const committed = this.#transactions.commitTurn.immediate(input, texts);
      // The thread's next turn reads these rows back.
      if (input.session && texts.session !== undefined) this.#sessions.wrote(sessionId(input.session.session.key), texts.session);
      if (input.thread && texts.thread !== undefined) this.#threads.wrote(threadId(input.thread.key), texts.thread);
      return committed;
    });
  }

  async claimOutbox(thread: ThreadKey, options: ClaimOptions): Promise<OutboxEntry[]> {
    const id = threadId(thread);
    return this.#guard(`cannot claim the outbox of ${id}`, { thread: id }, () =>
      // Most claims find nothing (a drain claims once more after sending); a plain read says so without taking the write lock.
      this.#statements.hasUnsent.get(id) === undefined ? [] : this.#transactions.claimOutbox.immediate(id, options),
    );
  }

  async completeOutbox(seq: number, result: { now: number; messageId?: string }): Promise<void> {
    this.#guard(`cannot complete outbox entry ${seq}`, { seq }, () => {
      this.#statements.completeOutbox.run({ seq, messageId: result.messageId ?? null, now: result.now });
    });
  }

  async failOutbox(seq: number, failure: { now: number; error: string; retryAt?: number; owner?: string }): Promise<boolean> {
    return this.#guard(`cannot record a failure of outbox entry ${seq}`, { seq }, () => {
      const { changes } = this.#statements.failOutbox.run({
        seq,
        status: failure.retryAt === undefined ? 'failed' : 'pending',
        nextAttemptAt: failure.retryAt ?? 0,
        error: failure.error.slice(0, 500),
        now: failure.now,
        owner: failure.owner ?? null,
      });
      return changes > 0;
    });
  }

  async releaseOutbox(entries: readonly ReleasedEntry[], owner: string): Promise<void> {
    this.#guard('cannot release outbox entries', { seqs: entries.map((entry) => entry.seq), owner }, () =>
      this.#db.transaction(() => {
        for (const { seq, mayHaveBeenSent } of entries) this.#statements.releaseOutbox.run({ seq, keepHolder: mayHaveBeenSent ? 1 : 0, owner });
      })(),
    );
  }

  async renewOutbox(seqs: readonly number[], owner: string, options: { now: number; leaseMs: number }): Promise<number[]> {
    const until = options.now + options.leaseMs;
    return this.#guard('cannot renew the claim on outbox entries', { seqs, owner }, () =>
      this.#db.transaction(() => seqs.filter((seq) => this.#statements.renewOutbox.run({ seq, owner, until }).changes > 0))(),
    );
  }

  async releaseClaimsOf(thread: ThreadKey, owner: string): Promise<number> {
    const id = threadId(thread);
    return this.#guard(`cannot release the claims on ${id}`, { thread: id, owner }, () => this.#statements.releaseClaimsOf.run({ threadId: id, owner }).changes);
  }

  async messageIdOf(thread: ThreadKey, handle: string): Promise<string | undefined> {
    const id = threadId(thread);
    return this.#guard(`cannot read message ids of ${id}`, { thread: id }, () => this.#statements.selectMessageId.get(id, handle)?.message_id ?? undefined);
  }

  async sentMessageIds(thread: ThreadKey, messageIds: readonly string[]): Promise<string[]> {
    const id = threadId(thread);
    if (messageIds.length === 0) return [];
    return this.#guard(`cannot read message ids of ${id}`, { thread: id }, () =>
      this.#statements.sentMessageIds.all(id, JSON.stringify(messageIds)).map((row) => row.message_id),
    );
  }

  async threadsWithPendingOutbox(now: number, limit: number, platform: string): Promise<ThreadKey[]> {
    return this.#guard('cannot list pending outbox entries', { platform }, () =>
      this.#statements.pendingThreads.all(platform, now, now, limit).map((row) => ({ platform: row.platform, workspace: row.workspace, conversation: row.conversation })),
    );
  }

  async pendingOutboxCount(): Promise<number> {
    return this.#guard('cannot count outbox entries', {}, () => this.#statements.countPending.get()?.n ?? 0);
  }

  async delete(key: SessionKey): Promise<void> {
    const id = sessionId(key);
    this.#guard(`cannot delete session ${id}`, { sessionId: id }, () => {
      this.#statements.deleteSession.run(id);
    });
  }

  /**
   * In batches of CLEANUP_BATCH rows a table, each its own transaction, with the event loop let go in between: a
   * backlog (after a day offline, say) is removed without holding up the turns waiting meanwhile.
   */
  async deleteExpired(olderThan: number, now: number): Promise<number> {
    // Found once: entries appended during the cleanup are newer than the cut-off anyway.
    const outboxBefore = this.#guard('cannot read the outbox', { olderThan }, () => firstOutboxSince(this.#statements, olderThan, now));
    const cut = { olderThan, now, outboxBefore };
    let removed = 0;
    for (;;) {
      const batch = this.#guard('cannot delete expired sessions', { olderThan }, () => this.#transactions.cleanup.immediate(cut, CLEANUP_BATCH));
      removed += batch.sessions;
      if (!batch.more) return removed;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async count(): Promise<number> {
    return this.#guard('cannot count sessions', {}, () => this.#statements.countSessions.get()?.n ?? 0);
  }

  async ping(): Promise<void> {
    // Not a prepared statement: a closed database must fail here, and prepare() on it does.
    this.#guard('the session database does not answer', {}, () => {
      this.#db.prepare('SELECT 1').get();
    });
  }

  /** The connection's effective settings, for startup logs and tests. */
  settings(): SqliteStoreSettings {
    return this.#guard('cannot read database settings', {}, () => ({
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      synchronous: SYNCHRONOUS_NAMES[Number(this.#db.pragma('synchronous', { simple: true }))] ?? 'unknown',
      foreignKeys: Number(this.#db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(this.#db.pragma('busy_timeout', { simple: true })),
      walAutocheckpointPages: Number(this.#db.pragma('wal_autocheckpoint', { simple: true })),
      userVersion: Number(this.#db.pragma('user_version', { simple: true })),
    }));
  }

  /** The database file, or undefined for an in-memory database. */
  get file(): string | undefined {
    return this.#db.memory ? undefined : this.#db.name;
  }

  /** Copies the WAL back into the database where no reader needs it (PASSIVE: never waits for a lock). */
  checkpoint(): void {
    this.#guard('cannot checkpoint the database', {}, () => {
      this.#db.pragma('wal_checkpoint(PASSIVE)');
    });
  }

  /** Closes the database; closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #threadAt(id: string): StoredThread | undefined {
    const row = this.#statements.selectThread.get(id);
    if (row === undefined) return undefined;
    return { state: this.#threads.decode(id, row.state, (text) => parseThreadState(text, { thread: id })), version: row.version, updatedAt: row.updated_at };
  }

  #decodeSession(row: SessionRow): StoredSession {
    return decodeSessionRow({ id: row.id, version: row.version, state: row.state, createdAt: row.created_at, updatedAt: row.updated_at }, this.#sessions);
  }

  #guard<T>(message: string, details: Record<string, unknown>, work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof AdvisorError) throw error;
      throw storeFailure(message, error, details);
    }
  }
}
