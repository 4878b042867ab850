/**
 * The health check and its server (adapters/health.ts): 200 with a small JSON
 * body while the store answers, 503 when it fails or is too slow, and 503 once
 * shutdown began; a failing store is logged once per outage, not per poll.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthCheck, listenProblem, startHealthServer, type HealthServer } from '../../adapters/health.ts';
import { AdvisorError, isAdvisorError } from '../../src/errors.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { capturingLogger } from '../slack/harness/rig.ts';

/** A store of which only `ping` is used, answering as `answer` says. */
function pinging(answer: () => Promise<void>): SessionStore & { pings: number } {
  const store = { pings: 0, ping: () => ((store.pings += 1), answer()) };
  return store as unknown as SessionStore & { pings: number };
}

const servers: HealthServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe('createHealthCheck', () => {
  it('is 200 with the time the store took while it answers', async () => {
    const { logger } = capturingLogger();
    const report = await createHealthCheck({ store: pinging(async () => {}), logger })();
    expect(report.status).toBe(200);
    expect(report.body).toEqual({ status: 'ok', storeMs: expect.any(Number) });
  });

  it('is 503 naming the error code while the store fails, logging a warning once per outage', async () => {
    const { logger, entries } = capturingLogger();
    let failing = true;
    const check = createHealthCheck({
      store: pinging(async () => {
        if (failing) throw new AdvisorError('STORE_FAILURE', 'PostgreSQL does not answer: connection refused');
      }),
      logger,
    });
    expect(await check()).toEqual({ status: 503, body: { status: 'unavailable', error: 'STORE_FAILURE' } });
    expect(await check()).toEqual({ status: 503, body: { status: 'unavailable', error: 'STORE_FAILURE' } });
    failing = false;
    expect((await check()).status).toBe(200);
    const lines = entries.filter((e) => e['component'] === 'health');
    expect(lines.filter((e) => e.level === 40).map((e) => e.msg)).toEqual(['health check failed: the session store does not answer']);
    expect(lines.filter((e) => e.level === 40)[0]).toMatchObject({ reason: 'STORE_FAILURE', err: { message: 'PostgreSQL does not answer: connection refused' } });
    expect(lines.some((e) => e.msg === 'the session store answers again')).toBe(true);
  });

  it('is 503 "timeout" when the store does not answer in time', async () => {
    const { logger } = capturingLogger();
    const check = createHealthCheck({ store: pinging(() => new Promise<void>(() => {})), logger, timeoutMs: 50 });
    expect(await check()).toEqual({ status: 503, body: { status: 'unavailable', error: 'timeout' } });
  });

  it('is 503 "stopping" once shutdown began, without asking the store', async () => {
    const { logger } = capturingLogger();
    const store = pinging(async () => {});
    let stopping = false;
    const check = createHealthCheck({ store, logger, stopping: () => stopping });
    expect((await check()).status).toBe(200);
    stopping = true;
    expect(await check()).toEqual({ status: 503, body: { status: 'stopping' } });
    expect(store.pings).toBe(1);
  });
});

describe('startHealthServer', () => {
  it('answers GET and HEAD /healthz with the check, uncached, and 404 for anything else', async () => {
    const { logger } = capturingLogger();
    let healthy = true;
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', logger, check: async () => (healthy ? { status: 200, body: { status: 'ok', storeMs: 1 } } : { status: 503, body: { status: 'unavailable', error: 'STORE_FAILURE' } }) });
    servers.push(server);
    const url = `http://127.0.0.1:${server.port}/healthz`;
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json');
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toEqual({ status: 'ok', storeMs: 1 });
    const head = await fetch(url, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    healthy = false;
    const down = await fetch(`${url}?probe=lb`);
    expect([down.status, await down.json()]).toEqual([503, { status: 'unavailable', error: 'STORE_FAILURE' }]);
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(404);
  });

  it('rejects when the port is taken', async () => {
    const { logger } = capturingLogger();
    const check = async () => ({ status: 200 as const, body: { status: 'ok' as const } });
    const first = await startHealthServer({ port: 0, host: '127.0.0.1', logger, check });
    servers.push(first);
    const error = await startHealthServer({ port: first.port, host: '127.0.0.1', logger, check }).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });
});

describe('listenProblem', () => {
  const failure = (code: string, message = code): NodeJS.ErrnoException => Object.assign(new Error(message), { code, syscall: 'listen' });
  const problems = (error: unknown): unknown => (isAdvisorError(error, 'CONFIG_INVALID') ? error.details['problems'] : error);

  it.each(['PORT', 'HEALTH_PORT'])('names %s for a port in use or one that needs privileges, and says what to do', (setting) => {
    expect(problems(listenProblem(setting, 8080, failure('EADDRINUSE')))).toEqual([
      `${setting}: port 8080 is already in use (another replica or program listens there); pick a free port`,
    ]);
    expect(problems(listenProblem(setting, 80, failure('EACCES')))).toEqual([
      `${setting}: this process may not listen on port 80 (ports below 1024 need privileges); pick a port above 1023`,
    ]);
  });

  it('names the setting for any other listening failure, and leaves other errors alone', () => {
    expect(problems(listenProblem('HEALTH_PORT', 8081, failure('EADDRNOTAVAIL', 'listen EADDRNOTAVAIL')))).toEqual([
      'HEALTH_PORT: port 8081 cannot be listened on (listen EADDRNOTAVAIL); pick another port',
    ]);
    const other = new Error('something else');
    expect(listenProblem('PORT', 3000, other)).toBe(other);
  });
});
