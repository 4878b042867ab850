/**
 * `npm start`: reads the configuration, opens the knowledge and the session
 * database, and starts every platform whose settings are present (Slack,
 * Discord), or the terminal interview when none are.
 */
import dotenv from 'dotenv';
import { isAdvisorError } from '../src/errors.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { loadKnowledge } from '../src/knowledge/load.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { ConversationService } from '../src/sessions/service.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { runTerminal } from './terminal/terminal.ts';

/** A started platform; `stop` ends its connections. */
export interface RunningPlatform {
  name: string;
  stop(): Promise<void>;
}

const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

async function startPlatforms(config: Config, service: ConversationService, logger: Logger): Promise<RunningPlatform[]> {
  const running: RunningPlatform[] = [];
  if (config.slack) {
    const { startSlack } = await import('./slack/start.ts');
    running.push(await startSlack({ config: config.slack, service, logger }));
  }
  if (config.discord) {
    const { startDiscord } = await import('./discord/start.ts');
    running.push(await startDiscord({ config: config.discord, service, logger }));
  }
  return running;
}

export async function main(): Promise<number> {
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
  let service: ConversationService;
  try {
    const knowledge = loadKnowledge(config.knowledgeDir);
    store = SqliteSessionStore.open(config.databasePath);
    service = new ConversationService({ store, knowledge, logger, ttlMs: config.sessionTtlMs });
  } catch (error) {
    if (isAdvisorError(error)) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  // In the terminal, an expired interview should be announced, not silently removed: clean up afterwards.
  if (!terminalOnly) await service.cleanup();
  const cleanupTimer = setInterval(() => {
    service.cleanup().catch((error: unknown) => logger.error({ err: error }, 'session cleanup failed'));
  }, CLEANUP_INTERVAL_MS);
  cleanupTimer.unref();

  if (terminalOnly) {
    await runTerminal({ service, logger });
    clearInterval(cleanupTimer);
    await service.cleanup();
    await store.close();
    return 0;
  }

  let running: RunningPlatform[];
  try {
    running = await startPlatforms(config, service, logger);
  } catch (error) {
    clearInterval(cleanupTimer);
    await store.close();
    // Any platform that cannot start (refused token, unreachable API) stops start-up with its own words.
    logger.error({ err: error }, 'a platform failed to start');
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  logger.info({ platforms: running.map((p) => p.name), database: config.databasePath }, 'advisor started');
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(cleanupTimer);
  await Promise.allSettled(running.map((p) => p.stop()));
  await store.close();
  return 0;
}
