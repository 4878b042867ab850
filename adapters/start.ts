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
 * status is 0. A signal during start-up lets start-up finish (cutting its
 * sweep of what a crash left unsent short), then stops.
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
import { startBackground, sweepAll, type StoreUpkeep } from './background.ts';
import { createHealthCheck, listenProblem, startHealthServer, type HealthCheck, type HealthServer } from './health.ts';
import { installProcessGuard } from './process-guard.ts';
import { shutDown, type ShutdownReport, type StoppablePlatform } from './shutdown.ts';
import { runTerminal } from './terminal/terminal.ts';

/** A started platform; `stop` ends its connections (no new deliveries), `turns` is its turn layer. */
export type RunningPlatform = StoppablePlatform;

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

/** A request to stop the process (SIGTERM, SIGINT, or what the caller adds), resolved with its reason. */
export interface StopRequest {
  readonly requested: Promise<string>;
  /** Asks to stop; only the first reason counts. */
  request(reason: string): void;
  /** Stops listening: a signal then ends the process the default way again. */
  dispose(): void;
}

/**
 * Listens for SIGTERM and SIGINT from now on, and for good: a second signal (Ctrl-C reaches the shard manager and every
 * shard; a supervisor may repeat SIGTERM) must not kill the process mid-shutdown, nor one during start-up mid-start.
 */
export function listenForStop(): StopRequest {
  let request: (reason: string) => void = () => undefined;
  const requested = new Promise<string>((resolve) => {
    request = resolve;
  });
  const onTerm = (): void => request('SIGTERM');
  const onInt = (): void => request('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  return {
    requested,
    request: (reason) => request(reason),
    dispose() {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    },
  };
}

export interface ServeOptions {
  platforms: readonly StoppablePlatform[];
  store: SessionStore;
  logger: Logger;
  stop: Promise<string>;
  /** Called once the start-up sweep is done and the background work runs (the "started" log line). */
  started?: () => void;
  /** The log line that begins shutdown. */
  stoppingMessage: string;
  /** Shutdown's first step (the health endpoint answers 503) and the health server's close. */
  beginStopping?: () => void;
  closeHealth?: () => Promise<void>;
}

/**
 * Runs started platforms until a stop is requested, then shuts them down gracefully (`npm start`, and each Discord
 * shard process): expired sessions are removed, what a crash left unsent goes out, the background work runs.
 */
export async function serve(options: ServeOptions): Promise<ShutdownReport> {
  const { platforms, store, logger } = options;
  // The store is shared: one platform's cleanup covers all of them.
  await platforms[0]?.turns.cleanup().catch((error: unknown) => logger.error({ err: error }, 'session cleanup failed'));
  // What a crash left committed but unsent goes out now, so no thread is left without its live question. A stop
  // asked for meanwhile (Slack down with a backlog) is not kept waiting: shutdown begins, with its own time-limited
  // sweep, and this one ends after the thread in hand.
  let stopped = false;
  await Promise.race([sweepAll(platforms, logger, () => stopped), options.stop.then(() => (stopped = true))]);
  const background = startBackground({ turns: platforms, logger, ...storeUpkeep(store) });
  options.started?.();
  const reason = await options.stop;
  logger.info({ reason, graceMs: SHUTDOWN_GRACE_MS }, options.stoppingMessage);
  return shutDown({
    platforms,
    background,
    store,
    logger,
    beginStopping: options.beginStopping ?? (() => undefined),
    ...(options.closeHealth ? { closeHealth: options.closeHealth } : {}),
    graceMs: SHUTDOWN_GRACE_MS,
  });
}

async function startPlatforms(config: Config, shared: Shared, running: RunningPlatform[], health: HealthCheck): Promise<void> {
  if (config.slack) {
    const { startSlack } = await import('./slack/start.ts');
    running.push(await startSlack({ config: config.slack, ...shared, health }));
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
  if (terminalOnly) return runTerminalOnly(config, logger);

  // Before anything slow (the database, the platforms' log-ins). The terminal interview handles Ctrl-C itself.
  const stop = listenForStop();
  let status = 1;
  try {
    status = await runPlatforms(config, logger, stop.requested);
    return status;
  } finally {
    // Start-up failed: a process that lingers on an open handle ends on a signal as before.
    if (status !== 0) stop.dispose();
  }
}

/** Loads the knowledge and opens the store; a problem with either is printed, and undefined returned. */
async function openShared(config: Config, logger: Logger): Promise<{ knowledge: Knowledge; store: SessionStore } | undefined> {
  try {
    const knowledge = loadKnowledge(config.knowledgeDir);
    return { knowledge, store: await openStore(config, logger) };
  } catch (error) {
    if (!isAdvisorError(error)) throw error;
    console.error(error.code === 'CONFIG_INVALID' ? `${error.message}\nSee .env.example for every setting.` : error.message);
    return undefined;
  }
}

async function runTerminalOnly(config: Config, logger: Logger): Promise<number> {
  const opened = await openShared(config, logger);
  if (!opened) return 1;
  const { store, knowledge } = opened;
  const ttlMs = config.sessionTtlMs;
  await runTerminal({ store, knowledge, logger, ttlMs });
  // Afterwards, not before: an interview that expired while away is announced when it would resume, not silently removed.
  const now = Date.now();
  await store.deleteExpired(now - ttlMs, now).catch((error: unknown) => logger.error({ err: error }, 'session cleanup failed'));
  await store.close();
  return 0;
}

async function runPlatforms(config: Config, logger: Logger, stop: Promise<string>): Promise<number> {
  const opened = await openShared(config, logger);
  if (!opened) return 1;
  const { store, knowledge } = opened;
  // Slack and Discord share this process: an error escaping one must not end the other.
  const uninstallGuard = installProcessGuard(logger);
  const running: RunningPlatform[] = [];
  let stopping = false;
  const health = createHealthCheck({ store, logger, stopping: () => stopping });
  let healthServer: HealthServer | undefined;
  try {
    await startPlatforms(config, { store, knowledge, logger, ttlMs: config.sessionTtlMs }, running, health);
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
  const database = config.postgres ? redactUrl(config.postgres.url) : config.databasePath;
  await serve({
    platforms: running,
    store,
    logger,
    stop,
    started: () => logger.info({ platforms: running.map((p) => p.name), database, healthPort: healthServer?.port }, 'advisor started'),
    stoppingMessage: 'stopping: no new work; finishing the turns in flight and draining the outbox',
    beginStopping: () => {
      stopping = true;
    },
    ...(healthServer ? { closeHealth: healthServer.close } : {}),
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
  return startHealthServer({ port, check, logger }).catch((error: unknown) => {
    throw listenProblem('HEALTH_PORT', port, error);
  });
}
