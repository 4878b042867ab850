/** The SQLite store's prepared statements, in one place with their row types. */
import type Database from 'better-sqlite3';

export interface SessionRow {
  id: string;
  version: number;
  state: string;
  created_at: number;
  updated_at: number;
}

export interface ThreadRow {
  version: number;
  state: string;
  updated_at: number;
}

export interface OutboxRow {
  seq: number;
  platform: string;
  workspace: string;
  conversation: string;
  operation: string;
  delivery_id: string | null;
  actor: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: number;
  next_attempt_at: number;
  created_at: number;
}

interface UpsertSession {
  id: string;
  platform: string;
  workspace: string;
  conversation: string;
  user: string;
  version: number;
  state: string;
  now: number;
}

interface UpsertThread {
  id: string;
  platform: string;
  workspace: string;
  conversation: string;
  version: number;
  state: string;
  now: number;
}

interface InsertOutbox {
  threadId: string;
  platform: string;
  workspace: string;
  conversation: string;
  handle: string | null;
  operation: string;
  deliveryId: string | null;
  actor: string | null;
  /** Set (with a future `leaseUntil`) when the commit claims the entry for its own drain. */
  leaseOwner: string | null;
  leaseUntil: number;
  now: number;
}

type ThreadKeyRow = { platform: string; workspace: string; conversation: string };

