/**
 * A real Bolt app on 127.0.0.1, wired to the Web API stand-in and a fresh
 * session store (in-memory SQLite, or PostgreSQL with
 * ADVISOR_TEST_STORE=postgres: tests/support/test-store.ts) through the real
 * turn layer and core, plus a
 * signed-request client. Nothing leaves the machine: the app's Web API client
 * points at the stand-in, and `response_url`s point at it too.
 *
 * The app answers Slack right after a turn's commit and sends the turn's
 * messages afterwards; the rig's `client` waits for that work too (`turns.idle()`)
 * after every response, so a test reads "after the response, the work is done".
 * `rawClient` does not wait.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadKnowledge, type Knowledge } from '../../../src/knowledge/load.ts';
import type { Session, SessionKey } from '../../../src/conversation/types.ts';
import type { Logger } from '../../../src/logger.ts';
import type { SessionStore } from '../../../src/sessions/store.ts';
import { openTestStore } from '../../support/test-store.ts';
import type { SlackLive } from '../../../adapters/slack/port.ts';
import { SLACK_EVENTS_PATH, startSlack, type RunningSlack } from '../../../adapters/slack/start.ts';
import type { TurnService } from '../../../src/turns/service.ts';
import { SignedSlackClient, type SendOptions, type SlackHttpResponse } from './signer.ts';
import { SlackWebApiStandIn } from './web-api-stand-in.ts';
import { SocketModeStandIn } from './socket-mode-stand-in.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-bot-token';
export const APP_TOKEN = 'xapp-test-app-token';

let knowledgeCache: Knowledge | undefined;
export function testKnowledge(): Knowledge {
  knowledgeCache ??= loadKnowledge();
  return knowledgeCache;
}

export interface LogEntry {
  level: number;
  msg?: string;
  [field: string]: unknown;
}

/** A pino logger that keeps its JSON lines in memory, so tests can check what was logged. */
export function capturingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) entries.push(JSON.parse(line) as LogEntry);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), entries };
}

function assertWithinLimits(webApi: SlackWebApiStandIn): void {
  if (webApi.limitViolations.length > 0) {
    throw new Error(`messages broke Block Kit limits:\n${webApi.limitViolations.join('\n')}`);
  }
}

/** A signed client whose requests resolve once the app has also sent what the request's turn queued. */
export class SettlingSlackClient extends SignedSlackClient {
  constructor(
    endpoint: string,
    signingSecret: string,
    private readonly turns: TurnService<SlackLive>,
  ) {
    super(endpoint, signingSecret);
  }

  override async send(rawBody: string, contentType: string, options: SendOptions = {}): Promise<SlackHttpResponse> {
    const response = await super.send(rawBody, contentType, options);
    await this.turns.idle();
    return response;
  }
}

export interface HttpRig {
  webApi: SlackWebApiStandIn;
  turns: TurnService<SlackLive>;
  store: SessionStore;
  /** Resolves after the response and the work behind it. */
  client: SignedSlackClient;
  /** Resolves at the response. */
  rawClient: SignedSlackClient;
  endpoint: string;
  logs: LogEntry[];
  stop(): Promise<void>;
}

export interface HttpRigOptions {
  /** The turn layer's clock (default Date.now), to expire sessions or reach a retry time in a test. */
  clock?: () => number;
}

export const SESSION_TTL_MS = 3_600_000;

/** The stored session of a key, or undefined. */
export async function storedSession(store: SessionStore, key: SessionKey): Promise<Session | undefined> {
  return (await store.load(key))?.session;
}

/** Starts the stand-in and a real Bolt app in HTTP mode (signature verification on) on 127.0.0.1. */
export async function startHttpRig(options: HttpRigOptions = {}): Promise<HttpRig> {
  const webApi = await SlackWebApiStandIn.start();
  const { logger, entries } = capturingLogger();
  const store = await openTestStore({ callerClock: options.clock !== undefined });
  const running: RunningSlack = await startSlack({
    config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0, apiUrl: webApi.apiUrl },
    store,
    knowledge: testKnowledge(),
    ttlMs: SESSION_TTL_MS,
    ...(options.clock ? { clock: options.clock } : {}),
    logger,
    host: '127.0.0.1',
    botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId },
  });
  const endpoint = `http://127.0.0.1:${running.port}${SLACK_EVENTS_PATH}`;
  return {
    webApi,
    turns: running.turns,
    store,
    client: new SettlingSlackClient(endpoint, SIGNING_SECRET, running.turns),
    rawClient: new SignedSlackClient(endpoint, SIGNING_SECRET),
    endpoint,
    logs: entries,
    /** Stops everything; rejects when any message the app sent broke a Block Kit limit. */
    async stop() {
      await running.stop();
      await store.close();
      await webApi.close();
      assertWithinLimits(webApi);
    },
  };
}

export interface SocketRig {
  webApi: SlackWebApiStandIn;
  socket: SocketModeStandIn;
  turns: TurnService<SlackLive>;
  store: SessionStore;
  stop(): Promise<void>;
}

/** Starts the stand-ins and a real Bolt app in Socket Mode connected to the WebSocket stand-in. */
export async function startSocketRig(): Promise<SocketRig> {
  const webApi = await SlackWebApiStandIn.start();
  const socket = await SocketModeStandIn.start();
  webApi.socketModeUrl = socket.url;
  const { logger } = capturingLogger();
  const store = await openTestStore();
  const running = await startSlack({
    config: { botToken: BOT_TOKEN, appToken: APP_TOKEN, port: 0, apiUrl: webApi.apiUrl },
    store,
    knowledge: testKnowledge(),
    ttlMs: SESSION_TTL_MS,
    logger,
    socketAutoReconnect: false,
    botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId },
  });
  await socket.connected();
  return {
    webApi,
    socket,
    turns: running.turns,
    store,
    async stop() {
      await running.stop();
      await socket.close();
      await store.close();
      await webApi.close();
      assertWithinLimits(webApi);
    },
  };
}
