/**
 * `npm start`: reads the configuration, opens the knowledge and the session
 * database, and starts every platform whose settings are present (Slack,
 * Discord), or the terminal interview when none are.
 *
 * The store is opened once and shared; each platform builds its own
 * TurnService (its own port) on it. `/healthz` checks the store: on Slack's
 * port in HTTP mode, and on HEALTH_PORT when that is set. SIGTERM (or
 * SIGINT) shuts down gracefully (shutdown.ts): no new work, the turns in
 * flight finish, the outbox drains, then the store closes and the exit
 * status is 0.
 */
import dotenv from 'dotenv';
import { isAdvisorError } from '../src/errors.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { loadKnowledge, type Knowledge } from '../src/knowledge/load.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { checkDatabaseLocation } from '../src/sessions/database-location.ts';
import { redactUrl } from '../src/sessions/pg-errors.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { WalCheckpointer } from '../src/sessions/wal-checkpointer.ts';
import type { SessionStore } from '../src/sessions/store.ts';
import { startBackground, sweepAll, type StoreUpkeep, type TurnsHandle } from './background.ts';
import { createHealthCheck, startHealthServer, type HealthCheck, type HealthServer } from './health.ts';
import { installProcessGuard } from './process-guard.ts';
import { shutDown } from './shutdown.ts';
import { runTerminal } from './terminal/terminal.ts';

/** A started platform; `stop` ends its connections (no new deliveries), `turns` is its turn layer. */
export interface RunningPlatform {
  name: string;
  /** Stops taking new deliveries while sends go on (graceful shutdown); those being received finish first. */
  stopIntake?(): Promise<void>;
  stop(): Promise<void>;
  turns: TurnsHandle;
}

/** How long shutdown waits for turns in flight to be sent; what is left stays in the outbox for the next start. */
const SHUTDOWN_GRACE_MS = 8_000;
/** After shutdown, a handle still open (a socket a client library keeps) may not keep the process alive longer than this. */
const EXIT_AFTER_MS = 2_000;

interface Shared {
  store: SessionStore;
  knowledge: Knowledge;
  logger: Logger;
  ttlMs: number;
}

async function startPlatforms(config: Config, shared: Shared, running: RunningPlatform[], health: HealthCheck): Promise<void> {
  if (config.slack) {
    const { startSlack } = await import('./slack/start.ts');
    // Sweeping is done here for every platform (startBackground), not by the Slack app itself.
    running.push(await startSlack({ config: config.slack, ...shared, sweepIntervalMs: 0, health }));
  }
  if (config.discord?.shards !== undefined) {
    // DISCORD_SHARDS: Discord runs in one child process per shard (adapters/discord/shard.ts), never in this one.
    const { startShardManager } = await import('./discord/shard-manager.ts');
    running.push(await startShardManager({ config: config.discord, logger: shared.logger }));
  } else if (config.discord) {
    const { startDiscord } = await import('./discord/start.ts');
    running.push(await startDiscord({ config: config.discord, ...shared }));
  }
}

/** PostgreSQL when DATABASE_URL is set (loaded only then), else the SQLite file. */
export async function openStore(config: Config, logger: Logger): Promise<SessionStore> {
  if (config.postgres) {
    const { PgSessionStore } = await import('../src/sessions/pg-store.ts');
    return PgSessionStore.open({ url: config.postgres.url, migrate: config.postgres.migrate, logger });
  }
  // Before SQLite touches the path: a folder that cannot be made (e.g. under /proc) would make open() spin forever.
  await checkDatabaseLocation(config.databasePath);
  // Checkpoints run on their own thread (storeUpkeep), not inside the turn that crosses the threshold.
  return SqliteSessionStore.open(config.databasePath, { walCheckpoint: 'background' });
}

/** What the background timer does for the store: SQLite's WAL checkpoint, on a thread of its own (PostgreSQL needs nothing). */
export function storeUpkeep(store: SessionStore): { maintain?: StoreUpkeep } {
  const file = store instanceof SqliteSessionStore ? store.file : undefined;
  if (file === undefined) return {};
  const checkpointer = WalCheckpointer.start(file);
  return { maintain: { run: () => checkpointer.run(), close: () => checkpointer.close() } };
}

