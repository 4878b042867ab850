/**
 * The default session store: one embedded SQLite file (better-sqlite3).
 *
 * better-sqlite3 is synchronous, so every method does its work before its
 * promise settles; two commits can never interleave inside one process. Across
 * processes, write transactions are IMMEDIATE and wait up to `busy_timeout`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Session, SessionKey } from '../conversation/types.ts';
import { AdvisorError } from '../errors.ts';
import { parseStoredSession } from './session-schema.ts';
import { sessionId, type CommitInput, type SessionStore, type StoredSession } from './store.ts';

export interface SqliteStoreOptions {
  /**
   * `normal` (default): WAL with synchronous=NORMAL. Commits survive a crash of
   * the process; an OS crash or power loss may lose the last few commits.
   * `full`: synchronous=FULL, every commit is fsynced before it returns.
   */
  durability?: 'normal' | 'full';
  /** How long a write waits for another process's lock before failing with STORE_FAILURE. */
  busyTimeoutMs?: number;
}

export interface SqliteStoreSettings {
  /** `wal` for a file; `memory` for `':memory:'`. */
  journalMode: string;
  synchronous: string;
  foreignKeys: boolean;
  busyTimeoutMs: number;
  userVersion: number;
}

const SYNCHRONOUS_NAMES: readonly string[] = ['off', 'normal', 'full', 'extra'];

type Migration = (db: Database.Database) => void;

/**
 * Schema changes, applied in order; `PRAGMA user_version` records how many
 * ran. Append new steps, never edit shipped ones.
 */
const MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE sessions (
        id           TEXT PRIMARY KEY NOT NULL,
        platform     TEXT NOT NULL,
        workspace    TEXT NOT NULL,
        conversation TEXT NOT NULL,
        user_id      TEXT NOT NULL,
        version      INTEGER NOT NULL,
        state        TEXT NOT NULL, -- JSON of Session
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sessions_by_conversation ON sessions (platform, workspace, conversation);
      CREATE INDEX sessions_by_updated_at ON sessions (updated_at);

      CREATE TABLE session_events (
        session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        event_id     TEXT NOT NULL,
        committed_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, event_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX session_events_by_committed_at ON session_events (committed_at);
    `);
  },
];

/** The `user_version` a fully migrated database has. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

interface SessionRow {
  id: string;
  version: number;
  state: string;
  created_at: number;
  updated_at: number;
}

interface UpsertParams {
  id: string;
  platform: string;
  workspace: string;
  conversation: string;
  user: string;
  version: number;
  state: string;
  now: number;
}

function prepareStatements(db: Database.Database) {
  const rowColumns = 'id, version, state, created_at, updated_at';
  return {
    selectRow: db.prepare<[string], SessionRow>(`SELECT ${rowColumns} FROM sessions WHERE id = ?`),
    selectVersion: db.prepare<[string], { version: number }>('SELECT version FROM sessions WHERE id = ?'),
    selectEvent: db.prepare<[string, string], { found: number }>(
      'SELECT 1 AS found FROM session_events WHERE session_id = ? AND event_id = ?',
    ),
    // ON CONFLICT DO UPDATE, not INSERT OR REPLACE: REPLACE deletes the old row,
    // which would cascade away the session's recorded event ids and reset created_at.
    upsert: db.prepare<UpsertParams>(`
      INSERT INTO sessions (id, platform, workspace, conversation, user_id, version, state, created_at, updated_at)
      VALUES (@id, @platform, @workspace, @conversation, @user, @version, @state, @now, @now)
      ON CONFLICT (id) DO UPDATE SET
        version = excluded.version,
        -- meta belongs to updateMeta: keep the stored one (see SessionStore.commit)
        state = json_set(excluded.state, '$.meta', json(json_extract(sessions.state, '$.meta'))),
        updated_at = excluded.updated_at
    `),
    mergeMeta: db.prepare<{ id: string; patch: string; now: number }>(`
      UPDATE sessions
      SET state = json_set(state, '$.meta', json_patch(json_extract(state, '$.meta'), json(@patch))),
          updated_at = @now
      WHERE id = @id
    `),
    insertEvent: db.prepare<[string, string, number]>(
      'INSERT INTO session_events (session_id, event_id, committed_at) VALUES (?, ?, ?)',
    ),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE id = ?'),
    listByConversation: db.prepare<[string, string, string], SessionRow>(
      `SELECT ${rowColumns} FROM sessions
       WHERE platform = ? AND workspace = ? AND conversation = ?
       ORDER BY created_at, id`,
    ),
    deleteExpiredSessions: db.prepare<[number]>('DELETE FROM sessions WHERE updated_at < ?'),
    pruneEvents: db.prepare<[number]>('DELETE FROM session_events WHERE committed_at < ?'),
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sessions'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

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

function migrate(db: Database.Database): void {
  const readVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  const found = readVersion();
  if (found > SQLITE_SCHEMA_VERSION) {
    throw new AdvisorError(
      'STORE_FAILURE',
      `session database schema version ${found} is newer than this advisor supports (${SQLITE_SCHEMA_VERSION})`,
      { userVersion: found, supported: SQLITE_SCHEMA_VERSION },
    );
  }
  for (let target = found + 1; target <= SQLITE_SCHEMA_VERSION; target++) {
    // IMMEDIATE and a re-read inside: another process may have migrated meanwhile.
    db.transaction(() => {
      const current = readVersion();
      if (current >= target) return;
      const step = MIGRATIONS[target - 1];
      if (step === undefined) throw new Error(`missing migration ${target}`);
      step(db);
      db.pragma(`user_version = ${target}`);
    }).immediate();
  }
}

export class SqliteSessionStore implements SessionStore {
  readonly #db: Database.Database;
  readonly #statements: Statements;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = prepareStatements(db);
  }

  /** Opens (creating folders, file and schema as needed) the database at `path`; `':memory:'` for a private in-memory one. */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteSessionStore {
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new SqliteSessionStore(db);
    } catch (error) {
      db?.close();
      if (error instanceof AdvisorError) throw error;
      throw storeFailure(`cannot open session database ${path}`, error, { path });
    }
  }

  async load(key: SessionKey): Promise<StoredSession | undefined> {
    const id = sessionId(key);
    return this.#guard(`cannot load session ${id}`, { sessionId: id }, () => {
      const row = this.#statements.selectRow.get(id);
      return row === undefined ? undefined : decodeRow(row);
    });
  }

  async commit(input: CommitInput): Promise<void> {
    const { session, expectedVersion, eventId, now } = input;
    const id = sessionId(session.key);
    const s = this.#statements;
    this.#guard(`cannot commit session ${id}`, { sessionId: id }, () => {
      const state = JSON.stringify(session);
      // IMMEDIATE takes the write lock before the version read, so no other
      // process can commit between the check and the write.
      this.#db
        .transaction(() => {
          const storedVersion = s.selectVersion.get(id)?.version ?? 0;
          if (storedVersion !== expectedVersion) {
            throw new AdvisorError(
              'SESSION_CONFLICT',
              `session ${id} is at version ${storedVersion}, the commit expected ${expectedVersion}`,
              { sessionId: id, expectedVersion, storedVersion },
            );
          }
          if (eventId !== undefined && s.selectEvent.get(id, eventId) !== undefined) {
            throw new AdvisorError('SESSION_CONFLICT', `event ${eventId} was already committed for session ${id}`, {
              sessionId: id,
              eventId,
              duplicateEvent: true,
            });
          }
          s.upsert.run({
            id,
            platform: session.key.platform,
            workspace: session.key.workspace,
            conversation: session.key.conversation,
            user: session.key.user,
            version: session.version,
            state,
            now,
          });
          if (eventId !== undefined) s.insertEvent.run(id, eventId, now);
        })
        .immediate();
    });
  }

  async updateMeta(key: SessionKey, patch: Readonly<Record<string, string>>, now: number): Promise<StoredSession | undefined> {
    const id = sessionId(key);
    const s = this.#statements;
    return this.#guard(`cannot update meta of session ${id}`, { sessionId: id }, () =>
      this.#db
        .transaction(() => {
          const { changes } = s.mergeMeta.run({ id, patch: JSON.stringify(patch), now });
          if (changes === 0) return undefined;
          const row = s.selectRow.get(id);
          return row === undefined ? undefined : decodeRow(row);
        })
        .immediate(),
    );
  }

  async hasEvent(key: SessionKey, eventId: string): Promise<boolean> {
    const id = sessionId(key);
    return this.#guard(`cannot read events of session ${id}`, { sessionId: id }, () => {
      return this.#statements.selectEvent.get(id, eventId) !== undefined;
    });
  }

  async delete(key: SessionKey): Promise<void> {
    const id = sessionId(key);
    this.#guard(`cannot delete session ${id}`, { sessionId: id }, () => {
      this.#statements.deleteSession.run(id); // its event ids go by ON DELETE CASCADE
    });
  }

  async listByConversation(platform: string, workspace: string, conversation: string): Promise<StoredSession[]> {
    return this.#guard(`cannot list sessions of conversation ${conversation}`, { platform, workspace, conversation }, () =>
      this.#statements.listByConversation.all(platform, workspace, conversation).map(decodeRow),
    );
  }

  async deleteExpired(olderThan: number): Promise<number> {
    const s = this.#statements;
    return this.#guard('cannot delete expired sessions', { olderThan }, () =>
      this.#db
        .transaction(() => {
          // `changes` counts only the sessions; cascaded event rows are not included.
          const { changes } = s.deleteExpiredSessions.run(olderThan);
          // Event ids only guard against redelivery, which platforms do within
          // minutes; ids older than the session TTL can go even for live sessions.
          s.pruneEvents.run(olderThan);
          return changes;
        })
        .immediate(),
    );
  }

  async count(): Promise<number> {
    return this.#guard('cannot count sessions', {}, () => this.#statements.count.get()?.n ?? 0);
  }

  /** The connection's effective settings, for startup logs and tests. */
  settings(): SqliteStoreSettings {
    return this.#guard('cannot read database settings', {}, () => ({
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      synchronous: SYNCHRONOUS_NAMES[Number(this.#db.pragma('synchronous', { simple: true }))] ?? 'unknown',
      foreignKeys: Number(this.#db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(this.#db.pragma('busy_timeout', { simple: true })),
      userVersion: Number(this.#db.pragma('user_version', { simple: true })),
    }));
  }

  /** Closes the database; closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
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

function decodeRow(row: SessionRow): StoredSession {
  const parsed = parseStoredSession(row.state);
  if (!parsed.ok) {
    throw new AdvisorError('STORE_FAILURE', `stored session ${row.id} is unreadable (${parsed.reason})`, {
      sessionId: row.id,
    });
  }
  const session: Session = parsed.session;
  // The columns are what conflict checks and queries use; a state that disagrees with them is corrupt too.
  if (sessionId(session.key) !== row.id || session.version !== row.version) {
    throw new AdvisorError(
      'STORE_FAILURE',
      `stored session ${row.id} is inconsistent: its state says ${sessionId(session.key)} at version ${session.version}, the row says version ${row.version}`,
      { sessionId: row.id },
    );
  }
  return { session, createdAt: row.created_at, updatedAt: row.updated_at };
}
