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
  // The outbox rebuilt to write fewer pages per turn (each page is a frame in the WAL):
  // - Only unsent entries are ever looked for by status, and they are few: one partial index of them replaces two
  //   whole-table ones, so an entry sent leaves one small index instead of moving within two.
  // - seq is a plain rowid, no longer AUTOINCREMENT, which wrote sqlite_sequence on every commit. A seq is still
  //   one more than the largest in the table, so a thread's entries keep their order. Only the seq of an entry that
  //   was sent or given up, and then swept away a day later, can come again; and an entry is completed or failed
  //   only while it is unsent, so a drain stalled that long cannot mark its successor.
  (db) => {
    // The table as migration 2 made it, but for its key: SQLite's own way to change a column (rebuild and copy).
    const { sql } = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get()!;
    const rebuilt = sql.replace(/^CREATE TABLE outbox\b/, 'CREATE TABLE outbox_rebuilt').replace(/\bseq\s+INTEGER PRIMARY KEY AUTOINCREMENT\b/, 'seq INTEGER PRIMARY KEY');
    if (!rebuilt.startsWith('CREATE TABLE outbox_rebuilt') || rebuilt.includes('AUTOINCREMENT')) throw new Error(`unexpected outbox table: ${sql}`);
    db.exec(`
      ${rebuilt};
      INSERT INTO outbox_rebuilt SELECT * FROM outbox;
      DROP TABLE outbox;
      ALTER TABLE outbox_rebuilt RENAME TO outbox;
      CREATE INDEX outbox_by_handle ON outbox (thread_id, handle);
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
