/**
 * The Discord bot for `npm start` (adapters/start.ts): a discord.js client
 * whose handlers decode interactions (and typed messages) into the turn layer,
 * with `DiscordPort` sending what the turns commit. The outbox is swept for
 * every platform by adapters/background.ts.
 *
 * - Intents: `Guilds` only (slash commands, buttons, selects and modals need no
 *   privileged intent); with the Message Content option, also `GuildMessages`
 *   and `MessageContent`, so typed answers in interview threads are read.
 * - `allowedMentions` is empty client-wide: echoed user text never pings anyone.
 * - `DISCORD_API_URL` becomes discord.js's `rest.api` (the gateway address then
 *   comes from that API, which is how the tests' stand-in works). Rate limits
 *   longer than a few seconds are not waited out (the interaction would expire
 *   meanwhile): the call fails, the person is told, and the outbox tries again.
 * - Setup mistakes stop start-up naming the setting to fix: a token Discord
 *   refuses (DISCORD_TOKEN), or the Message Content intent requested without
 *   being enabled in the Developer Portal (DISCORD_MESSAGE_CONTENT).
 */
import { Client, DiscordjsError, DiscordjsErrorCodes, Events, GatewayCloseCodes, GatewayIntentBits } from 'discord.js';
import { configError, type DiscordConfig } from '../../src/config.ts';
import { TurnService, type TurnServiceOptions } from '../../src/turns/service.ts';
import { Intake, settleSends } from '../shutdown.ts';
import { createInteractionHandler, createMessageHandler } from './interactions.ts';
import type { DiscordLive } from './live.ts';
import { installInteractionPacketGuard } from './packet-guard.ts';
import { DiscordPort } from './port.ts';
import { DEFAULT_ACK_BUDGET_MS } from './run-turn.ts';
import { restApi, tokenRefused } from './setup.ts';

/** Discord closed the gateway for good before the bot was ready (e.g. 4004 bad token, 4014 intents not enabled). */
export class GatewayRefusedError extends Error {
  readonly code = 'DISCORD_GATEWAY_REFUSED';
  constructor(readonly closeCode: number) {
    super(`Discord closed the gateway connection with code ${closeCode}`);
    this.name = 'GatewayRefusedError';
  }
}

export interface DiscordBotOptions extends Pick<TurnServiceOptions<DiscordLive>, 'store' | 'knowledge' | 'logger' | 'ttlMs' | 'clock'> {
  config: DiscordConfig;
  /** How long after its arrival an interaction is deferred if it has not been answered (Discord allows 3 s for the first response). */
  ackBudgetMs?: number;
  /** Rate limits up to this long are waited out by discord.js (default 4 s); longer ones fail the call so the person hears about it. */
  maxRateLimitWaitMs?: number;
  /** Retries of a request that failed with a 5xx (discord.js default 3). */
  restRetries?: number;
  /** discord.js's cap on requests per second (default 50, Discord's global limit); raise it only if Discord granted more. */
  globalRequestsPerSecond?: number;
}

export interface DiscordBot {
  readonly client: Client;
  /** The turn layer this bot feeds; its outbox is swept by the caller. */
  readonly turns: TurnService<DiscordLive>;
  /** Logs in and resolves once the client is ready (guilds received). */
  start(): Promise<void>;
  /** Stops handling new interactions and messages (shutdown); resolves once those being handled are committed and answered. Sends go on. */
  stopIntake(): Promise<void>;
  /** Lets turns in progress finish (a few seconds at most: what is unsent stays in the outbox), then disconnects. */
  stop(): Promise<void>;
}

