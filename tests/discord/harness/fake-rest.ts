/**
 * The REST half of the local Discord stand-in (node:http on 127.0.0.1).
 *
 * It records every request (method, route, query, JSON body, multipart
 * payload_json and file names), keeps just enough state to answer like
 * Discord (messages, channels, threads, interaction acknowledgements) and can
 * be told to fail a route with a Discord error (403/50013, 429, 5xx).
 * Nothing here ever talks to the internet.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nextSnowflake } from './snowflakes.ts';
import { ChannelTypes, type FakeChannel, type FakeUser, type FakeWorld } from './world.ts';

export type RouteName =
  | 'gatewayBot'
  | 'applicationMe'
  | 'userMe'
  | 'guildCommands'
  | 'globalCommands'
  | 'interactionCallback'
  | 'webhookCreate'
  | 'webhookGet'
  | 'webhookEdit'
  | 'webhookDelete'
  | 'channelGet'
  | 'channelMessageCreate'
  | 'channelMessageGet'
  | 'channelMessageList'
  | 'channelMessageEdit'
  | 'threadFromMessage'
  | 'unknown';

export interface RecordedFile {
  field: string;
  name: string;
  size: number;
}

export interface RecordedRequest {
  /** 1, 2, 3... in arrival order. */
  seq: number;
  method: string;
  /** The path after `/api/v10`, e.g. `/interactions/1/abc/callback`. */
  path: string;
  route: RouteName;
  /** Route parameters by name: channelId, messageId, interactionId, token, applicationId, guildId. */
  params: Record<string, string>;
  query: Record<string, string>;
  /** The JSON body (or a multipart request's payload_json), undefined when there is none. */
  body: unknown;
  files: RecordedFile[];
  authorization: string | null;
  /** The status the stand-in answered with. */
  status: number;
  /** performance.now() when the request arrived (for latency measurements). */
  at: number;
}

/** A Discord error the stand-in should answer with instead of doing the work. */
export interface FailureRule {
  route: RouteName;
  /** Narrows the rule, e.g. to one channel. */
  when?: (request: Pick<RecordedRequest, 'method' | 'path' | 'params' | 'body'>) => boolean;
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** How many requests fail (default 1). */
  times?: number;
  /** Discord does the work, then its answer is lost on the way back: the caller sees only the failure. */
  applied?: boolean;
}

export const discordErrors = {
  missingPermissions: (): Pick<FailureRule, 'status' | 'body'> => ({ status: 403, body: { code: 50013, message: 'Missing Permissions' } }),
  rateLimited: (retryAfterSeconds: number): Pick<FailureRule, 'status' | 'body' | 'headers'> => ({
    status: 429,
    body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false, code: 0 },
    headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-scope': 'user' },
  }),
  serverError: (status = 500): Pick<FailureRule, 'status' | 'body'> => ({ status, body: { code: 0, message: `${status}: Internal Server Error` } }),
};

export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: unknown[];
  mention_roles: string[];
  attachments: unknown[];
  pinned: boolean;
  type: number;
  application_id?: string;
  webhook_id?: string;
  /** Set by the stand-in: the `allowed_mentions` the bot sent with this message. */
  allowed_mentions?: unknown;
}

/** What the stand-in knows about an interaction it dispatched. */
export interface TrackedInteraction {
  id: string;
  token: string;
  channelId: string;
  guildId: string;
  /** The message a component or modal submit came from. */
  messageId?: string;
  /** The callback type it was acknowledged with, once it was. */
  acknowledgedWith?: number;
  originalMessageId?: string;
}

const MessageFlags = { Ephemeral: 64, Loading: 128 } as const;
const CallbackTypes = { ChannelMessage: 4, DeferredChannelMessage: 5, DeferredUpdate: 6, UpdateMessage: 7, Modal: 9 } as const;

interface RouteMatch {
  route: RouteName;
  params: Record<string, string>;
}

