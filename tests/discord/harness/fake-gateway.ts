/**
 * The gateway half of the local Discord stand-in: a `ws` server on 127.0.0.1
 * that speaks just enough of Discord's gateway for discord.js: HELLO,
 * heartbeat ACKs, READY (user, guilds, application) on IDENTIFY, GUILD_CREATE
 * for the test guild (and any added with `addGuild`), and dispatches with increasing sequence numbers.
 * JSON encoding, no compression (zlib-sync is deliberately not installed).
 *
 * Shards: a connection that identifies with `shard: [id, count]` (count > 1)
 * is sent only the guilds that shard owns (`(guild_id >> 22) % count`, as
 * Discord routes them), in READY and GUILD_CREATE, and only the dispatches
 * for those guilds. Connections without a shard (or with count 1) get every
 * guild and every dispatch, so two unsharded bots still see the same events.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { nextSnowflake } from './snowflakes.ts';
import { ALL_PERMISSIONS, type FakeChannel, type FakeWorld } from './world.ts';

const Opcodes = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;

/** Long enough that no heartbeat is due during a test; discord.js still sends its first one after a random jitter. */
const HEARTBEAT_INTERVAL_MS = 45_000;

export interface IdentifyRecord {
  token: string;
  intents: number;
  shard: [number, number] | undefined;
}

interface GatewaySession {
  socket: WebSocket;
  sequence: number;
  identified: boolean;
  /** The `[id, count]` it identified with. */
  shard: [number, number] | undefined;
}

/** The shard that receives a guild's events: `(guild_id >> 22) % count`, Discord's rule. */
export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** Whether a connection gets events for `guildId` (undefined: not about one guild, so every connection does). */
function receives(session: GatewaySession, guildId: string | undefined): boolean {
  const shard = session.shard;
  if (!shard || shard[1] <= 1 || guildId === undefined || !/^\d+$/.test(guildId)) return true;
  return shardOfGuild(guildId, shard[1]) === shard[0];
}

function guildIdOf(data: unknown): string | undefined {
  const guildId = typeof data === 'object' && data !== null ? (data as { guild_id?: unknown }).guild_id : undefined;
  return typeof guildId === 'string' ? guildId : undefined;
}

export class FakeGateway {
  readonly identifies: IdentifyRecord[] = [];
  heartbeats = 0;
  /** The shard of every READY sent, in order (undefined: identified without a shard). */
  readonly readies: ([number, number] | undefined)[] = [];
  private server: WebSocketServer | undefined;
  private readonly sessions = new Set<GatewaySession>();
  private readyWaiters: { ready: () => boolean; resolve: () => void }[] = [];
  /** Guilds besides the world's own (see `addGuild`). */
  private readonly otherGuilds: FakeWorld[] = [];

