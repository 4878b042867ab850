/**
 * Starting the Slack platform for `npm start` (adapters/start.ts): looks the
 * bot up once (a wrong token stops start-up with a message naming it), wires
 * the turn layer to Slack, and starts the Bolt app: in Socket Mode when an
 * app-level token is configured (no public URL needed), else in HTTP mode on
 * `/slack/events` with Slack's request signatures verified.
 *
 * Both modes use receivers of our own (receiver.ts, socket-receiver.ts) that
 * answer Slack only once the listener has committed the turn (listeners.ts).
 * The outbox is swept for every platform by adapters/background.ts.
 */
import { App } from '@slack/bolt';
import { z } from 'zod';
import { configError, type SlackConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { TurnService, type TurnServiceOptions } from '../../src/turns/service.ts';
import { createHealthCheck, listenProblem, type HealthCheck } from '../health.ts';
import { settleSends } from '../shutdown.ts';
import { boltLevelFor, boltLogger } from './bolt.ts';
import { registerListeners } from './listeners.ts';
import { SlackPort, type SlackLive } from './port.ts';
import { SlackHttpReceiver } from './receiver.ts';
import { SlackSocketReceiver } from './socket-receiver.ts';
import { DEFAULT_API_URL, SlackCallError, SlackWebApi } from './web-api.ts';
import { COMMAND } from './wording.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
export const DEFAULT_COMMAND = COMMAND;

export interface BotIdentity {
  botId: string;
  botUserId: string;
}

export interface StartSlackOptions extends Pick<TurnServiceOptions<SlackLive>, 'store' | 'knowledge' | 'logger' | 'ttlMs' | 'clock'> {
  config: SlackConfig;
  /** HTTP mode: the interface to listen on (default: all). */
  host?: string;
  /** The bot's ids; looked up with auth.test when absent. */
  botIdentity?: BotIdentity;
  /** Socket Mode: reconnect when the connection drops (default true). */
  socketAutoReconnect?: boolean;
  /** HTTP mode answers `GET /healthz` with this check (default: a ping of `store`). */
  health?: HealthCheck;
}

export interface RunningSlack {
  name: 'slack';
  mode: 'socket' | 'http';
  /** HTTP mode: the port the receiver listens on. */
  port?: number;
  /** The turn layer behind the app (tests wait on `turns.idle()` and drive `turns.outbox.sweep()`). */
  turns: TurnService<SlackLive>;
  /**
   * Stops taking deliveries (sends go on); resolves once those in progress are answered, their turns committed.
   * HTTP mode: the port closes and a request still arriving gets 503. Socket Mode: then the connection closes.
   */
  stopIntake(): Promise<void>;
  /** Stops taking deliveries, waits (a few seconds at most) for sends in flight, and closes the Web API client. */
  stop(): Promise<void>;
}

export class SlackStartError extends Error {
  readonly code = 'SLACK_START_FAILED';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'SlackStartError';
  }
}

/** Slack's answers to auth.test that mean the token itself is wrong. */
const TOKEN_REFUSED = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'not_allowed_token_type']);
const AUTH_ATTEMPTS = 3;

const authSchema = z.looseObject({ bot_id: z.string().min(1).optional(), user_id: z.string().min(1).optional() });

/**
 * Looks the bot's ids up once (auth.test, tried again twice when Slack cannot
 * be reached). A token Slack refuses stops start-up with CONFIG_INVALID naming
 * SLACK_BOT_TOKEN; not reaching Slack at all is a SlackStartError.
 */
