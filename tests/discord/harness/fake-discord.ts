/**
 * The local Discord stand-in: REST + gateway on 127.0.0.1 with random ports,
 * one fixed world (application, bot, guild, channels, two users), a request
 * log to assert on, failure injection, and helpers that build and dispatch
 * interactions the way Discord would.
 */
import { FakeGateway } from './fake-gateway.ts';
import { FakeDiscordRest, type FailureRule, type RecordedRequest, type StoredMessage } from './fake-rest.ts';
import {
  buttonClick,
  channelSelect,
  modalSubmit,
  slashCommand,
  stringSelect,
  userMessage,
  type InteractionPayload,
} from './payloads.ts';
import { ChannelTypes, createWorld, type FakeChannel, type FakeUser, type FakeWorld } from './world.ts';

export interface FakeDiscordOptions {
  /** Privileged intents the application has not enabled: the gateway closes with 4014 when they are requested. */
  refusedIntents?: number;
}

export const FAKE_BOT_TOKEN = 'fake-bot-token.for-loopback-tests.only';

const WAIT_LIMIT_MS = 10_000;

export class FakeDiscord {
  readonly world: FakeWorld;
  readonly rest: FakeDiscordRest;
  readonly gateway: FakeGateway;
  readonly token = FAKE_BOT_TOKEN;

  private constructor(options: FakeDiscordOptions) {
    this.world = createWorld();
    this.rest = new FakeDiscordRest(this.world, FAKE_BOT_TOKEN);
    this.gateway = new FakeGateway(
      this.world,
      FAKE_BOT_TOKEN,
      () => [...this.rest.channels.values()].filter((c) => c.type === ChannelTypes.PublicThread),
      options.refusedIntents ?? 0,
    );
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const discord = new FakeDiscord(options);
    await discord.gateway.listen();
    await discord.rest.listen();
    discord.rest.gatewayUrl = discord.gateway.url;
    return discord;
  }

  /** For discord.js: `rest: { api: fake.apiUrl }`. */
  get apiUrl(): string {
    return this.rest.apiUrl;
  }

  get requests(): readonly RecordedRequest[] {
    return this.rest.requests;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    await this.rest.close();
  }

  fail(rule: FailureRule): void {
    this.rest.fail(rule);
  }

  /** Serves another guild (a world view from `guildWorld` in guilds.ts): REST knows its channels, the gateway sends it to the shard owning it. */
  addGuild(guild: FakeWorld): void {
    for (const channel of [guild.general, guild.announcements, guild.locked]) this.rest.channels.set(channel.id, channel);
    this.gateway.addGuild(guild);
  }

  // ---- dispatching -------------------------------------------------------

  /** Dispatches INTERACTION_CREATE (after telling REST about it) and returns the payload. */
  dispatchInteraction(payload: InteractionPayload): InteractionPayload {
    this.rest.track({
      id: payload.id,
      token: payload.token,
      channelId: payload.channel_id,
      guildId: payload.guild_id,
      ...(payload.message ? { messageId: payload.message.id } : {}),
    });
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    return payload;
  }

  /**
   * Dispatches INTERACTION_CREATE with any payload, well-formed or not (for
   * malformed-payload tests). REST learns about it when it has the id, token
   * and channel a callback would need; returns the payload as sent.
   */
  dispatchRawInteraction<T extends Record<string, unknown>>(payload: T): T {
    const { id, token, channel_id: channelId, guild_id: guildId, message } = payload;
    if (typeof id === 'string' && typeof token === 'string' && typeof channelId === 'string') {
      const messageId = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
      this.rest.track({
        id,
        token,
        channelId,
        guildId: typeof guildId === 'string' ? guildId : this.world.guild.id,
        ...(typeof messageId === 'string' ? { messageId } : {}),
      });
    }
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    return payload;
  }

