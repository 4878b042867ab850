/**
 * HTTP mode's receiver: Slack's requests on one path, checked at the edge
 * before Bolt sees them, then handed to `app.processEvent` with an `ack` this
 * receiver controls.
 *
 * Why not Bolt's HTTPReceiver: it dereferences the parsed body before any hook
 * (a signed `payload=null` is an unhandled rejection that ends the process),
 * refuses only stale timestamps (not future ones), and answers a body its
 * routing cannot read (`actions: null`, no `user`) with a 500. This receiver
 * does the HTTP part itself and keeps Bolt for signatures (`verifySlackRequest`)
 * and everything after `processEvent`. Each refusal is one log line saying why:
 * - 413: the body passed MAX_BODY_BYTES (reading stops there);
 * - 401: no or a wrong signature, or a timestamp over five minutes from now, either way;
 * - 400: a signed body that is not the shape Slack sends (checked with zod).
 *
 * Always as Bolt's `processBeforeResponse`: `ack()` stores the answer and the
 * response leaves once the listener has finished, so a listener's commit
 * precedes Slack's 200; if processing then fails, Slack gets a 500 and retries.
 * It also answers `GET /healthz` (adapters/health.ts). `stop()` is graceful: the port closes, a request
 * still arriving gets 503, and it resolves once the requests being processed have their answers.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ListenOptions } from 'node:net';
import { parse as parseForm } from 'node:querystring';
import { ReceiverInconsistentStateError, verifySlackRequest, type Receiver } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../src/logger.ts';
import { answerHealth, isHealthRequest, type HealthCheck } from '../health.ts';
import { within } from '../shutdown.ts';
import { AppReceiver, type Processed } from './bolt.ts';

/**
 * The largest body read. Slack's biggest payloads (block_actions carrying a
 * whole message, a modal's view), percent-encoded into a form, come to a few
 * hundred KB at worst; 1 MiB leaves headroom (Bolt's default is 4 MB).
 */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Slack's replay window, applied both ways: a timestamp ahead of our clock is no fresher than a stale one. */
const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/** Like Bolt: a request no listener acknowledged in 3 s is answered 404 (Slack has given up by then). */
const NO_ACK_TIMEOUT_MS = 3_001;
/** How long `stop()` waits for the requests in progress. */
const STOP_WAIT_MS = 5_000;
const FORM = 'application/x-www-form-urlencoded';

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  /** The one path Slack posts to (commands, interactivity and events alike). */
  path: string;
  /** Default port for `start()`; `start({ port, host })` overrides it. */
  port: number;
  logger: Logger;
  maxBodyBytes?: number;
  /** Answers `GET /healthz` when set. */
  health?: HealthCheck;
}

/** A request answered with a 4xx; `context` says what failed, for the log line. */
class Refusal extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 413,
    readonly reason: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(reason);
  }
}

/** The client went away before its body ended: nobody to answer. */
class ClientGone extends Error {}

// Envelope shapes: only what Bolt's routing (App.processEvent) reads before any listener
// runs, plus what Slack always sends. Listeners still parse their own payloads (inbound.ts).

const someId = z.string().min(1);
const anObject = z.looseObject({});

const commandShape = z.looseObject({ command: someId, user_id: someId, channel_id: someId, team_id: someId });

const interactivityShape = z.looseObject({
  type: someId,
  // Bolt reads user.id (and user.team_id when team is null, as with org-wide installs).
  user: z.looseObject({ id: someId }),
  team: anObject.nullish(),
  // Bolt reads channel.id whenever channel is present, and actions[0] as the action.
  channel: anObject.optional(),
  actions: z.array(anObject).optional(),
});
const blockActionsShape = interactivityShape.extend({
  type: z.literal('block_actions'),
  actions: z.array(z.looseObject({ action_id: someId })).min(1),
});
const viewShape = interactivityShape.extend({ view: anObject });

const eventsShape = z
  .looseObject({
    type: someId,
    // Bolt looks into event.channel / event.user / event.item with `in`, which throws on null or a string item.
    event: z
      .looseObject({
        type: someId,
        channel: z.union([z.string(), anObject]).optional(),
        user: z.union([z.string(), anObject]).optional(),
        item: anObject.optional(),
      })
      .optional(),
    authorizations: z.array(anObject).optional(),
  })
  .refine((body) => body.type !== 'event_callback' || body.event !== undefined, { message: 'event_callback without an event', path: ['event'] });

type SlackBody = Record<string, unknown>;

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 5).map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

function check(schema: z.ZodType, value: unknown, what: string): SlackBody {
  const result = schema.safeParse(value);
  if (!result.success) throw new Refusal(400, `${what} does not have the shape Slack sends`, { issues: issuesOf(result.error) });
  return value as SlackBody;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Refusal(400, `${what} is not JSON`, { error: error instanceof Error ? error.message : String(error) });
  }
}

