/**
 * Kills a writer process with SIGKILL mid-stream, then checks that every
 * commit it reported is in the database and that the database is intact.
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
    let lines = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);

    const output = createInterface({ input: child.stdout });
    output.on('line', (line) => {
      // Lines read after the kill signal was sent still describe finished commits.
      const [id, version] = line.split('\t');
      if (id === undefined || version === undefined) return;
      reported.set(id, Math.max(reported.get(id) ?? 0, Number(version)));
      lines++;
      if (lines === KILL_AFTER_COMMITS) child.kill('SIGKILL');
    });
    // 'close' fires after stdout is drained, so every line the child printed has been counted.
    child.on('close', (exitCode, signal) => resolve({ reported, lines, signal, exitCode, stderr }));
  });
}

it('keeps every reported commit and an intact database after SIGKILL', async () => {
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
    }
    // The child may have committed a few more than it reported, never fewer.
    expect(await store.count()).toBe(SESSIONS);
  } finally {
    await store.close();
  }

  const raw = new Database(path, { readonly: true });
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.pragma('foreign_key_check')).toEqual([]);
  } finally {
    raw.close();
  }
}, 20_000);
