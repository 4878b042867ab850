/**
 * The Bolt app: Socket Mode when an app-level token is configured (no public
 * URL needed), otherwise HTTP mode on Bolt's `/slack/events` for commands,
 * actions and events alike, with Slack's request signatures verified.
 *
 * Every listener acknowledges first and works after (Slack wants an answer
 * within 3 seconds). With the default `processBeforeResponse: false` the HTTP
 * response leaves at `ack()`; the rest runs in this long-lived process. Bolt
 * recommends `processBeforeResponse: true` only for FaaS, where work after the
 * response may be frozen; then all work must fit the 3 seconds. Tests turn it on
 * so that a request's HTTP response means "the work is done".
 */
import { App, SocketModeReceiver, type AllMiddlewareArgs, type RespondFn, type webApi } from '@slack/bolt';
import type { SlackConfig } from '../../src/config.ts';
import { AdvisorError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';
import type { ConversationService } from '../../src/sessions/service.ts';
import { ACTION_ID_PATTERN } from './action-codec.ts';
import { boltLevelFor, boltLogger } from './bolt-logger.ts';
import { section } from './blocks.ts';
import { SlackHandlers, type RequestIO } from './handlers.ts';
import { appMentionSchema, blockActionsSchema, eventEnvelopeSchema, slashCommandSchema, threadMessageSchema } from './payloads.ts';
import { RecentDeliveries } from './recent-deliveries.ts';
import { SlackCalls } from './slack-calls.ts';
import { FAILURES } from './wording.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
export const DEFAULT_COMMAND = '/advisor';

export interface BotIdentity {
  botId: string;
  botUserId: string;
}

export interface SlackAppOptions {
  config: SlackConfig;
  service: ConversationService;
  logger: Logger;
  /**
   * HTTP mode: hold the HTTP response until the listener has finished. Default
   * false (ack at once, work after), right for a server; true for FaaS and tests.
   */
  processBeforeResponse?: boolean;
  /** The bot's ids. When given, Bolt makes no `auth.test` call (startSlack looks them up once). */
  botIdentity?: BotIdentity;
  /**
   * How often a Web API call is retried after a 5xx or a network error (default 2,
   * about a second apart). Rate limits are not waited out: the person is told instead.
   */
  webApiRetries?: number;
  /** The slash command's name (default `/advisor`). */
  command?: string;
  /** Socket Mode: reconnect when the connection drops (default true). */
  socketAutoReconnect?: boolean;
}

export interface SlackApp {
  app: App;
  mode: 'socket' | 'http';
}

function webClientOptions(options: SlackAppOptions): webApi.WebClientOptions {
  return {
    ...(options.config.apiUrl ? { slackApiUrl: options.config.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: options.webApiRetries ?? 2, factor: 2, minTimeout: 500, maxTimeout: 4_000, randomize: true },
  };
}

function requestIO(client: webApi.WebClient, logger: Logger, respond?: RespondFn): RequestIO {
  const io: RequestIO = { calls: new SlackCalls(client, logger), logger };
  if (respond) io.respond = (message) => respond(message);
  return io;
}

/** Runs a listener's work after its ack; an unexpected failure is logged with context and the person is told. */
async function afterAck(io: RequestIO, tell: ((text: string) => Promise<void>) | undefined, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    io.logger.error({ err: error }, 'Slack request failed after its acknowledgement');
    if (!tell) return;
    try {
      await tell(FAILURES.internal);
    } catch (tellError) {
      io.logger.warn({ err: tellError }, 'could not tell the user about the failure');
    }
  }
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, service, logger } = options;
  const log = logger.child({ platform: 'slack' });
  const clientOptions = webClientOptions(options);
  const bolt = boltLogger(log);
  const identity = options.botIdentity;
  const mode = config.appToken ? 'socket' : 'http';

  const common = {
    token: config.botToken,
    // Bolt's per-conversation memory store is unused here (state lives in the session store) and would only grow.
    convoStore: false as const,
    logger: bolt,
    logLevel: boltLevelFor(log),
    clientOptions,
    ...(identity ? { tokenVerificationEnabled: false, botId: identity.botId, botUserId: identity.botUserId } : {}),
  };

  let app: App;
  if (config.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: config.appToken,
      logger: boltLogger(log, 'socket-mode'),
      logLevel: boltLevelFor(log),
      autoReconnectEnabled: options.socketAutoReconnect ?? true,
      // The Socket Mode client's own Web API client (apps.connections.open); a copy, because it adds its own retry policy.
      installerOptions: { clientOptions: { ...clientOptions, retryConfig: { retries: 5, factor: 1.5, minTimeout: 500 } } },
    });
    app = new App({ ...common, receiver, socketMode: true });
  } else {
    if (!config.signingSecret) {
      const problem = 'SLACK_SIGNING_SECRET: missing; HTTP mode (no SLACK_APP_TOKEN) verifies every request with it';
      throw new AdvisorError('CONFIG_INVALID', `Configuration problem:\n  - ${problem}`, { problems: [problem] });
    }
    app = new App({
      ...common,
      signingSecret: config.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      port: config.port,
      processBeforeResponse: options.processBeforeResponse ?? false,
    });
  }

  registerListeners(app, { service, log, command: options.command ?? DEFAULT_COMMAND });
  return { app, mode };
}

