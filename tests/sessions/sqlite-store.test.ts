/**
 * The SQLite store: the shared contract (on a file and in memory), then what is
 * SQLite's own: connection settings, schema migrations (including a database
 * written before the turn layer), corrupt rows, lock timeouts and size.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionKey } from '../../src/conversation/types.ts';
import { AdvisorError } from '../../src/errors.ts';
import { BACKGROUND_SAFETY_PAGES, DEFAULT_BUSY_TIMEOUT_MS, SQLITE_SCHEMA_VERSION, SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { migrate } from '../../src/sessions/sqlite-schema.ts';
import { prepareStatements } from '../../src/sessions/sqlite-statements.ts';
import { sessionId } from '../../src/sessions/store.ts';
import { threadId } from '../../src/turns/types.ts';
import { describeSessionStoreContract } from './store-contract.ts';
import { createSession, enqueue, HOUR, keyOf, makeSession, MINUTE, post, rejection, T0, threadOf, threadState } from './store-fixtures.ts';

const here = dirname(fileURLToPath(import.meta.url));

const textOfHandle = (entry: { operation: { op: string; handle?: string } }): string | undefined => ('handle' in entry.operation ? entry.operation.handle : undefined);

describeSessionStoreContract('SqliteSessionStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'advisor-'));
  const path = join(dir, 'sessions.db');
  return {
    store: SqliteSessionStore.open(path),
    reopen: async () => SqliteSessionStore.open(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeSessionStoreContract('SqliteSessionStore (:memory:)', async () => ({ store: SqliteSessionStore.open(':memory:'), cleanup: async () => {} }), { persistent: false });

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

  function openError(target: string): AdvisorError {
    try {
      SqliteSessionStore.open(target);
    } catch (error) {
      expect(error).toBeInstanceOf(AdvisorError);
      return error as AdvisorError;
    }
    throw new Error('expected open() to throw');
  }

  it('uses WAL, synchronous=NORMAL, foreign keys and a 2 s busy timeout by default', () => {
    expect(DEFAULT_BUSY_TIMEOUT_MS).toBe(2_000);
    expect(openStore(path).settings()).toEqual({ journalMode: 'wal', synchronous: 'normal', foreignKeys: true, busyTimeoutMs: 2_000, walAutocheckpointPages: 1_000, userVersion: SQLITE_SCHEMA_VERSION });
    // WAL is recorded in the file itself, so other connections see it too.
    expect(openRaw().pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it("uses synchronous=FULL with durability 'full' and the busy timeout given", () => {
    const settings = openStore(path, { durability: 'full', busyTimeoutMs: 250 }).settings();
    expect(settings).toMatchObject({ synchronous: 'full', busyTimeoutMs: 250, journalMode: 'wal' });
  });

  it('with background checkpoints, commits leave the WAL to checkpoint(), after which it is reused instead of growing', async () => {
    const store = openStore(path, { walCheckpoint: 'background' });
    expect(store.settings().walAutocheckpointPages).toBe(BACKGROUND_SAFETY_PAGES);
    const walBytes = (): number => statSync(`${path}-wal`).size;
    const commitMany = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i++) await createSession(store, keyOf({ conversation: `C1:${i}` }));
    };
    await commitMany(0, 600);
    const pageBytes = Number(openRaw().pragma('page_size', { simple: true }));
    // Past SQLite's default threshold of 1,000 pages: no commit checkpointed (the automatic mode would have started over).
    expect(walBytes()).toBeGreaterThan(1_000 * pageBytes);
    const grown = walBytes();
    store.checkpoint();
    // Half as many commits again: written from the WAL's start, so it does not grow (without the checkpoint it would).
    await commitMany(600, 300);
    expect(walBytes()).toBe(grown);
    expect(await store.count()).toBe(900);
  });

  it('supports :memory: and creates missing parent folders', async () => {
    expect(openStore(':memory:').settings().journalMode).toBe('memory');
    const nested = join(dir, 'not', 'yet', 'there', 'sessions.db');
    await createSession(openStore(nested), keyOf());
    expect(existsSync(nested)).toBe(true);
  });

  it('creates the current schema in a new database, with its tables and indexes', () => {
    expect(SQLITE_SCHEMA_VERSION).toBe(3);
    openStore(path);
    const raw = openRaw();
    expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    const names = raw.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    expect(names.map((row) => row.name)).toEqual([
      'deliveries',
      'deliveries_by_expiry',
      'outbox',
      'outbox_by_handle',
      'outbox_unsent',
      'sessions',
      'sessions_by_conversation',
      'sessions_by_updated_at',
      'threads',
      'threads_by_updated_at',
    ]);
  });

  it('finds unsent entries through their partial index, never by walking the sent ones', () => {
    openStore(path);
    const raw = openRaw();
    const plans = Object.fromEntries(
      Object.entries(prepareStatements(raw))
        .filter(([name]) => ['hasUnsent', 'selectUnsent', 'pendingThreads', 'countPending', 'releaseClaimsOf'].includes(name))
        .map(([name, statement]) => {
          const named = Object.fromEntries([...statement.source.matchAll(/@(\w+)/g)].map((match) => [match[1], null]));
          const parameters = Object.keys(named).length > 0 ? [named] : (statement.source.match(/\?/g) ?? []).map(() => null);
          return [name, raw.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${statement.source}`).all(...parameters).map((row) => row.detail)];
        }),
    );
    expect(Object.keys(plans)).toHaveLength(5);
    for (const [name, steps] of Object.entries(plans)) {
      expect(steps.some((step) => step.includes('outbox_unsent')), `${name}: ${steps.join('; ')}`).toBe(true);
      expect(steps.filter((step) => /^SCAN (outbox|head)$/.test(step)), `${name} walks the whole outbox`).toEqual([]);
    }
  });

  it('gives every read of a session or thread state objects of its own, also when it skips the check of its own writes', async () => {
    const store = openStore(path);
    const key = keyOf();
    await store.commitTurn({ now: T0, session: { session: makeSession(key, 1), expectedVersion: 0 }, thread: { key: threadOf(key), state: threadState(), expectedVersion: 0 } });
    const first = await store.readTurn({ thread: threadOf(key), user: key.user, now: T0 });
    first.session!.session.answers['team_size'] = 'changed by a reader';
    first.thread!.state.hinted.push('changed by a reader');
    const second = await store.readTurn({ thread: threadOf(key), user: key.user, now: T0 });
    expect(second.session?.session).toEqual(makeSession(key, 1));
    expect(second.thread?.state).toEqual(threadState());
  });

  it('migrates a database written before the turn layer: its sessions load (adapter meta dropped) and carry on', async () => {
    // The database as the advisor wrote it at schema version 1 (sessions with `meta`, per-session event ids).
    const written = new Database(path);
    written.exec(readFileSync(join(here, 'fixtures', 'v1-sessions.sql'), 'utf8'));
    written.close();
    const before = new Database(path, { readonly: true });
    expect(before.pragma('user_version', { simple: true })).toBe(1);
    expect(JSON.parse(before.prepare<[], { state: string }>('SELECT state FROM sessions ORDER BY id').get()!.state)).toHaveProperty('meta');
    before.close();

    const store = openStore(path);
    expect(store.settings().userVersion).toBe(SQLITE_SCHEMA_VERSION);
    const key: SessionKey = { platform: 'slack', workspace: 'T1', conversation: 'C1:1700000000.000100', user: 'U1' };
    const loaded = await store.load(key);
    expect(loaded).toEqual({
      session: { key, version: 2, phase: 'asking', current: 'architecture', answers: { project_type: 'api' }, history: ['project_type'], refining: false },
      createdAt: T0,
      updatedAt: T0 + MINUTE,
    });
    expect(await store.listByConversation({ platform: 'terminal', workspace: 'local', conversation: 'console' })).toHaveLength(1);
    expect(await store.loadThread(threadOf(key))).toBeUndefined();
    await store.commitTurn({ now: T0 + 2 * MINUTE, session: { session: makeSession(key, 3), expectedVersion: 2 }, delivery: { id: 'Ev3', expiresAt: T0 + HOUR } });
    expect((await store.load(key))?.session.version).toBe(3);
    const tables = openRaw().prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'session_events'").all();
    expect(tables).toEqual([]);
  });

  it('migrates an outbox from schema 2 with its entries, their seqs, claims and message ids, and numbers new entries after them', async () => {
    const written = openRaw();
    migrate(written, 2);
    const thread = threadOf(keyOf());
    const id = threadId(thread);
    const insert = written.prepare(`
      INSERT INTO outbox (seq, thread_id, platform, workspace, conversation, handle, operation, status, lease_owner, lease_until, message_id, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    insert.run(7, id, thread.platform, thread.workspace, thread.conversation, 'h7', JSON.stringify(post('h7')), 'sent', null, 0, 'M7', T0, T0);
    insert.run(9, id, thread.platform, thread.workspace, thread.conversation, 'h9', JSON.stringify(post('h9')), 'pending', 'gone', T0 - MINUTE, null, T0, T0);
    insert.run(12, id, thread.platform, thread.workspace, thread.conversation, 'h12', JSON.stringify(post('h12')), 'pending', null, 0, null, T0, T0);
    expect(written.pragma('user_version', { simple: true })).toBe(2);

    const store = openStore(path);
    expect(store.settings().userVersion).toBe(3);
    expect(await store.messageIdOf(thread, 'h7')).toBe('M7');
    expect(await store.pendingOutboxCount()).toBe(2);
    const claimed = await store.claimOutbox(thread, { now: T0, leaseMs: MINUTE, owner: 'p1' });
    expect(claimed.map((entry) => [entry.seq, entry.mayHaveBeenSent])).toEqual([
      [9, true],
      [12, false],
    ]);
    const { leased } = await store.commitTurn({ now: T0, outbox: { thread: threadOf(keyOf({ conversation: 'another' })), operations: [post('n1')] }, lease: { owner: 'p1', leaseMs: MINUTE } });
    expect(leased.map((entry) => entry.seq)).toEqual([13]);
  });

  it('refuses a database from a newer schema version with a message that says what to do', () => {
    const raw = new Database(path);
    raw.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    raw.close();
    const error = openError(path);
    expect(error.code).toBe('STORE_FAILURE');
    expect(error.message).toBe(
      `${path}: session database schema version ${SQLITE_SCHEMA_VERSION + 1} is newer than this advisor supports (${SQLITE_SCHEMA_VERSION}); run a newer advisor or restore a backup`,
    );
    expect(error.details).toEqual({ userVersion: SQLITE_SCHEMA_VERSION + 1, supported: SQLITE_SCHEMA_VERSION, path });
  });

  it('wraps a failure to open the file as STORE_FAILURE naming the path', () => {
    const error = openError(dir); // a directory where the file should be
    expect(error.code).toBe('STORE_FAILURE');
    expect(error.details.path).toBe(dir);
  });

  describe('corrupt rows', () => {
    const broken = keyOf({ user: 'broken' });
    const healthy = keyOf({ user: 'healthy' });

    it.each([
      ['invalid JSON', '{"key": {"platform": "sla'],
      ['JSON that is not a session', '{"key": {"platform": "slack"}, "version": "one"}'],
      ['a session for another key', JSON.stringify(makeSession(keyOf({ user: 'someone-else' }), 1))],
    ])('reports %s as STORE_FAILURE naming the session, and the rest keeps working', async (_label, state) => {
      const store = openStore(path);
      await createSession(store, broken);
      await createSession(store, healthy);
      openRaw().prepare('UPDATE sessions SET state = ? WHERE id = ?').run(state, sessionId(broken));
      const error = await rejection(store.load(broken));
      expect(error.code).toBe('STORE_FAILURE');
      expect(error.message).toContain(sessionId(broken));
      expect((await store.load(healthy))?.session).toEqual(makeSession(healthy, 1));
      expect((await rejection(store.listByConversation(threadOf(broken)))).details.sessionId).toBe(sessionId(broken));
    });

    it('reports an unreadable thread state as STORE_FAILURE naming it', async () => {
      const store = openStore(path);
      const thread = threadOf(keyOf());
      await store.commitTurn({ now: T0, thread: { key: thread, state: threadState(), expectedVersion: 0 } });
      openRaw().prepare('UPDATE threads SET state = ?').run('{"questions": 7}');
      const threadError = await rejection(store.loadThread(thread));
      expect(threadError).toMatchObject({ code: 'STORE_FAILURE', details: { thread: threadId(thread) } });
    });

    it('gives up an unreadable outbox entry with its reason, so the entries behind it still go', async () => {
      const store = openStore(path);
      const thread = threadOf(keyOf());
      await enqueue(store, thread, [post('h1'), post('h2')]);
      const raw = openRaw();
      raw.prepare("UPDATE outbox SET operation = ? WHERE handle = 'h1'").run('{"op": "teleport"}');
      const claimed = await store.claimOutbox(thread, { now: T0, leaseMs: MINUTE, owner: 'p1' });
      expect(claimed.map((entry) => entry.operation.op === 'post' && entry.operation.handle)).toEqual(['h2']);
      const given = raw.prepare<[], { status: string; error: string }>("SELECT status, error FROM outbox WHERE handle = 'h1'").get()!;
      expect(given.status).toBe('failed');
      expect(given.error).toContain('outbox operation');
      expect(await store.pendingOutboxCount()).toBe(1);
    });
  });

  describe('locks and failures', () => {
    it('a commit that cannot get the lock fails with SQLITE_BUSY, writes nothing, and works once the lock is gone', async () => {
      const store = openStore(path, { busyTimeoutMs: 0 });
      const raw = openRaw();
      raw.exec('BEGIN IMMEDIATE');
      const turn = { now: T0, delivery: { id: 'Ev1', expiresAt: T0 + HOUR }, session: { session: makeSession(keyOf(), 1), expectedVersion: 0 } };
      const error = await rejection(store.commitTurn(turn));
      expect(error).toMatchObject({ code: 'STORE_FAILURE', details: { sqliteCode: 'SQLITE_BUSY', deliveryId: 'Ev1' } });
      expect(error.cause).toBeInstanceOf(Database.SqliteError);
      raw.exec('ROLLBACK');
      expect(await store.hasDelivery('Ev1', T0)).toBe(false);
      await store.commitTurn(turn);
      expect(await store.count()).toBe(1);
    });

    it('waits for the default 2 s for another process holding the write lock, then fails rather than stall the platform', async () => {
      const store = openStore(path);
      const holder = spawn(process.execPath, ['-e', HOLD_LOCK_SCRIPT, path], { cwd: join(here, '..', '..'), stdio: ['pipe', 'pipe', 'inherit'] });
      try {
        await new Promise<void>((resolve) => createInterface({ input: holder.stdout }).once('line', () => resolve()));
        const started = Date.now();
        const error = await rejection(store.commitTurn({ now: T0, session: { session: makeSession(keyOf(), 1), expectedVersion: 0 } }));
        expect(error.details.sqliteCode).toBe('SQLITE_BUSY');
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      } finally {
        holder.stdin.end();
        await new Promise((resolve) => holder.once('close', resolve));
      }
    });

    it('reports use after close as STORE_FAILURE and closes idempotently', async () => {
      const store = SqliteSessionStore.open(path);
      await store.close();
      await store.close();
      expect((await rejection(store.load(keyOf()))).code).toBe('STORE_FAILURE');
      expect((await rejection(store.commitTurn({ now: T0 }))).code).toBe('STORE_FAILURE');
    });
  });

  it('removes a backlog in batches, letting other work run in between, and keeps what is unsent or recent', async () => {
    const store = openStore(path);
    const oldThreads = Array.from({ length: 6 }, (_, i) => threadOf(keyOf({ conversation: `old-${i}` })));
    for (let i = 0; i < 1_200; i++) {
      await enqueue(store, oldThreads[i % oldThreads.length]!, [post(`h${i}`)], T0, { delivery: { id: `old-${i}`, expiresAt: T0 + HOUR } });
    }
    for (const thread of oldThreads) {
      for (const entry of await store.claimOutbox(thread, { now: T0, leaseMs: MINUTE, owner: 'p' })) await store.completeOutbox(entry.seq, { now: T0 });
    }
    const unsent = threadOf(keyOf({ conversation: 'unsent' }));
    await enqueue(store, unsent, [post('waiting')], T0); // old, but never sent: kept
    const recent = threadOf(keyOf({ conversation: 'recent' }));
    await enqueue(store, recent, [post('new')], T0 + 2 * HOUR, { delivery: { id: 'recent', expiresAt: T0 + 3 * HOUR } });
    for (const entry of await store.claimOutbox(recent, { now: T0 + 2 * HOUR, leaseMs: MINUTE, owner: 'p' })) await store.completeOutbox(entry.seq, { now: T0 + 2 * HOUR });

    let otherWorkRan = false;
    const removal = store.deleteExpired(T0 + HOUR, T0 + 2 * HOUR);
    setImmediate(() => (otherWorkRan = true));
    await removal;
    expect(otherWorkRan).toBe(true); // queued after the first batch, it ran before the last (three batches)
    const raw = openRaw();
    expect(raw.prepare('SELECT handle FROM outbox ORDER BY seq').all()).toEqual([{ handle: 'waiting' }, { handle: 'new' }]);
    expect(raw.prepare('SELECT id FROM deliveries').all()).toEqual([{ id: 'recent' }]);
    expect(await store.messageIdOf(recent, 'new')).toBeUndefined(); // sent without a message id, and kept
    expect(await store.pendingOutboxCount()).toBe(1);
  });

  it('an entry stamped in the future (a clock set ahead) does not stop the cleanup of the old entries after it', async () => {
    const store = openStore(path);
    const thread = threadOf(keyOf({ conversation: 'clock' }));
    await enqueue(store, thread, [post('from-the-future')], T0 + 30 * HOUR);
    for (let i = 0; i < 600; i++) await enqueue(store, thread, [post(`old-${i}`)], T0);
    for (const entry of await store.claimOutbox(thread, { now: T0 + 30 * HOUR, leaseMs: MINUTE, owner: 'p' })) {
      await store.completeOutbox(entry.seq, { now: textOfHandle(entry) === 'from-the-future' ? T0 + 30 * HOUR : T0 });
    }
    await store.deleteExpired(T0 + HOUR, T0 + 2 * HOUR);
    expect(openRaw().prepare('SELECT handle FROM outbox').all()).toEqual([{ handle: 'from-the-future' }]);
  });

  it('still loads and commits turns with 100,000 idle sessions stored', async () => {
    const total = 100_000;
    const store = openStore(path);
    const idleKey = (i: number): SessionKey => keyOf({ conversation: `C${i % 1000}`, user: `U${i}` });
    // Test-only bulk insert: one transaction on a raw connection, rows shaped exactly as commits write them.
    const raw = openRaw();
    const insert = raw.prepare(`INSERT INTO sessions (id, platform, workspace, conversation, user_id, version, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    raw.transaction(() => {
      for (let i = 0; i < total; i++) {
        const key = idleKey(i);
        insert.run(sessionId(key), key.platform, key.workspace, key.conversation, key.user, 3, JSON.stringify(makeSession(key, 3)), T0, T0 + i);
      }
    })();

    expect(await store.count()).toBe(total);
    expect(await store.load(idleKey(54_321))).toEqual({ session: makeSession(idleKey(54_321), 3), createdAt: T0, updatedAt: T0 + 54_321 });
    expect(await store.listByConversation(threadOf(idleKey(7)))).toHaveLength(total / 1000);
    const next = makeSession(idleKey(99_999), 4, { phase: 'result', current: null });
    await store.commitTurn({ now: T0 + total, delivery: { id: 'EvBig', expiresAt: T0 + total + HOUR }, session: { session: next, expectedVersion: 3 } });
    expect(await store.load(idleKey(99_999))).toEqual({ session: next, createdAt: T0, updatedAt: T0 + total });
    expect(await store.deleteExpired(T0 + 1_000, T0)).toBe(1_000);
    expect(await store.count()).toBe(total - 1_000);
  }, 30_000);
});

/** Run with `node -e`: takes the write lock on argv[1], says so, and holds it until stdin closes. */
const HOLD_LOCK_SCRIPT = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
process.stdin.resume();
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); });
`;
