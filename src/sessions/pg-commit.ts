/**
 * A turn's commit as ONE statement: the delivery claim, the session and
 * thread writes (each version-checked), the outbox rows and the entry it
 * completes, as data-modifying CTEs. A failed check calls advisor_fail(),
 * which raises, so the statement and everything it wrote is undone: the
 * commit is all or nothing, in one round trip instead of six (BEGIN, five
 * writes, COMMIT), which is most of a turn's latency on a network.
 *
 * The checks run in order (delivery, session, thread), so a duplicate is
 * reported as one before a conflict is, as in SQLite. The statement text
 * depends only on which parts a commit has, so each shape is prepared once.
 */
import type pg from 'pg';
import { AdvisorError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { threadId } from '../turns/types.ts';
import { DB_NOW, runStatement, SQL, type Bigint, type Statement } from './pg-statements.ts';
import { handleOf } from './stored-json.ts';
import { sessionId, type TurnCommit } from './store.ts';

/** The SQLSTATE advisor_fail() raises (class "AD" is unused by PostgreSQL); its message names the failed check. */
export const CHECK_FAILED = 'AD001';
export const FAILED_CHECKS = ['duplicate_delivery', 'session_conflict', 'thread_conflict'] as const;
export type FailedCheck = (typeof FAILED_CHECKS)[number];

/** Which of the commit's checks failed, when `error` is advisor_fail()'s. */
export function failedCheck(error: unknown): FailedCheck | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === CHECK_FAILED ? FAILED_CHECKS.find((check) => check === message) : undefined;
}

export interface CommitStatement {
  name: string;
  text: string;
  values: unknown[];
}

/** The commit's one row: `leased` (the claimed entries' seqs, or NULL) only when the commit asked for a lease. */
export interface CommitRow {
  failed: number;
  leased?: Bigint[] | null;
  created_at?: Bigint | null;
}

