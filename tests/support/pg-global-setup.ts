/**
 * vitest global setup: one embedded PostgreSQL for the whole run, unless
 * PG_TEST_URL names a server to use instead.
 *
 * The server starts in the background, so a run without PostgreSQL tests does
 * not wait for it: its outcome (the URL, or why it failed) goes to a status
 * file the PostgreSQL tests wait for (tests/support/pg.ts). It is stopped and
 * its folder removed when the run ends. vitest runs a global setup once per
 * project; the projects share the one server (the last teardown stops it).
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { FOLDER_PREFIX, startEmbeddedPostgres, TEST_SETTINGS, type EmbeddedServer } from './pg-server.ts';
import type { PgStatus } from './pg.ts';

/** One server per run, shared by every project that uses this setup (vitest runs it once per project). */
interface Shared {
  statusFile: string;
  starting: Promise<EmbeddedServer | undefined>;
  users: number;
}
const SHARED = Symbol.for('advisor.pg-global-setup');
type WithShared = typeof globalThis & { [SHARED]?: Shared };

function startShared(): Shared {
  const folder = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}status-${process.pid}-`));
  const statusFile = join(folder, 'status.json');
  const publish = (status: PgStatus): void => {
    // Renamed into place, so a reader never sees half a file.
    writeFileSync(`${statusFile}.tmp`, JSON.stringify(status));
    renameSync(`${statusFile}.tmp`, statusFile);
  };
  const starting: Promise<EmbeddedServer | undefined> = startEmbeddedPostgres({ settings: TEST_SETTINGS }).then(
    (server) => {
      publish({ state: 'ready', url: server.url, startMs: Math.round(server.startMs) });
      return server;
    },
    (error: unknown) => {
      publish({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
      return undefined;
    },
  );
  return { statusFile, starting, users: 0 };
}

export default function setup(project: TestProject): () => Promise<void> {
  if (process.env['PG_TEST_URL']) return async () => {};
  const global = globalThis as WithShared;
  const shared = (global[SHARED] ??= startShared());
  shared.users += 1;
  project.provide('pgStatusFile', shared.statusFile);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    global[SHARED] = undefined;
    const server = await shared.starting;
    await server?.stop();
    rmSync(dirname(shared.statusFile), { recursive: true, force: true });
  };
}
