/**
 * A real Bolt app on 127.0.0.1, wired to the Web API stand-in and an in-memory
 * SQLite session store through the real core, plus a signed-request client.
 * Nothing leaves the machine: the app's Web API client points at the stand-in
 * (`clientOptions.slackApiUrl`), and `response_url`s point at it too.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadKnowledge, type Knowledge } from '../../../src/knowledge/load.ts';
import type { Logger } from '../../../src/logger.ts';
import { ConversationService } from '../../../src/sessions/service.ts';
import { SqliteSessionStore } from '../../../src/sessions/sqlite-store.ts';
import { createSlackApp, SLACK_EVENTS_PATH } from '../../../adapters/slack/app.ts';
import { startSlack, type RunningSlack } from '../../../adapters/slack/start.ts';
import { SignedSlackClient } from './signer.ts';
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

export interface HttpRig {
  webApi: SlackWebApiStandIn;
  service: ConversationService;
  store: SqliteSessionStore;
  client: SignedSlackClient;
  endpoint: string;
  logs: LogEntry[];
  stop(): Promise<void>;
}

export interface HttpRigOptions {
  /** Default true: a request's HTTP response comes after the listener's work, so assertions are deterministic. */
  processBeforeResponse?: boolean;
  /** Default 0: a failing Web API call fails at once. */
  webApiRetries?: number;
  /** The session service's clock (default Date.now), to expire sessions in a test. */
  clock?: () => number;
}

export const SESSION_TTL_MS = 3_600_000;

function newService(logger: Logger, clock?: () => number): { service: ConversationService; store: SqliteSessionStore } {
  const store = SqliteSessionStore.open(':memory:');
  const service = new ConversationService({ store, knowledge: testKnowledge(), logger, ttlMs: SESSION_TTL_MS, ...(clock ? { clock } : {}) });
  return { service, store };
}

/** Starts the stand-in and a real Bolt app in HTTP mode (signature verification on) on 127.0.0.1. */
export async function startHttpRig(options: HttpRigOptions = {}): Promise<HttpRig> {
  const webApi = await SlackWebApiStandIn.start();
  const { logger, entries } = capturingLogger();
  const { service, store } = newService(logger, options.clock);
  const running: RunningSlack = await startSlack({
    config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, port: 0, apiUrl: webApi.apiUrl },
    service,
    logger,
    host: '127.0.0.1',
    processBeforeResponse: options.processBeforeResponse ?? true,
    webApiRetries: options.webApiRetries ?? 0,
    botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId },
  });
  const endpoint = `http://127.0.0.1:${running.port}${SLACK_EVENTS_PATH}`;
  return {
    webApi,
    service,
    store,
    client: new SignedSlackClient(endpoint, SIGNING_SECRET),
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
  service: ConversationService;
  store: SqliteSessionStore;
  stop(): Promise<void>;
}

/** Starts the stand-ins and a real Bolt app in Socket Mode connected to the WebSocket stand-in. */
export async function startSocketRig(): Promise<SocketRig> {
  const webApi = await SlackWebApiStandIn.start();
  const socket = await SocketModeStandIn.start();
  webApi.socketModeUrl = socket.url;
  const { logger } = capturingLogger();
  const { service, store } = newService(logger);
  const { app } = createSlackApp({
    config: { botToken: BOT_TOKEN, appToken: APP_TOKEN, port: 0, apiUrl: webApi.apiUrl },
    service,
    logger,
    webApiRetries: 0,
    socketAutoReconnect: false,
    botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId },
  });
  await app.start();
  await socket.connected();
  return {
    webApi,
    socket,
    service,
    store,
    async stop() {
      await app.stop();
      await socket.close();
      await store.close();
      await webApi.close();
      assertWithinLimits(webApi);
    },
  };
}