/** The statement for `input`, or undefined when there is nothing to write. `anchor` is the caller's time, or null for the database's. */
export function commitStatement(input: TurnCommit, anchor: number | null): CommitStatement | undefined {
  const values: unknown[] = [anchor];
  const param = (value: unknown, cast = ''): string => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  const at = `COALESCE($1::bigint, ${DB_NOW})`;
  const ctes: string[] = [];
  const checks: string[] = [];
  const shape: string[] = [];

  if (input.delivery) {
    shape.push('d');
    const { id, expiresAt } = input.delivery;
    // ON CONFLICT: a live claim stays as it is (no row: a duplicate); an expired one is claimed afresh.
    ctes.push(`d AS (INSERT INTO deliveries (id, expires_at) VALUES (${param(id)}, ${at} + ${param(Math.round(expiresAt - input.now), '::bigint')})
      ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE deliveries.expires_at <= ${at} RETURNING 1)`);
    checks.push(`WHEN NOT EXISTS (SELECT 1 FROM d) THEN advisor_fail('duplicate_delivery')`);
  }
  if (input.session) {
    const { session, expectedVersion } = input.session;
    const k = session.key;
    const state = JSON.stringify(session);
    if (expectedVersion === 0) {
      shape.push('si');
      // Creates, or takes over a row stored at version 0; keeps created_at.
      ctes.push(`s AS (INSERT INTO sessions (id, platform, workspace, conversation, user_id, version, state, created_at, updated_at)
        VALUES (${param(sessionId(k))}, ${param(k.platform)}, ${param(k.workspace)}, ${param(k.conversation)}, ${param(k.user)}, ${param(session.version, '::int')}, ${param(state, '::json')}, ${at}, ${at})
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
        WHERE sessions.version = 0 RETURNING 1)`);
    } else {
      shape.push('su');
      // Under READ COMMITTED a row another transaction changed meanwhile is re-checked against the version: two writers never both win.
      ctes.push(`s AS (UPDATE sessions SET version = ${param(session.version, '::int')}, state = ${param(state, '::json')}, updated_at = ${at}
        WHERE id = ${param(sessionId(k))} AND version = ${param(expectedVersion, '::int')} RETURNING 1)`);
    }
    checks.push(`WHEN NOT EXISTS (SELECT 1 FROM s) THEN advisor_fail('session_conflict')`);
  }
  if (input.thread) {
    const { key, state, expectedVersion } = input.thread;
    const text = JSON.stringify(state);
    if (expectedVersion === 0) {
      shape.push('ti');
      ctes.push(`t AS (INSERT INTO threads (id, platform, workspace, conversation, version, state, updated_at)
        VALUES (${param(threadId(key))}, ${param(key.platform)}, ${param(key.workspace)}, ${param(key.conversation)}, 1, ${param(text, '::json')}, ${at})
        ON CONFLICT (id) DO UPDATE SET version = 1, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
        WHERE threads.version = 0 RETURNING 1)`);
    } else {
      shape.push('tu');
      ctes.push(`t AS (UPDATE threads SET version = version + 1, state = ${param(text, '::json')}, updated_at = ${at}
        WHERE id = ${param(threadId(key))} AND version = ${param(expectedVersion, '::int')} RETURNING 1)`);
    }
    checks.push(`WHEN NOT EXISTS (SELECT 1 FROM t) THEN advisor_fail('thread_conflict')`);
  }
  let leases = false;
  if (input.outbox && input.outbox.operations.length > 0) {
    const { thread, operations, deliveryId, actor } = input.outbox;
    const id = param(threadId(thread));
    // With a lease, the rows are claimed for the caller when nothing of the thread was unsent before them (the
    // statement's snapshot: two processes committing into one thread at the same moment may both claim theirs).
    let leaseColumns = '';
    let leaseValues = '';
    if (input.lease) {
      leases = true;
      shape.push('l');
      ctes.push(`ahead AS (SELECT EXISTS (SELECT 1 FROM outbox WHERE thread_id = ${id} AND status = 'pending') AS pending)`);
      leaseColumns = ', lease_owner, lease_until';
      leaseValues = `, CASE WHEN ahead.pending THEN NULL ELSE ${param(input.lease.owner, '::text')} END,
        CASE WHEN ahead.pending THEN 0 ELSE ${at} + ${param(Math.round(input.lease.leaseMs), '::bigint')} END`;
    } else {
      shape.push('o');
    }
    // ORDER BY keeps the operations' order in `seq`.
    ctes.push(`o AS (INSERT INTO outbox (thread_id, platform, workspace, conversation, handle, operation, delivery_id, actor, status${leaseColumns}, created_at, updated_at)
      SELECT ${id}, ${param(thread.platform)}, ${param(thread.workspace)}, ${param(thread.conversation)}, op.handle, op.operation::json,
        ${param(deliveryId ?? null, '::text')}, ${param(actor ?? null, '::text')}, 'pending'${leaseValues}, ${at}, ${at}
      FROM unnest(${param(operations.map(handleOf), '::text[]')}, ${param(
        operations.map((operation) => JSON.stringify(operation)),
        '::text[]',
      )}) WITH ORDINALITY AS op(handle, operation, n)${leases ? ' CROSS JOIN ahead' : ''}
      ORDER BY op.n RETURNING seq, created_at, lease_owner IS NOT NULL AS leased)`);
  }
  if (input.completes) {
    shape.push('c');
    ctes.push(`c AS (UPDATE outbox SET status = 'sent', message_id = ${param(input.completes.messageId ?? null, '::text')}, lease_owner = NULL, lease_until = 0, updated_at = ${at}
      WHERE seq = ${param(input.completes.seq, '::bigint')} AND status = 'pending' RETURNING 1)`);
  }
  if (ctes.length === 0) return undefined;
  // Unreferenced CTEs (o, c) still run to completion; the checks run first and stop the statement at the first that fails.
  const verdict = checks.length > 0 ? `CASE ${checks.join(' ')} ELSE 0 END` : '0';
  const leased = leases ? `, (SELECT array_agg(seq ORDER BY seq) FROM o WHERE leased) AS leased, (SELECT max(created_at) FROM o) AS created_at` : '';
  const name = `advisor_commit_${shape.join('_')}`;
  // Collapsing the whitespace of a few kilobytes each turn was a sixth of a turn's garbage on PostgreSQL: once per shape.
  let text = STATEMENT_TEXTS.get(name);
  if (text === undefined) {
    text = `WITH ${ctes.join(',\n')}\nSELECT ${verdict} AS failed${leased}`.replace(/\s+/g, ' ');
    STATEMENT_TEXTS.set(name, text);
  }
  return { name, text, values };
}

/** Each commit shape's statement text (at most a few dozen shapes), by statement name. */
const STATEMENT_TEXTS = new Map<string, string>();

