/**
 * The health endpoint, `GET /healthz`: 200 with a small JSON body when the
 * session store answers a cheap query (`store.ping()`, a `SELECT 1`) in time,
 * 503 when it does not, and 503 once the process is shutting down (so a load
 * balancer stops sending it work before it goes).
 *
 * Slack in HTTP mode answers it on its own port (receiver.ts); otherwise
 * (Socket Mode, Discord only) `startHealthServer` serves it on HEALTH_PORT.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { configError } from '../src/config.ts';
import { isAdvisorError } from '../src/errors.ts';
import type { Logger } from '../src/logger.ts';
import type { SessionStore } from '../src/sessions/store.ts';

export const HEALTH_PATH = '/healthz';

export interface HealthBody {
  status: 'ok' | 'unavailable' | 'stopping';
  /** How long the store took to answer, in milliseconds. */
  storeMs?: number;
  /** Why the store is not healthy: an error code, or `timeout`. */
  error?: string;
}

export interface HealthReport {
  status: 200 | 503;
  body: HealthBody;
}

/** Runs the check; never rejects. */
export type HealthCheck = () => Promise<HealthReport>;

/** A store that has not answered in this long is reported unhealthy (a load balancer's own timeout is usually a few seconds). */
const PING_TIMEOUT_MS = 2_000;

export interface HealthCheckOptions {
  store: SessionStore;
  logger: Logger;
  /** True once shutdown began: the check then answers 503 without asking the store. */
  stopping?: () => boolean;
  timeoutMs?: number;
}

export function createHealthCheck(options: HealthCheckOptions): HealthCheck {
  const log = options.logger.child({ component: 'health' });
  const timeoutMs = options.timeoutMs ?? PING_TIMEOUT_MS;
  let failing = false;
  return async () => {
    if (options.stopping?.()) return { status: 503, body: { status: 'stopping' } };
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([options.store.ping().then(() => 'ok' as const), timeout]);
      if (outcome === 'timeout') return unhealthy('timeout', { timeoutMs });
      if (failing) log.info('the session store answers again');
      failing = false;
      return { status: 200, body: { status: 'ok', storeMs: Math.round((performance.now() - started) * 10) / 10 } };
    } catch (error) {
      return unhealthy(isAdvisorError(error) ? error.code : 'STORE_FAILURE', { err: error });
    } finally {
      clearTimeout(timer);
    }
  };

  function unhealthy(reason: string, context: Record<string, unknown>): HealthReport {
    // Once per outage at warn level: a load balancer polls every few seconds.
    if (!failing) log.warn({ ...context, reason }, 'health check failed: the session store does not answer');
    else log.debug({ ...context, reason }, 'health check failed again');
    failing = true;
    return { status: 503, body: { status: 'unavailable', error: reason } };
  }
}

/** True when `request` asks for the health endpoint (GET or HEAD). */
export function isHealthRequest(request: IncomingMessage): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  return new URL(request.url ?? '/', 'http://localhost').pathname === HEALTH_PATH;
}

/** Answers a health request with the check's verdict; never cached. */
export async function answerHealth(check: HealthCheck, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const report = await check();
  if (response.headersSent || response.destroyed) return;
  const body = JSON.stringify(report.body);
  response.writeHead(report.status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `/healthz` (and 404 for anything else) on `port`; resolves once it listens. */
export async function startHealthServer(options: { port: number; host?: string; check: HealthCheck; logger: Logger }): Promise<HealthServer> {
  const log = options.logger.child({ component: 'health' });
  const server: Server = createServer((request, response) => {
    if (!isHealthRequest(request)) {
      response.writeHead(404).end();
      return;
    }
    answerHealth(options.check, request, response).catch((error: unknown) => {
      log.error({ err: error }, 'answering a health request failed');
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, ...(options.host ? { host: options.host } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error({ err: error }, 'the health server failed'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log.info({ port, path: HEALTH_PATH }, 'health endpoint listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A port a server cannot listen on, as a configuration problem naming its setting (PORT, HEALTH_PORT) and what to
 * do; an error that is not about listening passes through unchanged.
 */
export function listenProblem(setting: string, port: number, error: unknown): unknown {
  const { code, syscall, message } = (error ?? {}) as Partial<NodeJS.ErrnoException>;
  const problem =
    code === 'EADDRINUSE'
      ? `port ${port} is already in use (another replica or program listens there); pick a free port`
      : code === 'EACCES'
        ? `this process may not listen on port ${port} (ports below 1024 need privileges); pick a port above 1023`
        : syscall === 'listen'
          ? `port ${port} cannot be listened on (${message ?? code}); pick another port`
          : undefined;
  return problem === undefined ? error : configError([`${setting}: ${problem}`], { cause: code });
}
