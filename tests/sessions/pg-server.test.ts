/**
 * The tests' embedded server tidies up after runs that were killed before
 * their teardown: folders whose owner process is gone are removed; folders of
 * live processes are left alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FOLDER_PREFIX, removeStaleFolders } from '../support/pg-server.ts';

const made: string[] = [];

afterEach(() => {
  for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folderOf(owner: number, status = false): string {
  const folder = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${status ? 'status-' : ''}${owner}-`));
  made.push(folder);
  return folder;
}

it('removes the folders of dead owners (and of servers no longer running there), keeping live ones', () => {
  const gone = spawnSync(process.execPath, ['-e', '']).pid!;
  const stale = folderOf(gone);
  mkdirSync(join(stale, 'data'));
  writeFileSync(join(stale, 'data', 'postmaster.pid'), `${gone}\n/tmp/x\n`);
  const staleStatus = folderOf(gone, true);
  const mine = folderOf(process.pid);
  removeStaleFolders();
  expect([existsSync(stale), existsSync(staleStatus), existsSync(mine)]).toEqual([false, false, true]);
});
