/**
 * The imperative shell around the pure conversation: load the session, apply
 * `step`, commit (version check + event id) BEFORE any reply goes out, and
 * return the replies. Adapters call only this.
 *
 * Guarantees:
 * - An event with an id that was already committed for the session is not applied again.
 * - Two events racing for one session are serialised in-process, and across
 *   processes the store's version check turns the loser into a retry on fresh state.
 * - A session idle for longer than the TTL is expired with a clear notice.
 */
import { isAdvisorError } from '../errors.ts';
import type { Knowledge } from '../knowledge/load.ts';
import type { Logger } from '../logger.ts';
import { createSession, createConversation, type Conversation } from '../conversation/step.ts';
import type { ConversationEvent, Reply, Session, SessionKey } from '../conversation/types.ts';
import { expiredNotice } from '../conversation/views.ts';
import { sessionId, type SessionStore } from './store.ts';

export interface HandleOptions {
  /** Platform delivery id (Slack event_id / action id, Discord interaction id): a redelivery is ignored. */
  eventId?: string;
}

export interface HandleResult {
  session: Session;
  replies: Reply[];
  /** True when the event id was already applied: nothing changed, no replies. */
  duplicate: boolean;
  /** True when an expired session was discarded before this event. */
  expired: boolean;
}

export interface ServiceOptions {
  store: SessionStore;
  knowledge: Knowledge;
  logger: Logger;
  /** Idle time after which a session expires. */
  ttlMs: number;
  clock?: () => number;
}

const MAX_CONFLICT_RETRIES = 5;

export class ConversationService {
  readonly knowledge: Knowledge;
  readonly store: SessionStore;
  private readonly conversation: Conversation;
  private readonly logger: Logger;
  private readonly ttlMs: number;
  private readonly clock: () => number;
  /** Per-session promise chains: events for one session run one at a time in this process. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: ServiceOptions) {
    this.store = options.store;
    this.knowledge = options.knowledge;
    this.conversation = createConversation(options.knowledge);
    this.logger = options.logger;
    this.ttlMs = options.ttlMs;
    this.clock = options.clock ?? Date.now;
  }

  /** Applies one event to the session at `key` and commits it before returning the replies. */
  handle(key: SessionKey, event: ConversationEvent, options: HandleOptions = {}): Promise<HandleResult> {
    return this.serialised(key, () => this.handleNow(key, event, options));
  }

  /** The session at `key`, unless missing or expired. */
  async get(key: SessionKey): Promise<Session | undefined> {
    const found = await this.lookup(key);
    return found && !found.expired ? found.session : undefined;
  }

  /** The session at `key` even when expired (its next event will say so and start afresh), or undefined. */
  async lookup(key: SessionKey): Promise<{ session: Session; expired: boolean } | undefined> {
    const stored = await this.store.load(key);
    return stored ? { session: stored.session, expired: this.isExpired(stored.updatedAt) } : undefined;
  }

  /** Stores adapter data (message ids) on a session without changing its version. */
  async setMeta(key: SessionKey, meta: Record<string, string>): Promise<Session | undefined> {
    const stored = await this.store.updateMeta(key, meta, this.clock());
    return stored?.session;
  }

  /** Live sessions in one conversation (any user): e.g. who owns the interview in a thread. */
  async findInConversation(platform: string, workspace: string, conversation: string): Promise<Session[]> {
    const stored = await this.store.listByConversation(platform, workspace, conversation);
    return stored.filter((s) => !this.isExpired(s.updatedAt)).map((s) => s.session);
  }

  /** Deletes expired sessions; returns how many. */
  async cleanup(): Promise<number> {
    const removed = await this.store.deleteExpired(this.clock() - this.ttlMs);
    if (removed > 0) this.logger.info({ removed }, 'expired sessions removed');
    return removed;
  }

  private isExpired(updatedAt: number): boolean {
    return this.clock() - updatedAt > this.ttlMs;
  }

  private async handleNow(key: SessionKey, event: ConversationEvent, options: HandleOptions): Promise<HandleResult> {
    const log = this.logger.child({ session: sessionId(key), event: event.type, eventId: options.eventId });
    for (let attempt = 0; ; attempt++) {
      const stored = await this.store.load(key);
      if (options.eventId && stored && (await this.store.hasEvent(key, options.eventId))) {
        log.info('duplicate delivery ignored');
        return { session: stored.session, replies: [], duplicate: true, expired: false };
      }
      const expired = stored !== undefined && this.isExpired(stored.updatedAt);
      const expectedVersion = stored?.session.version ?? 0;
      // An expired session restarts from a fresh one at the stored version, so the version check still holds.
      const before = stored && !expired ? stored.session : { ...createSession(key), version: expectedVersion };
      const { session, replies } = this.conversation.step(before, event);
      const notices: Reply[] = expired ? [expiredNotice()] : [];
      // Events that change nothing (why, help, a stale click) are not committed, except to record a delivery id.
      const changed = session !== before || expired || !stored;
      try {
        if (changed || options.eventId) {
          await this.store.commit({
            session,
            expectedVersion,
            now: this.clock(),
            ...(options.eventId ? { eventId: options.eventId } : {}),
          });
        }
        if (expired) log.info('expired session discarded');
        return { session, replies: [...notices, ...replies], duplicate: false, expired };
      } catch (error) {
        if (isAdvisorError(error, 'SESSION_CONFLICT') && error.details['duplicateEvent'] === true) {
          log.info('duplicate delivery ignored (raced)');
          const latest = await this.store.load(key);
          return { session: latest?.session ?? session, replies: [], duplicate: true, expired: false };
        }
        if (isAdvisorError(error, 'SESSION_CONFLICT') && attempt < MAX_CONFLICT_RETRIES) {
          log.debug({ attempt }, 'version conflict, retrying on fresh state');
          continue;
        }
        log.error({ err: error }, 'could not commit the session');
        throw error;
      }
    }
  }

  private serialised<T>(key: SessionKey, work: () => Promise<T>): Promise<T> {
    const id = sessionId(key);
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return next;
  }
}