/** What a failed commit's follow-up needs of the store: its pool, its time anchor for the commit, its logger. */
export interface CommitContext {
  pool: pg.Pool;
  anchor: number | null;
  log: Logger;
}

/** The AdvisorError for a check the commit failed; a conflict names the version stored now (a fresh read, after the winner committed). */
export async function checkFailure(context: CommitContext, check: FailedCheck, input: TurnCommit): Promise<AdvisorError> {
  const conflict = async (what: 'session' | 'thread', id: string, expectedVersion: number, sql: Statement, details: Record<string, unknown>): Promise<AdvisorError> => {
    const stored = (await runStatement<{ version: number }>(context.pool, sql, [id])).rows[0]?.version ?? 0;
    return new AdvisorError('SESSION_CONFLICT', `${what} ${id} is at version ${stored}, the commit expected ${expectedVersion}`, { ...details, expectedVersion, storedVersion: stored });
  };
  if (check === 'session_conflict' && input.session) {
    const id = sessionId(input.session.session.key);
    return conflict('session', id, input.session.expectedVersion, SQL.selectSessionVersion, { sessionId: id });
  }
  if (check === 'thread_conflict' && input.thread) {
    const id = threadId(input.thread.key);
    return conflict('thread', id, input.thread.expectedVersion, SQL.selectThreadVersion, { thread: id });
  }
  const id = input.delivery?.id;
  return new AdvisorError('DUPLICATE_DELIVERY', `delivery ${id} was already applied`, { deliveryId: id });
}

/**
 * Whether a commit whose answer was lost went through, told by its delivery id (one statement: all of it or none).
 * If it did, its claim on what it queued is given back (nothing was sent under it: its caller never got the entries),
 * and the turn goes on as committed, its drain claiming the entries afresh. False when the server cannot say either:
 * the turn then fails as usual.
 */
export async function committedAfterAll(context: CommitContext, input: TurnCommit, deliveryId: string, backend?: number): Promise<boolean> {
  const { pool, anchor, log } = context;
  let applied = false;
  try {
    // The server may not have begun the statement yet when the client saw the connection break (it waits in the
    // socket's buffer, or the process is not scheduled yet); the probe's insert would then go first and say "not
    // applied" of a commit about to land. So that server process is let finish what it runs, then ended if idle.
    if (backend !== undefined) await ended(pool, backend, log);
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      applied = (await runStatement<{ applied: boolean }>(client, SQL.probeDelivery, [deliveryId, anchor])).rows[0]?.applied === true;
    } finally {
      // The probe's own insert is never kept.
      await client.query('ROLLBACK').catch((error: unknown) => (broken = error instanceof Error ? error : new Error(String(error))));
      client.release(broken);
    }
    if (applied && input.lease && input.outbox) await runStatement(pool, SQL.endClaimOf, [threadId(input.outbox.thread), input.lease.owner]);
  } catch (error) {
    log.warn({ err: error, deliveryId, applied }, 'could not tell whether a commit whose answer was lost went through');
  }
  return applied;
}

/** How long a broken commit's server process may take to end (a statement is cancelled at lock timeout + 0.5 s anyway). */
const END_LIMIT_MS = 5_000;
const END_POLL_MS = 20;

/**
 * Resolves once server process `pid` is gone: while it runs a statement (the commit, most likely) it is let finish;
 * once idle it is ended (a role may end its own sessions), so nothing still on its way to it can run. A process in
 * any other state is not the commit's (the id was reused, after a restart or behind a pooler) and is left alone, as
 * is everything after the limit. Ending an idle process never fails a statement; at worst another client's pool
 * opens a new connection.
 */
async function ended(pool: pg.Pool, pid: number, log: Logger): Promise<void> {
  const until = Date.now() + END_LIMIT_MS;
  let signalled = false;
  while (Date.now() < until) {
    const row = (await runStatement<{ state: string | null }>(pool, SQL.backendState, [pid])).rows[0];
    if (row === undefined) return;
    if (row.state === 'idle' && !signalled) {
      signalled = true;
      const done = await runStatement<{ ended: boolean }>(pool, SQL.endBackend, [pid]).then(
        (result) => result.rows[0]?.ended === true,
        (error: unknown) => (log.warn({ err: error, pid }, 'could not end the server process of a broken commit'), false),
      );
      if (!done) return;
    } else if (row.state !== 'active' && row.state !== 'idle') return;
    await new Promise((resolve) => setTimeout(resolve, END_POLL_MS));
  }
}