export async function lookUpBotIdentity(config: SlackConfig, logger: Logger): Promise<BotIdentity> {
  const api = new SlackWebApi({ botToken: config.botToken, apiUrl: config.apiUrl, logger });
  try {
    for (let attempt = 1; ; attempt++) {
      let answer: Record<string, unknown>;
      try {
        answer = await api.call('auth.test', {}, { form: true });
      } catch (failure) {
        // SlackWebApi.call fails only with a SlackCallError; anything else is a bug, not Slack's answer.
        if (!(failure instanceof SlackCallError)) throw failure;
        if (failure.slackError && TOKEN_REFUSED.has(failure.slackError)) {
          throw configError([`SLACK_BOT_TOKEN: Slack refused the bot token (${failure.slackError}); copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page`]);
        }
        if (failure.code === 'slack_unavailable' && attempt < AUTH_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
          continue;
        }
        const reason = failure.slackError ?? (failure.cause instanceof Error ? failure.cause.message : failure.code);
        throw new SlackStartError(`Could not check SLACK_BOT_TOKEN with Slack at ${config.apiUrl ?? DEFAULT_API_URL} (${reason})`, { cause: failure });
      }
      const ids = authSchema.parse(answer);
      if (!ids.bot_id || !ids.user_id) throw configError(['SLACK_BOT_TOKEN: this token belongs to no bot user; use the Bot User OAuth Token (xoxb-...)']);
      return { botId: ids.bot_id, botUserId: ids.user_id };
    }
  } finally {
    api.close();
  }
}

/** Creates and starts the Slack app; resolves once it listens (HTTP) or is connected (Socket Mode). */
export async function startSlack(options: StartSlackOptions): Promise<RunningSlack> {
  const { config, store, knowledge, ttlMs, clock } = options;
  const log = options.logger.child({ platform: 'slack' });
  const botIdentity = options.botIdentity ?? (await lookUpBotIdentity(config, log));
  const slackPort = new SlackPort({ botToken: config.botToken, apiUrl: config.apiUrl, logger: log });
  const turns = new TurnService<SlackLive>({ store, knowledge, port: slackPort, logger: log, ttlMs, clock });
  const health = options.health ?? createHealthCheck({ store, logger: log });
  let receiver: SlackSocketReceiver | SlackHttpReceiver;
  if (config.appToken !== undefined) {
    receiver = new SlackSocketReceiver({ appToken: config.appToken, logger: log, apiUrl: config.apiUrl, autoReconnect: options.socketAutoReconnect ?? true });
  } else {
    // SlackConfig's type (checked by loadConfig) guarantees the signing secret without an app token.
    // The response waits for the listener, which returns right after its commit: acknowledged means saved.
    receiver = new SlackHttpReceiver({ signingSecret: config.signingSecret, path: SLACK_EVENTS_PATH, port: config.port, logger: log, health });
  }
  const app = new App({
    token: config.botToken,
    receiver,
    // Bolt's per-conversation memory store is unused here (state lives in the session store) and would only grow.
    convoStore: false,
    logger: boltLogger(log),
    logLevel: boltLevelFor(log),
    clientOptions: config.apiUrl ? { slackApiUrl: config.apiUrl } : {},
    // With the ids known, Bolt makes no auth.test call of its own.
    tokenVerificationEnabled: false,
    botId: botIdentity.botId,
    botUserId: botIdentity.botUserId,
  });
  registerListeners(app, { turns, log });
  const mode = receiver instanceof SlackSocketReceiver ? 'socket' : 'http';

  let port: number | undefined;
  if (mode === 'socket') {
    await app.start();
    log.info({ mode }, 'Slack connected (Socket Mode)');
  } else {
    const server = await app.start({ port: config.port, ...(options.host ? { host: options.host } : {}) }).catch((error: unknown) => {
      throw listenProblem('PORT', config.port, error);
    });
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : config.port;
    log.info({ mode, port, path: SLACK_EVENTS_PATH }, 'Slack listening (HTTP mode)');
  }

  let intake: Promise<void> | undefined;
  const stopIntake = (): Promise<void> =>
    (intake ??= app.stop().then(
      () => log.info({ mode }, 'Slack stopped taking deliveries'),
      (error: unknown) => log.warn({ err: error, mode }, 'stopping the Slack receiver failed'),
    ));
  return {
    name: 'slack',
    mode,
    ...(port === undefined ? {} : { port }),
    turns,
    stopIntake,
    async stop() {
      await stopIntake();
      await settleSends(turns, log);
      slackPort.close();
    },
  };
}
