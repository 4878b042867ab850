/**
 * `npm start` with DISCORD_SHARDS: this process runs discord.js's
 * `ShardingManager`, which forks one child process per shard
 * (bin/discord-shard.js → adapters/discord/shard.ts). Each child runs the
 * normal Discord bot for its shard over the shared store; this process never
 * connects to Discord's gateway itself (Slack, when configured, runs here once).
 *
 * - Shard count: `auto` is what Discord recommends in GET /gateway/bot, read
 *   here through DISCORD_API_URL (discord.js's own `auto` always asks
 *   discord.com); a number is used as given. DISCORD_SHARD_LIST limits this
 *   machine to some of the shards; the others run on other machines. The same call checks the token
 *   before any child starts, and its `max_concurrency` paces the children's
 *   log-ins (each bucket may identify once every 5 s).
 * - A child that ends on its own is started again after a back-off (0.5 s,
 *   doubling up to a minute, reset once it has run a minute), so a shard that
 *   cannot start does not spin, nor burn Discord's daily log-in allowance.
 * - `stop` (SIGTERM or SIGINT on this process) sends each child SIGTERM and
 *   waits for its own graceful shutdown (shard.ts); a child still running after
 *   the grace period is killed, and what it had not sent stays in the outbox.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { DiscordAPIError, REST, Routes, ShardingManager, type Shard } from 'discord.js';
import { z } from 'zod';
import type { DiscordConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import type { TurnsHandle } from '../background.ts';
import { within } from '../shutdown.ts';
import { restApi, tokenRefused } from './setup.ts';

/** The file each shard process runs (a JavaScript entry that loads the TypeScript through tsx, like bin/start.js). */
export const SHARD_ENTRY = fileURLToPath(new URL('../../bin/discord-shard.js', import.meta.url));

/** Discord lets each identify bucket log in once every 5 s; discord.js spaces shards 5.5 s apart by default. */
const IDENTIFY_WINDOW_MS = 5_500;
const READY_TIMEOUT_MS = 60_000;
/** A child's own shutdown takes up to 17 s (8 s for turns and sends, 2 s to count the outbox, 5 s for sends in flight, 2 s to close the store); this leaves it room to exit. */
const STOP_GRACE_MS = 20_000;
const RESPAWN_FIRST_MS = 500;
const RESPAWN_MAX_MS = 60_000;
const RESPAWN_STABLE_MS = 60_000;

const gatewayBotSchema = z.object({
  shards: z.number().int().min(1),
  session_start_limit: z.object({ max_concurrency: z.number().int().min(1) }),
});

/**
 * GET /gateway/bot through DISCORD_API_URL (or discord.com): Discord's recommended shard count, and its identify
 * buckets (this many shards may log in together every 5 s). A refused token is a configuration problem naming DISCORD_TOKEN.
 */
