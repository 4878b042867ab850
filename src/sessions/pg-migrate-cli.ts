/**
 * `npm run db:migrate`: applies the PostgreSQL schema migrations to the
 * database named by DATABASE_URL (from the environment or `.env`), and says
 * where the schema stands. Exit status 1, with a message, when it cannot.
 */
import dotenv from 'dotenv';
import { loadConfig } from '../config.ts';
import { isAdvisorError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { redactUrl } from './pg-errors.ts';
import { migratePostgres } from './pg-migrate.ts';

async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  const env = process.env;
  try {
    // Only the database settings matter here; a half-configured platform must not stop a migration.
    const config = loadConfig({ DATABASE_URL: env['DATABASE_URL'], DATABASE_PATH: env['DATABASE_PATH'], DATABASE_MIGRATE: env['DATABASE_MIGRATE'], LOG_LEVEL: env['LOG_LEVEL'] });
    if (!config.postgres) {
      console.error('DATABASE_URL: not set; npm run db:migrate applies the PostgreSQL schema to the database it names (SQLite needs no migration step).');
      return 1;
    }
    const logger = createLogger({ level: env['LOG_LEVEL'] ? config.logLevel : 'warn' });
    const where = redactUrl(config.postgres.url);
    const result = await migratePostgres(config.postgres.url, { logger });
    console.log(
      result.applied.length > 0
        ? `Applied ${result.applied.join(', ')} to ${where}; the schema is at version ${result.version}.`
        : `The schema at ${where} is at version ${result.version}; nothing to apply.`,
    );
    return 0;
  } catch (error) {
    console.error(isAdvisorError(error) ? error.message : `Migration failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = await main();