/** The bot as `npm start` holds it: it sweeps the outbox of `turns` and waits for it at shutdown. */
export type RunningDiscord = { name: 'discord' } & Omit<DiscordBot, 'start'>;

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { config, store, knowledge, ttlMs, clock } = options;
  const logger = options.logger.child({ platform: 'discord' });
  const maxWait = options.maxRateLimitWaitMs ?? 4000;
  const client = new Client({
    intents: config.messageContent ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent] : [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [], repliedUser: false },
    rest: {
      ...restApi(config),
      retries: options.restRetries ?? 3,
      ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
      rejectOnRateLimit: (rateLimit) => rateLimit.retryAfter > maxWait,
    },
  });
  installInteractionPacketGuard(client, logger); // drops INTERACTION_CREATE payloads discord.js would throw on (issue 8)
  const turns = new TurnService<DiscordLive>({ store, knowledge, port: new DiscordPort(client, knowledge, logger), logger, ttlMs, clock });
  const runner = { turns, ackBudgetMs: options.ackBudgetMs ?? DEFAULT_ACK_BUDGET_MS, logger };
  // Closed at shutdown: what arrives after it is left alone (an interaction then fails visibly and can be tried again once a bot is back).
  const intake = new Intake();
  const track = (work: () => Promise<void>, what: Record<string, unknown>): void => {
    if (!intake.take(work)) logger.info(what, 'not handled: shutting down');
  };

  const onInteraction = createInteractionHandler({ ...runner, knowledge });
  client.on(Events.InteractionCreate, (interaction) => track(() => onInteraction(interaction), { interactionId: interaction.id }));
  if (config.messageContent) {
    const onMessage = createMessageHandler(runner);
    client.on(Events.MessageCreate, (message) => track(() => onMessage(message), { messageId: message.id }));
  }
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.ShardError, (error, shardId) => logger.error({ err: error, shardId }, 'discord gateway connection error'));
  client.on(Events.Warn, (message) => logger.warn({ detail: message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shardId) => logger.warn({ code: event.code, shardId }, 'discord gateway disconnected'));

  const stopIntake = (): Promise<void> => intake.close();
  return {
    client,
    turns,
    async start() {
      const ready = new Promise<void>((resolve, reject) => {
        client.once(Events.ClientReady, () => resolve());
        // Close codes Discord uses for a setup problem (bad token, intents not enabled): the client will not retry them.
        client.on(Events.ShardDisconnect, (event) => {
          if (!client.isReady()) reject(new GatewayRefusedError(event.code));
        });
      });
      ready.catch(() => undefined);
      await Promise.race([client.login(config.token), ready]);
      await ready;
      const shards = client.shard?.ids ?? [0];
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, messageContent: config.messageContent, shards }, 'discord bot ready');
    },
    stopIntake,
    async stop() {
      await stopIntake();
      await settleSends(turns, logger);
      await client.destroy();
      logger.info('discord bot stopped');
    },
  };
}

function configProblem(problem: string, cause: unknown): Error {
  return Object.assign(configError([problem]), { cause });
}

/** The gateway close codes that mean a setup mistake, and the setting to fix. */
const REFUSED_AT_GATEWAY: ReadonlyMap<number, string> = new Map([
  [GatewayCloseCodes.AuthenticationFailed, 'DISCORD_TOKEN: Discord refused the bot token at the gateway; copy it again from the Bot page in the Developer Portal'],
  [
    GatewayCloseCodes.DisallowedIntents,
    'DISCORD_MESSAGE_CONTENT: the Message Content intent is not enabled for this bot; turn on "Message Content Intent" on the Bot page in the Developer Portal, or set DISCORD_MESSAGE_CONTENT=false',
  ],
]);

/** Turns Discord's refusals at log-in into configuration problems; other errors pass through. */
export function explainStartFailure(error: unknown): unknown {
  if (error instanceof DiscordjsError && error.code === DiscordjsErrorCodes.TokenInvalid) {
    return tokenRefused(error);
  }
  const problem = error instanceof GatewayRefusedError ? REFUSED_AT_GATEWAY.get(error.closeCode) : undefined;
  return problem === undefined ? error : configProblem(problem, error);
}

export async function startDiscord(options: DiscordBotOptions): Promise<RunningDiscord> {
  const bot = createDiscordBot(options);
  try {
    await bot.start();
  } catch (error) {
    await bot.client.destroy();
    throw explainStartFailure(error);
  }
  return { name: 'discord', client: bot.client, turns: bot.turns, stopIntake: () => bot.stopIntake(), stop: () => bot.stop() };
}
