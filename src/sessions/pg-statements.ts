/**
 * The PostgreSQL store's statements and row types, in one place.
 *
 * Times: every statement that reads or writes a time takes an `anchor`
 * parameter. NULL (the default, database clock) means the database's time
 * when the statement started (`statement_timestamp()`: one time for all a
 * commit writes, and not the start of a transaction that waited for a lock);
 * a number is a caller's clock (the contract tests fix time). Absolute times
 * a caller passes (expiresAt, retryAt, olderThan) arrive as offsets from the
 * caller's `now` and are added to the anchor.
 *
 * Each statement has a name, so node-postgres prepares it once per connection.
 * A turn's commit is built in pg-commit.ts; rows are decoded in pg-rows.ts.
 */

import type pg from 'pg';

export const DB_NOW = `floor(extract(epoch FROM statement_timestamp()) * 1000)::bigint`;

/** The anchor time in SQL, from parameter `$n`. */
function at(n: number): string {
  return `COALESCE($${n}::bigint, ${DB_NOW})`;
}

export interface Statement {
  name: string;
  text: string;
}

/** Runs a named statement (prepared once per connection by node-postgres). */
export function runStatement<Row extends pg.QueryResultRow = pg.QueryResultRow>(on: pg.Pool | pg.PoolClient, sql: Statement, values: unknown[]): Promise<pg.QueryResult<Row>> {
  return on.query<Row>({ name: sql.name, text: sql.text, values });
}

function statement(name: string, text: string): Statement {
  return { name: `advisor_${name}`, text: text.replace(/\s+/g, ' ').trim() };
}

/** bigint and count(*) come back as strings; times fit a double exactly. */
export type Bigint = string | number;

export interface SessionRow {
  id: string;
  version: number;
  state: string;
  created_at: Bigint;
  updated_at: Bigint;
}

export interface ThreadRow {
  version: number;
  state: string;
  updated_at: Bigint;
}

export interface OutboxRow {
  seq: Bigint;
  platform: string;
  workspace: string;
  conversation: string;
  operation: string;
  delivery_id: string | null;
  actor: string | null;
  attempts: number;
  created_at: Bigint;
  /** The first entry's retry time has not come yet. */
  waiting: boolean;
  /** Another owner's claim has not lapsed. */
  held: boolean;
  /** A claim was recorded and never completed nor given back, other than the renewing owner's own (see OutboxEntry.mayHaveBeenSent). */
  claimed: boolean;
}

const SESSION_COLUMNS = 'id, version, state::text AS state, created_at, updated_at';