function interactivityBody(payload: string | string[]): SlackBody {
  if (typeof payload !== 'string') throw new Refusal(400, 'the form has more than one payload field');
  const parsed = parseJson(payload, 'the interactivity payload');
  const type = check(z.looseObject({ type: someId }), parsed, 'the interactivity payload')['type'];
  if (type === 'block_actions') return check(blockActionsShape, parsed, 'the block_actions payload');
  if (type === 'view_submission' || type === 'view_closed') return check(viewShape, parsed, `the ${type} payload`);
  return check(interactivityShape, parsed, `the ${String(type)} payload`);
}

/** The body Bolt is given: a command's form fields, an interactivity form's payload JSON, or an Events API JSON body. */
function parseSlackBody(mediaType: string, text: string): SlackBody {
  if (mediaType === FORM) {
    const form = parseForm(text);
    if (form['payload'] !== undefined) return interactivityBody(form['payload']);
    return check(commandShape, form, 'the slash command');
  }
  // Like Bolt, anything that is not a form is read as JSON (Slack sends application/json).
  return check(eventsShape, parseJson(text, 'the body'), 'the event body');
}

/** Reads the body, refusing with 413 as soon as it passes `limit`: reading stops and nothing more is kept. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new Refusal(413, 'the declared body size is over the limit', { limit, declared }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (): void => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        settle();
        request.pause();
        reject(new Refusal(413, 'the body is over the size limit', { limit, received: size }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      settle();
      resolve(Buffer.concat(chunks, size));
    };
    // A stream error here is the connection failing (e.g. "aborted"); either way the client is gone.
    const onError = (error: Error): void => {
      settle();
      reject(new ClientGone(error.message));
    };
    const onClose = (): void => onError(new Error('the client closed the connection before the body ended'));
    request.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function retryNumOf(request: IncomingMessage): number | undefined {
  const value = singleHeader(request, 'x-slack-retry-num');
  return value !== undefined && /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}

/** Writes a response unless one already left (a late ack, a client gone). */
function send(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  if (body === undefined || body === '' || body === null) {
    response.writeHead(status, headers).end();
  } else if (typeof body === 'string') {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
  } else {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }
}

export class SlackHttpReceiver extends AppReceiver implements Receiver {
  private server: Server | undefined;
  private readonly log: Logger;
  private readonly maxBodyBytes: number;
  /** Set by `stop()`: new requests are refused with 503, the ones in progress finish. */
  private draining = false;
  private readonly inProgress = new Set<ServerResponse>();
  private onIdle: (() => void) | undefined;

