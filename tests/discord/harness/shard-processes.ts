/**
 * The real program (`node bin/start.js`, as `npm start` runs it) with
 * DISCORD_SHARDS, as a child process pointed at the Discord stand-in and a
 * SQLite file or a PostgreSQL database: its ShardingManager forks the shard processes, whose logs come
 * out on the manager's stderr (they inherit it). Tests wait on those log lines
 * (each shard's carry `shard` and `pid`) and signal the processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LogLine } from './log-capture.ts';

const START_SCRIPT = fileURLToPath(new URL('../../../bin/start.js', import.meta.url));
const WAIT_LIMIT_MS = 20_000;

export interface ShardedAdvisorOptions {
  token: string;
  applicationId: string;
  apiUrl: string;
  shards: string;
  /** A SQLite file, or `{ url }` for PostgreSQL (already migrated). */
  database: string | { url: string };
  cwd: string;
  /** More settings (e.g. DISCORD_MESSAGE_CONTENT). */
  env?: Record<string, string>;
}

export class ShardedAdvisor {
  readonly lines: LogLine[] = [];
  /** stderr that was not a JSON log line (start-up messages). */
  readonly text: string[] = [];
  readonly exited: Promise<number | null>;
  /** Resolves once nothing more can be logged: the manager and every shard process (which share its stderr) are gone. */
  readonly closed: Promise<void>;
  private readonly waiters = new Set<(line: LogLine) => void>();
  private partial = '';

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.take(chunk));
  }

  static start(options: ShardedAdvisorOptions): ShardedAdvisor {
    const child = spawn(process.execPath, [START_SCRIPT], {
      cwd: options.cwd,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? options.cwd,
        DISCORD_TOKEN: options.token,
        DISCORD_APPLICATION_ID: options.applicationId,
        DISCORD_API_URL: options.apiUrl,
        DISCORD_SHARDS: options.shards,
        ...(typeof options.database === 'string' ? { DATABASE_PATH: options.database } : { DATABASE_URL: options.database.url }),
        LOG_LEVEL: 'info',
        ...options.env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return new ShardedAdvisor(child);
  }

  private take(chunk: string): void {
    const texts = (this.partial + chunk).split('\n');
    this.partial = texts.pop() ?? '';
    for (const text of texts) {
      if (!text.trim()) continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        this.text.push(text);
        continue;
      }
      this.lines.push(line);
      for (const waiter of [...this.waiters]) waiter(line);
    }
  }

  /** The first line (from line `since` on, past or future) matching `predicate`. */
  waitFor(predicate: (line: LogLine) => boolean, description: string, since = 0): Promise<LogLine> {
    const existing = this.lines.slice(since).find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`gave up waiting for ${description}; logged:\n${this.describe()}`));
      }, WAIT_LIMIT_MS);
      const check = (line: LogLine): void => {
        if (!predicate(line)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(line);
      };
      this.waiters.add(check);
      void this.closed.then(() => {
        if (!this.waiters.has(check)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        reject(new Error(`the advisor and its shards exited while waiting for ${description}; logged:\n${this.describe()}`));
      });
    });
  }

  /** The "interaction handled" line of one interaction (from any shard). */
  handled(interactionId: string): Promise<LogLine> {
    return this.waitFor((l) => l.msg === 'interaction handled' && l['interactionId'] === interactionId, `interaction ${interactionId} to be handled`);
  }

  /** Every "interaction handled" line logged for this interaction id. */
  handledLines(interactionId: string): LogLine[] {
    return this.lines.filter((l) => l.msg === 'interaction handled' && l['interactionId'] === interactionId);
  }

  /** Resolves once the manager has every shard ready and each shard process has said so itself. */
  async ready(shards: number): Promise<void> {
    await this.waitFor((l) => l.msg === 'discord shards ready', 'the shards to be ready');
    for (let shard = 0; shard < shards; shard += 1) {
      await this.waitFor((l) => l.msg === 'discord bot ready' && l['shard'] === shard, `shard ${shard}'s process to be ready`);
    }
  }

  /** The pid of the newest process of `shard` that logged "discord bot ready". */
  pidOf(shard: number): number {
    const line = this.lines.filter((l) => l.msg === 'discord bot ready' && l['shard'] === shard).at(-1);
    if (!line || typeof line['pid'] !== 'number') throw new Error(`no ready process for shard ${shard}:\n${this.describe()}`);
    return line['pid'];
  }

  describe(): string {
    return [...this.text, ...this.lines.map((l) => `  ${l.msg} ${JSON.stringify(l)}`)].join('\n') || '  (nothing)';
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Whether a process with this pid is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
