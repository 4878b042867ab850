/**
 * The PostgreSQL schema: versioned SQL files in `migrations/`, applied by
 * node-pg-migrate, which records each one in `advisor_migrations` and holds
 * its own advisory lock while it works (replicas that start together wait for
 * each other instead of migrating twice).
 *
 * A file's version is its number (`0001_turn_store.sql` is version 1). The
 * advisor refuses a database that has a migration it does not know (written
 * by a newer advisor), and, unless told to migrate, one that lacks one it needs.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { AdvisorError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { pgFailure, redactUrl } from './pg-errors.ts';

export const PG_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
export const PG_MIGRATIONS_TABLE = 'advisor_migrations';
const MIGRATION_LOCK_TIMEOUT_MS = 60_000;

export interface SchemaStatus {
  /** Migration names recorded in the database, in the order they ran. */
  applied: string[];
  /** Migration names this advisor ships, in order. */
  known: string[];
  /** Recorded but not shipped: written by a newer (or another) advisor. */
  unknown: string[];
  /** Shipped but not recorded: to apply. */
  pending: string[];
  /** The highest version recorded (0: none), and the highest shipped. */
  current: number;
  latest: number;
}

/** The number a migration name starts with. */
export function versionOf(name: string): number {
  const match = /^(\d+)_/.exec(name);
  return match ? Number(match[1]) : 0;
}

/** The names (file names without `.sql`) of the shipped migrations, in version order. */
export async function knownMigrations(dir = PG_MIGRATIONS_DIR): Promise<string[]> {
  const files = await readdir(dir);
  return files
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .map((file) => file.slice(0, -'.sql'.length))
    .sort((a, b) => versionOf(a) - versionOf(b) || a.localeCompare(b));
}

function describeVersion(version: number, names: readonly string[]): string {
  if (version === 0) return 'version 0 (empty)';
  const name = names.find((each) => versionOf(each) === version);
  return name === undefined ? `version ${version}` : `version ${version} (${name})`;
}

/** Where the database stands against the shipped migrations. */
export async function readSchemaStatus(client: pg.ClientBase, dir = PG_MIGRATIONS_DIR): Promise<SchemaStatus> {
  const known = await knownMigrations(dir);
  const table = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [PG_MIGRATIONS_TABLE]);
  const applied =
    table.rows[0]?.found == null ? [] : (await client.query<{ name: string }>(`SELECT name FROM ${PG_MIGRATIONS_TABLE} ORDER BY run_on, id`)).rows.map((row) => row.name);
  return {
    applied,
    known,
    unknown: applied.filter((name) => !known.includes(name)),
    pending: known.filter((name) => !applied.includes(name)),
    current: Math.max(0, ...applied.map(versionOf)),
    latest: Math.max(0, ...known.map(versionOf)),
  };
}

/** Throws STORE_FAILURE, naming the versions, when the database has migrations this advisor does not know. */
export function refuseNewerSchema(status: SchemaStatus, where: string): void {
  if (status.unknown.length === 0) return;
  const newer = status.current > status.latest;
  throw new AdvisorError(
    'STORE_FAILURE',
    newer
      ? `The PostgreSQL schema at ${where} is at ${describeVersion(status.current, status.applied)}, newer than this advisor knows ` +
          `(${describeVersion(status.latest, status.known)}). Run the newer advisor that migrated it, or restore a backup taken before.`
      : `The PostgreSQL schema at ${where} has migrations this advisor does not know (${status.unknown.join(', ')}); ` +
          `it knows up to ${describeVersion(status.latest, status.known)}. Run the advisor that wrote them, or restore a backup taken before.`,
    { current: status.current, latest: status.latest, unknown: status.unknown },
  );
}

/** Throws STORE_FAILURE when migrations are missing (and start-up was not allowed to apply them). */
export function refuseOlderSchema(status: SchemaStatus, where: string): void {
  if (status.pending.length === 0) return;
  throw new AdvisorError(
    'STORE_FAILURE',
    `The PostgreSQL schema at ${where} is at ${describeVersion(status.current, status.applied)}; this advisor needs ` +
      `${describeVersion(status.latest, status.known)}. Run npm run db:migrate, or set DATABASE_MIGRATE=true to apply it at start-up.`,
    { current: status.current, latest: status.latest, pending: status.pending },
  );
}

export interface MigrateResult {
  /** Names applied by this run (none when the schema was current). */
  applied: string[];
  version: number;
}

/** node-pg-migrate's log lines, as pino records. */
function migrationLogger(logger: Logger) {
  const log = logger.child({ component: 'pg-migrate' });
  return {
    debug: (message: string) => log.debug(message),
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string) => log.error(message),
  };
}

/**
 * Applies the pending migrations to the database at `url` (waiting for a
 * migration another replica is running), after refusing a newer schema.
 */
export async function migratePostgres(url: string, options: { logger: Logger; dir?: string }): Promise<MigrateResult> {
  const where = redactUrl(url);
  const dir = options.dir ?? PG_MIGRATIONS_DIR;
  // A client of its own: node-pg-migrate sets search_path on it. Waiting for another replica's migration
  // (or for running advisors' row locks, for DDL) is bounded, so a stuck one fails start-up with a message.
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: 'advisor-migrate', lock_timeout: MIGRATION_LOCK_TIMEOUT_MS });
  client.on('error', (error) => options.logger.warn({ err: error, database: where }, 'migration connection error'));
  try {
    await client.connect();
    refuseNewerSchema(await readSchemaStatus(client, dir), where);
    const schema = (await client.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows[0]?.schema;
    if (!schema) throw new AdvisorError('STORE_FAILURE', `The PostgreSQL database at ${where} has no schema to create tables in (check search_path)`, {});
    const ran = await runner({
      dbClient: client,
      dir,
      direction: 'up',
      migrationsTable: PG_MIGRATIONS_TABLE,
      schema,
      checkOrder: true,
      singleTransaction: true,
      advisoryLockMode: 'wait',
      logger: migrationLogger(options.logger),
    });
    const after = await readSchemaStatus(client, dir);
    // Another advisor may have migrated further while this one waited for the lock.
    refuseNewerSchema(after, where);
    const applied = ran.map((migration) => migration.name);
    if (applied.length > 0) options.logger.info({ database: where, applied, version: after.current }, 'PostgreSQL schema migrated');
    return { applied, version: after.current };
  } catch (error) {
    throw pgFailure(`cannot migrate the PostgreSQL schema at ${where}`, error, { database: where });
  } finally {
    await client.end().catch(() => undefined);
  }
}
