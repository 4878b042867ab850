/**
 * The PostgreSQL store against a real server: the same contract suite as
 * SQLite, then what is PostgreSQL's own to get right here (text PostgreSQL
 * refuses, rows written by someone else). The contract fixes time, so these
 * stores run on the caller's clock; the database clock is tested in
 * pg-clock.test.ts, concurrency in pg-concurrency.test.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgSessionStore } from '../../src/sessions/pg-store.ts';
import { sessionId } from '../../src/sessions/store.ts';
import { threadId } from '../../src/turns/types.ts';
import { migratedTestDatabase, truncateAdvisorTables, withClient, type TestDatabase } from '../support/pg.ts';
import { describeSessionStoreContract } from './store-contract.ts';
import { enqueue, keyOf, makeSession, MINUTE, post, rejection, T0, threadOf, threadState } from './store-fixtures.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await migratedTestDatabase('contract');
});

afterAll(async () => {
  await database?.drop();
});

const open = () => PgSessionStore.open({ url: database.url, clock: 'caller' });

describeSessionStoreContract('PgSessionStore', async () => {
  await truncateAdvisorTables(database.url);
  return { store: await open(), reopen: open, cleanup: async () => {} };
});

describe('PgSessionStore specifics', () => {
  let store: PgSessionStore;

  beforeEach(async () => {
    await truncateAdvisorTables(database.url);
    store = await open();
  });

  afterEach(async () => {
    await store.close();
  });

  it('keeps a NUL character someone typed (PostgreSQL text and jsonb refuse it; json keeps it escaped)', async () => {
    const key = keyOf({ conversation: 'nul' });
    const session = makeSession(key, 1, { answers: { project_type: 'a\u0000b' } });
    const state = threadState({ owner: 'U1', hinted: ['\u0000'] });
    await store.commitTurn({ now: T0, session: { session, expectedVersion: 0 }, thread: { key: threadOf(key), state, expectedVersion: 0 }, outbox: { thread: threadOf(key), operations: [post('h1', 'said \u0000')] } });
    expect((await store.load(key))?.session).toEqual(session);
    expect((await store.loadThread(threadOf(key)))?.state).toEqual(state);
    const [entry] = await store.claimOutbox(threadOf(key), { now: T0, leaseMs: MINUTE, owner: 'p1' });
    expect(entry?.operation).toEqual(post('h1', 'said \u0000'));
    // A platform error message is stored without it rather than fail the bookkeeping.
    await store.failOutbox(entry!.seq, { now: T0, error: 'bad \u0000 byte', retryAt: T0 + 1 });
    expect(await store.pendingOutboxCount()).toBe(1);
  });

  it('reports a session or thread state it cannot read as STORE_FAILURE naming it, never as a TypeError later', async () => {
    const key = keyOf();
    await withClient(database.url, async (client) => {
      await client.query(`INSERT INTO sessions VALUES ($1, 'slack', 'T1', 'C1', 'U1', 1, '{"phase": 42}', 0, 0)`, [sessionId(key)]);
      await client.query(`INSERT INTO threads VALUES ($1, 'slack', 'T1', 'C1', 1, '{"questions": []}', 0)`, [threadId(threadOf(key))]);
    });
    expect((await rejection(store.load(key))).message).toMatch(/^stored session slack:T1:C1(%3A|:)1700000000\.000100:U1 is unreadable \(not a session/);
    expect((await rejection(store.loadThread(threadOf(key)))).message).toMatch(/^stored thread state is unreadable/);
  });

  it('checks in full a document someone else rewrote after this store wrote it', async () => {
    const key = keyOf({ conversation: 'rewritten' });
    const session = makeSession(key, 1);
    const state = threadState({ owner: 'U1' });
    await store.commitTurn({ now: T0, session: { session, expectedVersion: 0 }, thread: { key: threadOf(key), state, expectedVersion: 0 } });
    expect((await store.load(key))?.session).toEqual(session);
    expect((await store.loadThread(threadOf(key)))?.state).toEqual(state);
    await withClient(database.url, async (client) => {
      // The json column keeps the text exactly as the store sent it.
      const stored = await client.query<{ state: string }>('SELECT state::text AS state FROM sessions WHERE id = $1', [sessionId(key)]);
      expect(stored.rows[0]?.state).toBe(JSON.stringify(session));
      // Another writer (a replica on an older release, a hand edit) leaves valid JSON that is not a valid document.
      await client.query(`UPDATE sessions SET state = $2 WHERE id = $1`, [sessionId(key), JSON.stringify({ ...session, phase: 42 })]);
      await client.query(`UPDATE threads SET state = $2 WHERE id = $1`, [threadId(threadOf(key)), JSON.stringify({ ...state, questions: [] })]);
    });
    expect((await rejection(store.load(key))).code).toBe('STORE_FAILURE');
    expect((await rejection(store.readTurn({ thread: threadOf(key), user: key.user, now: T0 }))).code).toBe('STORE_FAILURE');
    expect((await rejection(store.loadThread(threadOf(key)))).message).toMatch(/^stored thread state is unreadable/);
  });

  it('gives up an unreadable outbox entry with its reason, so the entries behind it still go (as SQLite does)', async () => {
    const thread = threadOf(keyOf());
    await enqueue(store, thread, [post('h1'), post('h2')]);
    await withClient(database.url, (client) => client.query(`UPDATE outbox SET operation = '{"op": "explode"}' WHERE handle = 'h1'`));
    const claimed = await store.claimOutbox(thread, { now: T0, leaseMs: MINUTE, owner: 'p1' });
    expect(claimed.map((entry) => entry.operation.op === 'post' && entry.operation.handle)).toEqual(['h2']);
    const given = await withClient(database.url, async (client) => (await client.query(`SELECT status, error FROM outbox WHERE handle = 'h1'`)).rows[0]);
    expect(given).toMatchObject({ status: 'failed', error: expect.stringContaining('outbox operation') });
    expect(await store.pendingOutboxCount()).toBe(1);
  });

  it('a version stored as 0 may be taken over by a commit that expects none, as in SQLite', async () => {
    const key = keyOf();
    await store.commitTurn({ now: T0, session: { session: makeSession(key, 0), expectedVersion: 0 } });
    await store.commitTurn({ now: T0 + 1, session: { session: makeSession(key, 1), expectedVersion: 0 } });
    expect(await store.load(key)).toEqual({ session: makeSession(key, 1), createdAt: T0, updatedAt: T0 + 1 });
  });
});
