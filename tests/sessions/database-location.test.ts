/**
 * The start-up check of DATABASE_PATH's folder: created when missing, refused
 * with a message naming DATABASE_PATH when it cannot be made or written, and
 * always within the time limit (a path under /proc used to spin forever).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDatabaseLocation } from '../../src/sessions/database-location.ts';
import { AdvisorError } from '../../src/errors.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';

const work = mkdtempSync(join(tmpdir(), 'advisor-dbloc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The CONFIG_INVALID error the check rejects with, and how long it took; fails the test when it resolves. */
async function refusal(path: string, timeoutMs?: number): Promise<{ error: AdvisorError; ms: number }> {
  const began = Date.now();
  try {
    await checkDatabaseLocation(path, timeoutMs === undefined ? {} : { timeoutMs });
  } catch (error) {
    if (!(error instanceof AdvisorError)) throw error;
    expect(error.code).toBe('CONFIG_INVALID');
    const problems = error.details['problems'] as string[];
    expect(problems).toHaveLength(1);
    expect(error.message).toBe(`Configuration problem:\n  - ${problems[0]}`);
    return { error, ms: Date.now() - began };
  }
  throw new Error(`expected checkDatabaseLocation to refuse ${path}`);
}

describe('a usable location', () => {
  it('creates the missing folders, leaves no probe file behind, and SQLite then opens there', async () => {
    const path = join(work, 'a', 'b', 'c', 'advisor.db');
    await checkDatabaseLocation(path);
    expect(statSync(join(work, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(readdirSync(join(work, 'a', 'b', 'c'))).toEqual([]);
    const store = SqliteSessionStore.open(path);
    await store.close();
  });

  it('an existing database file is fine, and the check does not change it', async () => {
    const folder = join(work, 'existing');
    mkdirSync(folder);
    const path = join(folder, 'advisor.db');
    writeFileSync(path, 'not touched');
    const before = statSync(path);
    await checkDatabaseLocation(path);
    expect(statSync(path).size).toBe(before.size);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(readdirSync(folder)).toEqual(['advisor.db']);
  });

  it('a relative path is checked against the working folder', async () => {
    const relative = join('.', 'tmp-advisor-dbloc-relative', 'advisor.db');
    const folder = resolve('tmp-advisor-dbloc-relative');
    try {
      await checkDatabaseLocation(relative);
      expect(statSync(folder).isDirectory()).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it(':memory: and the empty path (SQLite temporary databases) are not checked at all', async () => {
    // A 1 ms limit would refuse anything that actually ran the probe.
    await expect(checkDatabaseLocation(':memory:', { timeoutMs: 1 })).resolves.toBeUndefined();
    await expect(checkDatabaseLocation('', { timeoutMs: 1 })).resolves.toBeUndefined();
  });
});

describe('an unusable location is refused, naming DATABASE_PATH and what it expects', () => {
  it('/proc/x/advisor.db fails fast instead of spinning (Node recursive mkdir loops there)', async () => {
    const { error, ms } = await refusal('/proc/x/advisor.db');
    expect(error.details['problems']).toEqual([
      "DATABASE_PATH: cannot create or write /proc/x (ENOENT: no such file or directory, mkdir '/proc/x'); expected a folder the advisor can write",
    ]);
    expect(ms).toBeLessThan(2_500);
  });

  it('a folder that exists but takes no files (/proc itself)', async () => {
    const { error } = await refusal('/proc/advisor.db');
    expect(error.message).toMatch(/DATABASE_PATH: cannot create or write \/proc \(ENOENT: no such file or directory, open '\/proc\/\.advisor-write-probe-\d+'\); expected a folder the advisor can write$/);
  });

  it('a path below a regular file (not a folder): ENOTDIR', async () => {
    const file = join(work, 'plain-file');
    writeFileSync(file, 'x');
    const { error } = await refusal(join(file, 'sub', 'advisor.db'));
    expect(error.details['problems']).toEqual([
      `DATABASE_PATH: cannot create or write ${join(file, 'sub')} (ENOTDIR: not a directory, mkdir '${join(file, 'sub')}'); expected a folder the advisor can write`,
    ]);
  });

  it('a regular file where the folder should be', async () => {
    const file = join(work, 'file-as-folder');
    writeFileSync(file, 'x');
    const { error } = await refusal(join(file, 'advisor.db'));
    expect(error.details['problems']).toEqual([`DATABASE_PATH: cannot create or write ${file} (ENOTDIR: ${file} exists and is not a folder); expected a folder the advisor can write`]);
  });

  it('a folder where the database file should be', async () => {
    const folder = join(work, 'db-is-a-folder');
    mkdirSync(folder);
    const { error } = await refusal(folder);
    expect(error.details['problems']).toEqual([
      `DATABASE_PATH: cannot open ${folder} for writing (it exists and is not a file); expected a database file the advisor can write, or a path where it can create one`,
    ]);
  });

  it('no answer within the time limit: the probe is abandoned and the location refused', async () => {
    // A process cannot even start in 1 ms, so this takes the time-out path for real.
    const { error, ms } = await refusal(join(work, 'slow', 'advisor.db'), 1);
    expect(error.details['problems']).toEqual([`DATABASE_PATH: cannot create or write ${join(work, 'slow')} (no answer within 1 ms); expected a folder the advisor can write`]);
    expect(ms).toBeLessThan(1_000);
  });
});
