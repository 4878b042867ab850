/**
 * Starting the Slack platform for `npm start` (adapters/start.ts): looks the
 * bot up once (a wrong token stops start-up with a message naming it), wires
 * the turn layer to Slack, starts the Bolt app in Socket Mode or HTTP mode, and
 * sweeps the outbox: at start (what a previous process committed but did not
 * send) and periodically (entries waiting for a retry).
 */
import { z } from 'zod';
import type { SlackConfig } from '../../src/config.ts';
import { AdvisorError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import type { TurnService } from '../../src/turns/service.ts';
import { createSlackApp, createSlackTurns, SLACK_EVENTS_PATH, type BotIdentity, type SlackTurnsOptions } from './app.ts';
import type { SlackLive } from './port.ts';
import { DEFAULT_API_URL, SlackCallError, SlackWebApi } from './web-api.ts';

export interface RunningSlack {
  name: 'slack';
  mode: 'socket' | 'http';
  /** HTTP mode: the port the receiver listens on. */
  port?: number;
  /** The turn layer behind the app (tests wait on `turns.idle()` and drive `turns.outbox.sweep()`). */
  turns: TurnService<SlackLive>;
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

function configProblem(problem: string): AdvisorError {
  return new AdvisorError('CONFIG_INVALID', `Configuration problem:\n  - ${problem}`, { problems: [problem] });
}

/**
 * Looks the bot's ids up once (auth.test, tried again twice when Slack cannot
 * be reached). A token Slack refuses stops start-up with CONFIG_INVALID naming
 * SLACK_BOT_TOKEN; not reaching Slack at all is a SlackStartError.
 */
export async function lookUpBotIdentity(config: SlackConfig, logger: Logger): Promise<BotIdentity> {
  const api = new SlackWebApi({ botToken: config.botToken, logger, ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}) });
  try {
    for (let attempt = 1; ; attempt++) {
      let answer: Record<string, unknown>;
      try {
        answer = await api.call('auth.test', {}, { form: true });
      } catch (error) {
        const failure = error instanceof SlackCallError ? error : new SlackCallError({ code: 'slack_unavailable', method: 'auth.test', cause: error });
        if (failure.slackError && TOKEN_REFUSED.has(failure.slackError)) {
          throw configProblem(`SLACK_BOT_TOKEN: Slack refused the bot token (${failure.slackError}); copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page`);
        }
        if (failure.code === 'slack_unavailable' && attempt < AUTH_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
          continue;
        }
        const reason = failure.slackError ?? (failure.cause instanceof Error ? failure.cause.message : failure.code);
        throw new SlackStartError(`Could not check SLACK_BOT_TOKEN with Slack at ${config.apiUrl ?? DEFAULT_API_URL} (${reason})`, { cause: error });
      }
      const ids = authSchema.parse(answer);
      if (!ids.bot_id || !ids.user_id) throw configProblem('SLACK_BOT_TOKEN: this token belongs to no bot user; use the Bot User OAuth Token (xoxb-...)');
      return { botId: ids.bot_id, botUserId: ids.user_id };
    }
  } finally {
    api.close();
  }
}

export interface StartSlackOptions extends SlackTurnsOptions {
  /** HTTP mode: the interface to listen on (default: all). */
  host?: string;
  /** The bot's ids; looked up with auth.test when absent. */
  botIdentity?: BotIdentity;
  /** Socket Mode: reconnect when the connection drops (default true). */
  socketAutoReconnect?: boolean;
  /** How often the outbox is swept for entries due a retry (default 5 s); 0 turns sweeping off (tests drive it). */
  sweepIntervalMs?: number;
}

const DEFAULT_SWEEP_INTERVAL_MS = 5_000;
/** How long stopping waits for sends in flight before closing anyway (they stay in the outbox for the next start). */
const STOP_GRACE_MS = 5_000;

/** Creates and starts the Slack app; resolves once it listens (HTTP) or is connected (Socket Mode). */
export async function startSlack(options: StartSlackOptions): Promise<RunningSlack> {
  const log = options.logger.child({ platform: 'slack' });
  const botIdentity = options.botIdentity ?? (await lookUpBotIdentity(options.config, log));
  const { turns, port: slackPort } = createSlackTurns(options);
  const { app, mode } = createSlackApp({
    config: options.config,
    turns,
    logger: options.logger,
    botIdentity,
    ...(options.socketAutoReconnect === undefined ? {} : { socketAutoReconnect: options.socketAutoReconnect }),
  });

  let port: number | undefined;
  if (mode === 'socket') {
    await app.start();
    log.info({ mode }, 'Slack connected (Socket Mode)');
  } else {
    const server = await app.start({ port: options.config.port, ...(options.host ? { host: options.host } : {}) });
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : options.config.port;
    log.info({ mode, port, path: SLACK_EVENTS_PATH }, 'Slack listening (HTTP mode)');
  }

  const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  if (interval > 0) {
    const sweep = (): void => {
      turns.outbox.sweep().catch((error: unknown) => log.error({ err: error }, 'outbox sweep failed'));
    };
    sweep();
    timer = setInterval(sweep, interval);
    timer.unref();
  }

  return {
    name: 'slack',
    mode,
    ...(port === undefined ? {} : { port }),
    turns,
    async stop() {
      if (timer) clearInterval(timer);
      await app.stop();
      let grace: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        grace = setTimeout(resolve, STOP_GRACE_MS);
      });
      await Promise.race([turns.idle(), late]);
      clearTimeout(grace);
      slackPort.close();
    },
  };
}
