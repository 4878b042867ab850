/**
 * The PostgreSQL schema's life: migrated up from an empty database (by the
 * store at start-up, by `npm run db:migrate`, by two replicas at once),
 * refused when it is newer than this advisor or not migrated yet, and how
 * failures to reach the server are reported.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import { afterEach, describe, expect, it } from 'vitest';
import { AdvisorError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { knownMigrations, migratePostgres, PG_MIGRATIONS_DIR, PG_MIGRATIONS_TABLE } from '../../src/sessions/pg-migrate.ts';
import { PgSessionStore } from '../../src/sessions/pg-store.ts';
import { createTestDatabase, freshPassword, pgServerUrl, withClient, type TestDatabase } from '../support/pg.ts';
import { freePort } from '../support/pg-server.ts';
import { createSession, keyOf } from './store-fixtures.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const databases: TestDatabase[] = [];
const stores: PgSessionStore[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});

async function emptyDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase('schema');
  databases.push(database);
  return database;
}

async function open(url: string, migrate = false): Promise<PgSessionStore> {
  const store = await PgSessionStore.open({ url, migrate });
  stores.push(store);
  return store;
}

async function openError(url: string, migrate = false): Promise<AdvisorError> {
  try {
    await open(url, migrate);
  } catch (error) {
    expect(error).toBeInstanceOf(AdvisorError);
    return error as AdvisorError;
  }
  throw new Error('expected open() to fail');
}

async function tables(url: string): Promise<string[]> {
  return withClient(url, async (client) =>
    (await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)).rows.map((row) => row.name),
  );
}

/** `npm run db:migrate` as a person runs it, with only DATABASE_URL set. */
function dbMigrate(url: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/sessions/pg-migrate-cli.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'], DATABASE_URL: url },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('migrations', () => {
  it('the shipped migrations are numbered SQL files, version 1 first', async () => {
    const known = await knownMigrations();
    expect(known[0]).toBe('0001_turn_store');
    expect(known.map((name) => Number(name.slice(0, 4)))).toEqual(known.map((_, index) => index + 1));
  });

  it('an empty database is refused without DATABASE_MIGRATE, naming the versions and what to run', async () => {
    const database = await emptyDatabase();
    const error = await openError(database.url);
    expect(error.message).toContain('is at version 0 (empty); this advisor needs version 1 (0001_turn_store). Run npm run db:migrate, or set DATABASE_MIGRATE=true');
    expect(error.details).toMatchObject({ current: 0, latest: 1, pending: ['0001_turn_store'] });
  });

  it('migrates up from empty at start-up when allowed, then works; a second migration finds nothing to do', async () => {
    const database = await emptyDatabase();
    const store = await open(database.url, true);
    expect(await tables(database.url)).toEqual([PG_MIGRATIONS_TABLE, 'deliveries', 'outbox', 'sessions', 'threads'].sort());
    await createSession(store, keyOf());
    expect(await store.count()).toBe(1);
    expect(await migratePostgres(database.url, { logger: silentLogger() })).toEqual({ applied: [], version: 1 });
    expect(await (await open(database.url)).count()).toBe(1);
  });

  it('two replicas starting together on an empty database migrate it once', async () => {
    const database = await emptyDatabase();
    const results = await Promise.all([1, 2, 3].map(() => migratePostgres(database.url, { logger: silentLogger() })));
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 0, 1]);
    const recorded = await withClient(database.url, async (client) => (await client.query(`SELECT name FROM ${PG_MIGRATIONS_TABLE}`)).rows);
    expect(recorded).toEqual([{ name: '0001_turn_store' }]);
  });

  it('npm run db:migrate applies the schema and says so, without printing the password', async () => {
    const database = await emptyDatabase();
    const first = dbMigrate(database.url);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const password = new URL(database.url).password;
    expect(first.stdout).toMatch(/^Applied 0001_turn_store to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/advisor_schema_\w+; the schema is at version 1\.\n$/);
    expect(first.stdout).not.toContain(password);
    expect(dbMigrate(database.url).stdout).toMatch(/is at version 1; nothing to apply\.\n$/);
  });

  it('the down migration removes every table it created', async () => {
    const database = await emptyDatabase();
    await migratePostgres(database.url, { logger: silentLogger() });
    await runner({ databaseUrl: database.url, dir: PG_MIGRATIONS_DIR, direction: 'down', migrationsTable: PG_MIGRATIONS_TABLE, count: Infinity, log: () => {} });
    expect(await tables(database.url)).toEqual([PG_MIGRATIONS_TABLE]);
  });
});

