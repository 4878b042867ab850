/**
 * PostgreSQL for tests: the run's server (tests/support/pg-global-setup.ts, or
 * PG_TEST_URL), and a database of its own for each test file, so files run in
 * parallel without seeing each other's rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { migratePostgres } from '../../src/sessions/pg-migrate.ts';

export type PgStatus = { state: 'ready'; url: string; startMs: number } | { state: 'failed'; message: string };

declare module 'vitest' {
  export interface ProvidedContext {
    pgStatusFile: string;
  }
}

const WAIT_FOR_SERVER_MS = 60_000;

/** A superuser URL of the run's server, once it accepts connections. */
export async function pgServerUrl(): Promise<string> {
  const external = process.env['PG_TEST_URL'];
  if (external) return external;
  const file = inject('pgStatusFile');
  if (!file) throw new Error('no PostgreSQL for this run: set PG_TEST_URL, or add tests/support/pg-global-setup.ts to the config\'s globalSetup');
  const deadline = Date.now() + WAIT_FOR_SERVER_MS;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const status = JSON.parse(readFileSync(file, 'utf8')) as PgStatus;
      if (status.state === 'failed') throw new Error(`the tests' PostgreSQL server did not start (set PG_TEST_URL to use another): ${status.message}`);
      return status.url;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the tests' PostgreSQL server was not ready within ${WAIT_FOR_SERVER_MS / 1000} s`);
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs `work` on a short-lived connection to `url`. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops it, ending any connection a failed test left open. */
  drop(): Promise<void>;
}

/** A new, empty database on the run's server. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const server = await pgServerUrl();
  const name = `advisor_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  await withClient(server, (client) => client.query(`CREATE DATABASE "${name}" STRATEGY FILE_COPY`));
  return {
    name,
    url: withDatabase(server, name),
    drop: () => withClient(server, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A new database with the advisor's schema applied. */
export async function migratedTestDatabase(label: string): Promise<TestDatabase> {
  const database = await createTestDatabase(label);
  await migratePostgres(database.url, { logger: silentLogger() });
  return database;
}

/** Empties the advisor's tables (and restarts outbox numbering): a fresh store without a new database. */
export async function truncateAdvisorTables(url: string): Promise<void> {
  await withClient(url, (client) => client.query('TRUNCATE sessions, threads, deliveries, outbox RESTART IDENTITY'));
}

/** A password no server here has. */
export function freshPassword(): string {
  return randomBytes(8).toString('hex');
}
