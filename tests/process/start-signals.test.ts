/**
 * SIGTERM while `npm start` is still starting (the real program, Slack HTTP
 * mode, its auth.test held by the stand-in): the process is not killed
 * mid-start; start-up finishes, then it stops gracefully at once with status 0.
 * A second SIGTERM meanwhile changes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../slack/harness/advisor-process.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../slack/harness/rig.ts';
import { SlackWebApiStandIn } from '../slack/harness/web-api-stand-in.ts';

const START_SCRIPT = fileURLToPath(new URL('../../bin/start.js', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a signal during start-up', () => {
  it('lets start-up finish, then stops gracefully with status 0', async () => {
    const webApi = await SlackWebApiStandIn.start();
    const folder = mkdtempSync(join(tmpdir(), 'advisor-start-signal-'));
    cleanups.push(async () => {
      await webApi.close();
      rmSync(folder, { recursive: true, force: true });
    });
    const held = webApi.hold('auth.test');
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: folder,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: webApi.apiUrl,
      PORT: String(await freePort()),
      DATABASE_PATH: join(folder, 'advisor.db'),
      LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, [START_SCRIPT], { cwd: folder, env, stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.push(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

    await webApi.waitFor(() => held.waiting() > 0, 20_000);
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(child.exitCode).toBeNull();
    held.release();

    expect(await exited).toEqual({ code: 0, signal: null });
    const messages = stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; reason?: string });
    const started = messages.findIndex((m) => m.msg === 'advisor started');
    const stopping = messages.findIndex((m) => m.msg.startsWith('stopping: no new work'));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(stopping).toBeGreaterThan(started);
    expect(messages[stopping]!.reason).toBe('SIGTERM');
    expect(messages.at(-1)!.msg).toBe('stopped');
  });
});
