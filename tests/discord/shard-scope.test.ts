/**
 * A shard's view of the shared store: the outbox sweep lists only the threads
 * of guilds the shard owns (Discord's `(guild_id >> 22) % count`); everything
 * else is the store itself. Shard identities come from SHARDS/SHARD_COUNT.
 */
import { describe, expect, test } from 'vitest';
import { shardOf, shardScopedStore } from '../../adapters/discord/shard-scope.ts';
import { shardIdentityFrom } from '../../adapters/discord/shard.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import type { ThreadKey } from '../../src/turns/types.ts';
import { shardOfGuild } from './harness/fake-gateway.ts';
import { guildIdOnShard } from './harness/guilds.ts';

const thread = (workspace: string, conversation: string): ThreadKey => ({ platform: 'discord', workspace, conversation });

/** A store whose only behaviour is listing `threads` (and counting them), recording the limits it was asked for. */
function listingStore(threads: ThreadKey[]): { store: SessionStore; limits: number[] } {
  const limits: number[] = [];
  const partial: Pick<SessionStore, 'threadsWithPendingOutbox' | 'pendingOutboxCount'> = {
    threadsWithPendingOutbox: async (_now, limit) => {
      limits.push(limit);
      return threads.slice(0, limit);
    },
    pendingOutboxCount: async () => threads.length,
  };
  return { store: partial as SessionStore, limits };
}

describe('shardOf', () => {
  test("is Discord's rule, the one the gateway stand-in routes by", () => {
    for (const count of [2, 3, 16]) {
      for (let shard = 0; shard < count; shard += 1) {
        const guild = guildIdOnShard(shard, count);
        expect(shardOf(guild, count)).toBe(shard);
        expect(shardOfGuild(guild, count)).toBe(shard);
      }
    }
    // The low 22 bits (worker, process, increment) do not matter: only the timestamp part, here 1.
    expect(shardOf(String((1n << 22n) + 7n), 2)).toBe(1);
  });

  test('anything that is not a guild id goes to shard 0', () => {
    expect(shardOf('@me', 4)).toBe(0);
    expect(shardOf('', 4)).toBe(0);
  });
});

describe('shardScopedStore', () => {
  const onZero = [guildIdOnShard(0, 2), guildIdOnShard(0, 2)];
  const onOne = [guildIdOnShard(1, 2), guildIdOnShard(1, 2)];
  const threads = [thread(onOne[0]!, 't1'), thread(onZero[0]!, 't2'), thread(onOne[1]!, 't3'), thread(onZero[1]!, 't4')];

  test("each shard's sweep lists only its own guilds' threads, oldest first, up to the limit", async () => {
    const { store, limits } = listingStore(threads);
    const zero = shardScopedStore(store, { ids: [0], count: 2 });
    const one = shardScopedStore(store, { ids: [1], count: 2 });
    expect((await zero.threadsWithPendingOutbox(0, 100, 'discord')).map((t) => t.conversation)).toEqual(['t2', 't4']);
    expect((await one.threadsWithPendingOutbox(0, 100, 'discord')).map((t) => t.conversation)).toEqual(['t1', 't3']);
    expect((await one.threadsWithPendingOutbox(0, 1, 'discord')).map((t) => t.conversation)).toEqual(['t1']);
    // It lists more than asked, so other shards' threads at the front do not starve its own.
    expect(limits).toEqual([400, 400, 4]);
    expect((await zero.threadsWithPendingOutbox(0, 1, 'discord')).map((t) => t.conversation)).toEqual(['t2']);
  });

  test('every other method is the store itself; one shard of one is the store unchanged', async () => {
    const { store } = listingStore(threads);
    expect(await shardScopedStore(store, { ids: [0], count: 2 }).pendingOutboxCount()).toBe(4);
    expect(shardScopedStore(store, { ids: [0], count: 1 })).toBe(store);
  });
});

describe('shardIdentityFrom (SHARDS and SHARD_COUNT, as the ShardingManager sets them)', () => {
  test('reads one shard id or a list, with the count', () => {
    expect(shardIdentityFrom({ SHARDS: '1', SHARD_COUNT: '2' })).toEqual({ ids: [1], count: 2 });
    expect(shardIdentityFrom({ SHARDS: '[0,2]', SHARD_COUNT: '4' })).toEqual({ ids: [0, 2], count: 4 });
  });

  test.each([{}, { SHARDS: '0' }, { SHARDS: '2', SHARD_COUNT: '2' }, { SHARDS: 'x', SHARD_COUNT: '2' }, { SHARDS: '-1', SHARD_COUNT: '2' }, { SHARDS: '0', SHARD_COUNT: '0' }])(
    'is undefined for %j (not started by the manager)',
    (env) => {
      expect(shardIdentityFrom(env)).toBeUndefined();
    },
  );
});
