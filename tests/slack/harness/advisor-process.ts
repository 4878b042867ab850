/**
 * The real program (`node bin/start.js`, as `npm start` runs it) in Slack HTTP
 * mode, as a child process on 127.0.0.1 pointed at the Web API stand-in and a
 * SQLite file or a PostgreSQL database, so tests can kill it (SIGKILL, or
 * SIGTERM for a graceful stop) or run several of them on one database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BOT_TOKEN, SIGNING_SECRET } from './rig.ts';

const START_SCRIPT = fileURLToPath(new URL('../../../bin/start.js', import.meta.url));

export interface AdvisorProcess {
  child: ChildProcess;
  port: number;
  endpoint: string;
  /** Lines the process wrote to stderr (start-up failures, escaped errors). */
  stderr: string[];
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts the advisor and resolves once it accepts connections. */
export async function startAdvisorProcess(options: {
  port: number;
  /** SQLite file, or `{ url }` for PostgreSQL. */
  database: string | { url: string };
  apiUrl: string;
  cwd: string;
  /** More settings, or other ones (undefined removes a setting, e.g. the Slack ones for a Discord-only process). */
  env?: Record<string, string | undefined>;
}): Promise<AdvisorProcess> {
  const env: Record<string, string | undefined> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? options.cwd,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: options.apiUrl,
    PORT: String(options.port),
    ...(typeof options.database === 'string' ? { DATABASE_PATH: options.database } : { DATABASE_URL: options.database.url, DATABASE_MIGRATE: 'true' }),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const child = spawn(process.execPath, [START_SCRIPT], {
    cwd: options.cwd,
    env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + 20_000;
  while (!(await portOpen(options.port))) {
    if (done) throw new Error(`the advisor exited before listening: ${stderr.join('')}`);
    if (Date.now() > deadline) throw new Error(`the advisor did not listen on ${options.port} within 20 s: ${stderr.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    child,
    port: options.port,
    endpoint: `http://127.0.0.1:${options.port}/slack/events`,
    stderr,
    exited,
    async kill(signal = 'SIGKILL') {
      if (!done) child.kill(signal);
      await exited;
    },
  };
}
