/**
 * What only a real server with several connections can show: two replicas
 * (two stores, two pools) racing for one session, one delivery id, one
 * thread's outbox, and the cleanup. A third connection holds a lock to make
 * the race happen at the worst moment, then lets go.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SQL } from '../../src/sessions/pg-statements.ts';
import { PG_LOCKS, PgSessionStore, outboxLockKey } from '../../src/sessions/pg-store.ts';
import { threadId } from '../../src/turns/types.ts';
import { sessionId } from '../../src/sessions/store.ts';
import { migratedTestDatabase, truncateAdvisorTables, type TestDatabase } from '../support/pg.ts';
import type { AdvisorError } from '../../src/errors.ts';
import { createSession, enqueue, HOUR, keyOf, makeSession, MINUTE, post, T0, threadOf } from './store-fixtures.ts';

let database: TestDatabase;
let a: PgSessionStore;
let b: PgSessionStore;
let blocker: pg.Client;

beforeAll(async () => {
  database = await migratedTestDatabase('concurrency');
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await truncateAdvisorTables(database.url);
  // A long lock timeout: on a loaded machine the blocker may hold its lock for a while before letting go.
  const open = () => PgSessionStore.open({ url: database.url, clock: 'caller', lockTimeoutMs: 20_000 });
  [a, b] = await Promise.all([open(), open()]);
  blocker = new pg.Client({ connectionString: database.url, application_name: 'blocker' });
  await blocker.connect();
});

afterEach(async () => {
  await blocker.end();
  await Promise.all([a.close(), b.close()]);
});

/** Resolves once `count` of the stores' backends wait for a lock (so the race is really on). */
async function waitersReach(count: number): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    const { rows } = await blocker.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'advisor' AND wait_event_type = 'Lock'`,
    );
    if (Number(rows[0]?.n) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${count} connections ever waited for a lock`);
}

/** Settles at once into a result, so a rejection while the test still waits for the race is never "unhandled". */
function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

function outcome(result: PromiseSettledResult<unknown>): string {
  if (result.status === 'fulfilled') return 'applied';
  const reason: unknown = result.reason;
  return typeof reason === 'object' && reason !== null && 'code' in reason ? String(reason.code) : String(reason);
}

describe('two replicas commit the same session', () => {
  const key = keyOf();

  it('both wait on the row; when it is free one wins and the other gets SESSION_CONFLICT, leaving no delivery claim', async () => {
    await createSession(a, key);
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [sessionId(key)]);
    const racing = [a, b].map((store, index) =>
      settled(
        store.commitTurn({ now: T0 + 1, delivery: { id: `Ev-${index}`, expiresAt: T0 + HOUR }, session: { session: makeSession(key, 2, { answers: { project_type: `from_${index}` } }), expectedVersion: 1 } }),
      ),
    );
    await waitersReach(2);
    await blocker.query('COMMIT');
    const results = await Promise.all(racing);
    expect(results.map(outcome).sort()).toEqual(['SESSION_CONFLICT', 'applied']);
    const winner = results.findIndex((result) => result.status === 'fulfilled');
    const loser = 1 - winner;
    expect((await b.load(key))?.session.answers).toEqual({ project_type: `from_${winner}` });
    const lost = results[loser];
    expect(lost?.status === 'rejected' ? (lost.reason as AdvisorError).details : undefined).toMatchObject({ expectedVersion: 1, storedVersion: 2 });
    // The loser's delivery was never marked as seen: its retry will be applied.
    expect(await a.hasDelivery(`Ev-${winner}`, T0 + 1)).toBe(true);
    expect(await a.hasDelivery(`Ev-${loser}`, T0 + 1)).toBe(false);
  });

  it('over 30 free-running rounds, exactly one commit wins each version', async () => {
    await createSession(a, key);
    for (let version = 1; version <= 30; version++) {
      const results = await Promise.allSettled([a, b].map((store) => store.commitTurn({ now: T0 + version, session: { session: makeSession(key, version + 1), expectedVersion: version } })));
      expect(results.map(outcome).sort()).toEqual(['SESSION_CONFLICT', 'applied']);
    }
    expect((await a.load(key))?.session.version).toBe(31);
  });
});

describe('one delivery id from two connections', () => {
  const first = keyOf({ user: 'U-first' });
  const second = keyOf({ user: 'U-second' });

  /** Store a's turn claims `Ev-same` and then waits on its session row; store b's turn, same id, waits on a's claim. */
  async function race(beforeRelease: () => Promise<void>): Promise<[PromiseSettledResult<unknown>, PromiseSettledResult<unknown>]> {
    await createSession(a, first);
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [sessionId(first)]);
    const fromA = settled(a.commitTurn({ now: T0 + 1, delivery: { id: 'Ev-same', expiresAt: T0 + HOUR }, session: { session: makeSession(first, 2), expectedVersion: 1 } }));
    await waitersReach(1);
    const fromB = settled(b.commitTurn({ now: T0 + 1, delivery: { id: 'Ev-same', expiresAt: T0 + HOUR }, session: { session: makeSession(second, 1), expectedVersion: 0 } }));
    await waitersReach(2);
    await beforeRelease();
    await blocker.query('COMMIT');
    return [await fromA, await fromB];
  }

  it('is applied once: the second waits for the first turn and then finds it a duplicate', async () => {
    const [fromA, fromB] = await race(async () => {});
    expect([outcome(fromA), outcome(fromB)]).toEqual(['applied', 'DUPLICATE_DELIVERY']);
    expect((await a.load(first))?.session.version).toBe(2);
    expect(await a.load(second)).toBeUndefined();
  });

  it('when the first turn fails after claiming, the claim goes with it and the second is applied (nothing dropped)', async () => {
    // Someone else moves the first session on while a's turn waits, so a's turn conflicts and rolls back.
    const [fromA, fromB] = await race(async () => {
      await blocker.query('UPDATE sessions SET version = 2, state = $2::json WHERE id = $1', [sessionId(first), JSON.stringify(makeSession(first, 2))]);
    });
    expect([outcome(fromA), outcome(fromB)]).toEqual(['SESSION_CONFLICT', 'applied']);
    expect((await a.load(second))?.session.version).toBe(1);
    expect(await a.hasDelivery('Ev-same', T0 + 1)).toBe(true);
  });
});