export const SQL = {
  selectSession: statement('select_session', `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`),
  selectSessionVersion: statement('select_session_version', 'SELECT version FROM sessions WHERE id = $1'),
  listByConversation: statement(
    'list_by_conversation',
    `SELECT ${SESSION_COLUMNS} FROM sessions WHERE platform = $1 AND workspace = $2 AND conversation = $3 ORDER BY created_at, id`,
  ),
  deleteSession: statement('delete_session', 'DELETE FROM sessions WHERE id = $1'),
  countSessions: statement('count_sessions', 'SELECT count(*) AS n FROM sessions'),
  ping: statement('ping', 'SELECT 1 AS ok'),

  selectThread: statement('select_thread', 'SELECT version, state::text AS state, updated_at FROM threads WHERE id = $1'),
  selectThreadVersion: statement('select_thread_version', 'SELECT version FROM threads WHERE id = $1'),

  // One row whatever exists: the delivery check, and the thread's and the session's columns or NULLs.
  readTurn: statement(
    'read_turn',
    `SELECT EXISTS (SELECT 1 FROM deliveries WHERE id = $1 AND expires_at > ${at(2)}) AS applied,
       t.version AS thread_version, t.state::text AS thread_state, t.updated_at AS thread_updated_at,
       s.id AS session_id, s.version AS session_version, s.state::text AS session_state, s.created_at AS session_created_at, s.updated_at AS session_updated_at
     FROM (VALUES (1)) AS one (x) LEFT JOIN threads AS t ON t.id = $3 LEFT JOIN sessions AS s ON s.id = $4`,
  ),

  // What a server process is doing ('active': running a statement); no row once it has ended.
  backendState: statement('backend_state', 'SELECT state FROM pg_stat_activity WHERE pid = $1::int'),
  endBackend: statement('end_backend', 'SELECT pg_terminate_backend($1::int) AS ended'),
  selectDelivery: statement('select_delivery', `SELECT 1 AS found FROM deliveries WHERE id = $1 AND expires_at > ${at(2)}`),
  // Run in a transaction that is rolled back: the insert waits for a commit of the same id still running on the
  // server (a plain SELECT would not see it yet), then says whether a live claim of the id exists.
  probeDelivery: statement(
    'probe_delivery',
    `INSERT INTO deliveries (id, expires_at) VALUES ($1, 0) ON CONFLICT (id) DO UPDATE SET expires_at = deliveries.expires_at
     RETURNING expires_at > ${at(2)} AS applied`,
  ),

  lockOutboxThread: statement('lock_outbox_thread', 'SELECT pg_advisory_xact_lock($1::int, $2::int)'),
  hasUnsent: statement('has_unsent', `SELECT 1 AS found FROM outbox WHERE thread_id = $1 AND status = 'pending' LIMIT 1`),
  // FOR UPDATE: read in the claim's transaction, the rows stay as read until the lease is written; a stalled drain's
  // failOutbox (which checks the claimant) waits for it and then finds the new claimant, instead of landing in between.
  selectUnsent: statement(
    'select_unsent',
    `SELECT seq, platform, workspace, conversation, operation::text AS operation, delivery_id, actor, attempts, created_at,
       next_attempt_at > ${at(2)} AS waiting,
       (lease_until > ${at(2)} AND lease_owner IS DISTINCT FROM $3) AS held,
       (lease_owner IS NOT NULL AND NOT ($4::boolean AND lease_owner = $3)) AS claimed
     FROM outbox WHERE thread_id = $1 AND status = 'pending' ORDER BY seq FOR UPDATE`,
  ),
  leaseOutbox: statement('lease_outbox', `UPDATE outbox SET lease_owner = $2, lease_until = ${at(3)} + $4::bigint WHERE seq = ANY($1::bigint[])`),
  completeOutbox: statement(
    'complete_outbox',
    `UPDATE outbox SET status = 'sent', message_id = $2, lease_owner = NULL, lease_until = 0, updated_at = ${at(3)} WHERE seq = $1 AND status = 'pending'`,
  ),
  // $3 NULL: given up (status 'failed'); otherwise back to pending, due at anchor + $3. $5: the claimant it must still have, or NULL.
  failOutbox: statement(
    'fail_outbox',
    `UPDATE outbox SET status = CASE WHEN $3::bigint IS NULL THEN 'failed' ELSE 'pending' END, attempts = attempts + 1,
       next_attempt_at = CASE WHEN $3::bigint IS NULL THEN 0 ELSE ${at(4)} + $3::bigint END,
       error = $2, lease_owner = NULL, lease_until = 0, updated_at = ${at(4)}
     WHERE seq = $1 AND status = 'pending' AND ($5::text IS NULL OR lease_owner = $5::text)`,
  ),
  // Ends the claims; who held one is kept only for the entries in $2, which may have been sent (see `claimed`).
  releaseOutbox: statement(
    'release_outbox',
    `UPDATE outbox SET lease_owner = CASE WHEN seq = ANY($2::bigint[]) THEN lease_owner ELSE NULL END, lease_until = 0
     WHERE seq = ANY($1::bigint[]) AND status = 'pending' AND lease_owner = $3`,
  ),
  // Gives back a commit's claim that nothing was sent under (its caller never got the entries): they come back fresh.
  endClaimOf: statement('end_claim_of', `UPDATE outbox SET lease_owner = NULL, lease_until = 0 WHERE thread_id = $1 AND status = 'pending' AND lease_owner = $2`),
  renewOutbox: statement(
    'renew_outbox',
    `UPDATE outbox SET lease_until = ${at(3)} + $4::bigint WHERE seq = ANY($1::bigint[]) AND status = 'pending' AND lease_owner = $2 RETURNING seq`,
  ),
  releaseClaimsOf: statement(
    'release_claims_of',
    // Ends the claims but keeps who held them: what they covered may have been sent (see `claimed`).
    `UPDATE outbox SET lease_until = 0
     WHERE thread_id = $1 AND status = 'pending' AND lease_until > 0
       AND (lease_owner = $2 OR (left(lease_owner, length($2) + 1) = $2 || '#' AND substr(lease_owner, length($2) + 2) ~ '^[0-9]+$'))`,
  ),
  sentMessageIds: statement('sent_message_ids', `SELECT message_id FROM outbox WHERE thread_id = $1 AND status = 'sent' AND message_id = ANY($2::text[])`),
  selectMessageId: statement(
    'select_message_id',
    `SELECT message_id FROM outbox WHERE thread_id = $1 AND handle = $2 AND status = 'sent' ORDER BY seq DESC LIMIT 1`,
  ),
  // A thread is ready when its first unsent entry is (see the SQLite store's pendingThreads).
  pendingThreads: statement(
    'pending_threads',
    `SELECT platform, workspace, conversation FROM outbox AS head
     WHERE status = 'pending' AND platform = $1
       AND seq = (SELECT min(seq) FROM outbox AS o WHERE o.thread_id = head.thread_id AND o.status = 'pending')
       AND next_attempt_at <= ${at(2)} AND lease_until <= ${at(2)}
     ORDER BY seq LIMIT $3`,
  ),
  countPending: statement('count_pending', `SELECT count(*) AS n FROM outbox WHERE status = 'pending'`),

  // Cleanup: each batch is a transaction holding this lock, so one replica sweeps at a time.
  tryCleanupLock: statement('try_cleanup_lock', 'SELECT pg_try_advisory_xact_lock($1::int, $2::int) AS acquired'),
  anchorNow: statement('anchor_now', `SELECT ${at(1)} AS now`),
  // At most $2 rows a statement; rows a turn has locked right now are skipped (they are not idle).
  deleteExpiredSessions: statement(
    'delete_expired_sessions',
    `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE updated_at < $1::bigint LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  ),
  deleteExpiredThreads: statement(
    'delete_expired_threads',
    `DELETE FROM threads WHERE id IN (SELECT id FROM threads WHERE updated_at < $1::bigint LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  ),
  deleteOldOutbox: statement(
    'delete_old_outbox',
    `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE status <> 'pending' AND updated_at < $1::bigint LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  ),
  deleteExpiredDeliveries: statement(
    'delete_expired_deliveries',
    `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE expires_at <= $1::bigint LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  ),
} as const;
