/**
 * What one shard process sees of the shared store: everything, except that
 * the outbox sweep lists only the threads of guilds this shard owns.
 *
 * Why not let every shard sweep every thread? The claims (leases in the
 * store) would keep two shards from sending one entry twice, but a shard
 * cannot send in another shard's guild: discord.js only knows the guilds its
 * gateway connection received, so `channels.fetch` finds no such channel, the
 * call fails, and the entry's attempts run out while its own shard waits
 * behind the failed try's back-off. So each shard sweeps its own guilds, and
 * an interview's deliveries (which Discord sends to the owning shard) and its
 * sweeps always run in the same process.
 */
import { ShardClientUtil } from 'discord.js';
import type { SessionStore } from '../../src/sessions/store.ts';
import type { ThreadKey } from '../../src/turns/types.ts';

export interface ShardIdentity {
  /** The shards this process runs (one, under the ShardingManager). */
  ids: readonly number[];
  /** Shards in all. */
  count: number;
}

/**
 * How many times more threads than asked for are listed before filtering (at
 * least the shard count). Other shards' threads are pending only while their
 * own shard sends or retries them, so a sweep normally skips few; the cap
 * bounds one query.
 */
const LIST_FACTOR = 4;
const LIST_CAP = 1_000;

/** The shard a guild's events go to: Discord's `(guild_id >> 22) % count`; anything not a guild id to shard 0, as DMs are. */
export function shardOf(workspace: string, count: number): number {
  return /^\d{1,20}$/.test(workspace) ? ShardClientUtil.shardIdForGuildId(workspace, count) : 0;
}

export function ownsThread(shard: ShardIdentity, thread: ThreadKey): boolean {
  return shard.count <= 1 || shard.ids.includes(shardOf(thread.workspace, shard.count));
}

/** `store` with `threadsWithPendingOutbox` narrowed to the guilds `shard` owns; every other method is the store's own. */
export function shardScopedStore(store: SessionStore, shard: ShardIdentity): SessionStore {
  if (shard.count <= 1) return store;
  const threadsWithPendingOutbox = async (now: number, limit: number, platform: string): Promise<ThreadKey[]> => {
    const listed = await store.threadsWithPendingOutbox(now, Math.min(LIST_CAP, limit * Math.max(LIST_FACTOR, shard.count)), platform);
    return listed.filter((thread) => ownsThread(shard, thread)).slice(0, limit);
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'threadsWithPendingOutbox') return threadsWithPendingOutbox;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
