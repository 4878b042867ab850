/**
 * Kills a writer process with SIGKILL mid-stream, then checks that every turn
 * it reported is in the database, that no turn is there half-way (a delivery
 * id without its session version, thread state or outbox entries, or the
 * other way round), and that the database is intact.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { threadOf } from '../../src/sessions/store.ts';
import type { SessionKey } from '../../src/conversation/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = join(here, '..', '..');
const writerScript = join(here, 'fixtures', 'crash-writer.ts');

const SESSIONS = 25;
const KILL_AFTER_COMMITS = 400;

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface WriterRun {
  /** Highest version reported per session id. */
  reported: Map<string, number>;
  /** Delivery ids of reported commits. */
  deliveries: string[];
  lines: number;
  signal: NodeJS.Signals | null;
  exitCode: number | null;
  stderr: string;
}

function runWriterUntilKilled(path: string): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, path, String(SESSIONS)], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const reported = new Map<string, number>();
    const deliveries: string[] = [];
    let lines = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);

    const output = createInterface({ input: child.stdout });
    output.on('line', (line) => {
      // Lines read after the kill signal was sent still describe finished commits.
      const [id, version, delivery] = line.split('\t');
      if (id === undefined || version === undefined || delivery === undefined) return;
      reported.set(id, Math.max(reported.get(id) ?? 0, Number(version)));
      deliveries.push(delivery);
      lines++;
      if (lines === KILL_AFTER_COMMITS) child.kill('SIGKILL');
    });
    // 'close' fires after stdout is drained, so every line the child printed has been counted.
    child.on('close', (exitCode, signal) => resolve({ reported, deliveries, lines, signal, exitCode, stderr }));
  });
}

it('keeps every reported turn, no turn half-way, and an intact database after SIGKILL', async () => {
  dir = mkdtempSync(join(tmpdir(), 'advisor-'));
  const path = join(dir, 'sessions.db');

  const run = await runWriterUntilKilled(path);
  expect(run.stderr).toBe('');
  expect(run.signal).toBe('SIGKILL');
  expect(run.exitCode).toBeNull();
  expect(run.lines).toBeGreaterThanOrEqual(KILL_AFTER_COMMITS);
  expect(run.reported.size).toBe(SESSIONS);

  const store = SqliteSessionStore.open(path);
  try {
    for (const [id, version] of run.reported) {
      const [platform, workspace, conversation, user] = id.split(':').map(decodeURIComponent);
      const key: SessionKey = { platform: platform ?? '', workspace: workspace ?? '', conversation: conversation ?? '', user: user ?? '' };
      const stored = await store.load(key);
      expect(stored, `session ${id}`).toBeDefined();
      expect(stored?.session.version, `session ${id}`).toBeGreaterThanOrEqual(version);
      // The thread state moved with its session in every commit.
      expect((await store.loadThread(threadOf(key)))?.version, `thread of ${id}`).toBe(stored?.session.version);
    }
    for (const delivery of run.deliveries) expect(await store.hasDelivery(delivery, Date.now()), delivery).toBe(true);
    // The child may have committed a few more than it reported, never fewer.
    expect(await store.count()).toBe(SESSIONS);
  } finally {
    await store.close();
  }

  const raw = new Database(path, { readonly: true });
  try {
    // Every commit wrote one delivery id, one session version and two outbox entries, or nothing.
    const count = (sql: string): number => raw.prepare<[], { n: number }>(sql).get()!.n;
    const commits = count('SELECT count(*) AS n FROM deliveries');
    expect(commits).toBeGreaterThanOrEqual(run.deliveries.length);
    expect(count('SELECT coalesce(sum(version), 0) AS n FROM sessions')).toBe(commits);
    expect(count('SELECT coalesce(sum(version), 0) AS n FROM threads')).toBe(commits);
    expect(count('SELECT count(*) AS n FROM outbox')).toBe(2 * commits);
    expect(count('SELECT count(*) AS n FROM outbox WHERE delivery_id NOT IN (SELECT id FROM deliveries)')).toBe(0);
  } finally {
    raw.close();
  }

  const check = new Database(path, { readonly: true });
  try {
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.pragma('foreign_key_check')).toEqual([]);
  } finally {
    check.close();
  }
}, 20_000);
