/**
 * A local stand-in for Slack's Socket Mode WebSocket endpoint (a `ws` server on
 * 127.0.0.1). When an app connects it sends `hello`; `deliver` sends an envelope
 * (`slash_commands`, `interactive`, `events_api`) and resolves with the app's
 * acknowledgement for that envelope id. Every ack is collected in `acks`.
 *
 * Wire it to the Web API stand-in: `webApi.socketModeUrl = socket.url`, so
 * `apps.connections.open` hands the app this server's URL.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketAck {
  envelope_id: string;
  payload?: unknown;
}

interface PendingAck {
  resolve: (ack: SocketAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function isAck(value: unknown): value is SocketAck {
  return typeof value === 'object' && value !== null && typeof (value as { envelope_id?: unknown }).envelope_id === 'string';
}

export class SocketModeStandIn {
  readonly acks: SocketAck[] = [];
  /** How many connections were opened (reconnects show up here). */
  connections = 0;

  private readonly server: WebSocketServer;
  private socket: WebSocket | undefined;
  private readonly pending = new Map<string, PendingAck>();
  private connectedWaiters: (() => void)[] = [];
  private envelopeCounter = 0;

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on('connection', (socket) => this.onConnection(socket));
  }

  static async start(): Promise<SocketModeStandIn> {
    const server = await new Promise<WebSocketServer>((resolve, reject) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      wss.once('listening', () => resolve(wss));
      wss.once('error', reject);
    });
    return new SocketModeStandIn(server);
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `ws://127.0.0.1:${port}/link/?ticket=stand-in`;
  }

  /** Resolves when an app is connected (it has been sent `hello`). */
  connected(timeoutMs = 10_000): Promise<void> {
    if (this.socket) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket stand-in: no connection')), timeoutMs);
      this.connectedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Sends one envelope and resolves with its acknowledgement. The timeout is a
   * safety net for a hanging test, never an assertion about speed.
   */
  deliver(type: EnvelopeType, payload: object, options: { envelopeId?: string; retryAttempt?: number; timeoutMs?: number } = {}): Promise<SocketAck> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('socket stand-in: no app connected'));
    this.envelopeCounter += 1;
    const envelopeId = options.envelopeId ?? `env-${this.envelopeCounter}`;
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
    };
    if (type === 'events_api') {
      envelope['retry_attempt'] = options.retryAttempt ?? 0;
      envelope['retry_reason'] = options.retryAttempt ? 'timeout' : '';
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`socket stand-in: envelope ${envelopeId} was not acknowledged`));
      }, options.timeoutMs ?? 10_000);
      this.pending.set(envelopeId, { resolve, reject, timer });
      socket.send(JSON.stringify(envelope));
    });
  }

  async close(): Promise<void> {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`socket stand-in closed before ${id} was acknowledged`));
    }
    this.pending.clear();
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: WebSocket): void {
    this.connections += 1;
    this.socket = socket;
    socket.on('message', (data: RawData) => this.onMessage(data));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'stand-in', approximate_connection_time: 3600 },
        connection_info: { app_id: 'A0ADVISOR' },
      }),
    );
    const waiters = this.connectedWaiters;
    this.connectedWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private onMessage(data: RawData): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (!isAck(parsed)) return;
    this.acks.push(parsed);
    const pending = this.pending.get(parsed.envelope_id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(parsed.envelope_id);
    pending.resolve(parsed);
  }
}
