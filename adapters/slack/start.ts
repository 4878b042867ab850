/**
 * Starting the Slack platform for `npm start` (adapters/start.ts): looks the
 * bot up once (a wrong token stops start-up with a message naming it), then
 * starts the Bolt app in Socket Mode or HTTP mode.
 */
import { webApi } from '@slack/bolt';
import type { SlackConfig } from '../../src/config.ts';
import { AdvisorError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import { createSlackApp, SLACK_EVENTS_PATH, type BotIdentity, type SlackAppOptions } from './app.ts';
import { boltLogger } from './bolt-logger.ts';
import { toSlackCallError } from './slack-calls.ts';

export interface RunningSlack {
  name: 'slack';
  mode: 'socket' | 'http';
  /** HTTP mode: the port the receiver listens on. */
  port?: number;
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

/**
 * Looks the bot's ids up once (auth.test). A token Slack refuses stops start-up
 * with CONFIG_INVALID naming SLACK_BOT_TOKEN; not reaching Slack at all is a
 * SlackStartError.
 */
export async function lookUpBotIdentity(config: SlackConfig, logger: Logger): Promise<BotIdentity> {
  const client = new webApi.WebClient(config.botToken, {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    logger: boltLogger(logger, 'web-api'),
    retryConfig: { retries: 2, minTimeout: 500 },
  });
  let result: webApi.AuthTestResponse;
  try {
    result = await client.auth.test();
  } catch (error) {
    const failure = toSlackCallError(error, 'auth.test');
    if (failure.slackError && TOKEN_REFUSED.has(failure.slackError)) {
      const problem = `SLACK_BOT_TOKEN: Slack refused the bot token (${failure.slackError}); copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page`;
      throw new AdvisorError('CONFIG_INVALID', `Configuration problem:\n  - ${problem}`, { problems: [problem] });
    }
    throw new SlackStartError(`Could not check SLACK_BOT_TOKEN with Slack (${failure.slackError ?? failure.message})`, { cause: error });
  }
  if (!result.bot_id || !result.user_id) {
    const problem = 'SLACK_BOT_TOKEN: this token belongs to no bot user; use the Bot User OAuth Token (xoxb-...)';
    throw new AdvisorError('CONFIG_INVALID', `Configuration problem:\n  - ${problem}`, { problems: [problem] });
  }
  return { botId: result.bot_id, botUserId: result.user_id };
}

export interface StartSlackOptions extends SlackAppOptions {
  /** HTTP mode: the interface to listen on (default: all). */
  host?: string;
}

/** Creates and starts the Slack app; resolves once it listens (HTTP) or is connected (Socket Mode). */
export async function startSlack(options: StartSlackOptions): Promise<RunningSlack> {
  const log = options.logger.child({ platform: 'slack' });
  const botIdentity = options.botIdentity ?? (await lookUpBotIdentity(options.config, log));
  const { app, mode } = createSlackApp({ ...options, botIdentity });
  if (mode === 'socket') {
    await app.start();
    log.info({ mode }, 'Slack connected (Socket Mode)');
    return { name: 'slack', mode, stop: () => app.stop().then(() => undefined) };
  }
  const server = await app.start({ port: options.config.port, ...(options.host ? { host: options.host } : {}) });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.config.port;
  log.info({ mode, port, path: SLACK_EVENTS_PATH }, 'Slack listening (HTTP mode)');
  return { name: 'slack', mode, port, stop: () => app.stop().then(() => undefined) };
}