function registerListeners(app: App, deps: { service: ConversationService; log: Logger; command: string }): void {
  const { service, log } = deps;
  const handlers = new SlackHandlers({ service, deliveries: new RecentDeliveries() });

  app.command(deps.command, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = slashCommandSchema.safeParse(body);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues }, 'ignoring a slash command payload that does not parse');
      return;
    }
    const command = parsed.data;
    const io = requestIO(client, log.child({ kind: 'command', team: command.team_id, channel: command.channel_id, user: command.user_id }), respond);
    await afterAck(io, (text) => respond({ text, response_type: 'ephemeral' }).then(() => undefined), () => handlers.onCommand(command, io));
  });

  app.action(ACTION_ID_PATTERN, async ({ ack, body, client, respond }) => {
    await ack();
    const parsed = blockActionsSchema.safeParse(body);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues }, 'ignoring an action payload that does not parse');
      return;
    }
    const payload = parsed.data;
    const io = requestIO(client, log.child({ kind: 'action', team: payload.team?.id, user: payload.user.id }), respond);
    await afterAck(io, (text) => respond({ text, response_type: 'ephemeral', replace_original: false }).then(() => undefined), () => handlers.onAction(payload, io));
  });

  app.event('message', async ({ event, body, client, context }: { event: unknown; body: unknown } & AllMiddlewareArgs) => {
    // Only plain messages typed in a thread; edits, bot posts and other subtypes fail this parse and are ignored.
    const message = threadMessageSchema.safeParse(event);
    const envelope = eventEnvelopeSchema.safeParse(body);
    if (!message.success || !envelope.success) return;
    const { team_id: team, event_id: eventId } = envelope.data;
    const io = requestIO(client, log.child({ kind: 'message', team, eventId, channel: message.data.channel, user: message.data.user }));
    const tell = (text: string): Promise<void> =>
      io.calls.postEphemeral(message.data.channel, message.data.user, { text, blocks: [section(text)] }, { threadTs: message.data.thread_ts });
    await afterAck(io, tell, () => handlers.onThreadMessage(team, eventId, message.data, context.botUserId, io));
  });

  app.event('app_mention', async ({ event, body, client, context }: { event: unknown; body: unknown } & AllMiddlewareArgs) => {
    const mention = appMentionSchema.safeParse(event);
    const envelope = eventEnvelopeSchema.safeParse(body);
    if (!mention.success || !envelope.success) {
      log.warn({ issues: mention.error?.issues ?? envelope.error?.issues }, 'ignoring a mention payload that does not parse');
      return;
    }
    const { team_id: team, event_id: eventId } = envelope.data;
    const io = requestIO(client, log.child({ kind: 'mention', team, eventId, channel: mention.data.channel, user: mention.data.user }));
    await afterAck(io, undefined, () => handlers.onMention(eventId, mention.data, context.botUserId, io));
  });

  app.error(async (error) => {
    log.error({ err: error, code: error.code }, 'Bolt reported an error');
  });
}