/** Runs the advisor; the exit status. Whatever stops it is printed as a message, never as a bare stack trace. */
export async function main(): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (isAdvisorError(error)) {
      console.error(error.message);
    } else {
      // Unexpected: the words first, then the stack for whoever debugs it.
      console.error(`The advisor stopped: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof Error && error.stack) console.error(error.stack);
    }
    return 1;
  }
}

async function run(): Promise<number> {
  dotenv.config({ quiet: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (isAdvisorError(error)) {
      console.error(`${error.message}\nSee .env.example for every setting.`);
      return 1;
    }
    throw error;
  }
  const terminalOnly = !config.slack && !config.discord;
  // The terminal interview owns stdout and stderr's screen; keep logs to warnings unless asked.
  const level = terminalOnly && !process.env['LOG_LEVEL'] ? 'warn' : config.logLevel;
  const logger = createLogger({ level });

  let store: SessionStore;
  let knowledge: Knowledge;
  try {
    knowledge = loadKnowledge(config.knowledgeDir);
    store = await openStore(config, logger);
  } catch (error) {
    if (isAdvisorError(error)) {
      console.error(error.code === 'CONFIG_INVALID' ? `${error.message}\nSee .env.example for every setting.` : error.message);
      return 1;
    }
    throw error;
  }
  const ttlMs = config.sessionTtlMs;

  if (terminalOnly) {
    await runTerminal({ store, knowledge, logger, ttlMs });
    // Afterwards, not before: an interview that expired while away is announced when it would resume, not silently removed.
    const now = Date.now();
    await store.deleteExpired(now - ttlMs, now).catch((error: unknown) => logger.error({ err: error }, 'session cleanup failed'));
    await store.close();
    return 0;
  }

  // Slack and Discord share this process: an error escaping one must not end the other.
  const uninstallGuard = installProcessGuard(logger);
  const running: RunningPlatform[] = [];
  let stopping = false;
  const health = createHealthCheck({ store, logger, stopping: () => stopping });
  let healthServer: HealthServer | undefined;
  try {
    await startPlatforms(config, { store, knowledge, logger, ttlMs }, running, health);
    if (config.healthPort !== undefined) healthServer = await startHealth(config.healthPort, health, logger);
  } catch (error) {
    await Promise.allSettled(running.map((p) => p.stop()));
    await Promise.allSettled(running.map((p) => p.turns.idle()));
    await store.close();
    uninstallGuard();
    // Any platform that cannot start (refused token, unreachable API) stops start-up with its own words,
    // printed before the log line so the reader sees the reason, not a stack trace, first.
    console.error(error instanceof Error ? error.message : String(error));
    logger.error({ err: error }, 'a platform failed to start');
    return 1;
  }
  await running[0]?.turns.cleanup().catch((error: unknown) => logger.error({ err: error }, 'session cleanup failed'));
  // What a crash left committed but unsent goes out now, so no thread is left without its live question.
  await sweepAll(running, logger);
  const background = startBackground({ turns: running, logger, ...storeUpkeep(store) });
  logger.info(
    { platforms: running.map((p) => p.name), database: config.postgres ? redactUrl(config.postgres.url) : config.databasePath, healthPort: healthServer?.port },
    'advisor started',
  );

  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'stopping: no new work; finishing the turns in flight and draining the outbox');
  await shutDown({
    platforms: running,
    background,
    store,
    logger,
    beginStopping: () => {
      stopping = true;
    },
    ...(healthServer ? { closeHealth: healthServer.close } : {}),
    graceMs: SHUTDOWN_GRACE_MS,
  });
  uninstallGuard();
  // Everything is closed; a socket some client library still holds must not keep a supervisor waiting.
  setTimeout(() => {
    logger.warn({ afterMs: EXIT_AFTER_MS }, 'handles still open after shutdown; exiting anyway');
    process.exit();
  }, EXIT_AFTER_MS).unref();
  return 0;
}

/** The health server on HEALTH_PORT; a port that cannot be used stops start-up naming the setting. */
async function startHealth(port: number, check: HealthCheck, logger: Logger): Promise<HealthServer> {
  try {
    return await startHealthServer({ port, check, logger });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'is already in use' : `cannot be listened on (${error instanceof Error ? error.message : String(error)})`;
    throw new Error(`HEALTH_PORT: port ${port} ${reason}; pick a free port for the health endpoint`, { cause: error });
  }
}
