/**
 * The Bolt app: Socket Mode when an app-level token is configured (no public
 * URL needed), otherwise HTTP mode on `/slack/events` for commands, actions and
 * events alike, with Slack's request signatures verified.
 *
 * Both modes use receivers of our own, so that Slack's answer leaves only once
 * the listener has committed the turn (listeners.ts): in HTTP mode with
 * `processBeforeResponse: true` (the response is sent when the listener
 * returns, right after the commit; the Web API calls follow), in Socket Mode
 * by acknowledging the envelope after processing (socket-receiver.ts).
 */
import { App } from '@slack/bolt';
import type { SlackConfig } from '../../src/config.ts';
import { AdvisorError } from '../../src/errors.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { Logger } from '../../src/logger.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { TurnService } from '../../src/turns/service.ts';
import { boltLevelFor, boltLogger } from './bolt-logger.ts';
import { registerListeners } from './listeners.ts';
import { SlackPort, type SlackLive } from './port.ts';
import { SlackHttpReceiver } from './receiver.ts';
import { SlackSocketReceiver } from './socket-receiver.ts';
import { COMMAND } from './wording.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
export const DEFAULT_COMMAND = COMMAND;

export interface BotIdentity {
  botId: string;
  botUserId: string;
}

export interface SlackTurnsOptions {
  config: SlackConfig;
  store: SessionStore;
  knowledge: Knowledge;
  logger: Logger;
  /** Idle time after which an interview expires. */
  ttlMs: number;
  clock?: () => number;
}

/** The turn layer wired to Slack: the port renders operations into Web API calls. */
export function createSlackTurns(options: SlackTurnsOptions): { turns: TurnService<SlackLive>; port: SlackPort } {
  const logger = options.logger.child({ platform: 'slack' });
  const port = new SlackPort({ botToken: options.config.botToken, logger, ...(options.config.apiUrl ? { apiUrl: options.config.apiUrl } : {}) });
  const turns = new TurnService<SlackLive>({
    store: options.store,
    knowledge: options.knowledge,
    port,
    logger,
    ttlMs: options.ttlMs,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { turns, port };
}

export interface SlackAppOptions {
  config: SlackConfig;
  turns: TurnService<SlackLive>;
  logger: Logger;
  /** The bot's ids. When given, Bolt makes no `auth.test` call (startSlack looks them up once). */
  botIdentity?: BotIdentity;
  /** Socket Mode: reconnect when the connection drops (default true). */
  socketAutoReconnect?: boolean;
}

export interface SlackApp {
  app: App;
  mode: 'socket' | 'http';
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, turns, logger } = options;
  const log = logger.child({ platform: 'slack' });
  const identity = options.botIdentity;
  const common = {
    token: config.botToken,
    // Bolt's per-conversation memory store is unused here (state lives in the session store) and would only grow.
    convoStore: false as const,
    logger: boltLogger(log),
    logLevel: boltLevelFor(log),
    clientOptions: config.apiUrl ? { slackApiUrl: config.apiUrl } : {},
    ...(identity ? { tokenVerificationEnabled: false, botId: identity.botId, botUserId: identity.botUserId } : {}),
  };

  let app: App;
  if (config.appToken) {
    const receiver = new SlackSocketReceiver({
      appToken: config.appToken,
      logger: log,
      ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
      autoReconnect: options.socketAutoReconnect ?? true,
    });
    app = new App({ ...common, receiver });
  } else {
    if (!config.signingSecret) {
      const problem = 'SLACK_SIGNING_SECRET: missing; HTTP mode (no SLACK_APP_TOKEN) verifies every request with it';
      throw new AdvisorError('CONFIG_INVALID', `Configuration problem:\n  - ${problem}`, { problems: [problem] });
    }
    // Our receiver, not Bolt's HTTPReceiver: it refuses malformed, oversized and future-dated requests (receiver.ts).
    const receiver = new SlackHttpReceiver({
      signingSecret: config.signingSecret,
      path: SLACK_EVENTS_PATH,
      port: config.port,
      // The response waits for the listener, which returns right after its commit: acknowledged means saved.
      processBeforeResponse: true,
      logger: log,
    });
    app = new App({ ...common, receiver });
  }

  registerListeners(app, { turns, log });
  return { app, mode: config.appToken ? 'socket' : 'http' };
}
