/**
 * The turn layer under test: TurnServices on SQLite files in a temporary
 * folder (a second service on the same file stands for a second process, or
 * for this one after a restart), an in-memory platform, a clock the test moves,
 * and short ways to write deliveries.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { ConversationEvent, Session } from '../../src/conversation/types.ts';
import { isAdvisorError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { parseStoredSession } from '../../src/sessions/session-schema.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { parseThreadState } from '../../src/sessions/stored-json.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { TurnService } from '../../src/turns/service.ts';
import type { Content, Delivery, Inbound, ThreadKey } from '../../src/turns/types.ts';
import { realKnowledge, tempDir } from '../support/conversation.ts';
import { askedAfter as askedAfterIn, optionOf as optionIn } from '../support/questions.ts';
import { MemoryPort, type MemoryMessage } from './memory-port.ts';

export const knowledge = realKnowledge();
export const HOUR = 3_600_000;
export const TTL = 24 * HOUR;
export const T0 = 1_700_000_000_000;
/** An interview thread on the memory platform (the port's sweep only sees its own platform). */
export const THREAD: ThreadKey = { platform: 'memory', workspace: 'W1', conversation: 'C1/thread-1' };
export const OWNER = 'U1';

/** The question the engine asks after `answers` (the first one for none): derived, so the tests follow the pack's weights. */
export function askedAfter(answers: Record<string, string> = {}): string {
  return askedAfterIn(knowledge, answers);
}

/** The first question of every interview. */
export const FIRST = askedAfter();

/** Option `index` of `criterion`, as its question shows it. */
export function optionOf(criterion: string, index = 0): { id: string; label: string } {
  return optionIn(knowledge, criterion, index);
}

export interface World {
  path: string;
  port: MemoryPort;
  now: number;
  /** Whether `close` checks that every stored session and thread state passes a fresh connection's full check (true; off for tests that corrupt rows). */
  checkStoredOnClose: boolean;
  /** Opens another connection to the same file (closed with the world). */
  openStore(): SqliteSessionStore;
  /** A TurnService on a new connection: another process, or this one restarted. */
  service(options?: { store?: SessionStore; processId?: string; ttlMs?: number }): TurnService<string>;
  close(): Promise<void>;
}

export function makeWorld(options: { port?: MemoryPort } = {}): World {
  const dir = tempDir('advisor-turns-');
  const stores: SqliteSessionStore[] = [];
  let processes = 0;
  const world: World = {
    path: join(dir.path, 'sessions.db'),
    port: options.port ?? new MemoryPort(),
    now: T0,
    checkStoredOnClose: true,
    openStore() {
      const store = SqliteSessionStore.open(world.path);
      stores.push(store);
      return store;
    },
    service(options = {}) {
      return new TurnService<string>({
        store: options.store ?? world.openStore(),
        knowledge,
        port: world.port,
        logger: silentLogger(),
        ttlMs: options.ttlMs ?? TTL,
        clock: () => world.now,
        processId: options.processId ?? `process-${++processes}`,
      });
    },
    async close() {
      for (const store of stores.splice(0)) await store.close();
      try {
        if (world.checkStoredOnClose) expectFullyValid(world.path);
      } finally {
        dir.cleanup();
      }
    },
  };
  return world;
}

/**
 * Every session and thread state the turns wrote passes the full check a fresh connection makes, and reads back
 * unchanged: a store skips that check for text it wrote itself (OwnDocuments), which is only sound when this holds.
 */
function expectFullyValid(path: string): void {
  if (!existsSync(path)) return;
  const db = new Database(path, { readonly: true });
  try {
    for (const { id, state } of db.prepare<[], { id: string; state: string }>('SELECT id, state FROM sessions').all()) {
      const parsed = parseStoredSession(state);
      expect(parsed, id).toEqual({ ok: true, session: JSON.parse(state) as unknown });
    }
    for (const { id, state } of db.prepare<[], { id: string; state: string }>('SELECT id, state FROM threads').all()) {
      expect(parseThreadState(state, { thread: id }), id).toEqual(JSON.parse(state) as unknown);
    }
  } finally {
    db.close();
  }
}

let deliveries = 0;

/** A delivery in THREAD (or `thread`) by `actor`, with a fresh id unless one is given (`id: null` for none). */
export function delivery(options: { actor?: string; id?: string | null; thread?: ThreadKey; inThread?: boolean; claimedOwner?: string; clicked?: string } = {}): Delivery {
  const id = options.id === null ? undefined : (options.id ?? `D${++deliveries}`);
  return {
    ...(id === undefined ? {} : { id }),
    thread: options.thread ?? THREAD,
    inThread: options.inThread ?? true,
    actor: options.actor ?? OWNER,
    ...(options.claimedOwner === undefined ? {} : { claimedOwner: options.claimedOwner }),
    ...(options.clicked === undefined ? {} : { clicked: options.clicked }),
  };
}

export const start: Inbound = { kind: 'start' };
export const text = (typed: string): Inbound => ({ kind: 'text', text: typed });
export const control = (event: ConversationEvent): Inbound => ({ kind: 'control', event });

/** The session of `actor` in THREAD, as a fresh connection reads it. */
export async function storedSession(world: World, actor = OWNER, thread = THREAD): Promise<Session | undefined> {
  const store = SqliteSessionStore.open(world.path);
  try {
    return (await store.load({ ...thread, user: actor }))?.session;
  } finally {
    await store.close();
  }
}

