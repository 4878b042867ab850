/**
 * The gateway half of the local Discord stand-in: a `ws` server on 127.0.0.1
 * that speaks just enough of Discord's gateway for discord.js: HELLO,
 * heartbeat ACKs, READY (user, guilds, application) on IDENTIFY, GUILD_CREATE
 * for the test guild, and dispatches with increasing sequence numbers.
 * JSON encoding, no compression (zlib-sync is deliberately not installed).
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
}

export class FakeGateway {
  readonly identifies: IdentifyRecord[] = [];
  heartbeats = 0;
  private server: WebSocketServer | undefined;
  private readonly sessions = new Set<GatewaySession>();
  private readyListeners: (() => void)[] = [];

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

  /** Sends a dispatch (op 0) to every identified connection; returns the sequence numbers used. */
  dispatch(type: string, data: unknown): number[] {
    const sequences: number[] = [];
    for (const session of this.sessions) {
      if (!session.identified) continue;
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
    return new Promise((resolve) => this.readyListeners.push(resolve));
  }

  private onConnection(socket: WebSocket): void {
    const session: GatewaySession = { socket, sequence: 0, identified: false };
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
    session.identified = true;
    session.sequence += 1;
    this.send(session, {
      op: Opcodes.Dispatch,
      t: 'READY',
      s: session.sequence,
      d: {
        v: 10,
        user: { ...world.bot, verified: true, mfa_enabled: false, flags: 0 },
        guilds: [{ id: world.guild.id, unavailable: true }],
        session_id: nextSnowflake(),
        resume_gateway_url: this.url,
        shard: [0, 1],
        application: { id: world.applicationId, flags: 0 },
        user_settings: {},
        private_channels: [],
        relationships: [],
        presences: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
      },
    });
    session.sequence += 1;
    this.send(session, { op: Opcodes.Dispatch, t: 'GUILD_CREATE', s: session.sequence, d: this.guildCreate() });
    const listeners = this.readyListeners;
    this.readyListeners = [];
    for (const listener of listeners) listener();
  }

  private guildCreate(): Record<string, unknown> {
    const { world } = this;
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
      threads: this.extraChannels(),
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