  constructor(private readonly options: SlackHttpReceiverOptions) {
    super();
    this.log = options.logger.child({ component: 'http-receiver' });
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  async start(listen: number | string | ListenOptions = this.options.port): Promise<Server> {
    if (this.server) throw new ReceiverInconsistentStateError('The Slack receiver is already started.');
    const server = createServer((request, response) => {
      if (this.draining) {
        this.log.info({ method: request.method, url: request.url }, 'refused a request: shutting down');
        return send(response, 503, undefined, { connection: 'close', 'retry-after': '1' });
      }
      this.inProgress.add(response);
      response.once('close', () => this.finished(server, response));
      this.handle(request, response).catch((error: unknown) => this.onUnexpected(error, request, response));
    });
    const options: ListenOptions = typeof listen === 'object' ? listen : { port: Number(listen) };
    this.server = server;
    this.draining = false;
    server.listen(options);
    try {
      await once(server, 'listening');
    } catch (error) {
      this.server = undefined;
      throw error;
    }
    server.on('error', (error) => this.log.error({ err: error }, 'the Slack HTTP server failed'));
    return server;
  }

  /** Stops listening, refuses new requests, and resolves once the requests in progress are answered and their connections closed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) throw new ReceiverInconsistentStateError('The Slack receiver is not started.');
    this.server = undefined;
    this.draining = true;
    const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    if (this.inProgress.size > 0) {
      this.log.info({ inProgress: this.inProgress.size }, 'stopping: finishing the Slack requests in progress');
      // Their answers close their connections (`Connection: close`), so nothing new arrives on them.
      for (const response of this.inProgress) response.shouldKeepAlive = false;
      const idle = new Promise<void>((resolve) => {
        this.onIdle = resolve;
      });
      // A request is answered within Slack's 3 s (or 404 after NO_ACK_TIMEOUT_MS); one still open after this never will be (a body that never ends).
      if (!(await within(idle, STOP_WAIT_MS))) {
        this.log.warn({ inProgress: this.inProgress.size, waitedMs: STOP_WAIT_MS }, 'stopping: closing connections whose requests did not finish');
        server.closeAllConnections();
      }
    }
    // Keep-alive connections with nothing in progress would otherwise hold `close` open until they time out.
    server.closeIdleConnections();
    await closed;
  }

  /** A response ended (sent, or its client gone). */
  private finished(server: Server, response: ServerResponse): void {
    this.inProgress.delete(response);
    if (!this.draining) return;
    server.closeIdleConnections();
    if (this.inProgress.size === 0) this.onIdle?.();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const where = { method: request.method, path: pathname, contentType: singleHeader(request, 'content-type') };
    if (this.options.health && isHealthRequest(request)) return answerHealth(this.options.health, request, response);
    try {
      if (request.method !== 'POST' || pathname !== this.options.path) throw new Refusal(404, 'no Slack endpoint here');
      const raw = await readBody(request, this.maxBodyBytes);
      const text = raw.toString('utf8');
      const mediaType = (singleHeader(request, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      // Slack's unsigned connectivity probe for slash commands: answered, never dispatched (Bolt does the same).
      if (mediaType === FORM && parseForm(text)['ssl_check'] === '1') return send(response, 200);
      this.verify(request, text);
      const body = parseSlackBody(mediaType, text);
      if (body['type'] === 'url_verification') return send(response, 200, { challenge: String(body['challenge'] ?? '') });
      await this.dispatch(request, response, body);
    } catch (error) {
      if (error instanceof ClientGone) return this.log.info({ ...where, reason: error.message }, 'a Slack request was abandoned');
      if (!(error instanceof Refusal)) throw error;
      this.refuse(response, error, { ...where, bytes: Number(request.headers['content-length']) || undefined });
    }
  }

  /** Signature (HMAC over `v0:timestamp:body`, via Bolt) and a timestamp within five minutes of now, past or future. */
  private verify(request: IncomingMessage, text: string): void {
    const signature = singleHeader(request, 'x-slack-signature');
    const timestamp = singleHeader(request, 'x-slack-request-timestamp');
    if (signature === undefined || timestamp === undefined) throw new Refusal(401, 'the signature headers are missing');
    if (!/^\d{1,12}$/.test(timestamp)) throw new Refusal(401, 'the request timestamp is not a number of seconds');
    const skewSeconds = Number(timestamp) - Math.floor(Date.now() / 1000);
    if (Math.abs(skewSeconds) > MAX_CLOCK_SKEW_SECONDS) {
      throw new Refusal(401, skewSeconds > 0 ? 'the request timestamp is in the future' : 'the request timestamp is stale', { skewSeconds });
    }
    try {
      verifySlackRequest({
        signingSecret: this.options.signingSecret,
        body: text,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
      });
    } catch (error) {
      throw new Refusal(401, 'the signature does not match', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async dispatch(request: IncomingMessage, response: ServerResponse, body: SlackBody): Promise<void> {
    const noAck = setTimeout(() => {
      this.log.error({ type: body['type'] }, 'no listener acknowledged a Slack request within 3 seconds');
      send(response, 404);
    }, NO_ACK_TIMEOUT_MS);
    const retry = { retryNum: retryNumOf(request), retryReason: singleHeader(request, 'x-slack-retry-reason') };
    let processed: Processed;
    try {
      processed = await this.process(body, retry, () => clearTimeout(noAck));
    } finally {
      clearTimeout(noAck);
    }
    switch (processed.kind) {
      case 'unroutable':
        throw new Refusal(400, 'Bolt could not route the body', { type: body['type'], error: processed.error instanceof Error ? processed.error.message : String(processed.error) });
      case 'failed':
        // 500 (when the response has not left) so Slack retries rather than believing it done.
        this.log.error({ err: processed.error, type: body['type'], responded: response.headersSent }, 'processing a Slack request failed');
        return send(response, 500);
      case 'unacked':
        // processEvent awaits every listener, so nothing will acknowledge this any more.
        this.log.warn({ type: body['type'] }, 'no listener acknowledged a Slack request');
        return send(response, 404);
      case 'acked':
        return send(response, 200, processed.answer);
    }
  }

  private refuse(response: ServerResponse, refusal: Refusal, context: Record<string, unknown>): void {
    const level = refusal.status === 404 ? 'info' : 'warn';
    this.log[level]({ status: refusal.status, reason: refusal.reason, ...refusal.context, ...context }, 'refused a Slack request');
    // After a 413 the rest of the body is unread: close the connection rather than read it to reuse the socket.
    send(response, refusal.status, undefined, refusal.status === 413 ? { connection: 'close' } : {});
  }

  private onUnexpected(error: unknown, request: IncomingMessage, response: ServerResponse): void {
    this.log.error({ err: error, method: request.method, url: request.url }, 'unexpected failure while receiving a Slack request');
    send(response, 500);
  }
}
