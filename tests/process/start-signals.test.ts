/**
 * SIGTERM while `npm start` is still starting (the real program, Slack HTTP
 * mode, its auth.test held by the stand-in): the process is not killed
 * mid-start; start-up finishes, then it stops gracefully at once with status 0.
 * A second SIGTERM meanwhile changes nothing. A SIGTERM while the start-up
 * sweep waits on Slack (a backlog left by a crash, Slack not answering) does
 * not wait for that sweep: shutdown, with its own time limit, takes over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackPort } from '../../adapters/slack/port.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import { silentLogger } from '../../src/logger.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { TurnService } from '../../src/turns/service.ts';
import { freePort } from '../slack/harness/advisor-process.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../slack/harness/rig.ts';
import { SlackWebApiStandIn } from '../slack/harness/web-api-stand-in.ts';

const START_SCRIPT = fileURLToPath(new URL('../../bin/start.js', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Slack stand-in and an empty folder for one run, both removed after the test. */
async function setUp(prefix: string): Promise<{ webApi: SlackWebApiStandIn; folder: string }> {
  const webApi = await SlackWebApiStandIn.start();
  const folder = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(async () => {
    await webApi.close();
    rmSync(folder, { recursive: true, force: true });
  });
  return { webApi, folder };
}

/** Runs `npm start`'s program in Slack HTTP mode against `webApi`, its database in `folder`. */
async function startAdvisor(webApi: SlackWebApiStandIn, folder: string): Promise<{ child: ChildProcess; stderr: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
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
  return { child, stderr: () => stderr, exited };
}

describe('a signal during start-up', () => {
  it('lets start-up finish, then stops gracefully with status 0', async () => {
    const { webApi, folder } = await setUp('advisor-start-signal-');
    const held = webApi.hold('auth.test');
    const { child, stderr, exited } = await startAdvisor(webApi, folder);

    await webApi.waitFor(() => held.waiting() > 0, 20_000);
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(child.exitCode).toBeNull();
    held.release();

    expect(await exited).toEqual({ code: 0, signal: null });
    const messages = logLines(stderr());
    const started = messages.findIndex((m) => m.msg === 'advisor started');
    const stopping = messages.findIndex((m) => m.msg.startsWith('stopping: no new work'));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(stopping).toBeGreaterThan(started);
    expect(messages[stopping]!.reason).toBe('SIGTERM');
    expect(messages.at(-1)!.msg).toBe('stopped');
  });
});

/** Log lines the advisor has written to stderr so far (JSON lines only). */
function logLines(stderr: string): { msg: string; reason?: string }[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; reason?: string });
}

describe('a signal during the start-up sweep', () => {
  it('does not wait for the sweep: shutdown begins while Slack still holds the message', async () => {
    const { webApi, folder } = await setUp('advisor-start-sweep-');
    // A start committed but never sent (as a crash leaves it): the next start-up's sweep posts it.
    const store = SqliteSessionStore.open(join(folder, 'advisor.db'));
    const port = new SlackPort({ botToken: BOT_TOKEN, apiUrl: webApi.apiUrl, logger: silentLogger() });
    const turns = new TurnService({ store, knowledge: loadKnowledge(), port, logger: silentLogger(), ttlMs: 3_600_000 });
    await turns.accept({ id: 'cmd-left-unsent', thread: { platform: 'slack', workspace: 'T0TEAM', conversation: 'C0CHANNEL' }, inThread: false, actor: 'U0ALICE' }, { kind: 'start' });
    port.close();
    await store.close();

    const held = webApi.hold('chat.postMessage');
    const { child, stderr, exited } = await startAdvisor(webApi, folder);

    await webApi.waitFor(() => held.waiting() > 0, 20_000);
    child.kill('SIGTERM');
    // Well inside the Web API client's own 10 s limit on the held call, which would otherwise end the sweep.
    const stopping = (): boolean => logLines(stderr()).some((m) => m.msg.startsWith('stopping: no new work'));
    for (const until = Date.now() + 8_000; !stopping() && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopping()).toBe(true);
    expect(held.waiting()).toBeGreaterThan(0);
    held.release();
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(logLines(stderr()).at(-1)!.msg).toBe('stopped');
  });
});