describe('a schema newer than this advisor', () => {
  async function fromTheFuture(): Promise<TestDatabase> {
    const database = await emptyDatabase();
    await migratePostgres(database.url, { logger: silentLogger() });
    await withClient(database.url, (client) => client.query(`INSERT INTO ${PG_MIGRATIONS_TABLE} (name, run_on) VALUES ('0002_from_the_future', now())`));
    return database;
  }

  it('is refused by the store, with or without DATABASE_MIGRATE, naming both versions', async () => {
    const database = await fromTheFuture();
    for (const migrate of [false, true]) {
      const error = await openError(database.url, migrate);
      expect(error.code).toBe('STORE_FAILURE');
      expect(error.message).toMatch(
        /is at version 2 \(0002_from_the_future\), newer than this advisor knows \(version 1 \(0001_turn_store\)\)\. Run the newer advisor that migrated it, or restore a backup taken before\.$/,
      );
    }
  });

  it('is refused by npm run db:migrate, and by npm start before anything else happens', async () => {
    const database = await fromTheFuture();
    const migrated = dbMigrate(database.url);
    expect(migrated.status).toBe(1);
    expect(migrated.stderr).toMatch(/newer than this advisor knows \(version 1 \(0001_turn_store\)\)/);
    const started = spawnSync(process.execPath, ['bin/start.js'], { cwd: repoRoot, env: { PATH: process.env['PATH'], DATABASE_URL: database.url }, encoding: 'utf8', input: '', timeout: 30_000 });
    expect(started.status).toBe(1);
    expect(started.stderr).toMatch(/^The PostgreSQL schema at postgres:\/\/postgres:\*\*\*@.* is at version 2 \(0002_from_the_future\), newer than this advisor knows/);
  });
});

describe('a server that cannot be used', () => {
  it('nothing listening: STORE_FAILURE saying the connection was refused, with the address but not the password', async () => {
    const url = `postgres://advisor:${freshPassword()}@127.0.0.1:${await freePort()}/advisor`;
    const error = await openError(url);
    expect(error.code).toBe('STORE_FAILURE');
    expect(error.message).toMatch(/^cannot open the PostgreSQL session store at postgres:\/\/advisor:\*\*\*@127\.0\.0\.1:\d+\/advisor: connection refused/);
    expect(error.message).not.toContain(new URL(url).password);
    expect(error.details).toMatchObject({ pgCode: 'ECONNREFUSED', retryable: true });
  });

  it('a wrong password or a missing database: the server’s reason, in words', async () => {
    const server = new URL(await pgServerUrl());
    const wrongPassword = new URL(server);
    wrongPassword.password = freshPassword();
    expect((await openError(wrongPassword.toString())).message).toMatch(/password authentication failed \(check the user and password in DATABASE_URL\)/);
    const missing = new URL(server);
    missing.pathname = '/advisor_never_created';
    const error = await openError(missing.toString());
    expect(error.message).toMatch(/the database does not exist \(create it first, then run npm run db:migrate\): database "advisor_never_created" does not exist/);
    expect(error.details).toMatchObject({ pgCode: '3D000' });
  });

  it('connections the server ends are replaced: the next call works and nothing crashes', async () => {
    const database = await emptyDatabase();
    const store = await open(database.url, true);
    await createSession(store, keyOf());
    await withClient(database.url, (client) =>
      client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'advisor'`),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.count()).toBe(1);
  });
});