export function prepareStatements(db: Database.Database) {
  const sessionColumns = 'id, version, state, created_at, updated_at';
  const outboxColumns = 'seq, platform, workspace, conversation, operation, delivery_id, actor, attempts, lease_owner, lease_until, next_attempt_at, created_at';
  return {
    selectSession: db.prepare<[string], SessionRow>(`SELECT ${sessionColumns} FROM sessions WHERE id = ?`),
    selectSessionVersion: db.prepare<[string], { version: number }>('SELECT version FROM sessions WHERE id = ?'),
    listByConversation: db.prepare<[string, string, string], SessionRow>(
      `SELECT ${sessionColumns} FROM sessions WHERE platform = ? AND workspace = ? AND conversation = ? ORDER BY created_at, id`,
    ),
    // ON CONFLICT DO UPDATE keeps created_at (INSERT OR REPLACE would reset it).
    upsertSession: db.prepare<UpsertSession>(`
      INSERT INTO sessions (id, platform, workspace, conversation, user_id, version, state, created_at, updated_at)
      VALUES (@id, @platform, @workspace, @conversation, @user, @version, @state, @now, @now)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, state = excluded.state, updated_at = excluded.updated_at
    `),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE id = ?'),
    // The cleanup's statements delete at most `limit` rows each, so one batch never holds the thread long.
    deleteExpiredSessions: db.prepare<[number, number]>('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE updated_at < ? LIMIT ?)'),
    countSessions: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sessions'),

    selectThread: db.prepare<[string], ThreadRow>('SELECT version, state, updated_at FROM threads WHERE id = ?'),
    selectThreadVersion: db.prepare<[string], { version: number }>('SELECT version FROM threads WHERE id = ?'),
    upsertThread: db.prepare<UpsertThread>(`
      INSERT INTO threads (id, platform, workspace, conversation, version, state, updated_at)
      VALUES (@id, @platform, @workspace, @conversation, @version, @state, @now)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, state = excluded.state, updated_at = excluded.updated_at
    `),
    deleteExpiredThreads: db.prepare<[number, number]>('DELETE FROM threads WHERE id IN (SELECT id FROM threads WHERE updated_at < ? LIMIT ?)'),

    selectDelivery: db.prepare<[string, number], { found: number }>('SELECT 1 AS found FROM deliveries WHERE id = ? AND expires_at > ?'),
    deleteExpiredDelivery: db.prepare<[string, number]>('DELETE FROM deliveries WHERE id = ? AND expires_at <= ?'),
    claimDelivery: db.prepare<[string, number]>('INSERT INTO deliveries (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING'),
    deleteExpiredDeliveries: db.prepare<[number, number]>('DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE expires_at <= ? LIMIT ?)'),

    insertOutbox: db.prepare<InsertOutbox>(`
      INSERT INTO outbox (thread_id, platform, workspace, conversation, handle, operation, delivery_id, actor, status, lease_owner, lease_until, created_at, updated_at)
      VALUES (@threadId, @platform, @workspace, @conversation, @handle, @operation, @deliveryId, @actor, 'pending', @leaseOwner, @leaseUntil, @now, @now)
    `),
    hasUnsent: db.prepare<[string], { found: number }>(`SELECT 1 AS found FROM outbox WHERE thread_id = ? AND status = 'pending' LIMIT 1`),
    selectUnsent: db.prepare<[string], OutboxRow>(`SELECT ${outboxColumns} FROM outbox WHERE thread_id = ? AND status = 'pending' ORDER BY seq`),
    leaseOutbox: db.prepare<[string, number, number]>('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE seq = ?'),
    completeOutbox: db.prepare<{ seq: number; messageId: string | null; now: number }>(
      `UPDATE outbox SET status = 'sent', message_id = @messageId, lease_owner = NULL, lease_until = 0, updated_at = @now WHERE seq = @seq AND status = 'pending'`,
    ),
    failOutbox: db.prepare<{ seq: number; status: string; nextAttemptAt: number; error: string; now: number; owner: string | null }>(`
      UPDATE outbox SET status = @status, attempts = attempts + 1, next_attempt_at = @nextAttemptAt, error = @error,
        lease_owner = NULL, lease_until = 0, updated_at = @now
      WHERE seq = @seq AND status = 'pending' AND (@owner IS NULL OR lease_owner = @owner)
    `),
    // Ends the claim; who held it is kept only for an entry that may have been sent (see mayHaveBeenSent).
    releaseOutbox: db.prepare<{ seq: number; keepHolder: number; owner: string }>(
      `UPDATE outbox SET lease_owner = CASE WHEN @keepHolder = 1 THEN lease_owner ELSE NULL END, lease_until = 0
       WHERE seq = @seq AND status = 'pending' AND lease_owner = @owner`,
    ),
    renewOutbox: db.prepare<{ seq: number; owner: string; until: number }>(
      `UPDATE outbox SET lease_until = @until WHERE seq = @seq AND status = 'pending' AND lease_owner = @owner`,
    ),
    // Ends the claims but keeps who held them: what they covered may have been sent (see mayHaveBeenSent).
    releaseClaimsOf: db.prepare<{ threadId: string; owner: string }>(`
      UPDATE outbox SET lease_until = 0
      WHERE thread_id = @threadId AND status = 'pending' AND lease_until > 0 AND (lease_owner = @owner OR (
        substr(lease_owner, 1, length(@owner) + 1) = @owner || '#' AND length(lease_owner) > length(@owner) + 1
        AND substr(lease_owner, length(@owner) + 2) NOT GLOB '*[^0-9]*'))
    `),
    sentMessageIds: db.prepare<[string, string], { message_id: string }>(
      `SELECT message_id FROM outbox WHERE thread_id = ? AND status = 'sent' AND message_id IN (SELECT value FROM json_each(?))`,
    ),
    selectMessageId: db.prepare<[string, string], { message_id: string | null }>(
      `SELECT message_id FROM outbox WHERE thread_id = ? AND handle = ? AND status = 'sent' ORDER BY seq DESC LIMIT 1`,
    ),
    // A thread is ready when its first unsent entry is: later entries never overtake it, and a thread that
    // would only find its head waiting (or claimed) must not take a place in the sweep's batch. INDEXED BY: left
    // to itself the planner walks the whole table in seq order, sent entries and all, rather than the unsent index.
    pendingThreads: db.prepare<[string, number, number, number], ThreadKeyRow>(`
      SELECT platform, workspace, conversation FROM outbox AS head INDEXED BY outbox_unsent
      WHERE status = 'pending' AND platform = ?
        AND seq = (SELECT min(seq) FROM outbox WHERE thread_id = head.thread_id AND status = 'pending')
        AND next_attempt_at <= ? AND lease_until <= ?
      ORDER BY seq LIMIT ?
    `),
    countPending: db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`),
    // For the cleanup's bound on seq (see firstOutboxSince): point lookups by rowid.
    outboxSeqRange: db.prepare<[], { lo: number | null; hi: number | null }>('SELECT min(seq) AS lo, max(seq) AS hi FROM outbox'),
    outboxAtOrAfter: db.prepare<[number], { seq: number; created_at: number }>('SELECT seq, created_at FROM outbox WHERE seq >= ? ORDER BY seq LIMIT 1'),
    deleteOldOutbox: db.prepare<{ before: number; olderThan: number; limit: number }>(`
      DELETE FROM outbox WHERE seq IN (
        SELECT seq FROM outbox WHERE seq < @before AND status != 'pending' AND updated_at < @olderThan ORDER BY seq LIMIT @limit)
    `),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
