/**
 * The Discord bot: a discord.js client whose handlers decode interactions (and
 * typed messages) into the turn layer, with `DiscordPort` sending what the
 * turns commit. Sweeping the outbox (what a crash or a failed post left
 * unsent) is the caller's: `npm start` does it for every platform.
 *
 * - Intents: `Guilds` only (slash commands, buttons, selects and modals need no
 *   privileged intent). With the Message Content option, also `GuildMessages`
 *   and `MessageContent` so typed answers in interview threads are read.
 * - `allowedMentions` is empty client-wide: echoed user text can never ping
 *   @everyone, roles or users.
 * - REST: `DISCORD_API_URL` becomes discord.js's `rest.api` (the gateway
 *   address then comes from that API, which is how the tests' stand-in works).
 *   Rate limits longer than a few seconds are not waited out (the interaction
 *   would expire meanwhile): the call fails, the person is told, and the
 *   outbox tries again after Discord's `retry_after`.
 */
import { Client, Events, GatewayIntentBits, type ClientOptions } from 'discord.js';
import type { DiscordConfig } from '../../src/config.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { Logger } from '../../src/logger.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { TurnService } from '../../src/turns/service.ts';
import { DEFAULT_ACK_BUDGET_MS } from './deadline.ts';
import { createInteractionHandler } from './interactions.ts';
import type { DiscordLive } from './live.ts';
import { createMessageHandler } from './message-content.ts';
import { installInteractionPacketGuard } from './packet-guard.ts';
import { DiscordPort } from './port.ts';

/** Discord closed the gateway for good before the bot was ready (e.g. 4004 bad token, 4014 intents not enabled). */
export class GatewayRefusedError extends Error {
  readonly code = 'DISCORD_GATEWAY_REFUSED';
  constructor(readonly closeCode: number) {
    super(`Discord closed the gateway connection with code ${closeCode}`);
    this.name = 'GatewayRefusedError';
  }
}

/** Rate limits up to this long are waited out by discord.js; longer ones fail the call so the user hears about it. */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 4000;

export interface DiscordBotOptions {
  config: DiscordConfig;
  store: SessionStore;
  knowledge: Knowledge;
  logger: Logger;
  /** Idle time after which an interview expires. */
  ttlMs: number;
  clock?: () => number;
  /** How long after its arrival an interaction is deferred if it has not been answered (Discord allows 3 s for the first response). */
  ackBudgetMs?: number;
  maxRateLimitWaitMs?: number;
  /** Retries of a request that failed with a 5xx (discord.js default 3). */
  restRetries?: number;
  /**
   * discord.js's client-side cap on bot requests per second (default 50, Discord's global limit).
   * Only raise it for a bot Discord has granted a higher global limit.
   */
  globalRequestsPerSecond?: number;
}

export interface DiscordBot {
  readonly client: Client;
  /** The turn layer this bot feeds; its outbox is swept by the caller (adapters/background.ts, or a test). */
  readonly turns: TurnService<DiscordLive>;
  /** Logs in and resolves once the client is ready (guilds received). */
  start(): Promise<void>;
  /** Lets turns in progress finish, then disconnects. */
  stop(): Promise<void>;
}

export function clientOptions(
  config: DiscordConfig,
  options: { maxRateLimitWaitMs: number; restRetries: number; globalRequestsPerSecond?: number },
): ClientOptions {
  return {
    intents: config.messageContent
      ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]
      : [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [], repliedUser: false },
    rest: {
      ...(config.apiUrl ? { api: config.apiUrl.replace(/\/+$/, '') } : {}),
      retries: options.restRetries,
      ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
      rejectOnRateLimit: (rateLimit) => rateLimit.retryAfter > options.maxRateLimitWaitMs,
    },
  };
}

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { config } = options;
  const logger = options.logger.child({ platform: 'discord' });
  const client = new Client(
    clientOptions(config, {
      maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS,
      restRetries: options.restRetries ?? 3,
      ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
    }),
  );
  installInteractionPacketGuard(client, logger); // drops INTERACTION_CREATE payloads discord.js would throw on (issue 8)
  const turns = new TurnService<DiscordLive>({
    store: options.store,
    knowledge: options.knowledge,
    port: new DiscordPort(client, options.knowledge, logger),
    logger,
    ttlMs: options.ttlMs,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const runner = { turns, ackBudgetMs: options.ackBudgetMs ?? DEFAULT_ACK_BUDGET_MS };
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>): void => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const onInteraction = createInteractionHandler({ ...runner, knowledge: options.knowledge, logger });
  client.on(Events.InteractionCreate, (interaction) => track(onInteraction(interaction)));
  if (config.messageContent) {
    const onMessage = createMessageHandler({ ...runner, logger });
    client.on(Events.MessageCreate, (message) => track(onMessage(message)));
  }
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.ShardError, (error, shardId) => logger.error({ err: error, shardId }, 'discord gateway connection error'));
  client.on(Events.Warn, (message) => logger.warn({ detail: message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shardId) => logger.warn({ code: event.code, shardId }, 'discord gateway disconnected'));

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
      logger.info(
        { user: client.user?.tag, guilds: client.guilds.cache.size, messageContent: config.messageContent, shards: client.shard?.ids ?? [0] },
        'discord bot ready',
      );
    },
    async stop() {
      await Promise.allSettled([...inFlight]);
      await turns.idle();
      await client.destroy();
      logger.info('discord bot stopped');
    },
  };
}

