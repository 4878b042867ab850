/**
 * ConversationService over a real SqliteSessionStore on a temporary file:
 * commit-before-reply, event ids applied once, serialised concurrent events,
 * two service instances (two processes) on one file, expiry and cleanup,
 * adapter metadata, and resuming after a crash.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConversation, createSession } from '../../src/conversation/step.ts';
import type { ConversationEvent, Session, SessionKey } from '../../src/conversation/types.ts';
import { isAdvisorError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { ConversationService } from '../../src/sessions/service.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { describeReplies, realKnowledge, tempDir } from '../support/conversation.ts';

const knowledge = realKnowledge();
const HOUR = 3_600_000;
const TTL = 24 * HOUR;
const T0 = 1_700_000_000_000;
const KEY: SessionKey = { platform: 'slack', workspace: 'T1', conversation: 'C1:1700000000.000100', user: 'U1' };

let dir: ReturnType<typeof tempDir>;
let dbPath: string;
const opened: SqliteSessionStore[] = [];

beforeEach(() => {
  dir = tempDir('advisor-service-');
  dbPath = join(dir.path, 'sessions.db');
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  dir.cleanup();
});

function openStore(): SqliteSessionStore {
  const store = SqliteSessionStore.open(dbPath);
  opened.push(store);
  return store;
}

function makeService(options: { store?: SessionStore; clock?: () => number; ttlMs?: number } = {}): ConversationService {
  return new ConversationService({
    store: options.store ?? openStore(),
    knowledge,
    logger: silentLogger(),
    ttlMs: options.ttlMs ?? TTL,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** What a fresh connection (another process, or this one after a restart) reads from the file. */
async function readBack(key: SessionKey = KEY): Promise<{ session: Session; updatedAt: number } | undefined> {
  const store = SqliteSessionStore.open(dbPath);
  try {
    const stored = await store.load(key);
    return stored && { session: stored.session, updatedAt: stored.updatedAt };
  } finally {
    await store.close();
  }
}

/** A store that delegates to `inner`, with a hook after each load and a count of version conflicts. */
function hookedStore(inner: SessionStore, afterLoad: () => Promise<void>): SessionStore & { conflicts: number } {
  const wrapper = {
    conflicts: 0,
    load: async (key: SessionKey) => {
      const loaded = await inner.load(key);
      await afterLoad();
      return loaded;
    },
    commit: async (input: Parameters<SessionStore['commit']>[0]) => {
      try {
        await inner.commit(input);
      } catch (error) {
        if (isAdvisorError(error, 'SESSION_CONFLICT')) wrapper.conflicts++;
        throw error;
      }
    },
    hasEvent: (key: SessionKey, eventId: string) => inner.hasEvent(key, eventId),
    updateMeta: (key: SessionKey, patch: Readonly<Record<string, string>>, now: number) => inner.updateMeta(key, patch, now),
    delete: (key: SessionKey) => inner.delete(key),
    listByConversation: (p: string, w: string, c: string) => inner.listByConversation(p, w, c),
    deleteExpired: (olderThan: number) => inner.deleteExpired(olderThan),
    count: () => inner.count(),
    close: () => inner.close(),
  };
  return wrapper;
}

/** 20 distinct answers: every criterion's first option, then the second option of four of them. */
function distinctAnswers(): ConversationEvent[] {
  const firsts = knowledge.criteria.map((c) => ({ type: 'answer' as const, criterion: c.id, option: c.options[0]!.id }));
  const seconds = knowledge.criteria.slice(0, 4).map((c) => ({ type: 'answer' as const, criterion: c.id, option: c.options[1]!.id }));
  return [...firsts, ...seconds];
}