const ROUTES: { method: string; pattern: RegExp; route: RouteName; names: string[] }[] = [
  { method: 'GET', pattern: /^\/gateway\/bot$/, route: 'gatewayBot', names: [] },
  { method: 'GET', pattern: /^\/applications\/@me$/, route: 'applicationMe', names: [] },
  { method: 'GET', pattern: /^\/users\/@me$/, route: 'userMe', names: [] },
  { method: 'PUT', pattern: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, route: 'guildCommands', names: ['applicationId', 'guildId'] },
  { method: 'PUT', pattern: /^\/applications\/(\d+)\/commands$/, route: 'globalCommands', names: ['applicationId'] },
  { method: 'POST', pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/, route: 'interactionCallback', names: ['interactionId', 'token'] },
  { method: 'POST', pattern: /^\/webhooks\/(\d+)\/([^/]+)$/, route: 'webhookCreate', names: ['applicationId', 'token'] },
  { method: 'GET', pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/, route: 'webhookGet', names: ['applicationId', 'token', 'messageId'] },
  { method: 'PATCH', pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/, route: 'webhookEdit', names: ['applicationId', 'token', 'messageId'] },
  { method: 'DELETE', pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/, route: 'webhookDelete', names: ['applicationId', 'token', 'messageId'] },
  { method: 'GET', pattern: /^\/channels\/(\d+)$/, route: 'channelGet', names: ['channelId'] },
  { method: 'POST', pattern: /^\/channels\/(\d+)\/messages$/, route: 'channelMessageCreate', names: ['channelId'] },
  { method: 'GET', pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/, route: 'channelMessageGet', names: ['channelId', 'messageId'] },
  { method: 'GET', pattern: /^\/channels\/(\d+)\/messages$/, route: 'channelMessageList', names: ['channelId'] },
  { method: 'PATCH', pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/, route: 'channelMessageEdit', names: ['channelId', 'messageId'] },
  { method: 'POST', pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/, route: 'threadFromMessage', names: ['channelId', 'messageId'] },
];

function matchRoute(method: string, path: string): RouteMatch {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { route: candidate.route, params };
  }
  return { route: 'unknown', params: {} };
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body['message'] ?? status));
  }
}

const unknownMessage = (): HttpFailure => new HttpFailure(404, { code: 10008, message: 'Unknown Message' });
const unknownChannel = (): HttpFailure => new HttpFailure(404, { code: 10003, message: 'Unknown Channel' });
const unknownWebhook = (): HttpFailure => new HttpFailure(404, { code: 10015, message: 'Unknown Webhook' });
const unknownInteraction = (): HttpFailure => new HttpFailure(404, { code: 10062, message: 'Unknown interaction' });

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

async function readBody(request: IncomingMessage): Promise<{ body: unknown; files: RecordedFile[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { body: undefined, files: [] };
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: RecordedFile[] = [];
    let body: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
      } else {
        files.push({ field, name: value.name, size: value.size });
      }
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')), files: [] };
}