describe('two replicas drain one thread', () => {
  const thread = threadOf(keyOf());
  const lease = (owner: string) => ({ now: T0, leaseMs: MINUTE, owner });

  it('claims made at the same moment: one replica gets every entry, the other none', async () => {
    await enqueue(a, thread, [post('h1'), post('h2'), post('h3')]);
    await blocker.query('SELECT pg_advisory_lock($1::int, $2::int)', [PG_LOCKS.outboxThreadClass, outboxLockKey(thread)]);
    const claims = [settled(a.claimOutbox(thread, lease('replica-a'))), settled(b.claimOutbox(thread, lease('replica-b')))];
    await waitersReach(2);
    await blocker.query('SELECT pg_advisory_unlock($1::int, $2::int)', [PG_LOCKS.outboxThreadClass, outboxLockKey(thread)]);
    const sizes = (await Promise.all(claims)).map((claimed) => (claimed.status === 'fulfilled' ? claimed.value.length : String(claimed.reason)));
    expect(sizes.sort()).toEqual([0, 3]);
  });

  it("a stalled drain's failure cannot land between another replica's claim read and its lease: it waits, then finds the new claimant", async () => {
    await enqueue(a, thread, [post('h1')]);
    const [entry] = await a.claimOutbox(thread, lease('A'));
    const later = T0 + MINUTE + 1; // A's claim has lapsed; B's claim reads the entry as free
    await blocker.query('BEGIN');
    const read = await blocker.query({ name: SQL.selectUnsent.name, text: SQL.selectUnsent.text, values: [threadId(thread), later, 'B', false] });
    expect(read.rows.map((row: { held: boolean }) => row.held)).toEqual([false]);
    const failing = settled(a.failOutbox(entry!.seq, { now: later, error: 'channel_not_found', owner: 'A' }));
    await waitersReach(1);
    await blocker.query({ name: SQL.leaseOutbox.name, text: SQL.leaseOutbox.text, values: [[entry!.seq], 'B', later, MINUTE] });
    await blocker.query('COMMIT');
    expect(await failing).toEqual({ status: 'fulfilled', value: false });
    const row = await blocker.query('SELECT status, lease_owner, attempts FROM outbox WHERE seq = $1', [entry!.seq]);
    expect(row.rows).toEqual([{ status: 'pending', lease_owner: 'B', attempts: 0 }]);
  });

  it('over 40 threads claimed by both replicas at once, every entry is claimed exactly once', async () => {
    const threads = Array.from({ length: 40 }, (_, index) => threadOf(keyOf({ conversation: `C${index}` })));
    for (const each of threads) await enqueue(a, each, [post(`${each.conversation}-1`), post(`${each.conversation}-2`)]);
    const claims = await Promise.all(threads.flatMap((each) => [a.claimOutbox(each, lease('replica-a')), b.claimOutbox(each, lease('replica-b'))]));
    const seqs = claims.flat().map((entry) => entry.seq);
    expect(seqs).toHaveLength(80);
    expect(new Set(seqs).size).toBe(80);
  });
});

describe('expiry sweeps', () => {
  it('run on one replica at a time: while another holds the cleanup lock, deleteExpired skips, and runs once it is free', async () => {
    await createSession(a, keyOf({ user: 'old' }), T0);
    await blocker.query('SELECT pg_advisory_lock($1::int, $2::int)', [...PG_LOCKS.cleanup]);
    expect(await a.deleteExpired(T0 + HOUR, T0 + HOUR)).toBe(0);
    expect(await a.count()).toBe(1);
    await blocker.query('SELECT pg_advisory_unlock($1::int, $2::int)', [...PG_LOCKS.cleanup]);
    expect(await b.deleteExpired(T0 + HOUR, T0 + HOUR)).toBe(1);
    expect(await a.count()).toBe(0);
  });

  it('a backlog larger than one batch goes in one call, and the sessions a turn is writing right now are left for later', async () => {
    await blocker.query(
      `INSERT INTO sessions (id, platform, workspace, conversation, user_id, version, state, created_at, updated_at)
       SELECT 'old-' || g, 'slack', 'T1', 'C' || g, 'U1', 1, '{}', $1, $1 FROM generate_series(1, 2500) AS g`,
      [T0],
    );
    await blocker.query('BEGIN');
    await blocker.query(`SELECT 1 FROM sessions WHERE id = 'old-7' FOR UPDATE`);
    expect(await a.deleteExpired(T0 + HOUR, T0 + HOUR)).toBe(2499);
    await blocker.query('COMMIT');
    expect(await a.deleteExpired(T0 + HOUR, T0 + HOUR)).toBe(1);
  });

  it('two replicas sweeping at once remove each expired session once between them', async () => {
    for (let index = 0; index < 200; index++) await createSession(a, keyOf({ user: `old-${index}` }), T0);
    const removed = await Promise.all([a.deleteExpired(T0 + HOUR, T0 + HOUR), b.deleteExpired(T0 + HOUR, T0 + HOUR)]);
    expect(removed[0]! + removed[1]!).toBe(200);
    expect(await a.count()).toBe(0);
  });
});