  constructor(
    private readonly world: FakeWorld,
    private readonly token: string,
    private readonly extraChannels: () => FakeChannel[],
    /** Intent bits this "application" has not enabled in the portal: identifying with them is closed with 4014. */
    private readonly refusedIntents = 0,
  ) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    return `ws://127.0.0.1:${address?.port ?? 0}`;
  }

  async listen(): Promise<void> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.on('connection', (socket) => this.onConnection(socket));
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const session of this.sessions) session.socket.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Serves another guild (a world view with its own guild and channels) to the connections whose shard owns it. */
  addGuild(guild: FakeWorld): void {
    this.otherGuilds.push(guild);
  }

  /**
   * Sends a dispatch (op 0) to every identified connection that receives it
   * (for a guild's event, the shard owning the guild); returns the sequence numbers used.
   */
  dispatch(type: string, data: unknown): number[] {
    const sequences: number[] = [];
    const guildId = guildIdOf(data);
    for (const session of this.sessions) {
      if (!session.identified || !receives(session, guildId)) continue;
      session.sequence += 1;
      sequences.push(session.sequence);
      session.socket.send(JSON.stringify({ op: Opcodes.Dispatch, t: type, s: session.sequence, d: data }));
    }
    if (sequences.length === 0) throw new Error(`FakeGateway: no identified connection to dispatch ${type} to`);
    return sequences;
  }

  /** Resolves once a client has identified and been sent READY and GUILD_CREATE. */
  whenIdentified(): Promise<void> {
    if ([...this.sessions].some((s) => s.identified)) return Promise.resolve();
    return this.whenReady(() => true);
  }

  /** Resolves once a READY for shard `shardId` is sent after the first `since` READYs (see `readies`). */
  whenShardReady(shardId: number, since = 0): Promise<void> {
    return this.whenReady(() => this.readies.slice(since).some((shard) => (shard?.[0] ?? 0) === shardId));
  }

  private whenReady(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push({ ready, resolve }));
  }

  private onConnection(socket: WebSocket): void {
    const session: GatewaySession = { socket, sequence: 0, identified: false, shard: undefined };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('message', (raw) => this.onMessage(session, String(raw)));
    this.send(session, { op: Opcodes.Hello, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS }, s: null, t: null });
  }

  private onMessage(session: GatewaySession, raw: string): void {
    const payload = JSON.parse(raw) as { op: number; d: unknown };
    switch (payload.op) {
      case Opcodes.Heartbeat:
        this.heartbeats += 1;
        this.send(session, { op: Opcodes.HeartbeatAck, d: null, s: null, t: null });
        return;
      case Opcodes.Identify: {
        const d = payload.d as { token: string; intents: number; shard?: [number, number] };
        this.identifies.push({ token: d.token, intents: d.intents, shard: d.shard });
        if (d.token !== this.token) {
          session.socket.close(4004, 'Authentication failed.');
          return;
        }
        if ((d.intents & this.refusedIntents) !== 0) {
          session.socket.close(4014, 'Disallowed intent(s).');
          return;
        }
        session.shard = d.shard;
        this.sendReady(session);
        return;
      }
      case Opcodes.Resume:
        // No resumable sessions here: tell the client to identify again.
        this.send(session, { op: Opcodes.InvalidSession, d: false, s: null, t: null });
        return;
      default:
        return;
    }
  }

  private sendReady(session: GatewaySession): void {
    const { world } = this;
    const guilds = [world, ...this.otherGuilds].filter((guild) => receives(session, guild.guild.id));
    session.identified = true;
    session.sequence += 1;
    this.send(session, {
      op: Opcodes.Dispatch,
      t: 'READY',
      s: session.sequence,
      d: {
        v: 10,
        user: { ...world.bot, verified: true, mfa_enabled: false, flags: 0 },
        guilds: guilds.map((guild) => ({ id: guild.guild.id, unavailable: true })),
        session_id: nextSnowflake(),
        resume_gateway_url: this.url,
        shard: session.shard ?? [0, 1],
        application: { id: world.applicationId, flags: 0 },
        user_settings: {},
        private_channels: [],
        relationships: [],
        presences: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
      },
    });
    for (const guild of guilds) {
      session.sequence += 1;
      this.send(session, { op: Opcodes.Dispatch, t: 'GUILD_CREATE', s: session.sequence, d: this.guildCreate(guild) });
    }
    this.readies.push(session.shard);
    const waiters = this.readyWaiters;
    this.readyWaiters = waiters.filter((waiter) => !waiter.ready());
    for (const waiter of waiters) if (!this.readyWaiters.includes(waiter)) waiter.resolve();
  }

  /** GUILD_CREATE for one guild: its channels, and the stand-in's public threads in it. */
  private guildCreate(world: FakeWorld): Record<string, unknown> {
    const joinedAt = new Date().toISOString();
    const channels = [world.general, world.announcements, world.locked];
    return {
      id: world.guild.id,
      name: world.guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: world.guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [
        { id: world.guild.id, name: '@everyone', color: 0, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: ALL_PERMISSIONS, managed: false, mentionable: false, flags: 0 },
      ],
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      stickers: [],
      joined_at: joinedAt,
      large: false,
      unavailable: false,
      member_count: 3,
      voice_states: [],
      members: [{ user: world.bot, roles: [], joined_at: joinedAt, deaf: false, mute: false, flags: 0 }],
      channels,
      threads: this.extraChannels().filter((thread) => thread.guild_id === world.guild.id),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private send(session: GatewaySession, payload: unknown): void {
    session.socket.send(JSON.stringify(payload));
  }
}
