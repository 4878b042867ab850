/**
 * Checks, before the session database is opened, that its folder can be created
 * and written. Without it a bad DATABASE_PATH fails late and obscurely, or not at
 * all: for `/proc/x/advisor.db`, Node's recursive mkdir loops forever (mkdir says
 * ENOENT, the parent exists, so it retries), spinning a CPU at start-up.
 *
 * The probe runs in a child process that is killed after `timeoutMs`, because a
 * hung file system call can be interrupted neither by a timer nor by a worker
 * thread's terminate(); only a process can be killed and left behind.
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { configError } from '../config.ts';
import type { AdvisorError } from '../errors.ts';

export interface DatabaseLocationOptions {
  /** How long the probe may take before the location counts as unusable. Default 3000 ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 3000;

/**
 * The probe, plain CommonJS for `node -e`. It creates the folder one level at a
 * time (so a refused mkdir is reported instead of retried), writes and removes a
 * probe file, and checks an existing database path is a file it can open for
 * writing. It prints one JSON line: {"ok":true} or {"ok":false,"target","reason"}.
 */
const PROBE = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.ADVISOR_PROBE_DIR;
const file = process.env.ADVISOR_PROBE_FILE;
function ensureDir(d) {
  try {
    fs.mkdirSync(d);
  } catch (error) {
    if (error.code === 'EEXIST') {
      if (!fs.statSync(d).isDirectory()) throw Object.assign(new Error('ENOTDIR: ' + d + ' exists and is not a folder'), { code: 'ENOTDIR' });
      return;
    }
    const parent = path.dirname(d);
    if (error.code !== 'ENOENT' || parent === d) throw error;
    ensureDir(parent);
    fs.mkdirSync(d); // once more, and only once: a second ENOENT is the answer
  }
}
let target = 'folder';
try {
  ensureDir(dir);
  const probe = path.join(dir, '.advisor-write-probe-' + process.pid);
  fs.writeFileSync(probe, 'probe', { flag: 'wx' });
  fs.unlinkSync(probe);
  target = 'file';
  let stat;
  try { stat = fs.statSync(file); } catch (error) { if (error.code !== 'ENOENT') throw error; }
  if (stat && !stat.isFile()) throw new Error('it exists and is not a file');
  if (stat) fs.closeSync(fs.openSync(file, 'r+'));
  process.stdout.write(JSON.stringify({ ok: true }) + '\n');
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, target, reason: error && error.message ? error.message : String(error) }) + '\n');
}
`;

type ProbeOutcome = { ok: true } | { ok: false; target: 'folder' | 'file'; reason: string };

function problem(file: string, outcome: Extract<ProbeOutcome, { ok: false }>): AdvisorError {
  const text =
    outcome.target === 'file'
      ? `DATABASE_PATH: cannot open ${file} for writing (${outcome.reason}); expected a database file the advisor can write, or a path where it can create one`
      : `DATABASE_PATH: cannot create or write ${dirname(file)} (${outcome.reason}); expected a folder the advisor can write`;
  return configError([text], { path: file });
}

function parseOutcome(stdout: string): ProbeOutcome | undefined {
  try {
    const value: unknown = JSON.parse(stdout.trim());
    if (typeof value !== 'object' || value === null || !('ok' in value)) return undefined;
    if (value.ok === true) return { ok: true };
    const target = 'target' in value && value.target === 'file' ? 'file' : 'folder';
    if ('reason' in value && typeof value.reason === 'string') return { ok: false, target, reason: value.reason };
  } catch {
    // fall through: no verdict
  }
  return undefined;
}

/**
 * Resolves when the folder of `databasePath` exists (or was created) and takes a
 * new file; throws AdvisorError CONFIG_INVALID naming DATABASE_PATH otherwise,
 * within about `timeoutMs`. ':memory:' and '' (SQLite's temporary database) need no folder.
 */
export async function checkDatabaseLocation(databasePath: string, options: DatabaseLocationOptions = {}): Promise<void> {
  if (databasePath === ':memory:' || databasePath === '') return;
  const file = resolve(databasePath);
  const folder = dirname(file);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const env: NodeJS.ProcessEnv = { ...process.env, ADVISOR_PROBE_DIR: folder, ADVISOR_PROBE_FILE: file };
  // The probe is plain JavaScript: no loaders (tsx, vitest) needed, and none to slow it down.
  delete env['NODE_OPTIONS'];

  const outcome = await new Promise<ProbeOutcome>((settle) => {
    const child = spawn(process.execPath, ['--input-type=commonjs', '-e', PROBE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (result: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      settle(result);
    };
    const timer = setTimeout(() => {
      // A process stuck in the kernel may outlive SIGKILL for a while: drop our ends so it cannot hold start-up open.
      child.kill('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      finish({ ok: false, target: 'folder', reason: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => finish({ ok: false, target: 'folder', reason: `cannot run the check: ${error.message}` }));
    child.on('close', (code, signal) => {
      const parsed = parseOutcome(stdout);
      const exit = signal ?? `exit status ${String(code)}`;
      finish(parsed ?? { ok: false, target: 'folder', reason: `the check ended without a verdict (${exit}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''})` });
    });
  });
  if (!outcome.ok) throw problem(file, outcome);
}
