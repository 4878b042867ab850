/**
 * The turn pipeline every front end shares. A delivery is decoded by its
 * adapter into a `Delivery` and an `Inbound`; here, once for every platform:
 *
 *   queue per thread → duplicate? → ownership → expiry → step → plan → commit
 *
 * `accept` commits the whole turn (delivery id, session, thread state and the
 * operations to send) in one transaction and returns; only then may the
 * adapter acknowledge the delivery, and only then are the operations sent
 * (`run` does all three in that order).
 */
import { randomUUID } from 'node:crypto';
import { createSession, createConversation, type Conversation } from '../conversation/step.ts';
import type { ConversationEvent, Reply, Session, SessionKey } from '../conversation/types.ts';
import { expiredNotice, helpReply, recommendationFor } from '../conversation/views.ts';
import { askKnowledge } from '../engine/ask.ts';
import { isAdvisorError } from '../errors.ts';
import type { Knowledge } from '../knowledge/load.ts';
import type { Logger } from '../logger.ts';
import type { OutboxEntry, SessionStore, TurnRead } from '../sessions/store.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import { Outbox, type Opened, type Reservation } from './outbox.ts';
import { planTurn, retireControls, type TurnPlan } from './plan.ts';
import type { PlatformPort } from './port.ts';
import { emptyThreadState, threadId, type Content, type Delivery, type Inbound, type Operation, type ThreadKey, type ThreadState, type TurnResult } from './types.ts';

export interface TurnServiceOptions<Live> {
  store: SessionStore;
  knowledge: Knowledge;
  port: PlatformPort<Live>;
  logger: Logger;
  /** Idle time after which an interview expires. */
  ttlMs: number;
  /** How long a delivery id is remembered (platform retries come within minutes; 24 h by default). */
  deliveryTtlMs?: number;
  clock?: () => number;
  /** This process, as named in outbox claims. */
  processId?: string;
}

/** What a turn commits: everything is optional but the thread it is about. */
interface Draft {
  session?: { session: Session; expectedVersion: number };
  thread?: { state: ThreadState; expectedVersion: number };
  operations: Operation[];
  result: Omit<TurnResult, 'thread' | 'duplicate' | 'queued'>;
}

/** A committed turn whose sending waits for its caller (see `TurnService.commit`). */
export interface CommittedTurn<Live> {
  result: TurnResult;
  /** Sends what the turn queued, and anything else the thread has pending. Never throws. */
  send(live?: Live): Promise<void>;
  /** The delivery could not be acknowledged: gives the turn's claim back unsent, for the platform's retry or the sweep. */
  cancel(): void;
}

const MAX_CONFLICT_RETRIES = 5;

/**
 * What makes a turn's message handles unique: its delivery id, or for a
 * delivery without one (the terminal) a fresh id. Handles must never repeat in
 * a thread: an edit finds its message by handle.
 */
function turnTag(delivery: Delivery): string {
  return delivery.id ?? `local-${randomUUID()}`;
}

const DAY_MS = 24 * 3_600_000;
const NOTHING: Draft['result'] = { expired: false, changed: false, refused: false };

export class TurnService<Live = unknown> {
  readonly knowledge: Knowledge;
  readonly store: SessionStore;
  readonly outbox: Outbox<Live>;
  private readonly conversation: Conversation;
  private readonly queue = createKeyedQueue();
  private readonly clock: () => number;
  /** `run` calls in flight: between its commit and its drain a run is in neither queue, and `idle` must still wait for it. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly options: TurnServiceOptions<Live>) {
    this.knowledge = options.knowledge;
    this.store = options.store;
    this.conversation = createConversation(options.knowledge);
    this.clock = options.clock ?? Date.now;
    this.outbox = new Outbox<Live>({
      store: options.store,
      port: options.port,
      logger: options.logger,
      clock: this.clock,
      owner: options.processId ?? `${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
      onThreadOpened: (entry, opened) => this.startInOpenedThread(entry, opened),
    });
  }

  /**
   * Accepts a delivery: commit, acknowledge, send. Throws (with nothing
   * recorded) when the commit fails, before `acknowledge` is called, so the
   * platform can be told and retry.
   */
  run(delivery: Delivery, inbound: Inbound, io: { live?: Live; acknowledge?: () => Promise<void> } = {}): Promise<TurnResult> {
    const running = (async () => {
      const committed = await this.commit(delivery, inbound);
      try {
        if (io.acknowledge) await io.acknowledge();
      } catch (error) {
        committed.cancel();
        throw error;
      }
      await committed.send(io.live);
      return committed.result;
    })();
    const settled = running.catch(() => undefined);
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return running;
  }

