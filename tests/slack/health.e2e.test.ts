/**
 * `/healthz` with Slack: in HTTP mode on Slack's own port (a rig), and in
 * Socket Mode, which has no port of its own, on HEALTH_PORT (the real program).
 * 200 with a small JSON body while the store answers; 503 when it fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processDatabase, testStoreKind, type ProcessDatabase } from '../support/test-store.ts';
import { freePort, startAdvisorProcess, type AdvisorProcess } from './harness/advisor-process.ts';
import { slashCommand } from './harness/payloads.ts';
import { APP_TOKEN, startHttpRig, type HttpRig } from './harness/rig.ts';
import { SocketModeStandIn } from './harness/socket-mode-stand-in.ts';
import { SlackWebApiStandIn } from './harness/web-api-stand-in.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function health(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('HTTP mode: /healthz on the Slack port', () => {
  it('answers 200 with the store check next to /slack/events, and 503 once the store fails', async () => {
    const rig: HttpRig = await startHttpRig();
    cleanups.push(() => rig.stop());
    const url = rig.endpoint.replace('/slack/events', '/healthz');
    expect(await health(url)).toEqual({ status: 200, body: { status: 'ok', storeMs: expect.any(Number) } });
    // Slack's requests are served as before.
    expect((await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('s') }))).status).toBe(200);

    await rig.store.close();
    expect(await health(url)).toEqual({ status: 503, body: { status: 'unavailable', error: 'STORE_FAILURE' } });
    expect(rig.logs.filter((l) => l.msg === 'health check failed: the session store does not answer')).toHaveLength(1);
    // Only GET and HEAD are the health check; anything else there is not a Slack endpoint either.
    expect((await fetch(url, { method: 'POST' })).status).toBe(404);
  });
});

describe('Socket Mode: /healthz on HEALTH_PORT (the real program)', () => {
  it(`answers 200 while connected, ${testStoreKind() === 'postgres' ? '503 once the database is gone, ' : ''}and the process stops with status 0`, { timeout: 60_000 }, async () => {
    const webApi = await SlackWebApiStandIn.start();
    const socket = await SocketModeStandIn.start();
    webApi.socketModeUrl = socket.url;
    const folder = mkdtempSync(join(tmpdir(), 'advisor-health-'));
    const database: ProcessDatabase = await processDatabase(folder);
    let advisor: AdvisorProcess | undefined;
    cleanups.push(async () => {
      await advisor?.kill();
      await socket.close();
      await webApi.close();
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
    });
    const healthPort = await freePort();
    advisor = await startAdvisorProcess({
      port: healthPort,
      database: database.setting,
      apiUrl: webApi.apiUrl,
      cwd: folder,
      env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: undefined, PORT: undefined, HEALTH_PORT: String(healthPort) },
    });
    await socket.connected();
    const url = `http://127.0.0.1:${healthPort}/healthz`;
    expect(await health(url)).toEqual({ status: 200, body: { status: 'ok', storeMs: expect.any(Number) } });
    expect((await fetch(`http://127.0.0.1:${healthPort}/slack/events`, { method: 'POST' })).status).toBe(404);

    if (testStoreKind() === 'postgres') {
      await database.drop();
      expect(await health(url)).toEqual({ status: 503, body: { status: 'unavailable', error: 'STORE_FAILURE' } });
    }
    await advisor.kill('SIGTERM');
    expect(await advisor.exited).toBe(0);
  });
});
