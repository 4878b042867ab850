/**
 * A local stand-in for the Slack Web API: a node:http server on 127.0.0.1 that
 * records every call (method name and parsed body, form or JSON), answers the
 * methods the advisor uses the way Slack does, and can be told to fail a method
 * with a Slack error, a rate limit (HTTP 429 + Retry-After) or an HTTP 5xx.
 *
 * It also records what apps POST to `response_url`s (`responseUrl(id)` hands out
 * URLs on this server), so `respond()` never leaves the machine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { blockKitViolations } from './block-kit-rules.ts';

export type JsonObject = Record<string, unknown>;

export interface RecordedCall {
  /** Web API method, e.g. `chat.postMessage`. */
  method: string;
  /** The parsed body: form fields (JSON-looking values such as `blocks` are parsed) or the JSON body. */
  body: JsonObject;
  /** The bearer token the call carried (header or `token` field). */
  token: string | undefined;
  /** How the stand-in answered. */
  status: number;
  response: JsonObject;
}

export interface RecordedResponse {
  /** The id passed to `responseUrl(id)`. */
  id: string;
  body: JsonObject;
}

export type Failure =
  /** `{ ok: false, error }` with HTTP 200, as Slack answers most errors (`not_in_channel`, `channel_not_found`, ...). */
  | { kind: 'slack_error'; error: string }
  /** HTTP 429 with `Retry-After` (seconds) and `{ ok: false, error: 'ratelimited' }`. */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** An HTTP error status (500, 503, ...). */
  | { kind: 'http_error'; status: number }
  /** Slack applies the call (the message is posted) but its answer is lost: the app sees an HTTP 500. */
  | { kind: 'lost_answer' };

interface PlannedFailure {
  failure: Failure;
  /** How many more calls fail; Infinity for always. */
  remaining: number;
  /** Calls that still succeed before the failures begin. */
  after: number;
}

export interface StandInOptions {
  teamId?: string;
  botUserId?: string;
  botId?: string;
}

/** Slack-like message timestamps: seconds.micros, strictly increasing. */
function createTsClock(): () => string {
  let counter = 0;
  return () => {
    counter += 1;
    return `1700000000.${String(counter).padStart(6, '0')}`;
  };
}

function parseJsonLike(value: string): unknown {
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}

function parseBody(raw: string, contentType: string | undefined): JsonObject {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : { value: parsed };
  }
  const form = parseQuery(raw);
  const body: JsonObject = {};
  for (const [key, value] of Object.entries(form)) {
    body[key] = typeof value === 'string' ? parseJsonLike(value) : value;
  }
  return body;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function bearerToken(request: IncomingMessage, body: JsonObject): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
  return typeof body['token'] === 'string' ? body['token'] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A message as Slack keeps it (what conversations.history and conversations.replies return). */
export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs: string | undefined;
  text: string;
  blocks: unknown;
  metadata: unknown;
}

export class SlackWebApiStandIn {
  readonly calls: RecordedCall[] = [];
  /** Every message posted, in order: Slack's state, kept across `reset()`. */
  readonly messages: StoredMessage[] = [];
  readonly responses: RecordedResponse[] = [];
  /** Block Kit limit violations found in any message sent here (checked like Slack would refuse them). */
  readonly limitViolations: string[] = [];
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  /** The URL `apps.connections.open` answers with (set by the Socket Mode stand-in). */
  socketModeUrl: string | undefined;

  private readonly server: Server;
  private readonly failures = new Map<string, PlannedFailure>();
  private readonly gates = new Map<string, Promise<void>>();
  private readonly waitingCounters = new Map<string, () => void>();
  private readonly nextTs = createTsClock();
  private readonly waiters = new Set<() => void>();
  private port = 0;