export class FakeDiscordRest {
  readonly requests: RecordedRequest[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly channels = new Map<string, FakeChannel>();
  readonly interactions = new Map<string, TrackedInteraction>();
  private readonly interactionIdByToken = new Map<string, string>();
  /** Message ids per channel, oldest first. */
  private readonly messageIdsByChannel = new Map<string, string[]>();
  /** `channel:nonce` -> message id, for creates with `enforce_nonce` (Discord returns the first message instead of a second). */
  private readonly messageIdByNonce = new Map<string, string>();
  /** Gateway address served from GET /gateway/bot; set by the composite once the gateway listens. */
  gatewayUrl = 'ws://127.0.0.1:1';
  /** GET /gateway/bot's `shards`: how many shards "Discord" recommends (what DISCORD_SHARDS=auto uses). */
  recommendedShards = 1;
  /** GET /gateway/bot's `session_start_limit.max_concurrency`: shards that may identify together every 5 s. */
  maxConcurrency = 1;
  private readonly failures: (FailureRule & { remaining: number })[] = [];
  private readonly listeners = new Set<(request: RecordedRequest) => void>();
  private server: Server | undefined;
  private port = 0;

  constructor(
    private readonly world: FakeWorld,
    private readonly token: string,
  ) {
    for (const channel of [world.general, world.announcements, world.locked]) this.channels.set(channel.id, channel);
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async listen(): Promise<void> {
    const server = createServer((request, response) => {
      void this.onRequest(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Makes the next matching request(s) fail with a Discord error. */
  fail(rule: FailureRule): void {
    this.failures.push({ ...rule, remaining: rule.times ?? 1 });
  }

  onRecorded(listener: (request: RecordedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Remembers an interaction before it is dispatched, so its callbacks and webhooks can be answered. */
  track(interaction: TrackedInteraction): void {
    this.interactions.set(interaction.id, interaction);
    this.interactionIdByToken.set(interaction.token, interaction.id);
  }

  /** Forgets the nonces seen so far, as Discord does after a few minutes: a bot-token post with an old nonce is new again. */
  forgetNonces(): void {
    this.messageIdByNonce.clear();
  }

  /** Messages in a channel, oldest first (deleted ones left out). */
  messagesIn(channelId: string): StoredMessage[] {
    return (this.messageIdsByChannel.get(channelId) ?? []).flatMap((id) => this.messages.get(id) ?? []);
  }

  /** Adds a message as if someone had posted it (used for MESSAGE_CREATE dispatches and seeding). */
  storeMessage(message: StoredMessage): void {
    this.messages.set(message.id, message);
    this.indexMessage(message);
  }

  private indexMessage(message: StoredMessage): void {
    const ids = this.messageIdsByChannel.get(message.channel_id) ?? [];
    ids.push(message.id);
    this.messageIdsByChannel.set(message.channel_id, ids);
  }

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = performance.now();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, '');
    const { route, params } = matchRoute(method, path);
    let recorded: RecordedRequest | undefined;
    try {
      const { body, files } = await readBody(request);
      recorded = {
        seq: this.requests.length + 1,
        method,
        path,
        route,
        params,
        query: Object.fromEntries(url.searchParams.entries()),
        body,
        files,
        authorization: request.headers.authorization ?? null,
        status: 0,
        at,
      };
      const failure = this.takeFailure(recorded);
      if (failure) {
        if (failure.applied) this.answer(recorded);
        this.send(response, failure.status, failure.body, failure.headers);
        this.record(recorded, failure.status);
        return;
      }
      const { status, payload } = this.answer(recorded);
      this.send(response, status, payload);
      this.record(recorded, status);
    } catch (error) {
      const failure = error instanceof HttpFailure ? error : new HttpFailure(500, { code: 0, message: String(error) });
      this.send(response, failure.status, failure.body);
      if (recorded) this.record(recorded, failure.status);
    }
  }

  private record(request: RecordedRequest, status: number): void {
    request.status = status;
    this.requests.push(request);
    for (const listener of this.listeners) listener(request);
  }

  private takeFailure(request: RecordedRequest): (FailureRule & { remaining: number }) | undefined {
    const index = this.failures.findIndex((rule) => rule.route === request.route && (rule.when?.(request) ?? true));
    if (index < 0) return undefined;
    const rule = this.failures[index]!;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.failures.splice(index, 1);
    return rule;
  }

  private send(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    if (payload === undefined) {
      response.writeHead(status, headers);
      response.end();
      return;
    }
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(payload));
  }

  private requireBotAuth(request: RecordedRequest): void {
    if (request.authorization !== `Bot ${this.token}`) throw new HttpFailure(401, { code: 0, message: '401: Unauthorized' });
  }

  private answer(request: RecordedRequest): { status: number; payload: unknown } {
    const p = request.params;
    switch (request.route) {
      case 'gatewayBot':
        this.requireBotAuth(request);
        return {
          status: 200,
          payload: {
            url: this.gatewayUrl,
            shards: this.recommendedShards,
            session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: this.maxConcurrency },
          },
        };
      case 'applicationMe':
        this.requireBotAuth(request);
        return { status: 200, payload: { id: this.world.applicationId, name: 'advisor', flags: 0, bot: this.world.bot, description: '', icon: null } };
      case 'userMe':
        this.requireBotAuth(request);
        return { status: 200, payload: this.world.bot };
      case 'guildCommands':
      case 'globalCommands': {
        this.requireBotAuth(request);
        const commands = Array.isArray(request.body) ? request.body : [];
        return {
          status: 200,
          payload: commands.map((command) => ({
            ...asRecord(command),
            id: nextSnowflake(),
            application_id: p['applicationId'],
            version: nextSnowflake(),
            ...(p['guildId'] ? { guild_id: p['guildId'] } : {}),
          })),
        };
      }
      case 'interactionCallback':
        return this.answerCallback(request);
      case 'webhookCreate': {
        const interaction = this.interactionByToken(p['token']!);
        if (interaction.acknowledgedWith === undefined) throw unknownWebhook();
        const message = this.createMessage(interaction.channelId, asRecord(request.body));
        return { status: 200, payload: message };
      }
      case 'webhookGet':
        return { status: 200, payload: this.webhookMessage(p['token']!, p['messageId']!) };
      case 'webhookEdit': {
        const message = this.webhookMessage(p['token']!, p['messageId']!);
        return { status: 200, payload: this.editMessage(message, asRecord(request.body)) };
      }
      case 'webhookDelete': {
        const message = this.webhookMessage(p['token']!, p['messageId']!);
        this.messages.delete(message.id);
        return { status: 204, payload: undefined };
      }
      case 'channelGet': {
        this.requireBotAuth(request);
        const channel = this.channels.get(p['channelId']!);
        if (!channel) throw unknownChannel();
        return { status: 200, payload: channel };
      }
      case 'channelMessageCreate': {
        this.requireBotAuth(request);
        if (!this.channels.has(p['channelId']!)) throw unknownChannel();
        const body = asRecord(request.body);
        // Like Discord within its nonce window: the same nonce with enforce_nonce gives back the message it made.
        const nonceKey = body['enforce_nonce'] === true && body['nonce'] !== undefined ? `${p['channelId']}:${String(body['nonce'])}` : undefined;
        const earlier = nonceKey === undefined ? undefined : this.messages.get(this.messageIdByNonce.get(nonceKey) ?? '');
        if (earlier) return { status: 200, payload: earlier };
        const message = this.createMessage(p['channelId']!, body);
        if (nonceKey !== undefined) this.messageIdByNonce.set(nonceKey, message.id);
        return { status: 200, payload: message };
      }
      case 'channelMessageList': {
        // As Discord: newest first, `limit` (1-100, default 50) of those after `after`; ephemeral messages are nobody's history.
        this.requireBotAuth(request);
        if (!this.channels.has(p['channelId']!)) throw unknownChannel();
        const after = BigInt(request.query['after'] ?? '0');
        const limit = Math.min(100, Math.max(1, Number(request.query['limit'] ?? 50)));
        const listed = this.messagesIn(p['channelId']!).filter((m) => BigInt(m.id) > after && (m.flags & MessageFlags.Ephemeral) === 0);
        return { status: 200, payload: listed.slice(0, limit).reverse() };
      }
      case 'channelMessageGet': {
        this.requireBotAuth(request);
        return { status: 200, payload: this.messageIn(p['channelId']!, p['messageId']!) };
      }
      case 'channelMessageEdit': {
        this.requireBotAuth(request);
        const message = this.messageIn(p['channelId']!, p['messageId']!);
        if (message.author.id !== this.world.bot.id) throw new HttpFailure(403, { code: 50005, message: 'Cannot edit a message authored by another user' });
        return { status: 200, payload: this.editMessage(message, asRecord(request.body)) };
      }
      case 'threadFromMessage': {
        this.requireBotAuth(request);
        const parent = this.channels.get(p['channelId']!);
        if (!parent) throw unknownChannel();
        this.messageIn(parent.id, p['messageId']!);
        if (this.channels.has(p['messageId']!)) throw new HttpFailure(400, { code: 160004, message: 'A thread has already been created for this message' });
        const body = asRecord(request.body);
        const thread: FakeChannel = {
          id: p['messageId']!,
          type: ChannelTypes.PublicThread,
          name: String(body['name'] ?? 'thread'),
          guild_id: parent.guild_id,
          parent_id: parent.id,
          owner_id: this.world.bot.id,
          member_count: 1,
          message_count: 0,
          thread_metadata: {
            archived: false,
            auto_archive_duration: Number(body['auto_archive_duration'] ?? 1440),
            archive_timestamp: new Date().toISOString(),
            locked: false,
          },
        };
        this.channels.set(thread.id, thread);
        return { status: 201, payload: thread };
      }
      case 'unknown':
        throw new HttpFailure(404, { code: 0, message: `404: Not Found (the stand-in has no ${request.method} ${request.path})` });
    }
  }

  private answerCallback(request: RecordedRequest): { status: number; payload: unknown } {
    const interaction = this.interactions.get(request.params['interactionId']!);
    if (!interaction || interaction.token !== request.params['token']) throw unknownInteraction();
    if (interaction.acknowledgedWith !== undefined) {
      throw new HttpFailure(400, { code: 40060, message: 'Interaction has already been acknowledged.' });
    }
    const body = asRecord(request.body);
    const type = Number(body['type']);
    const data = asRecord(body['data']);
    let message: StoredMessage | undefined;
    switch (type) {
      case CallbackTypes.ChannelMessage:
        message = this.createMessage(interaction.channelId, data);
        interaction.originalMessageId = message.id;
        break;
      case CallbackTypes.DeferredChannelMessage:
        message = this.createMessage(interaction.channelId, { flags: (Number(data['flags'] ?? 0) & MessageFlags.Ephemeral) | MessageFlags.Loading });
        interaction.originalMessageId = message.id;
        break;
      case CallbackTypes.DeferredUpdate:
      case CallbackTypes.UpdateMessage: {
        if (!interaction.messageId) throw new HttpFailure(400, { code: 50035, message: 'Invalid Form Body (no message to update)' });
        const source = this.messageIn(interaction.channelId, interaction.messageId);
        message = type === CallbackTypes.UpdateMessage ? this.editMessage(source, data) : source;
        interaction.originalMessageId = source.id;
        break;
      }
      case CallbackTypes.Modal:
        break;
      default:
        throw new HttpFailure(400, { code: 50035, message: `Invalid Form Body (callback type ${type})` });
    }
    interaction.acknowledgedWith = type;
    if (request.query['with_response'] !== 'true') return { status: 204, payload: undefined };
    return {
      status: 200,
      payload: {
        interaction: {
          id: interaction.id,
          type: 2,
          response_message_id: message?.id,
          response_message_loading: type === CallbackTypes.DeferredChannelMessage,
          response_message_ephemeral: message ? (message.flags & MessageFlags.Ephemeral) !== 0 : false,
        },
        resource: message ? { type, message } : { type },
      },
    };
  }

  private interactionByToken(token: string): TrackedInteraction {
    const interaction = this.interactions.get(this.interactionIdByToken.get(token) ?? '');
    if (!interaction) throw unknownWebhook();
    return interaction;
  }

  private webhookMessage(token: string, messageId: string): StoredMessage {
    const interaction = this.interactionByToken(token);
    const id = messageId === '@original' ? interaction.originalMessageId : messageId;
    if (!id) throw unknownMessage();
    return this.messageIn(interaction.channelId, id);
  }

  private messageIn(channelId: string, messageId: string): StoredMessage {
    const message = this.messages.get(messageId);
    if (!message || message.channel_id !== channelId) throw unknownMessage();
    return message;
  }

  private createMessage(channelId: string, data: Record<string, unknown>): StoredMessage {
    const channel = this.channels.get(channelId);
    const message: StoredMessage = {
      id: nextSnowflake(),
      channel_id: channelId,
      ...(channel ? { guild_id: channel.guild_id } : {}),
      author: this.world.bot,
      content: typeof data['content'] === 'string' ? data['content'] : '',
      embeds: Array.isArray(data['embeds']) ? data['embeds'] : [],
      components: Array.isArray(data['components']) ? data['components'] : [],
      flags: Number(data['flags'] ?? 0),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      pinned: false,
      type: 0,
      application_id: this.world.applicationId,
      ...(data['allowed_mentions'] !== undefined ? { allowed_mentions: data['allowed_mentions'] } : {}),
    };
    this.messages.set(message.id, message);
    this.indexMessage(message);
    return message;
  }

  private editMessage(message: StoredMessage, data: Record<string, unknown>): StoredMessage {
    if (typeof data['content'] === 'string') message.content = data['content'];
    if (Array.isArray(data['embeds'])) message.embeds = data['embeds'];
    if (Array.isArray(data['components'])) message.components = data['components'];
    if (data['flags'] !== undefined && data['flags'] !== null) message.flags = Number(data['flags']);
    message.flags &= ~MessageFlags.Loading;
    message.edited_timestamp = new Date().toISOString();
    return message;
  }
}