  /**
   * Applies and commits one delivery, like `accept`, for a caller that acknowledges it itself: then call
   * `send` (or `cancel`, when it could not be acknowledged) on what it returns, exactly once. The commit
   * claims the turn's own entries, and the thread's next drain is kept for them, so `send` needs no claim.
   */
  async commit(delivery: Delivery, inbound: Inbound): Promise<CommittedTurn<Live>> {
    const { result, reservation } = await this.queue.run(threadId(delivery.thread), () => this.acceptNow(delivery, inbound, true));
    return {
      result,
      send: (live) => (reservation ? reservation.send(live) : this.outbox.drain(result.thread, live)),
      cancel: () => reservation?.cancel(),
    };
  }

  /** Applies and commits one delivery; sends nothing. */
  accept(delivery: Delivery, inbound: Inbound): Promise<TurnResult> {
    return this.queue.run(threadId(delivery.thread), () => this.acceptNow(delivery, inbound, false)).then(({ result }) => result);
  }

  /** Deletes expired sessions, thread states, old outbox entries and delivery ids; returns how many sessions went. */
  async cleanup(): Promise<number> {
    const now = this.clock();
    const removed = await this.store.deleteExpired(now - this.options.ttlMs, now);
    if (removed > 0) this.options.logger.info({ removed }, 'expired sessions removed');
    return removed;
  }

  /** Resolves when every turn and drain started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    do {
      await Promise.all(this.running);
      await this.queue.idle();
      await this.outbox.idle();
    } while (this.running.size > 0 || this.queue.size() > 0);
  }

  /**
   * Reads, steps and commits, inside the thread's queue. With `reserve`, the commit claims the turn's entries and
   * the outbox reserves the thread's next drain for them before the queue moves on (see Outbox.reserve).
   */
  private async acceptNow(delivery: Delivery, inbound: Inbound, reserve: boolean): Promise<{ result: TurnResult; reservation?: Reservation<Live> }> {
    const log = this.options.logger.child({ delivery: delivery.id, thread: threadId(delivery.thread), actor: delivery.actor, inbound: inbound.kind });
    const base = { thread: delivery.thread, duplicate: false, queued: 0 };
    for (let attempt = 0; ; attempt++) {
      const read = await this.read(delivery, inbound);
      if (read.applied) {
        log.info('duplicate delivery: nothing applied again');
        return { result: { ...base, ...NOTHING, duplicate: true } };
      }
      const draft = await this.draft(delivery, inbound, read);
      const lease = reserve && draft.operations.length > 0 ? this.outbox.leaseFor() : undefined;
      try {
        const now = this.clock();
        const { leased } = await this.store.commitTurn({
          now,
          ...(delivery.id === undefined ? {} : { delivery: { id: delivery.id, expiresAt: now + (this.options.deliveryTtlMs ?? DAY_MS) } }),
          ...(draft.session ? { session: draft.session } : {}),
          ...(draft.thread ? { thread: { key: delivery.thread, ...draft.thread } } : {}),
          ...(draft.operations.length > 0
            ? { outbox: { thread: delivery.thread, operations: draft.operations, actor: delivery.actor, ...(delivery.id === undefined ? {} : { deliveryId: delivery.id }) } }
            : {}),
          ...(lease ? { lease } : {}),
        });
        const result = { ...base, ...draft.result, queued: draft.operations.length };
        return lease && leased.length > 0 ? { result, reservation: this.outbox.reserve(delivery.thread, leased, { owner: lease.owner, at: now }) } : { result };
      } catch (error) {
        if (isAdvisorError(error, 'DUPLICATE_DELIVERY')) {
          log.info('duplicate delivery (raced): nothing applied again');
          return { result: { ...base, ...NOTHING, duplicate: true } };
        }
        if (isAdvisorError(error, 'SESSION_CONFLICT') && attempt < MAX_CONFLICT_RETRIES) {
          log.debug({ attempt }, 'another process committed first; trying again on fresh state');
          continue;
        }
        log.error({ err: error }, 'could not commit the turn');
        throw error;
      }
    }
  }

  /**
   * What the turn needs from the store. Turns that answer without an interview (ask, help, a start in a channel)
   * read only the delivery check: a thread or session they never use cannot fail them.
   */
  private async read(delivery: Delivery, inbound: Inbound): Promise<TurnRead> {
    const now = this.clock();
    if (inbound.kind === 'ask' || inbound.kind === 'help' || (inbound.kind === 'start' && !delivery.inThread)) {
      return { applied: delivery.id !== undefined && (await this.store.hasDelivery(delivery.id, now)) };
    }
    return this.store.readTurn({ thread: delivery.thread, user: delivery.actor, now, ...(delivery.id === undefined ? {} : { deliveryId: delivery.id }) });
  }

