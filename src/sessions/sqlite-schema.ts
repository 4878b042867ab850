/**
 * The SQLite schema, as ordered migrations; `PRAGMA user_version` records how
 * many ran. Append new steps, never edit shipped ones.
 */
import type Database from 'better-sqlite3';
import { AdvisorError } from '../errors.ts';

type Migration = (db: Database.Database) => void;

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
  // The turn layer: thread states, the outbox and delivery ids replace adapter
  // meta inside sessions and per-session event ids.
  (db) => {
    db.exec(`
      DROP TABLE session_events;

      CREATE TABLE threads (
        id           TEXT PRIMARY KEY NOT NULL,
        platform     TEXT NOT NULL,
        workspace    TEXT NOT NULL,
        conversation TEXT NOT NULL,
        version      INTEGER NOT NULL,
        state        TEXT NOT NULL, -- JSON of ThreadState
        updated_at   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX threads_by_updated_at ON threads (updated_at);

      CREATE TABLE deliveries (
        id         TEXT PRIMARY KEY NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX deliveries_by_expiry ON deliveries (expires_at);

      CREATE TABLE outbox (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        thread_id       TEXT NOT NULL,
        platform        TEXT NOT NULL,
        workspace       TEXT NOT NULL,
        conversation    TEXT NOT NULL,
        handle          TEXT,
        operation       TEXT NOT NULL, -- JSON of Operation
        delivery_id     TEXT,
        actor           TEXT,
        status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        lease_owner     TEXT,
        lease_until     INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        message_id      TEXT,
        error           TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_by_thread ON outbox (thread_id, status, seq);
      CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
      CREATE INDEX outbox_by_handle ON outbox (thread_id, handle);
    `);
  },
  // Only unsent entries are ever looked for by status, and they are few. One partial index of them replaces two
  // whole-table ones: an entry sent leaves one small index instead of moving within two, so a turn writes fewer
  // pages (each page a frame in the WAL). seq stays AUTOINCREMENT: a seq is never handed out twice, so a drain that
  // stalled past its claim can only ever reach its own entry.
  (db) => {
    db.exec(`
      DROP INDEX outbox_by_thread;
      DROP INDEX outbox_pending;
      CREATE INDEX outbox_unsent ON outbox (thread_id, seq) WHERE status = 'pending';
    `);
  },
];

/** The `user_version` a fully migrated database has. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the schema to `target` (the current version unless a test asks for an older one). */
export function migrate(db: Database.Database, target: number = SQLITE_SCHEMA_VERSION): void {
  const readVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  const found = readVersion();
  if (found > SQLITE_SCHEMA_VERSION) {
    throw new AdvisorError(
      'STORE_FAILURE',
      `session database schema version ${found} is newer than this advisor supports (${SQLITE_SCHEMA_VERSION}); run a newer advisor or restore a backup`,
      { userVersion: found, supported: SQLITE_SCHEMA_VERSION },
    );
  }
  for (let next = found + 1; next <= Math.min(target, SQLITE_SCHEMA_VERSION); next++) {
    // IMMEDIATE and a re-read inside: another process may have migrated meanwhile.
    db.transaction(() => {
      const current = readVersion();
      if (current >= next) return;
      const step = MIGRATIONS[next - 1];
      if (step === undefined) throw new Error(`missing migration ${next}`);
      step(db);
      db.pragma(`user_version = ${next}`);
    }).immediate();
  }
}