  private constructor(options: StandInOptions) {
    this.teamId = options.teamId ?? 'T0TEAM';
    this.botUserId = options.botUserId ?? 'U0ADVISOR';
    this.botId = options.botId ?? 'B0ADVISOR';
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
    });
  }

  static async start(options: StandInOptions = {}): Promise<SlackWebApiStandIn> {
    const standIn = new SlackWebApiStandIn(options);
    await new Promise<void>((resolve, reject) => {
      standIn.server.once('error', reject);
      standIn.server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
    });
    standIn.port = (standIn.server.address() as AddressInfo).port;
    return standIn;
  }

  /** The Web API base URL to give the client as `slackApiUrl`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A `response_url` on this server; what is posted to it is recorded under `id`. */
  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/respond/${encodeURIComponent(id)}`;
  }

  /** Makes the next `times` calls to `method` fail (default: every call from now on), once `after` more have succeeded. */
  fail(method: string, failure: Failure, times = Number.POSITIVE_INFINITY, after = 0): void {
    this.failures.set(method, { failure, remaining: times, after });
  }

  /**
   * Holds every call to `method` unanswered until `release()` (they are recorded
   * only when answered). Lets a test prove that a request was acknowledged while
   * its work was still waiting on Slack.
   */
  hold(method: string): { release: () => void; waiting: () => number } {
    let release!: () => void;
    let waiting = 0;
    const gate = new Promise<void>((resolve) => {
      release = () => {
        this.gates.delete(method);
        resolve();
      };
    });
    this.gates.set(method, gate.then(() => undefined));
    this.waitingCounters.set(method, () => {
      waiting += 1;
      this.notify();
    });
    return { release, waiting: () => waiting };
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /** Every recorded call to `method`, in order. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** The methods called, in order: a compact picture of what the app did. */
  methods(): string[] {
    return this.calls.map((call) => call.method);
  }

  /** Forgets what was recorded so far (failures stay). */
  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
  }

  /**
   * Resolves once `condition` holds (checked after every recorded call), for
   * flows where the app works after its acknowledgement (Socket Mode).
   * The timeout is only a safety net against a hanging test.
   */
  waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`stand-in: condition not met within ${timeoutMs} ms; calls so far: ${this.methods().join(', ')}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(request);
    const body = parseBody(raw, request.headers['content-type']);

    if (url.pathname.startsWith('/respond/')) {
      for (const problem of blockKitViolations(body)) this.limitViolations.push(`response_url: ${problem}`);
      this.responses.push({ id: decodeURIComponent(url.pathname.slice('/respond/'.length)), body });
      this.send(response, 200, { ok: true });
      this.notify();
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      this.send(response, 404, { ok: false, error: 'not_found' });
      return;
    }

    const method = url.pathname.slice('/api/'.length);
    if (body['blocks'] !== undefined) {
      for (const problem of blockKitViolations(body)) this.limitViolations.push(`${method}: ${problem}`);
    }
    const gate = this.gates.get(method);
    if (gate) {
      this.waitingCounters.get(method)?.();
      await gate;
    }
    const { status, payload, headers } = this.answer(method, body);
    this.calls.push({ method, body, token: bearerToken(request, body), status, response: payload });
    this.send(response, status, payload, headers);
    this.notify();
  }

  private answer(method: string, body: JsonObject): { status: number; payload: JsonObject; headers?: Record<string, string> } {
    const planned = this.failures.get(method);
    if (planned && planned.after > 0) planned.after -= 1;
    else if (planned && planned.remaining > 0) {
      planned.remaining -= 1;
      const { failure } = planned;
      switch (failure.kind) {
        case 'slack_error':
          return { status: 200, payload: { ok: false, error: failure.error } };
        case 'rate_limited':
          return {
            status: 429,
            payload: { ok: false, error: 'ratelimited' },
            headers: { 'retry-after': String(failure.retryAfterSeconds) },
          };
        case 'http_error':
          return { status: failure.status, payload: { ok: false, error: 'internal_error' } };
        case 'lost_answer':
          this.success(method, body);
          return { status: 500, payload: { ok: false, error: 'internal_error' } };
      }
    }
    return { status: 200, payload: this.success(method, body) };
  }

  private success(method: string, body: JsonObject): JsonObject {
    const channel = text(body['channel']) ?? 'C0UNKNOWN';
    switch (method) {
      case 'chat.postMessage': {
        const ts = this.nextTs();
        this.messages.push({ channel, ts, threadTs: text(body['thread_ts']), text: text(body['text']) ?? '', blocks: body['blocks'], metadata: body['metadata'] });
        return {
          ok: true,
          channel,
          ts,
          message: { type: 'message', user: this.botUserId, bot_id: this.botId, text: body['text'], ts, thread_ts: body['thread_ts'] },
        };
      }
      case 'chat.update': {
        // Slack replaces what is given: the text, and the blocks when they are sent.
        // (Tests that click messages of their own making update nothing recorded; Slack would say message_not_found.)
        const stored = this.messages.find((m) => m.channel === channel && m.ts === body['ts']);
        if (stored) {
          stored.text = text(body['text']) ?? stored.text;
          if (body['blocks'] !== undefined) stored.blocks = body['blocks'];
        }
        return { ok: true, channel, ts: body['ts'], text: body['text'] };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink': {
        const ts = text(body['message_ts']) ?? '';
        return { ok: true, channel, permalink: `https://advisor-test.slack.com/archives/${channel}/p${ts.replace('.', '')}` };
      }
      case 'conversations.history': {
        // Newest first, top-level messages only, as Slack answers.
        const found = this.messages.filter((m) => m.channel === channel && m.threadTs === undefined).reverse();
        return this.page(found, body);
      }
      case 'conversations.replies': {
        // The parent, then its replies, oldest first.
        const ts = text(body['ts']);
        const found = this.messages.filter((m) => m.channel === channel && (m.ts === ts || m.threadTs === ts));
        return this.page(found, body);
      }
      case 'conversations.info':
        return { ok: true, channel: { id: channel, name: `name-of-${channel}`, is_member: true } };
      case 'apps.connections.open':
        return this.socketModeUrl ? { ok: true, url: this.socketModeUrl } : { ok: false, error: 'socket_mode_not_configured' };
      case 'auth.test':
        return { ok: true, url: 'https://advisor-test.slack.com/', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId };
      case 'views.open':
        return { ok: true, view: { id: 'V0VIEW' } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /**
   * One page of a listing, as Slack pages: `limit` (default 100) messages from the opaque `cursor` on, and the next
   * cursor when more remain. `oldest`/`latest` bound it (`inclusive` keeps their own ts); a thread's parent is always listed.
   */
  private page(all: StoredMessage[], body: JsonObject): JsonObject {
    const inclusive = body['inclusive'] === true || body['inclusive'] === 'true';
    const oldest = text(body['oldest']);
    const latest = text(body['latest']);
    const inRange = (m: StoredMessage): boolean =>
      m.ts === text(body['ts']) ||
      ((oldest === undefined || (inclusive ? m.ts >= oldest : m.ts > oldest)) && (latest === undefined || (inclusive ? m.ts <= latest : m.ts < latest)));
    const found = all.filter(inRange);
    const limit = Math.max(1, Math.min(1000, Number(text(body['limit']) ?? 100) || 100));
    const from = Number(/^page-(\d+)$/.exec(text(body['cursor']) ?? '')?.[1] ?? 0);
    const next = from + limit < found.length ? `page-${from + limit}` : '';
    return { ok: true, messages: found.slice(from, from + limit).map((m) => this.asListed(m, body)), has_more: next !== '', response_metadata: { next_cursor: next } };
  }

  private asListed(message: StoredMessage, body: JsonObject): JsonObject {
    const metadata = body['include_all_metadata'] === true || body['include_all_metadata'] === 'true' ? message.metadata : undefined;
    return {
      type: 'message',
      user: this.botUserId,
      bot_id: this.botId,
      ts: message.ts,
      text: message.text,
      ...(Array.isArray(message.blocks) ? { blocks: message.blocks } : {}),
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      ...(metadata ? { metadata } : {}),
    };
  }

  private send(response: ServerResponse, status: number, payload: JsonObject, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(payload));
  }
}