describe('ConversationService with SQLite', () => {
  it('commits every answer before the reply returns (a fresh connection sees it)', async () => {
    const service = makeService();
    const turns: ConversationEvent[] = [
      { type: 'start' },
      { type: 'text', text: 'solo dev building a small REST API' },
      { type: 'text', text: '2' },
      { type: 'skip' },
      { type: 'back' },
      { type: 'answer', criterion: 'database', option: 'nosql' },
      { type: 'result' },
    ];
    let version = 0;
    for (const event of turns) {
      const result = await service.handle(KEY, event);
      expect(result.duplicate).toBe(false);
      expect(result.session.version).toBe(++version);
      const stored = await readBack();
      expect(stored?.session).toEqual(result.session);
    }
    const final = await readBack();
    expect(final?.session.phase).toBe('result');
    expect(final?.session.answers).toEqual({ project_type: 'api', scale: 'small', team_size: 'solo', architecture: 'microservices', database: 'nosql' });
  });

  it('does not commit events that change nothing', async () => {
    let now = T0;
    const service = makeService({ clock: () => now });
    const started = await service.handle(KEY, { type: 'start' });
    now += HOUR;
    const why = await service.handle(KEY, { type: 'why' });
    expect(describeReplies(why.replies)).toBe('why');
    expect(why.session).toEqual(started.session);
    expect((await readBack())?.updatedAt).toBe(T0);
  });

  it('applies the same eventId once: the second delivery is a duplicate with no replies', async () => {
    const service = makeService();
    await service.handle(KEY, { type: 'start' }, { eventId: 'Ev-start' });
    const first = await service.handle(KEY, { type: 'answer', criterion: 'project_type', option: 'api', version: 1 }, { eventId: 'Ev-1' });
    expect(first.duplicate).toBe(false);
    expect(first.session.version).toBe(2);
    // The platform redelivers the same event: same id, even if it would now be valid again.
    const again = await service.handle(KEY, { type: 'answer', criterion: 'project_type', option: 'api' }, { eventId: 'Ev-1' });
    expect(again).toEqual({ session: first.session, replies: [], duplicate: true, expired: false });
    // Even an event that would change things is ignored under a used id.
    const sneaky = await service.handle(KEY, { type: 'restart' }, { eventId: 'Ev-1' });
    expect(sneaky.duplicate).toBe(true);
    expect((await readBack())?.session).toEqual(first.session);
    // A new id is applied.
    const next = await service.handle(KEY, { type: 'skip' }, { eventId: 'Ev-2' });
    expect(next.session.version).toBe(3);
  });

  it('applies a redelivery racing the original once (concurrent same eventId)', async () => {
    const service = makeService();
    await service.handle(KEY, { type: 'start' });
    const event: ConversationEvent = { type: 'text', text: 'postgres' };
    const results = await Promise.all([1, 2, 3].map(() => service.handle(KEY, event, { eventId: 'Ev-dup' })));
    expect(results.map((r) => r.duplicate)).toEqual([false, true, true]);
    expect(results.map((r) => r.session.version)).toEqual([2, 2, 2]);
    expect((await readBack())?.session.answers).toEqual({ database: 'relational' });
  });

  it('serialises 20 concurrent events for one session: no lost update, same result as applying them in order', async () => {
    const service = makeService();
    const start = await service.handle(KEY, { type: 'start' });
    const events = distinctAnswers();
    expect(events).toHaveLength(20);
    const results = await Promise.all(events.map((event) => service.handle(KEY, event)));
    // Each applied exactly once, in call order.
    expect(results.map((r) => r.session.version)).toEqual(events.map((_, i) => start.session.version + i + 1));
    const applied = results.filter((r, i) => r.session.version === start.session.version + i + 1).length;
    const final = await readBack();
    expect(final?.session.version).toBe(start.session.version + applied);
    expect(applied).toBe(20);
    // Exactly what applying them one after another gives.
    const conversation = createConversation(knowledge);
    let expected = start.session;
    for (const event of events) expected = conversation.step(expected, event).session;
    expect(final?.session).toEqual(expected);
  });

  it('retries on a version conflict when another instance commits between load and commit', async () => {
    const other = makeService();
    await other.handle(KEY, { type: 'start' });
    let interfered = false;
    const store = hookedStore(openStore(), async () => {
      if (interfered) return;
      interfered = true;
      // Another process answers while this one is between its load and its commit.
      await other.handle(KEY, { type: 'answer', criterion: 'hiring', option: 'yes' });
    });
    const service = makeService({ store });
    const result = await service.handle(KEY, { type: 'answer', criterion: 'i18n', option: 'yes' });
    expect(store.conflicts).toBe(1);
    expect(result.session.version).toBe(3);
    expect(result.session.answers).toEqual({ hiring: 'yes', i18n: 'yes' });
    expect((await readBack())?.session).toEqual(result.session);
  });

  it('two service instances on one database file racing lose no update', async () => {
    const storeA = hookedStore(openStore(), async () => {});
    const storeB = hookedStore(openStore(), async () => {});
    const a = makeService({ store: storeA });
    const b = makeService({ store: storeB });
    const start = await a.handle(KEY, { type: 'start' });
    const criteria = knowledge.criteria;
    const forA = criteria.slice(0, 8).map((c): ConversationEvent => ({ type: 'answer', criterion: c.id, option: c.options[0]!.id }));
    const forB = criteria.slice(8).map((c): ConversationEvent => ({ type: 'answer', criterion: c.id, option: c.options.at(-1)!.id }));
    const results = await Promise.all([...forA.map((e) => a.handle(KEY, e)), ...forB.map((e) => b.handle(KEY, e))]);
    const final = await readBack();
    expect(final?.session.version).toBe(start.session.version + forA.length + forB.length);
    expect(new Set(results.map((r) => r.session.version)).size).toBe(results.length);
    expect(final?.session.answers).toEqual(
      Object.fromEntries([...forA, ...forB].map((e) => (e.type === 'answer' ? [e.criterion, e.option] : []))),
    );
    expect(final?.session.phase).toBe('result');
    // The two really raced: some commits lost the version check and were retried on fresh state.
    expect(storeA.conflicts + storeB.conflicts).toBeGreaterThan(0);
  });

  it('expires an idle session with a notice and starts fresh; exactly the TTL is not idle enough', async () => {
    let now = T0;
    const service = makeService({ clock: () => now });
    await service.handle(KEY, { type: 'start' });
    const answered = await service.handle(KEY, { type: 'text', text: 'we are 8 developers' });
    expect(answered.session.answers).toEqual({ team_size: 'large' });

    now = T0 + TTL;
    const atLimit = await service.handle(KEY, { type: 'text', text: 'postgres' });
    expect(atLimit.expired).toBe(false);
    expect(atLimit.replies.some((r) => r.kind === 'notice' && r.code === 'expired')).toBe(false);
    expect(atLimit.session.answers).toEqual({ team_size: 'large', database: 'relational' });

    now = T0 + 2 * TTL + 1;
    expect(await service.get(KEY)).toBeUndefined();
    const late = await service.handle(KEY, { type: 'text', text: 'solo dev building a small REST API' });
    expect(late.expired).toBe(true);
    expect(late.replies[0]).toEqual({
      kind: 'notice',
      code: 'expired',
      text: 'That interview expired after a long pause, so it was closed and a new one begins.',
    });
    expect(describeReplies(late.replies)).toBe('notice(expired) answered answered answered notice(recorded_several) question');
    expect(late.session.answers).toEqual({ project_type: 'api', scale: 'small', team_size: 'solo' });
    expect(late.session.version).toBe(atLimit.session.version + 1);
    const stored = await readBack();
    expect(stored?.session).toEqual(late.session);
    expect(stored?.updatedAt).toBe(now);
  });

  it('an expired session and an unreadable message: the notice, then a fresh session that asks nothing yet', async () => {
    let now = T0;
    const service = makeService({ clock: () => now });
    await service.handle(KEY, { type: 'start' });
    await service.handle(KEY, { type: 'text', text: 'postgres' });
    now += TTL + 1;
    const late = await service.handle(KEY, { type: 'text', text: 'qwertyuiop' });
    expect(late.expired).toBe(true);
    expect(describeReplies(late.replies)).toBe('notice(expired) notice(not_understood)');
    expect(late.session.phase).toBe('new');
    expect(late.session.answers).toEqual({});
    expect((await readBack())?.session.answers).toEqual({});
  });

  it('start after expiry begins a fresh interview and says the old one expired', async () => {
    let now = T0;
    const service = makeService({ clock: () => now });
    await service.handle(KEY, { type: 'start' });
    await service.handle(KEY, { type: 'text', text: 'postgres' });
    now += TTL + 1;
    const restarted = await service.handle(KEY, { type: 'start' });
    expect(restarted.expired).toBe(true);
    expect(describeReplies(restarted.replies)).toBe('notice(expired) question');
    expect(restarted.session.answers).toEqual({});
    expect(restarted.session.version).toBe(3);
  });

  it('cleanup() deletes exactly the expired rows and returns how many', async () => {
    let now = T0;
    const service = makeService({ clock: () => now });
    const key = (user: string, conversation = KEY.conversation): SessionKey => ({ ...KEY, user, conversation });
    await service.handle(key('U1'), { type: 'start' });
    await service.handle(key('U2'), { type: 'start' });
    now = T0 + 10 * HOUR;
    await service.handle(key('U3'), { type: 'start' });
    await service.handle(key('U4', 'C2'), { type: 'start' });
    now = T0 + 20 * HOUR;
    expect(await service.cleanup()).toBe(0);
    now = T0 + TTL + 1;
    expect(await service.findInConversation(KEY.platform, KEY.workspace, KEY.conversation)).toHaveLength(1);
    expect(await service.cleanup()).toBe(2);
    expect(await service.cleanup()).toBe(0);
    expect(await service.store.count()).toBe(2);
    expect(await readBack(key('U1'))).toBeUndefined();
    expect(await readBack(key('U2'))).toBeUndefined();
    expect((await readBack(key('U3')))?.session.version).toBe(1);
    now = T0 + 10 * HOUR + TTL + 1;
    expect(await service.cleanup()).toBe(2);
    expect(await service.store.count()).toBe(0);
  });

  it('setMeta stores adapter data without changing the version', async () => {
    const service = makeService();
    const started = await service.handle(KEY, { type: 'start' });
    const withMeta = await service.setMeta(KEY, { messageTs: '1700000000.000200' });
    expect(withMeta?.version).toBe(started.session.version);
    expect(withMeta?.meta).toEqual({ messageTs: '1700000000.000200' });
    await service.setMeta(KEY, { channel: 'C1' });
    const stored = await readBack();
    expect(stored?.session.version).toBe(1);
    expect(stored?.session.meta).toEqual({ messageTs: '1700000000.000200', channel: 'C1' });
    // A button carrying the version from before setMeta is still current, and the meta survives the step.
    const clicked = await service.handle(KEY, { type: 'answer', criterion: 'project_type', option: 'api', version: 1 });
    expect(clicked.session.version).toBe(2);
    expect(clicked.session.meta).toEqual({ messageTs: '1700000000.000200', channel: 'C1' });
    // No session, nothing to annotate, nothing created.
    expect(await service.setMeta({ ...KEY, user: 'nobody' }, { x: '1' })).toBeUndefined();
    expect(await service.store.count()).toBe(1);
  });

  it('setMeta from another instance is not lost when that instance races an answer (cross-process lost update)', async () => {
    const other = makeService();
    await other.handle(KEY, { type: 'start' });
    let interfered = false;
    const store = hookedStore(openStore(), async () => {
      if (interfered) return;
      interfered = true;
      // Another process records the message id of the question it just posted.
      await other.setMeta(KEY, { messageTs: '1700000000.000300' });
    });
    const service = makeService({ store });
    const result = await service.handle(KEY, { type: 'answer', criterion: 'project_type', option: 'api' });
    expect(result.session.answers).toEqual({ project_type: 'api' });
    // setMeta keeps the version, so the version check cannot see it: the store must keep meta through commits.
    expect((await readBack())?.session.meta).toEqual({ messageTs: '1700000000.000300' });
  });

  it('findInConversation finds every user\u2019s live session in one conversation, and only those', async () => {
    let now = T0;
    const service = makeService({ clock: () => now });
    await service.handle({ ...KEY, user: 'U1' }, { type: 'start' });
    now += HOUR;
    await service.handle({ ...KEY, user: 'U2' }, { type: 'text', text: 'postgres' });
    await service.handle({ ...KEY, user: 'U3', conversation: 'C9' }, { type: 'start' });
    await service.handle({ ...KEY, user: 'U4', workspace: 'T2' }, { type: 'start' });
    const found = await service.findInConversation(KEY.platform, KEY.workspace, KEY.conversation);
    expect(found.map((s) => [s.key.user, s.phase, s.version])).toEqual([
      ['U1', 'asking', 1],
      ['U2', 'asking', 1],
    ]);
    expect(await service.findInConversation('discord', KEY.workspace, KEY.conversation)).toEqual([]);
    now = T0 + TTL + 1; // U1 expired, U2 not yet
    expect((await service.findInConversation(KEY.platform, KEY.workspace, KEY.conversation)).map((s) => s.key.user)).toEqual(['U2']);
  });

  it('a new service on the same file (after a crash) resumes exactly where it was', async () => {
    const before = makeService();
    await before.handle(KEY, { type: 'start' });
    await before.handle(KEY, { type: 'text', text: 'solo dev building a small REST API' });
    const last = await before.handle(KEY, { type: 'text', text: '1' });
    const question = last.replies.at(-1);
    expect(question?.kind).toBe('question');
    // No close, no cleanup: the old connection is simply abandoned.

    const after = makeService();
    const resumed = await after.handle(KEY, { type: 'start' });
    expect(resumed.expired).toBe(false);
    expect(resumed.session).toEqual(last.session);
    expect(describeReplies(resumed.replies)).toBe('notice(not_applicable) question');
    expect(resumed.replies[0]).toMatchObject({ text: 'Picking up where you left off.' });
    expect(resumed.replies[1]).toEqual(question);
    // And it carries on from there.
    const next = await after.handle(KEY, { type: 'skip' });
    expect(next.session.version).toBe(last.session.version + 1);
    expect(next.session.answers[last.session.current!]).toBe('skip');
  });

  it('a first event for an unknown key creates the session at version 1 (or 0 when nothing applies)', async () => {
    const service = makeService();
    const help = await service.handle(KEY, { type: 'help' });
    expect(help.session).toEqual(createSession(KEY));
    // The fresh session is committed (version 0) so the next event continues from it.
    expect((await readBack())?.session.version).toBe(0);
    const started = await service.handle(KEY, { type: 'start' });
    expect(started.session.version).toBe(1);
  });
});