  slash(user: FakeUser, channel: FakeChannel, subcommand: string, strings?: Record<string, string>): InteractionPayload {
    return this.dispatchInteraction(slashCommand(this.world, { user, channel, subcommand, ...(strings ? { strings } : {}) }));
  }

  click(user: FakeUser, message: StoredMessage, customId: string): InteractionPayload {
    return this.dispatchInteraction(buttonClick(this.world, { user, channel: this.channel(message.channel_id), message, customId }));
  }

  select(user: FakeUser, message: StoredMessage, customId: string, values: string[]): InteractionPayload {
    return this.dispatchInteraction(stringSelect(this.world, { user, channel: this.channel(message.channel_id), message, customId, values }));
  }

  selectChannel(user: FakeUser, message: StoredMessage, customId: string, selected: FakeChannel): InteractionPayload {
    return this.dispatchInteraction(channelSelect(this.world, { user, channel: this.channel(message.channel_id), message, customId, selected }));
  }

  submitModal(user: FakeUser, message: StoredMessage, customId: string, fields: Record<string, string>): InteractionPayload {
    return this.dispatchInteraction(modalSubmit(this.world, { user, channel: this.channel(message.channel_id), message, customId, fields }));
  }

  /** A user types a plain message in a channel or thread (MESSAGE_CREATE). */
  say(user: FakeUser, channel: FakeChannel, content: string): StoredMessage {
    const message = userMessage(this.world, { user, channel, content });
    this.rest.storeMessage(message);
    this.gateway.dispatch('MESSAGE_CREATE', message);
    return message;
  }

  // ---- looking things up -------------------------------------------------

  channel(id: string): FakeChannel {
    const channel = this.rest.channels.get(id);
    if (!channel) throw new Error(`FakeDiscord: no channel ${id}`);
    return channel;
  }

  message(id: string): StoredMessage {
    const message = this.rest.messages.get(id);
    if (!message) throw new Error(`FakeDiscord: no message ${id}`);
    return message;
  }

  /** Messages in a channel, oldest first. */
  messagesIn(channelId: string): StoredMessage[] {
    return this.rest.messagesIn(channelId);
  }

  /** Requests recorded for one interaction: its callback(s) and webhook calls made with its token. */
  requestsFor(interaction: InteractionPayload): RecordedRequest[] {
    return this.requests.filter((r) => r.params['interactionId'] === interaction.id || r.params['token'] === interaction.token);
  }

  callbacksFor(interaction: InteractionPayload): RecordedRequest[] {
    return this.requests.filter((r) => r.route === 'interactionCallback' && r.params['interactionId'] === interaction.id);
  }

  // ---- waiting -------------------------------------------------------------

  /**
   * Resolves with the first recorded request (already recorded or future)
   * matching `predicate`. Rejects with the request log after a generous
   * limit, so a missing call fails the test with something to read.
   */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, description = 'a matching request', since = 0): Promise<RecordedRequest> {
    const existing = this.requests.slice(since).find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`FakeDiscord: gave up waiting for ${description}. Recorded:\n${this.describeRequests()}`));
      }, WAIT_LIMIT_MS);
      const unsubscribe = this.rest.onRecorded((request) => {
        if (!predicate(request)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(request);
      });
    });
  }

  /** Waits until `count` requests match. */
  async waitForRequests(predicate: (request: RecordedRequest) => boolean, count: number, description = 'matching requests'): Promise<RecordedRequest[]> {
    for (;;) {
      const matching = this.requests.filter(predicate);
      if (matching.length >= count) return matching;
      const seen = new Set(matching);
      await this.waitForRequest((r) => predicate(r) && !seen.has(r), `${description} (${matching.length}/${count})`);
    }
  }

  describeRequests(): string {
    return this.requests.map((r) => `  #${r.seq} ${r.status} ${r.method} ${r.path} (${r.route})`).join('\n') || '  (none)';
  }
}

export type { FakeChannel, FakeUser, FakeWorld, InteractionPayload, RecordedRequest, StoredMessage };
export { discordErrors } from './fake-rest.ts';
