/**
 * The PostgreSQL store (node-postgres), for several replicas sharing one
 * database. Same contract and semantics as the SQLite store; concurrency is
 * done the way it is in systems built on PostgreSQL:
 *
 * - Optimistic versions. A turn writes its session and thread state only
 *   where the stored version is the one it read (`UPDATE … WHERE version = $v`;
 *   under READ COMMITTED a row another transaction just changed is re-checked
 *   against the new version), else SESSION_CONFLICT and the turn is retried.
 * - A turn commits in one statement (pg-commit.ts), so in one transaction:
 *   the delivery id is claimed there with `INSERT … ON CONFLICT`, never before
 *   it. A turn that fails leaves no claim behind, so a platform's retry of it
 *   is applied, not dropped; a concurrent turn with the same id waits for the
 *   first to commit or roll back, then finds a duplicate or claims it.
 * - No lock outlives a store call. Rows are locked only inside these short
 *   transactions; a platform call happens after the commit, through the outbox.
 * - Outbox claims are leases, taken under a per-thread advisory transaction
 *   lock so two replicas' drains of one thread never both take its entries.
 * - Cleanup runs on one replica at a time (`pg_try_advisory_xact_lock`);
 *   the others skip it. It deletes in small batches and skips rows in use.
 * - Expiry and leases use the database's clock (see pg-statements.ts): a
 *   replica with a skewed clock neither steals a live lease nor keeps a dead one.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SessionKey } from '../conversation/types.ts';
import { AdvisorError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { threadId, type ThreadKey } from '../turns/types.ts';
import { pgFailure, redactUrl } from './pg-errors.ts';
import { migratePostgres, readSchemaStatus, refuseNewerSchema, refuseOlderSchema } from './pg-migrate.ts';
import { checkFailure, commitStatement, committedAfterAll, failedCheck, type CommitRow } from './pg-commit.ts';
import { decodeOutbox, decodeSession, decodeThread, decodeTurnRead, toMs, type TurnReadRow } from './pg-rows.ts';
import { runStatement, SQL, type Bigint, type OutboxRow, type SessionRow, type Statement, type ThreadRow } from './pg-statements.ts';
import { appendedEntries, sessionId, type ClaimOptions, type OutboxEntry, type ReleasedEntry, type SessionStore, type StoredSession, type StoredThread, type TurnCommit, type TurnCommitted, type TurnRead } from './store.ts';

export interface PgStoreOptions {
  /** A postgres:// or postgresql:// connection string (DATABASE_URL). */
  url: string;
  /** Apply pending migrations first (DATABASE_MIGRATE=true); otherwise a database without this advisor's schema is refused. */
  migrate?: boolean;
  /**
   * `database` (default): expiry, leases and stored times come from the
   * database's clock, and the `now` callers pass only gives durations.
   * `caller`: the `now` passed in is used as is (tests that fix time).
   */
  clock?: 'database' | 'caller';
  /** Connections in this process's pool (default 10). */
  maxConnections?: number;
  /**
   * How long a statement waits for a row or advisory lock before failing
   * (default 2 s). Platforms want an answer within 3 s and are told nothing
   * until the turn is committed, so a turn that cannot get its locks fails
   * instead, and the platform's retry comes back to a consistent store.
   */
  lockTimeoutMs?: number;
  logger?: Logger;
}

/** Advisory lock keys (two-int form): one class per purpose, so a thread's hash never collides with the cleanup key. */
export const PG_LOCKS = {
  outboxThreadClass: 0x61647601,
  cleanup: [0x61647602, 0] as const,
};

const DEFAULT_MAX_CONNECTIONS = 10;
const DEFAULT_LOCK_TIMEOUT_MS = 2_000;
/** Rows per cleanup transaction. */
const CLEANUP_BATCH = 1_000;