  /** Everything the turn would commit, from `read`, a fresh read of the store. */
  private async draft(delivery: Delivery, inbound: Inbound, read: TurnRead): Promise<Draft> {
    switch (inbound.kind) {
      case 'ask':
        return { operations: [{ op: 'post', handle: `${turnTag(delivery)}#0`, content: { kind: 'ask', answer: askKnowledge(this.knowledge, inbound.question), asker: delivery.actor } }], result: NOTHING };
      case 'help':
        return { operations: [this.tell(delivery, { kind: 'help', reply: helpReply(), ...(inbound.unknown === undefined ? {} : { lead: inbound.unknown }) })], result: NOTHING };
      case 'start':
        if (!delivery.inThread) {
          const content: Content = { kind: 'threadParent', owner: delivery.actor };
          const tag = turnTag(delivery);
          return { operations: [{ op: 'openThread', handle: `${tag}#thread`, content, owner: delivery.actor, startDelivery: `${tag}/started` }], result: NOTHING };
        }
        return this.interviewTurn(delivery, inbound, read);
      default:
        return this.interviewTurn(delivery, inbound, read);
    }
  }

  private tell(delivery: Delivery, content: Content): Operation {
    return { op: 'notify', user: delivery.actor, content };
  }

  private async interviewTurn(delivery: Delivery, inbound: Exclude<Inbound, { kind: 'ask' | 'help' }>, read: TurnRead): Promise<Draft> {
    const stored = read.thread;
    const thread = stored?.state ?? emptyThreadState();
    const expectedThread = stored?.version ?? 0;
    // The thread state names the owner once it exists; only older threads (before thread states) need the sessions read.
    const owner = delivery.claimedOwner ?? thread.owner ?? (await this.store.listByConversation(delivery.thread))[0]?.session.key.user;

    // One ownership rule: an interview answers to the person who started it.
    if (owner !== undefined && owner !== delivery.actor) {
      if (inbound.kind === 'text') {
        // People talk in threads: tell a bystander once, privately, then leave their messages alone.
        if (thread.hinted.includes(delivery.actor)) return { operations: [], result: { ...NOTHING, refused: true } };
        return {
          thread: { state: { ...thread, hinted: [...thread.hinted, delivery.actor] }, expectedVersion: expectedThread },
          operations: [this.tell(delivery, { kind: 'turnNotice', notice: { code: 'not_owner', owner } })],
          result: { ...NOTHING, refused: true },
        };
      }
      return { operations: [this.tell(delivery, { kind: 'turnNotice', notice: { code: 'not_owner', owner } })], result: { ...NOTHING, refused: true } };
    }

    const key: SessionKey = { ...delivery.thread, user: delivery.actor };
    const found = read.session;
    const expired = found !== undefined && this.clock() - found.updatedAt > this.options.ttlMs;
    const live = found !== undefined && !expired ? found.session : undefined;

    if (live === undefined && inbound.kind !== 'start' && inbound.kind !== 'text') {
      // A click on an interview that is gone: say so once and take its buttons away. Once cleanup has removed the
      // thread's record, the clicked message is the only one known to still carry controls; that tidy-up (a read
      // and an update on Slack, which may be rate-limited) comes after the notice, so it never holds the notice up.
      const notice = this.tell(delivery, { kind: 'turnNotice', notice: { code: 'expired' } });
      const retired = retireControls(thread);
      const clicked: Operation[] = retired.operations.length === 0 && delivery.clicked !== undefined ? [{ op: 'retire', messageId: delivery.clicked }] : [];
      if (found === undefined && stored === undefined) return { operations: [notice, ...clicked], result: NOTHING };
      return {
        thread: { state: retired.thread, expectedVersion: expectedThread },
        operations: [...retired.operations, notice, ...clicked],
        result: { ...NOTHING, expired },
      };
    }
    if (live === undefined && inbound.kind === 'text' && owner === undefined) {
      // Typing in a thread with no interview: not addressed to the advisor.
      return { operations: [], result: NOTHING };
    }

    const before: Session = live ?? { ...createSession(key), version: found?.session.version ?? 0 };
    const expectedVersion = found?.session.version ?? 0;
    if (inbound.kind === 'share' || inbound.kind === 'shareTo') return this.shareTurn(delivery, inbound, before, thread, expectedThread);

    // After expiry a fresh interview begins (the notice says so), whatever was typed.
    const event: ConversationEvent =
      inbound.kind === 'control' ? inbound.event : inbound.kind === 'text' && !expired ? { type: 'text', text: inbound.text } : { type: 'start' };
    const { session, replies } = this.conversation.step(before, event);
    const notices: Reply[] = expired ? [expiredNotice()] : [];
    const changed = session !== before;
    const plan: TurnPlan = planTurn([...notices, ...replies], { ...thread, owner: thread.owner ?? delivery.actor }, {
      owner: delivery.actor,
      actor: delivery.actor,
      handlePrefix: turnTag(delivery),
      repostRestated: inbound.kind === 'text' || inbound.kind === 'start',
    });
    return {
      ...(changed || expired || found === undefined ? { session: { session, expectedVersion } } : {}),
      thread: { state: plan.thread, expectedVersion: expectedThread },
      operations: plan.operations,
      result: { expired, changed, refused: false },
    };
  }

