/**
 * The PostgreSQL store on the database's clock (its default): replicas whose
 * clocks disagree still agree on delivery expiry, leases, retry times and
 * cleanup, because the store takes "now" from the database and reads the
 * callers' times only as offsets from their own `now`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgSessionStore } from '../../src/sessions/pg-store.ts';
import { migratedTestDatabase, truncateAdvisorTables, withClient, type TestDatabase } from '../support/pg.ts';
import { enqueue, HOUR, keyOf, makeSession, MINUTE, post, threadOf } from './store-fixtures.ts';

const DAY = 24 * HOUR;
let database: TestDatabase;
let store: PgSessionStore;
let other: PgSessionStore;

beforeAll(async () => {
  database = await migratedTestDatabase('clock');
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await truncateAdvisorTables(database.url);
  [store, other] = await Promise.all([PgSessionStore.open({ url: database.url }), PgSessionStore.open({ url: database.url })]);
});

afterEach(async () => {
  await Promise.all([store.close(), other.close()]);
});

/** Replicas' clocks: one right, one an hour slow, one a day fast. */
const right = (): number => Date.now();
const slow = (): number => Date.now() - HOUR;
const fast = (): number => Date.now() + DAY;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function databaseNow(): Promise<number> {
  return withClient(database.url, async (client) => Number((await client.query<{ ms: string }>('SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS ms')).rows[0]?.ms));
}

describe('on the database clock', () => {
  it('stores times from the database, whatever the caller’s clock says', async () => {
    const key = keyOf();
    const before = await databaseNow();
    await store.commitTurn({ now: slow(), session: { session: makeSession(key, 1), expectedVersion: 0 } });
    const after = await databaseNow();
    const stored = await other.load(key);
    expect(stored!.createdAt).toBeGreaterThanOrEqual(before);
    expect(stored!.createdAt).toBeLessThanOrEqual(after);
  });

  it('a delivery id kept for a day by a slow replica is still a duplicate to a fast one, and expires on the database clock', async () => {
    const now = slow();
    await store.commitTurn({ now, delivery: { id: 'Ev-day', expiresAt: now + DAY } });
    // On the caller's clock the fast replica would be past the expiry already.
    expect(await other.hasDelivery('Ev-day', fast() + HOUR)).toBe(true);
    const thread = threadOf(keyOf());
    // A turn's read decides the same way.
    expect((await other.readTurn({ thread, user: 'U1', deliveryId: 'Ev-day', now: fast() + HOUR })).applied).toBe(true);
    const brief = fast();
    await other.commitTurn({ now: brief, delivery: { id: 'Ev-brief', expiresAt: brief + 150 } });
    expect(await store.hasDelivery('Ev-brief', slow())).toBe(true);
    expect((await store.readTurn({ thread, user: 'U1', deliveryId: 'Ev-brief', now: slow() })).applied).toBe(true);
    await sleep(250);
    expect(await store.hasDelivery('Ev-brief', slow())).toBe(false);
    expect((await store.readTurn({ thread, user: 'U1', deliveryId: 'Ev-brief', now: slow() })).applied).toBe(false);
  });

  it('a fast replica cannot take over a live lease, and anyone can once it lapses on the database clock', async () => {
    const thread = threadOf(keyOf());
    await enqueue(store, thread, [post('h1')], right());
    expect(await store.claimOutbox(thread, { now: right(), leaseMs: 300, owner: 'replica-a' })).toHaveLength(1);
    expect(await other.claimOutbox(thread, { now: fast(), leaseMs: MINUTE, owner: 'replica-b' })).toEqual([]);
    expect(await other.threadsWithPendingOutbox(fast(), 10, thread.platform)).toEqual([]);
    await sleep(400);
    expect(await other.threadsWithPendingOutbox(slow(), 10, thread.platform)).toEqual([thread]);
    expect(await other.claimOutbox(thread, { now: slow(), leaseMs: MINUTE, owner: 'replica-b' })).toHaveLength(1);
  });

  it('a retry time is kept as a delay from the failure, on the database clock', async () => {
    const thread = threadOf(keyOf());
    await enqueue(store, thread, [post('h1')], right());
    const [entry] = await store.claimOutbox(thread, { now: right(), leaseMs: MINUTE, owner: 'replica-a' });
    const failedAt = slow();
    await store.failOutbox(entry!.seq, { now: failedAt, error: 'rate limited', retryAt: failedAt + 300 });
    expect(await other.claimOutbox(thread, { now: fast(), leaseMs: MINUTE, owner: 'replica-b' })).toEqual([]);
    await sleep(400);
    expect(await other.claimOutbox(thread, { now: slow(), leaseMs: MINUTE, owner: 'replica-b' })).toMatchObject([{ attempts: 1 }]);
  });

  it('a fast replica’s cleanup keeps a session idle for less than the TTL on the database clock', async () => {
    const key = keyOf();
    await store.commitTurn({ now: right(), session: { session: makeSession(key, 1), expectedVersion: 0 } });
    const now = fast();
    expect(await other.deleteExpired(now - HOUR, now)).toBe(0);
    expect(await other.load(key)).toBeDefined();
    // A TTL shorter than the time since the commit removes it.
    await sleep(20);
    expect(await other.deleteExpired(now - 10, now)).toBe(1);
  });
});
