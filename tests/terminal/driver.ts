/**
 * Drives `bin/start.js` as a user would: stdin is a pipe, one line at a time,
 * waiting for the expected output before typing the next line. Never asserts on
 * time; the timeout is only a safety net that fails with the transcript.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A safety net, far above any real wait: a hang fails the test instead of stalling it. */
const SAFETY_TIMEOUT_MS = 60_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Waiter {
  regex: RegExp;
  resolve: (match: RegExpExecArray) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const running = new Set<ChildProcessWithoutNullStreams>();

/** Kills every driver child still alive (for afterEach). */
export function killAllDrivers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export class TerminalDriver {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far. */
  stdout = '';
  stderr = '';
  /** Where the next expectOutput starts looking. */
  private cursor = 0;
  private waiter: Waiter | undefined;
  private exitInfo: Exit | undefined;
  readonly exited: Promise<Exit>;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    running.add(child);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.check();
    });
    child.stderr.on('data', (chunk: string) => (this.stderr += chunk));
    // An EPIPE after the child exits is the test's business, not an unhandled error.
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        running.delete(child);
        this.exitInfo = { code, signal };
        this.check();
        resolve(this.exitInfo);
      });
    });
  }

  /** `node bin/start.js` in the repository, no platform tokens, sessions in `databasePath`. */
  static start(databasePath: string, extraEnv: Record<string, string> = {}): TerminalDriver {
    const child = spawn(process.execPath, ['bin/start.js'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_PATH: databasePath,
        LOG_LEVEL: 'warn',
        SLACK_BOT_TOKEN: '',
        SLACK_APP_TOKEN: '',
        SLACK_SIGNING_SECRET: '',
        DISCORD_TOKEN: '',
        DISCORD_APPLICATION_ID: '',
        DISCORD_GUILD_ID: '',
        ...extraEnv,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new TerminalDriver(child);
  }

  /** Types one line (a newline is added). */
  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Closes stdin: end of input. */
  end(): void {
    this.child.stdin.end();
  }

  /** Output not yet consumed by expectOutput. */
  pending(): string {
    return this.stdout.slice(this.cursor);
  }

  /**
   * Waits until `regex` matches the output after the cursor, then moves the cursor past the match.
   * Returns the match. Fails (with the transcript) if the process exits first or the safety net trips.
   */
  expectOutput(regex: RegExp): Promise<RegExpExecArray> {
    if (this.waiter) throw new Error('expectOutput is already waiting');
    const pattern = new RegExp(regex.source, regex.flags.replace('g', ''));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(this.failure(`no output matching ${pattern} (safety timeout)`));
      }, SAFETY_TIMEOUT_MS);
      this.waiter = { regex: pattern, resolve, reject, timer };
      this.check();
    });
  }

  /** Consumes output up to and including `regex` and returns the text before it (for "nothing else was printed" checks). */
  async textBefore(regex: RegExp): Promise<string> {
    const start = this.cursor;
    const match = await this.expectOutput(regex);
    return this.stdout.slice(start, this.cursor - match[0].length);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  private check(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const rest = this.stdout.slice(this.cursor);
    const match = waiter.regex.exec(rest);
    if (match) {
      this.cursor += match.index + match[0].length;
      this.finish();
      waiter.resolve(match);
      return;
    }
    if (this.exitInfo) {
      this.finish();
      waiter.reject(this.failure(`process exited (${JSON.stringify(this.exitInfo)}) before output matching ${waiter.regex}`));
    }
  }

  private finish(): void {
    if (this.waiter) clearTimeout(this.waiter.timer);
    this.waiter = undefined;
  }

  private failure(message: string): Error {
    const tail = (text: string): string => (text.length > 4000 ? `…${text.slice(-4000)}` : text);
    return new Error(`${message}\n--- unread stdout ---\n${tail(this.pending())}\n--- stderr ---\n${tail(this.stderr)}`);
  }
}
