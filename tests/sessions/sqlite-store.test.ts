import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionKey } from '../../src/conversation/types.ts';
import { AdvisorError } from '../../src/errors.ts';
import { SQLITE_SCHEMA_VERSION, SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { sessionId } from '../../src/sessions/store.ts';
import { describeSessionStoreContract, keyOf, makeSession } from './store-contract.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

describeSessionStoreContract('SqliteSessionStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'advisor-'));
  const path = join(dir, 'sessions.db');
  return {
    store: SqliteSessionStore.open(path),
    reopen: async () => SqliteSessionStore.open(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeSessionStoreContract(
  'SqliteSessionStore (:memory:)',
  async () => ({
    store: SqliteSessionStore.open(':memory:'),
    cleanup: async () => {},
  }),
  { persistent: false },
);

async function rejection(promise: Promise<unknown>): Promise<AdvisorError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AdvisorError);
    return error as AdvisorError;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

describe('SqliteSessionStore specifics', () => {
  let dir: string;
  let path: string;
  const toClose: { close(): unknown }[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'advisor-'));
    path = join(dir, 'sessions.db');
  });

  afterEach(async () => {
    for (const handle of toClose.splice(0).reverse()) await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function openStore(...args: Parameters<typeof SqliteSessionStore.open>): SqliteSessionStore {
    const store = SqliteSessionStore.open(...args);
    toClose.push(store);
    return store;
  }

  /** A second, raw connection to the same file: to inspect it or to write what the store never would. */
  function openRaw(): Database.Database {
    const db = new Database(path);
    toClose.push(db);
    return db;
  }

  it('uses WAL, synchronous=NORMAL, foreign keys and a busy timeout by default', () => {
    const store = openStore(path);
    expect(store.settings()).toEqual({
      journalMode: 'wal',
      synchronous: 'normal',
      foreignKeys: true,
      busyTimeoutMs: 5000,
      userVersion: SQLITE_SCHEMA_VERSION,
    });
    // WAL is recorded in the file itself, so other connections see it too.
    expect(openRaw().pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it("uses synchronous=FULL with durability 'full' and the busy timeout given", () => {
    const settings = openStore(path, { durability: 'full', busyTimeoutMs: 250 }).settings();
    expect(settings.synchronous).toBe('full');
    expect(settings.busyTimeoutMs).toBe(250);
    expect(settings.journalMode).toBe('wal');
  });

  it('supports :memory:', async () => {
    const store = openStore(':memory:');
    expect(store.settings().journalMode).toBe('memory');
    const session = makeSession(keyOf(), 1);
    await store.commit({ session, expectedVersion: 0, now: T0 });
    expect(await store.load(keyOf())).toEqual({ session, createdAt: T0, updatedAt: T0 });
  });

  it('creates missing parent folders', async () => {
    const nested = join(dir, 'not', 'yet', 'there', 'sessions.db');
    expect(existsSync(join(dir, 'not'))).toBe(false);
    const store = openStore(nested);
    await store.commit({ session: makeSession(keyOf(), 1), expectedVersion: 0, now: T0 });
    expect(existsSync(nested)).toBe(true);
    expect(await store.count()).toBe(1);
  });

  it('migrates a new database to the current schema version, with its tables and indexes', () => {
    expect(SQLITE_SCHEMA_VERSION).toBe(1);
    openStore(path);
    const raw = openRaw();
    expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    const names = raw
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all()
      .map((row) => row.name);
    expect(names).toEqual([
      'session_events',
      'session_events_by_committed_at',
      'sessions',
      'sessions_by_conversation',
      'sessions_by_updated_at',
    ]);
  });

  it('reopens an already migrated database without migrating again', async () => {
    const first = SqliteSessionStore.open(path);
    await first.commit({ session: makeSession(keyOf(), 1), expectedVersion: 0, now: T0 });
    await first.close();
    const second = openStore(path);
    expect(second.settings().userVersion).toBe(SQLITE_SCHEMA_VERSION);
    expect(await second.count()).toBe(1);
  });

  it('refuses a database from a newer schema version with STORE_FAILURE', () => {
    const raw = new Database(path);
    raw.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    raw.close();
    let caught: unknown;
    try {
      SqliteSessionStore.open(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AdvisorError);
    expect((caught as AdvisorError).code).toBe('STORE_FAILURE');
    expect((caught as AdvisorError).details).toEqual({ userVersion: SQLITE_SCHEMA_VERSION + 1, supported: SQLITE_SCHEMA_VERSION });
  });

  it('wraps a failure to open the file as STORE_FAILURE', () => {
    // A directory where the database file should be.
    let caught: unknown;
    try {
      SqliteSessionStore.open(dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AdvisorError);
    expect((caught as AdvisorError).code).toBe('STORE_FAILURE');
    expect((caught as AdvisorError).details.path).toBe(dir);
  });

  describe('corrupt rows', () => {
    const broken: SessionKey = keyOf({ user: 'broken' });
    const healthy: SessionKey = keyOf({ user: 'healthy' });

    async function storeWithBrokenRow(state: string, version?: number): Promise<SqliteSessionStore> {
      const store = openStore(path);
      await store.commit({ session: makeSession(broken, 1), expectedVersion: 0, now: T0 });
      await store.commit({ session: makeSession(healthy, 1), expectedVersion: 0, now: T0 });
      openRaw()
        .prepare('UPDATE sessions SET state = ?, version = coalesce(?, version) WHERE id = ?')
        .run(state, version ?? null, sessionId(broken));
      return store;
    }

    it.each([
      ['invalid JSON', '{"key": {"platform": "sla'],
      ['JSON that is not a session', '{"key": {"platform": "slack"}, "version": "one"}'],
      ['a session whose meta holds a number', JSON.stringify({ ...makeSession(broken, 1), meta: { ts: 17 } })],
      ['a session for another key', JSON.stringify(makeSession(keyOf({ user: 'someone-else' }), 1))],
    ])('reports %s as STORE_FAILURE naming the session', async (_label, state) => {
      const store = await storeWithBrokenRow(state);
      const error = await rejection(store.load(broken));
      expect(error.code).toBe('STORE_FAILURE');
      expect(error.details.sessionId).toBe(sessionId(broken));
      expect(error.message).toContain(sessionId(broken));
      // The rest of the store keeps working.
      expect((await store.load(healthy))?.session).toEqual(makeSession(healthy, 1));
      const listError = await rejection(store.listByConversation(broken.platform, broken.workspace, broken.conversation));
      expect(listError.code).toBe('STORE_FAILURE');
      expect(listError.details.sessionId).toBe(sessionId(broken));
    });

    it('reports a version column that disagrees with the state as STORE_FAILURE', async () => {
      const store = await storeWithBrokenRow(JSON.stringify(makeSession(broken, 1)), 5);
      const error = await rejection(store.load(broken));
      expect(error.code).toBe('STORE_FAILURE');
      expect(error.details.sessionId).toBe(sessionId(broken));
    });
  });

  describe('SQLite errors', () => {
    it('wraps SQLITE_BUSY as STORE_FAILURE with the cause, and recovers once the lock is gone', async () => {
      const store = openStore(path, { busyTimeoutMs: 0 });
      const raw = openRaw();
      raw.exec('BEGIN IMMEDIATE');

      const error = await rejection(store.commit({ session: makeSession(keyOf(), 1), expectedVersion: 0, now: T0 }));
      expect(error.code).toBe('STORE_FAILURE');
      expect(error.details.sqliteCode).toBe('SQLITE_BUSY');
      expect(error.details.sessionId).toBe(sessionId(keyOf()));
      expect(error.cause).toBeInstanceOf(Database.SqliteError);

      raw.exec('ROLLBACK');
      await store.commit({ session: makeSession(keyOf(), 1), expectedVersion: 0, now: T0 });
      expect(await store.count()).toBe(1);
    });

    it('reports use after close as STORE_FAILURE and closes idempotently', async () => {
      const store = SqliteSessionStore.open(path);
      await store.close();
      await store.close();
      expect((await rejection(store.load(keyOf()))).code).toBe('STORE_FAILURE');
      expect((await rejection(store.count())).code).toBe('STORE_FAILURE');
    });
  });

  it('prunes event ids older than the cutoff even for sessions that are kept', async () => {
    const store = openStore(path);
    const key = keyOf();
    await store.commit({ session: makeSession(key, 1), expectedVersion: 0, eventId: 'EvOld', now: T0 });
    await store.commit({ session: makeSession(key, 2), expectedVersion: 1, eventId: 'EvNew', now: T0 + 2 * HOUR });

    expect(await store.deleteExpired(T0 + HOUR)).toBe(0);
    expect(await store.hasEvent(key, 'EvOld')).toBe(false);
    expect(await store.hasEvent(key, 'EvNew')).toBe(true);
    expect((await store.load(key))?.session.version).toBe(2);
  });

  it('still loads and commits with 100,000 idle sessions stored', async () => {
    const total = 100_000;
    const store = openStore(path);
    const idleKey = (i: number): SessionKey => keyOf({ conversation: `C${i % 1000}`, user: `U${i}` });

    // Test-only bulk insert: one transaction on a raw connection, rows shaped exactly as commit writes them.
    const raw = openRaw();
    const insert = raw.prepare(
      `INSERT INTO sessions (id, platform, workspace, conversation, user_id, version, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    raw.transaction(() => {
      for (let i = 0; i < total; i++) {
        const key = idleKey(i);
        const session = makeSession(key, 3);
        insert.run(sessionId(key), key.platform, key.workspace, key.conversation, key.user, 3, JSON.stringify(session), T0, T0 + i);
      }
    })();

    expect(await store.count()).toBe(total);
    expect(await store.load(idleKey(54_321))).toEqual({ session: makeSession(idleKey(54_321), 3), createdAt: T0, updatedAt: T0 + 54_321 });
    const conversation = await store.listByConversation('slack', 'T1', 'C7');
    expect(conversation).toHaveLength(total / 1000);
    expect(conversation.every((entry) => entry.session.key.conversation === 'C7')).toBe(true);

    const next = makeSession(idleKey(99_999), 4, { phase: 'result', current: null });
    await store.commit({ session: next, expectedVersion: 3, eventId: 'EvBig', now: T0 + total });
    expect(await store.load(idleKey(99_999))).toEqual({ session: next, createdAt: T0, updatedAt: T0 + total });
    expect(await store.hasEvent(idleKey(99_999), 'EvBig')).toBe(true);
    expect((await rejection(store.commit({ session: next, expectedVersion: 3, now: T0 + total }))).code).toBe('SESSION_CONFLICT');

    // updated_at runs T0..T0+99_999, so a cutoff of T0+1_000 removes exactly the first 1,000.
    expect(await store.deleteExpired(T0 + 1_000)).toBe(1_000);
    expect(await store.count()).toBe(total - 1_000);
    expect(await store.load(idleKey(999))).toBeUndefined();
    expect((await store.load(idleKey(1_000)))?.updatedAt).toBe(T0 + 1_000);
  }, 30_000); // a generous ceiling for slow machines; the work itself takes about a second
});
