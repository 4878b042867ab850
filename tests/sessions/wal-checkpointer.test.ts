/**
 * SQLite WAL checkpoints on a worker thread (src/sessions/wal-checkpointer.ts),
 * as `npm start` runs them: they let the WAL be reused, fail with a coded error
 * when the thread cannot work, and stop cleanly.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { WalCheckpointer } from '../../src/sessions/wal-checkpointer.ts';
import { createSession, keyOf, rejection } from './store-fixtures.ts';

describe('WalCheckpointer', () => {
  let dir: string;
  let path: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'advisor-checkpoint-'));
    path = join(dir, 'sessions.db');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function open(): { store: SqliteSessionStore; checkpointer: WalCheckpointer } {
    const store = SqliteSessionStore.open(path, { walCheckpoint: 'background' });
    const checkpointer = WalCheckpointer.start(store.file!);
    cleanups.push(() => store.close(), () => checkpointer.close());
    return { store, checkpointer };
  }

  const commitMany = async (store: SqliteSessionStore, from: number, count: number): Promise<void> => {
    for (let i = from; i < from + count; i++) await createSession(store, keyOf({ conversation: `C1:${i}` }));
  };

  it('copies the whole WAL back from its own thread, so the next commits reuse it instead of growing it', async () => {
    const { store, checkpointer } = open();
    await commitMany(store, 0, 600);
    const grown = statSync(`${path}-wal`).size;
    const result = await checkpointer.run();
    expect(result.walFrames).toBeGreaterThan(1_000);
    expect(result.checkpointed).toBe(result.walFrames);
    await commitMany(store, 600, 300);
    expect(statSync(`${path}-wal`).size).toBe(grown);
    expect(await store.count()).toBe(900);
    const again = await checkpointer.run();
    expect(again.checkpointed).toBe(again.walFrames);
  });

  it('runs one checkpoint at a time', async () => {
    const { store, checkpointer } = open();
    await commitMany(store, 0, 50);
    const first = checkpointer.run();
    expect((await rejection(checkpointer.run())).code).toBe('STORE_FAILURE');
    await expect(first).resolves.toMatchObject({ checkpointed: expect.any(Number) });
  });

  it('fails with STORE_FAILURE, not an exception, when the database file is not there', async () => {
    const checkpointer = WalCheckpointer.start(join(dir, 'missing.db'));
    const error = await rejection(checkpointer.run());
    expect(error.code).toBe('STORE_FAILURE');
    expect(error.message).toMatch(/checkpoint/);
  });

  it('stops on close, after which a run fails with STORE_FAILURE', async () => {
    const store = SqliteSessionStore.open(path, { walCheckpoint: 'background' });
    cleanups.push(() => store.close());
    const checkpointer = WalCheckpointer.start(store.file!);
    await checkpointer.run();
    await checkpointer.close();
    expect((await rejection(checkpointer.run())).code).toBe('STORE_FAILURE');
    await checkpointer.close(); // twice is harmless
  });
});