export async function fetchGatewayAdvice(config: DiscordConfig): Promise<{ shards: number; maxConcurrency: number }> {
  const rest = new REST({ version: '10', retries: 1, ...restApi(config) }).setToken(config.token);
  try {
    const answer = gatewayBotSchema.parse(await rest.get(Routes.gatewayBot()));
    return { shards: answer.shards, maxConcurrency: answer.session_start_limit.max_concurrency };
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 401) {
      throw tokenRefused(error);
    }
    const where = config.apiUrl ?? 'https://discord.com/api';
    throw new Error(`Could not read the recommended shard count from Discord (GET /gateway/bot at ${where}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

/** The sharded Discord platform as `npm start` holds it: its turns run in the shard processes, so there is nothing to sweep here. */
export interface RunningShards {
  name: 'discord-shards';
  manager: ShardingManager;
  turns: TurnsHandle;
  /** Tells every shard to stop (SIGTERM), so they shut down while the rest of this process does; `stop` waits for them. */
  stopIntake(): Promise<void>;
  /** Stops every shard gracefully and resolves once all have exited (killed after the grace period). */
  stop(): Promise<void>;
}

const NOTHING_HERE: TurnsHandle = { outbox: { sweep: async () => 0 }, cleanup: async () => 0, idle: async () => undefined };

function exitOf(child: ChildProcess | Worker): { exitCode: number | null; signal: NodeJS.Signals | null } {
  return 'exitCode' in child ? { exitCode: child.exitCode, signal: child.signalCode } : { exitCode: null, signal: null };
}

/** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs`. Resolves with how it ended. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<'stopped' | 'killed'> {
  if (child.exitCode !== null || child.signalCode !== null) return 'stopped';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  if (await within(exited, graceMs)) return 'stopped';
  child.kill('SIGKILL');
  await exited;
  return 'killed';
}

/** Starts every shard process and resolves once each is ready; on failure stops the ones started and throws. */
export async function startShardManager(options: { config: DiscordConfig; logger: Logger }): Promise<RunningShards> {
  const { config } = options;
  const logger = options.logger.child({ platform: 'discord' });
  const requested = config.shards ?? 'auto';
  const advice = await fetchGatewayAdvice(config);
  const count = requested === 'auto' ? advice.shards : requested;
  if (count < advice.shards) logger.warn({ shards: count, recommended: advice.shards }, 'DISCORD_SHARDS is below the shard count Discord recommends; Discord refuses a shard with too many servers (close code 4011)');
  const spawnDelayMs = Math.ceil(IDENTIFY_WINDOW_MS / advice.maxConcurrency);

  // respawn: false: discord.js would restart a dead child at once, forever; restarts are paced below instead.
  // DISCORD_SHARD_LIST: this machine runs only these shards of `count` (the others run elsewhere, on the same database).
  const shardList = config.shardList;
  const manager = new ShardingManager(SHARD_ENTRY, { totalShards: count, ...(shardList ? { shardList } : {}), token: config.token, respawn: false, mode: 'process' });
  let starting = true;
  let stopping = false;
  const timers = new Set<NodeJS.Timeout>();
  const lives = new Map<number, { spawnedAt: number; ready: boolean; failures: number }>();

  const respawnLater = (shard: Shard): void => {
    const life = lives.get(shard.id) ?? { spawnedAt: Date.now(), ready: false, failures: 0 };
    if (Date.now() - life.spawnedAt >= RESPAWN_STABLE_MS) life.failures = 0;
    const delayMs = Math.min(RESPAWN_MAX_MS, RESPAWN_FIRST_MS * 2 ** life.failures);
    life.failures += 1;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopping) return;
      shard.spawn(READY_TIMEOUT_MS).catch((error: unknown) => logger.warn({ err: error, shard: shard.id }, 'a restarted shard did not become ready; it is started again when its process ends'));
    }, delayMs);
    timers.add(timer);
    logger.warn({ shard: shard.id, inMs: delayMs }, 'discord shard process ended; starting it again');
  };

  manager.on('shardCreate', (shard) => {
    shard.on('spawn', (child) => {
      const previous = lives.get(shard.id);
      lives.set(shard.id, { spawnedAt: Date.now(), ready: false, failures: previous?.failures ?? 0 });
      logger.info({ shard: shard.id, pid: 'pid' in child ? child.pid : undefined }, 'discord shard process started');
    });
    shard.on('ready', () => {
      const life = lives.get(shard.id);
      if (life) life.ready = true;
    });
    shard.on('death', (child) => {
      const life = lives.get(shard.id);
      logger.info({ shard: shard.id, ...exitOf(child) }, 'discord shard process exited');
      // A child that dies before its first ready during start-up fails start-up instead (manager.spawn rejects).
      if (stopping || (starting && !life?.ready)) return;
      respawnLater(shard);
    });
    shard.on('error', (error) => logger.error({ err: error, shard: shard.id }, 'discord shard error'));
  });

  const stopAll = async (): Promise<void> => {
    stopping = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const ends = await Promise.all(
      manager.shards.map(async (shard) => {
        const child = shard.process;
        return child ? { shard: shard.id, end: await stopChild(child, STOP_GRACE_MS) } : { shard: shard.id, end: 'stopped' as const };
      }),
    );
    const killed = ends.filter((e) => e.end === 'killed').map((e) => e.shard);
    if (killed.length > 0) logger.warn({ shards: killed, graceMs: STOP_GRACE_MS }, 'discord shards still running after the grace period were killed; what they had not sent stays in the outbox');
    logger.info({ shards: ends.length }, 'discord shards stopped');
  };
  let ending: Promise<void> | undefined;
  const stop = (): Promise<void> => (ending ??= stopAll());

  logger.info({ shards: count, here: shardList ?? 'all', requested, recommended: advice.shards, maxConcurrency: advice.maxConcurrency, spawnDelayMs }, 'starting discord shards');
  try {
    await manager.spawn({ amount: count, delay: spawnDelayMs, timeout: READY_TIMEOUT_MS });
  } catch (error) {
    await stop();
    throw new Error(`Discord shards could not start (${shardList ? `shards ${shardList.join(', ')} of ${count}` : `${count} shard${count === 1 ? '' : 's'}`}): ${error instanceof Error ? error.message : String(error)}; the shard's own message is printed above`, {
      cause: error,
    });
  }
  starting = false;
  logger.info({ shards: count, here: shardList ?? 'all' }, 'discord shards ready');
  return {
    name: 'discord-shards',
    manager,
    turns: NOTHING_HERE,
    stopIntake: async () => {
      void stop();
    },
    stop,
  };
}
