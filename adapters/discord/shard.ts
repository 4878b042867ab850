/**
 * One Discord shard process, forked by the ShardingManager (shard-manager.ts)
 * through bin/discord-shard.js. It reads the same configuration as `npm start`
 * (the manager passes its environment, `.env` included), opens the SHARED
 * store (the SQLite file or DATABASE_URL's PostgreSQL), and runs the normal
 * Discord bot: discord.js's Client picks its shard from the SHARDS and
 * SHARD_COUNT variables the manager sets, and Discord sends it only the events
 * of the guilds it owns. Slack never runs here.
 *
 * The outbox sweep covers only this shard's guilds (shard-scope.ts). Cleanup
 * of expired sessions runs in every shard; it is safe to repeat (SQLite
 * serializes writers, PostgreSQL's cleanup takes an advisory lock).
 *
 * It shuts down the way `npm start` does (adapters/shutdown.ts, exit 0) on
 * SIGTERM or SIGINT from the manager (or Ctrl-C), and when the channel to the
 * manager closes (the manager died). Start-up problems are printed and end the
 * process with status 1, which fails the manager's start-up.
 */
import { z } from 'zod';
import { loadConfig, type Config } from '../../src/config.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import { createLogger } from '../../src/logger.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { installProcessGuard } from '../process-guard.ts';
import { listenForStop, openStore, serve } from '../start.ts';
import { shardScopedStore, type ShardIdentity } from './shard-scope.ts';
import { startDiscord, type RunningDiscord } from './start.ts';

const shardIdsSchema = z.union([z.number().int().min(0).transform((id) => [id]), z.array(z.number().int().min(0)).min(1)]);

/** The shards the manager gave this process (SHARDS, SHARD_COUNT), or undefined when it was not started by one. */
export function shardIdentityFrom(env: Readonly<Record<string, string | undefined>>): ShardIdentity | undefined {
  const { SHARDS: shards, SHARD_COUNT: count } = env;
  if (shards === undefined || count === undefined || !/^\d+$/.test(count)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(shards);
  } catch {
    return undefined;
  }
  const ids = shardIdsSchema.safeParse(parsed);
  const total = Number(count);
  if (!ids.success || total < 1 || ids.data.some((id) => id >= total)) return undefined;
  return { ids: ids.data, count: total };
}

/** Runs the shard until it is told to stop; the exit status. */
export async function runShard(): Promise<number> {
  const shard = shardIdentityFrom(process.env);
  if (!shard || typeof process.send !== 'function') {
    console.error('bin/discord-shard.js runs one Discord shard and is started by `npm start` with DISCORD_SHARDS set; run `npm start` instead.');
    return 1;
  }
  const label = `Discord shard ${shard.ids.join(',')}`;

  // From the start: a signal during start-up stops the shard once started (listenForStop).
  const stop = listenForStop();
  process.on('disconnect', () => stop.request('the shard manager went away'));

  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const discord = config.discord;
  if (!discord) {
    console.error(`${label}: Discord is not configured (DISCORD_TOKEN, DISCORD_APPLICATION_ID).`);
    return 1;
  }
  const logger = createLogger({ level: config.logLevel }).child({ shard: shard.ids.length === 1 ? shard.ids[0] : shard.ids, pid: process.pid });
  // Sends to a manager that is gone fail with an 'error' on process; shutdown is already under way then.
  process.on('error', (error) => logger.warn({ err: error }, 'could not reach the shard manager'));

  let store: SessionStore;
  let running: RunningDiscord;
  const uninstallGuard = installProcessGuard(logger);
  try {
    store = await openStore(config, logger);
  } catch (error) {
    uninstallGuard();
    console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    const knowledge = loadKnowledge(config.knowledgeDir);
    running = await startDiscord({ config: discord, store: shardScopedStore(store, shard), knowledge, logger, ttlMs: config.sessionTtlMs });
  } catch (error) {
    await store.close();
    uninstallGuard();
    console.error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    logger.error({ err: error }, 'discord shard failed to start');
    return 1;
  }

  // `store` unscoped: its upkeep and closing are the whole store's; the sweep goes through this shard's turns, which see only its guilds.
  await serve({ platforms: [running], store, logger, stop: stop.requested, stoppingMessage: 'stopping discord shard' });
  uninstallGuard();
  return 0;
}