/** The reply a message shows, when it shows one. */
export function replyOf(message: MemoryMessage | undefined): Extract<Content, { kind: 'reply' }>['reply'] | undefined {
  return message?.content.kind === 'reply' ? message.content.reply : undefined;
}

/** The one message with live controls in `thread`; throws unless there is exactly one. */
export function liveMessage(port: MemoryPort, thread = THREAD): MemoryMessage {
  const live = port.live(thread);
  if (live.length !== 1) throw new Error(`expected one live message, found ${live.length}: ${live.map((m) => shown(m)).join(', ')}`);
  return live[0]!;
}

/** "question:team_size@3", "answered:team_size", "why", ... for assertions on whole threads. */
export function shown(message: MemoryMessage): string {
  const reply = replyOf(message);
  if (!reply) return message.content.kind;
  switch (reply.kind) {
    case 'question':
      return `question:${reply.criterion}@${reply.version}${message.content.kind === 'reply' && message.content.controls ? '*' : ''}`;
    case 'settled':
    case 'recommendation':
      return `${reply.kind}@${reply.version}${message.content.kind === 'reply' && message.content.controls ? '*' : ''}`;
    case 'answered':
      return `answered:${reply.criterion}`;
    default:
      return reply.kind;
  }
}

/** Private notes as "user:code" (turn notices and core notices alike). */
export function notesOf(port: MemoryPort): string[] {
  return port.notes.map((note) => {
    const c = note.content;
    if (c.kind === 'turnNotice') return `${note.user}:${c.notice.code}`;
    if (c.kind === 'notice') return `${note.user}:${c.notice.code}`;
    return `${note.user}:${c.kind}`;
  });
}

/** A store that delegates to `inner`, calls `afterRead` after each session load (alone or in a turn's read), and counts version conflicts. */
export class HookedStore implements SessionStore {
  conflicts = 0;
  constructor(
    private readonly inner: SessionStore,
    private readonly afterRead: () => Promise<void>,
  ) {}
  async load(...args: Parameters<SessionStore['load']>) {
    const loaded = await this.inner.load(...args);
    await this.afterRead();
    return loaded;
  }
  async readTurn(...args: Parameters<SessionStore['readTurn']>) {
    const read = await this.inner.readTurn(...args);
    await this.afterRead();
    return read;
  }
  listByConversation(...args: Parameters<SessionStore['listByConversation']>) {
    return this.inner.listByConversation(...args);
  }
  loadThread(...args: Parameters<SessionStore['loadThread']>) {
    return this.inner.loadThread(...args);
  }
  hasDelivery(...args: Parameters<SessionStore['hasDelivery']>) {
    return this.inner.hasDelivery(...args);
  }
  async commitTurn(...args: Parameters<SessionStore['commitTurn']>) {
    try {
      return await this.inner.commitTurn(...args);
    } catch (error) {
      if (isAdvisorError(error, 'SESSION_CONFLICT')) this.conflicts++;
      throw error;
    }
  }
  claimOutbox(...args: Parameters<SessionStore['claimOutbox']>) {
    return this.inner.claimOutbox(...args);
  }
  completeOutbox(...args: Parameters<SessionStore['completeOutbox']>) {
    return this.inner.completeOutbox(...args);
  }
  failOutbox(...args: Parameters<SessionStore['failOutbox']>) {
    return this.inner.failOutbox(...args);
  }
  releaseOutbox(...args: Parameters<SessionStore['releaseOutbox']>) {
    return this.inner.releaseOutbox(...args);
  }
  renewOutbox(...args: Parameters<SessionStore['renewOutbox']>) {
    return this.inner.renewOutbox(...args);
  }
  releaseClaimsOf(...args: Parameters<SessionStore['releaseClaimsOf']>) {
    return this.inner.releaseClaimsOf(...args);
  }
  messageIdOf(...args: Parameters<SessionStore['messageIdOf']>) {
    return this.inner.messageIdOf(...args);
  }
  sentMessageIds(...args: Parameters<SessionStore['sentMessageIds']>) {
    return this.inner.sentMessageIds(...args);
  }
  threadsWithPendingOutbox(...args: Parameters<SessionStore['threadsWithPendingOutbox']>) {
    return this.inner.threadsWithPendingOutbox(...args);
  }
  pendingOutboxCount() {
    return this.inner.pendingOutboxCount();
  }
  ping() {
    return this.inner.ping();
  }
  delete(...args: Parameters<SessionStore['delete']>) {
    return this.inner.delete(...args);
  }
  deleteExpired(...args: Parameters<SessionStore['deleteExpired']>) {
    return this.inner.deleteExpired(...args);
  }
  count() {
    return this.inner.count();
  }
  close() {
    return this.inner.close();
  }
}

/** `store` with `method` replaced by `replacement(real)`; everything else is the store's own. */
export function intercept<K extends keyof SessionStore>(store: SessionStore, method: K, replacement: (real: SessionStore[K]) => SessionStore[K]): SessionStore {
  const real = (store[method] as (...args: unknown[]) => unknown).bind(store) as SessionStore[K];
  return new Proxy(store, {
    get(target, property) {
      if (property === method) return replacement(real);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
