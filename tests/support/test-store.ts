/**
 * The session store the end-to-end rigs run on, chosen by ADVISOR_TEST_STORE:
 *
 * - `sqlite` (the default): a private in-memory SQLite store, or a file when
 *   two bots share one (`share`).
 * - `postgres`: the run's PostgreSQL server (tests/support/pg-global-setup.ts,
 *   or PG_TEST_URL), one fresh database per test file (created on first use,
 *   dropped after the file). Each store opened without `share` starts from
 *   empty tables, as a fresh SQLite store would; stores opened with the same
 *   `share` key see the same rows, like two processes on one database.
 *
 * `npm test` runs the Slack and Discord end-to-end suites both ways (the
 * `e2e-postgres` project in vitest.config.ts).
 */
import { afterAll } from 'vitest';
import { PgSessionStore } from '../../src/sessions/pg-store.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { createTestDatabase, migratedTestDatabase, withClient, type TestDatabase } from './pg.ts';

export type TestStoreKind = 'sqlite' | 'postgres';

/** Which store the rigs use in this run. */
export function testStoreKind(): TestStoreKind {
  const kind = (process.env['ADVISOR_TEST_STORE'] ?? '').trim().toLowerCase() || 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`ADVISOR_TEST_STORE: expected sqlite or postgres, got ${JSON.stringify(kind)}`);
  return kind;
}

export interface TestStoreOptions {
  /**
   * Stores opened with the same key share their data (two bots as two
   * processes on one database). For SQLite it is the database file's path.
   */
  share?: string;
  /**
   * The rig gives the turn layer a clock of its own (to expire sessions or
   * reach a retry time): the PostgreSQL store then takes times from that clock
   * instead of the database's, as SQLite always does.
   */
  callerClock?: boolean;
}

let fileDatabase: Promise<TestDatabase> | undefined;
/** Open stores per share key: the first opener of a key starts from empty tables, the others join it. */
const sharing = new Map<string, number>();

// Registered while the importing test file is collected: its database goes when the file is done.
// (Only under vitest: the bench imports the harness too.)
if (process.env['VITEST']) {
  afterAll(async () => {
    const database = fileDatabase;
    fileDatabase = undefined;
    if (database) await (await database).drop();
  });
}

/** This test file's PostgreSQL database (created and migrated on first use). */
export function postgresTestDatabase(): Promise<TestDatabase> {
  fileDatabase ??= migratedTestDatabase('e2e');
  return fileDatabase;
}

/** Empties the advisor's tables (a DELETE: on tables this small it is far quicker than TRUNCATE). */
async function emptyTables(url: string): Promise<void> {
  await withClient(url, (client) => client.query('DELETE FROM outbox; DELETE FROM deliveries; DELETE FROM threads; DELETE FROM sessions'));
}

/** Opens a store of this run's kind; close it with `store.close()`. */
export async function openTestStore(options: TestStoreOptions = {}): Promise<SessionStore> {
  if (testStoreKind() === 'sqlite') return SqliteSessionStore.open(options.share ?? ':memory:');
  const { url } = await postgresTestDatabase();
  const key = options.share;
  const joining = key !== undefined && (sharing.get(key) ?? 0) > 0;
  if (key !== undefined) sharing.set(key, (sharing.get(key) ?? 0) + 1);
  if (!joining) await emptyTables(url);
  // Small pools: a file opens a few stores at a time, and files run in parallel on one server.
  const store = await PgSessionStore.open({ url, clock: options.callerClock ? 'caller' : 'database', maxConnections: 4 });
  if (key === undefined) return store;
  let closed = false;
  const close = store.close.bind(store);
  return Object.assign(store, {
    close: async () => {
      if (!closed) sharing.set(key, (sharing.get(key) ?? 1) - 1);
      closed = true;
      await close();
    },
  });
}

/** A database for advisor processes a test spawns (`node bin/start.js`), of this run's kind. */
export interface ProcessDatabase {
  /** What startAdvisorProcess takes: a SQLite file, or a PostgreSQL URL (the process migrates it). */
  setting: string | { url: string };
  /** A store on it, for reading what the processes committed (close it after). */
  open(): Promise<SessionStore>;
  /** Removes it (PostgreSQL); the caller removes its folder. */
  drop(): Promise<void>;
}

/** A fresh database for processes: a file in `folder`, or a new empty PostgreSQL database. */
export async function processDatabase(folder: string): Promise<ProcessDatabase> {
  if (testStoreKind() === 'sqlite') {
    const path = `${folder}/advisor.db`;
    return { setting: path, open: async () => SqliteSessionStore.open(path), drop: async () => {} };
  }
  const database = await createTestDatabase('process');
  return { setting: { url: database.url }, open: () => PgSessionStore.open({ url: database.url, maxConnections: 2 }), drop: () => database.drop() };
}