/** The outbox lock key of a thread: 32 bits of its id's hash, computed here so every replica agrees whatever the server version. */
export function outboxLockKey(thread: ThreadKey): number {
  return createHash('sha256').update(threadId(thread)).digest().readInt32BE(0);
}

export class PgSessionStore implements SessionStore {
  readonly #pool: pg.Pool;
  readonly #clock: 'database' | 'caller';
  readonly #log: Logger;
  readonly #where: string;
  #closed = false;

  private constructor(pool: pg.Pool, clock: 'database' | 'caller', log: Logger, where: string) {
    this.#pool = pool;
    this.#clock = clock;
    this.#log = log;
    this.#where = where;
  }

  /**
   * Connects, applies migrations when `migrate` is set, and checks the schema:
   * a newer one than this advisor knows is refused, and so is an older one
   * unless it was just migrated. Fails with STORE_FAILURE naming the database
   * (without its password) and what to do.
   */
  static async open(options: PgStoreOptions): Promise<PgSessionStore> {
    const where = redactUrl(options.url);
    const base = options.logger ?? silentLogger();
    const log = base.child({ store: 'postgres', database: where });
    const lockTimeoutMs = Math.max(1, Math.trunc(options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS));
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      application_name: 'advisor',
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      lock_timeout: lockTimeoutMs,
      // A statement that runs away, or a transaction left open by a bug, must not hold rows for long. The server
      // cancels it (rolled back: a known outcome) just after the lock wait would have failed, inside Slack's 3 s.
      statement_timeout: lockTimeoutMs + 500,
      // A server that does not answer at all (paused, or cut off without a reset) gets no say in it: after this the
      // query fails here and its connection is dropped, so no turn, health check or shutdown waits for ever.
      query_timeout: lockTimeoutMs + 1_500,
      idle_in_transaction_session_timeout: 10_000,
    });
    // An idle connection the server dropped is reported here; without a listener it would end the process.
    pool.on('error', (error) => log.warn({ err: error }, 'idle PostgreSQL connection failed; the pool will open another'));
    // A connection that breaks while checked out also emits 'error' on its client (the query in flight gets the
    // error too, and the pool stops listening at checkout): every client hears it from the start, or it ends the process.
    pool.on('connect', (client) => client.on('error', (error) => log.debug({ err: error }, 'a PostgreSQL connection in use failed')));
    try {
      if (options.migrate) await migratePostgres(options.url, { logger: base });
      const client = await pool.connect();
      try {
        const status = await readSchemaStatus(client);
        refuseNewerSchema(status, where);
        refuseOlderSchema(status, where);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw pgFailure(`cannot open the PostgreSQL session store at ${where}`, error, { database: where });
    }
    return new PgSessionStore(pool, options.clock ?? 'database', log, where);
  }

  async load(key: SessionKey): Promise<StoredSession | undefined> {
    const id = sessionId(key);
    return this.#guard(`cannot load session ${id}`, { sessionId: id }, async () => {
      const row = (await this.#query<SessionRow>(this.#pool, SQL.selectSession, [id])).rows[0];
      return row === undefined ? undefined : decodeSession(row);
    });
  }

  async listByConversation(thread: ThreadKey): Promise<StoredSession[]> {
    return this.#guard(`cannot list sessions of ${threadId(thread)}`, { thread: threadId(thread) }, async () =>
      (await this.#query<SessionRow>(this.#pool, SQL.listByConversation, [thread.platform, thread.workspace, thread.conversation])).rows.map(decodeSession),
    );
  }

  async loadThread(thread: ThreadKey): Promise<StoredThread | undefined> {
    const id = threadId(thread);
    return this.#guard(`cannot load thread ${id}`, { thread: id }, async () => {
      const row = (await this.#query<ThreadRow>(this.#pool, SQL.selectThread, [id])).rows[0];
      return row === undefined ? undefined : decodeThread(row, id);
    });
  }

  /** One statement for the three reads: a turn on a server database pays one round trip before its commit, not three. */
  async readTurn(input: { thread: ThreadKey; user: string; deliveryId?: string; now: number }): Promise<TurnRead> {
    const id = threadId(input.thread);
    return this.#guard(`cannot read the turn's state in ${id}`, { thread: id, deliveryId: input.deliveryId }, async () => {
      const values = [input.deliveryId ?? null, this.#anchor(input.now), id, sessionId({ ...input.thread, user: input.user })];
      const row = (await this.#query<TurnReadRow>(this.#pool, SQL.readTurn, values)).rows[0];
      if (row === undefined) throw new Error('the turn read returned no row');
      return decodeTurnRead(row, id);
    });
  }

  async hasDelivery(id: string, now: number): Promise<boolean> {
    return this.#guard('cannot read delivery ids', { deliveryId: id }, async () => (await this.#query(this.#pool, SQL.selectDelivery, [id, this.#anchor(now)])).rowCount === 1);
  }

  async commitTurn(input: TurnCommit): Promise<TurnCommitted> {
    const details = { deliveryId: input.delivery?.id, thread: input.thread ? threadId(input.thread.key) : undefined };
    const statement = commitStatement(input, this.#anchor(input.now));
    if (statement === undefined) return { leased: [] };
    return this.#guard('cannot commit the turn', details, async () => {
      const client = await this.#pool.connect();
      // The server process behind the connection: node-postgres keeps it (for cancelling), its types do not say so.
      const backend = (client as pg.PoolClient & { processID?: number | null }).processID ?? undefined;
      let row: CommitRow | undefined;
      try {
        // One statement, so one implicit transaction: the delivery is claimed only if the whole turn is written.
        row = (await client.query<CommitRow>(statement)).rows[0];
        client.release();
      } catch (error) {
        // A server error leaves the connection usable; anything else (it broke, it timed out) ends it.
        client.release(error instanceof pg.DatabaseError ? undefined : (error as Error));
        const check = failedCheck(error);
        const context = { pool: this.#pool, anchor: this.#anchor(input.now), log: this.#log };
        if (check !== undefined) throw await checkFailure(context, check, input);
        // No answer from the server (the connection broke): the statement may have committed all the same. If it did,
        // the turn goes on as committed; the claim it took was given back, so its drain claims the entries afresh.
        if (!(error instanceof pg.DatabaseError) && input.delivery && (await committedAfterAll(context, input, input.delivery.id, backend))) {
          this.#log.warn({ deliveryId: input.delivery.id }, 'the answer to a commit was lost, but the commit went through');
          return { leased: [] };
        }
        throw error;
      }
      const seqs = row?.leased;
      if (!input.outbox || !row || !seqs || seqs.length === 0) return { leased: [] };
      return { leased: appendedEntries(input.outbox, seqs.map(Number), Number(row.created_at ?? input.now)) };
    });
  }

  async claimOutbox(thread: ThreadKey, options: ClaimOptions): Promise<OutboxEntry[]> {
    const id = threadId(thread);
    const anchor = this.#anchor(options.now);
    return this.#guard(`cannot claim the outbox of ${id}`, { thread: id }, async () => {
      // Most claims find nothing (a drain claims once more after sending): one read says so, instead of a transaction's four round trips.
      if ((await this.#query(this.#pool, SQL.hasUnsent, [id])).rowCount === 0) return [];
      return this.#transaction(async (client) => {
        // Waits (at most the lock timeout) for another replica's claim of this thread; then reads what that claim wrote.
        await this.#query(client, SQL.lockOutboxThread, [PG_LOCKS.outboxThreadClass, outboxLockKey(thread)]);
        const rows = (await this.#query<OutboxRow>(client, SQL.selectUnsent, [id, anchor, options.owner, options.renewing === true])).rows;
        const first = rows[0];
        if (first === undefined || first.waiting || rows.some((row) => row.held)) return [];
        const entries: OutboxEntry[] = [];
        for (const row of rows) {
          try {
            entries.push(decodeOutbox(row));
          } catch (error) {
            // An entry nobody can read is given up (as in SQLite), so it cannot block its thread forever.
            const reason = (error instanceof Error ? error.message : 'unreadable').replaceAll('\u0000', '').slice(0, 500);
            await this.#query(client, SQL.failOutbox, [row.seq, reason, null, anchor, null]);
          }
        }
        if (entries.length > 0) await this.#query(client, SQL.leaseOutbox, [entries.map((entry) => entry.seq), options.owner, anchor, Math.round(options.leaseMs)]);
        return entries;
      });
    });
  }

  async completeOutbox(seq: number, result: { now: number; messageId?: string }): Promise<void> {
    await this.#guard(`cannot complete outbox entry ${seq}`, { seq }, () => this.#query(this.#pool, SQL.completeOutbox, [seq, result.messageId ?? null, this.#anchor(result.now)]));
  }

  async failOutbox(seq: number, failure: { now: number; error: string; retryAt?: number; owner?: string }): Promise<boolean> {
    const retryIn = failure.retryAt === undefined ? null : Math.round(failure.retryAt - failure.now);
    // PostgreSQL text cannot hold NUL, and a platform's error message is not worth failing over.
    const error = failure.error.replaceAll('\u0000', '').slice(0, 500);
    const values = [seq, error, retryIn, this.#anchor(failure.now), failure.owner ?? null];
    return this.#guard(`cannot record a failure of outbox entry ${seq}`, { seq }, async () => (await this.#query(this.#pool, SQL.failOutbox, values)).rowCount === 1);
  }

  async releaseOutbox(entries: readonly ReleasedEntry[], owner: string): Promise<void> {
    if (entries.length === 0) return;
    const seqs = entries.map((entry) => entry.seq);
    const maybeSent = entries.filter((entry) => entry.mayHaveBeenSent).map((entry) => entry.seq);
    await this.#guard('cannot release outbox entries', { seqs, owner }, () => this.#query(this.#pool, SQL.releaseOutbox, [seqs, maybeSent, owner]));
  }

  async renewOutbox(seqs: readonly number[], owner: string, options: { now: number; leaseMs: number }): Promise<number[]> {
    if (seqs.length === 0) return [];
    const values = [seqs, owner, this.#anchor(options.now), Math.round(options.leaseMs)];
    return this.#guard('cannot renew the claim on outbox entries', { seqs, owner }, async () =>
      (await this.#query<{ seq: Bigint }>(this.#pool, SQL.renewOutbox, values)).rows.map((row) => Number(row.seq)).sort((a, b) => a - b),
    );
  }

  async sentMessageIds(thread: ThreadKey, messageIds: readonly string[]): Promise<string[]> {
    const id = threadId(thread);
    if (messageIds.length === 0) return [];
    return this.#guard(`cannot read message ids of ${id}`, { thread: id }, async () =>
      (await this.#query<{ message_id: string }>(this.#pool, SQL.sentMessageIds, [id, messageIds])).rows.map((row) => row.message_id),
    );
  }

  async releaseClaimsOf(thread: ThreadKey, owner: string): Promise<number> {
    const id = threadId(thread);
    return this.#guard(`cannot release the claims on ${id}`, { thread: id, owner }, async () => (await this.#query(this.#pool, SQL.releaseClaimsOf, [id, owner])).rowCount ?? 0);
  }

  async messageIdOf(thread: ThreadKey, handle: string): Promise<string | undefined> {
    const id = threadId(thread);
    return this.#guard(`cannot read message ids of ${id}`, { thread: id }, async () => {
      const row = (await this.#query<{ message_id: string | null }>(this.#pool, SQL.selectMessageId, [id, handle])).rows[0];
      return row?.message_id ?? undefined;
    });
  }

  async threadsWithPendingOutbox(now: number, limit: number, platform: string): Promise<ThreadKey[]> {
    return this.#guard('cannot list pending outbox entries', { platform }, async () =>
      (await this.#query<ThreadKey>(this.#pool, SQL.pendingThreads, [platform, this.#anchor(now), limit])).rows.map((row) => ({
        platform: row.platform,
        workspace: row.workspace,
        conversation: row.conversation,
      })),
    );
  }

  async pendingOutboxCount(): Promise<number> {
    return this.#guard('cannot count outbox entries', {}, async () => Number((await this.#query<{ n: Bigint }>(this.#pool, SQL.countPending, [])).rows[0]?.n ?? 0));
  }

  async delete(key: SessionKey): Promise<void> {
    const id = sessionId(key);
    await this.#guard(`cannot delete session ${id}`, { sessionId: id }, () => this.#query(this.#pool, SQL.deleteSession, [id]));
  }

  /**
   * Returns 0 without deleting anything while another replica's cleanup holds
   * the lock: one sweep at a time is enough. Deletes in batches, each a short
   * transaction that takes the lock again, so a large backlog never holds many
   * rows for long, and rows a turn is using right now are skipped.
   */
  async deleteExpired(olderThan: number, now: number): Promise<number> {
    return this.#guard('cannot delete expired sessions', { olderThan }, async () => {
      // One "now" for every batch: the database's, unless the caller's clock is used.
      const at = toMs((await this.#query<{ now: Bigint }>(this.#pool, SQL.anchorNow, [this.#anchor(now)])).rows[0]!.now);
      const cutoff = at + Math.round(olderThan - now);
      let removed = 0;
      for (let batch = 0; ; batch++) {
        const deleted = await this.#transaction(async (client) => {
          const lock = await this.#query<{ acquired: boolean }>(client, SQL.tryCleanupLock, [...PG_LOCKS.cleanup]);
          if (lock.rows[0]?.acquired !== true) return undefined;
          const counts: number[] = [];
          for (const [sql, until] of [
            [SQL.deleteExpiredSessions, cutoff],
            [SQL.deleteExpiredThreads, cutoff],
            [SQL.deleteOldOutbox, cutoff],
            [SQL.deleteExpiredDeliveries, at],
          ] as const) {
            counts.push((await this.#query(client, sql, [until, CLEANUP_BATCH])).rowCount ?? 0);
          }
          return counts;
        });
        if (deleted === undefined) {
          if (batch === 0) this.#log.debug('another replica is removing expired sessions; skipped');
          return removed;
        }
        removed += deleted[0] ?? 0;
        if (deleted.every((count) => count < CLEANUP_BATCH)) return removed;
      }
    });
  }

  async count(): Promise<number> {
    return this.#guard('cannot count sessions', {}, async () => Number((await this.#query<{ n: Bigint }>(this.#pool, SQL.countSessions, [])).rows[0]?.n ?? 0));
  }

  async ping(): Promise<void> {
    await this.#guard('PostgreSQL does not answer', {}, () => this.#query(this.#pool, SQL.ping, []));
  }

  /** Closes the pool once every checked-out connection is back; closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /** NULL makes the statements use the database's clock. */
  #anchor(now: number): number | null {
    return this.#clock === 'caller' ? Math.round(now) : null;
  }

  #query<Row extends pg.QueryResultRow = pg.QueryResultRow>(on: pg.Pool | pg.PoolClient, sql: Statement, values: unknown[]): Promise<pg.QueryResult<Row>> {
    return runStatement<Row>(on, sql, values);
  }

  /** BEGIN … COMMIT on one pooled connection; any failure rolls back. A connection that cannot even roll back is discarded. */
  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async #guard<T>(message: string, details: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // Callers log what they could not do, with their own context; this adds the database's.
      throw pgFailure(message, error, { ...details, database: this.#where });
    }
  }
}

