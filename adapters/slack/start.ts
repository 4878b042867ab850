/**
 * Starting the Slack platform for `npm start` (adapters/start.ts): looks the
 * bot up once (a wrong token stops start-up with a message naming it), then
 * starts the Bolt app in Socket Mode or HTTP mode.
 */
import { webApi } from '@slack/bolt';
import type { SlackConfig } from '../../src/config.ts';
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

/** Looks the bot's ids up once (auth.test), so a bad token stops start-up with a clear message. */
export async function lookUpBotIdentity(config: SlackConfig, logger: Logger): Promise<BotIdentity> {
  const client = new webApi.WebClient(config.botToken, {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    logger: boltLogger(logger, 'web-api'),
    retryConfig: { retries: 2, minTimeout: 500 },
  });
  try {
    const result = await client.auth.test();
    if (!result.bot_id || !result.user_id) throw new Error('auth.test returned no bot_id/user_id: is SLACK_BOT_TOKEN a bot token (xoxb-)?');
    return { botId: result.bot_id, botUserId: result.user_id };
  } catch (error) {
    const failure = toSlackCallError(error, 'auth.test');
    throw new SlackStartError(`Slack refused SLACK_BOT_TOKEN (${failure.slackError ?? failure.message}); check the bot token in .env`, { cause: error });
  }
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
