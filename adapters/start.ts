/**
 * `npm start`: reads the configuration, opens the knowledge and the session
 * database, and starts every platform whose settings are present (Slack,
 * Discord), or the terminal interview when none are.
 *
 * The store is opened once and shared; each platform builds its own
 * TurnService (its own port) on it. Shutdown stops taking new work first,
 * then lets turns in flight and their sends finish, then closes the store.
 */
import dotenv from 'dotenv';
import { isAdvisorError } from '../src/errors.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { loadKnowledge, type Knowledge } from '../src/knowledge/load.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { checkDatabaseLocation } from '../src/sessions/database-location.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { startBackground, sweepAll, type TurnsHandle } from './background.ts';
import { installProcessGuard } from './process-guard.ts';
import { runTerminal } from './terminal/terminal.ts';

/** A started platform; `stop` ends its connections (no new deliveries), `turns` is its turn layer. */
export interface RunningPlatform {
  name: string;
  stop(): Promise<void>;
  turns: TurnsHandle;
}

/** How long shutdown waits for turns in flight to be sent; what is left stays in the outbox for the next start. */
const SHUTDOWN_GRACE_MS = 8_000;

interface Shared {
  store: SqliteSessionStore;
  knowledge: Knowledge;
  logger: Logger;
  ttlMs: number;
}

async function startPlatforms(config: Config, shared: Shared, running: RunningPlatform[]): Promise<void> {
  if (config.slack) {
    const { startSlack } = await import('./slack/start.ts');
    // Sweeping is done here for every platform (startBackground), not by the Slack app itself.
    running.push(await startSlack({ config: config.slack, ...shared, sweepIntervalMs: 0 }));
  }
  if (config.discord) {
    const { startDiscord } = await import('./discord/start.ts');
    running.push(await startDiscord({ config: config.discord, ...shared }));
  }
}

/** Resolves after `promise` or `ms`, whichever comes first; true when the promise won. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
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

  let store: SqliteSessionStore;
  let knowledge: Knowledge;
  try {
    // Before SQLite touches the path: a folder that cannot be made (e.g. under /proc) would make open() spin forever.
    await checkDatabaseLocation(config.databasePath);
    knowledge = loadKnowledge(config.knowledgeDir);
    store = SqliteSessionStore.open(config.databasePath);
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
  try {
    await startPlatforms(config, { store, knowledge, logger, ttlMs }, running);
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
  const background = startBackground({ turns: running, logger });
  logger.info({ platforms: running.map((p) => p.name), database: config.databasePath }, 'advisor started');

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // No new sweeps, no new deliveries; then the turns already accepted finish sending before the store closes.
  await background.stop();
  await Promise.allSettled(running.map((p) => p.stop()));
  const drained = await within(Promise.allSettled(running.map((p) => p.turns.idle())), SHUTDOWN_GRACE_MS);
  if (!drained) logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'some replies were still being sent at shutdown; they stay in the outbox for the next start');
  await store.close();
  uninstallGuard();
  return 0;
}