  /** "Post to channel": offer a picker; a chosen channel gets the summary, and the picker says where it went. */
  private shareTurn(delivery: Delivery, inbound: Extract<Inbound, { kind: 'share' | 'shareTo' }>, session: Session, thread: ThreadState, expectedThread: number): Draft {
    const owner = delivery.actor;
    if (Object.keys(session.answers).length === 0) {
      return { operations: [this.tell(delivery, { kind: 'turnNotice', notice: { code: 'nothing_to_share' } })], result: NOTHING };
    }
    const prefix = turnTag(delivery);
    if (inbound.kind === 'share') {
      const handle = `${prefix}#picker`;
      const attempts = thread.pickerAttempts + 1;
      return {
        thread: { state: { ...thread, picker: handle, pickerAttempts: attempts }, expectedVersion: expectedThread },
        operations: [{ op: 'post', handle, content: { kind: 'sharePicker', owner, version: session.version, attempt: attempts } }],
        result: NOTHING,
      };
    }
    const summary = `${prefix}#summary`;
    const view = recommendationFor(this.knowledge, session.answers);
    const threadMessage = thread.live?.handle;
    const operations: Operation[] = [
      { op: 'post', handle: summary, channel: inbound.channel, content: { kind: 'summary', owner, view, thread: delivery.thread, ...(threadMessage ? { threadMessage } : {}) } },
    ];
    const picker = inbound.picker !== undefined ? { messageId: inbound.picker } : thread.picker !== undefined ? { handle: thread.picker } : undefined;
    const attempts = thread.pickerAttempts + 1;
    if (picker) {
      operations.push({ op: 'edit', target: picker, content: { kind: 'shared', owner, channel: inbound.channel }, when: { handle: summary, sent: true } });
      // After a failure (say, the bot is not in that channel) a fresh picker lets the same channel be chosen again.
      operations.push({ op: 'edit', target: picker, content: { kind: 'sharePicker', owner, version: session.version, attempt: attempts }, when: { handle: summary, sent: false } });
    }
    return { thread: { state: { ...thread, pickerAttempts: attempts }, expectedVersion: expectedThread }, operations, result: NOTHING };
  }

  /** The continuation of an `openThread` entry: the interview starts in the new thread, atomically with marking the entry sent. */
  private async startInOpenedThread(entry: OutboxEntry, opened: { conversation: string; messageId: string }): Promise<Opened<Live>> {
    const operation = entry.operation;
    if (operation.op !== 'openThread') throw new Error(`outbox entry ${entry.seq} is not an openThread`);
    const thread: ThreadKey = { ...entry.thread, conversation: opened.conversation };
    // The owner is known (the entry names who started it), so no session list is read to find it.
    const delivery: Delivery = { id: operation.startDelivery, thread, inThread: true, actor: operation.owner, claimedOwner: operation.owner };
    return this.queue.run(threadId(thread), async (): Promise<Opened<Live>> => {
      const now = this.clock();
      const read = await this.store.readTurn({ thread, user: delivery.actor, deliveryId: operation.startDelivery, now });
      // Started already (this entry was sent once before a crash): only the entry is left to close.
      if (read.applied) {
        await this.store.completeOutbox(entry.seq, { now, messageId: opened.messageId });
        return { thread };
      }
      const draft = await this.interviewTurn(delivery, { kind: 'start' }, read);
      const lease = draft.operations.length > 0 ? this.outbox.leaseFor() : undefined;
      try {
        const { leased } = await this.store.commitTurn({
          now,
          delivery: { id: operation.startDelivery, expiresAt: now + (this.options.deliveryTtlMs ?? DAY_MS) },
          ...(draft.session ? { session: draft.session } : {}),
          ...(draft.thread ? { thread: { key: thread, ...draft.thread } } : {}),
          outbox: { thread, operations: draft.operations, actor: delivery.actor, deliveryId: operation.startDelivery },
          completes: { seq: entry.seq, messageId: opened.messageId },
          ...(lease ? { lease } : {}),
        });
        return lease && leased.length > 0 ? { thread, reservation: this.outbox.reserve(thread, leased, { owner: lease.owner, at: now }) } : { thread };
      } catch (error) {
        // Started meanwhile by another process that sent this entry too.
        if (!isAdvisorError(error, 'DUPLICATE_DELIVERY')) throw error;
        await this.store.completeOutbox(entry.seq, { now, messageId: opened.messageId });
        return { thread };
      }
    });
  }
}

