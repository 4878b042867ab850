/**
 * The behaviour every `SessionStore` must have. An implementation's test file
 * calls `describeSessionStoreContract` with a factory; each test gets a fresh,
 * empty store.
 *
 * The suite closes the stores it was given (and any reopened store) itself;
 * `cleanup` then only has to release what the factory created (files, schemas).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Session, SessionKey } from '../../src/conversation/types.ts';
import { AdvisorError } from '../../src/errors.ts';
import type { SessionStore } from '../../src/sessions/store.ts';

export interface StoreUnderTest {
  store: SessionStore;
  /** Opens the same storage again (after the suite closed `store`). Omit for stores that do not persist. */
  reopen?: () => Promise<SessionStore>;
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

export function keyOf(overrides: Partial<SessionKey> = {}): SessionKey {
  return { platform: 'slack', workspace: 'T1', conversation: 'C1:1700000000.000100', user: 'U1', ...overrides };
}

export function makeSession(key: SessionKey, version: number, overrides: Partial<Omit<Session, 'key' | 'version'>> = {}): Session {
  return {
    key,
    version,
    phase: 'asking',
    current: 'admin_panel',
    answers: { project_type: 'web_app', team_size: 'skip' },
    history: ['project_type', 'team_size'],
    refining: false,
    meta: {},
    ...overrides,
  };
}

/** Resolves to the AdvisorError a promise rejected with; fails the test if it resolved or rejected with something else. */
async function rejection(promise: Promise<unknown>): Promise<AdvisorError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AdvisorError);
    return error as AdvisorError;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** `persistent: false` for stores that cannot be reopened (in-memory): the persistence tests are not registered. */
export function describeSessionStoreContract(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  options: { persistent: boolean } = { persistent: true },
): void {
  describe(`SessionStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: SessionStore;
    const opened: SessionStore[] = [];

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
      opened.push(store);
    });

    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await subject.cleanup();
    });

    /** Closes a store now, so afterEach does not close it twice (the contract does not require close to be idempotent). */
    async function closeNow(target: SessionStore): Promise<void> {
      opened.splice(opened.indexOf(target), 1);
      await target.close();
    }

    /** Creates a session at version 1 (expectedVersion 0). */
    async function create(key: SessionKey, now = T0, overrides: Partial<Omit<Session, 'key' | 'version'>> = {}): Promise<Session> {
      const session = makeSession(key, 1, overrides);
      await store.commit({ session, expectedVersion: 0, now });
      return session;
    }

    describe('load and commit', () => {
      it('returns undefined for a session never committed', async () => {
        expect(await store.load(keyOf())).toBeUndefined();
      });

      it('round-trips a session exactly, with meta, unicode and separator characters', async () => {
        const key = keyOf({ workspace: 'équipe:1/2', conversation: 'thread 🧵 "a:b"', user: '用户%20' });
        const session = makeSession(key, 1, {
          phase: 'result',
          current: null,
          answers: { project_type: 'api', 'größe': 'klein' },
          history: ['project_type', 'größe'],
          refining: true,
          meta: { messageTs: '1700000000.000200', note: 'line1\nline2 \u0000 «ü» 🚀', empty: '' },
        });
        await store.commit({ session, expectedVersion: 0, eventId: 'Ev1', now: T0 });

        const loaded = await store.load(key);
        expect(loaded).toEqual({ session, createdAt: T0, updatedAt: T0 });
        // A different user in the same conversation is a different session.
        expect(await store.load({ ...key, user: 'U2' })).toBeUndefined();
      });

      it('keeps createdAt and moves updatedAt on later commits', async () => {
        const key = keyOf();
        await create(key, T0);
        const next = makeSession(key, 2, { answers: { project_type: 'web_app', admin_panel: 'yes' } });
        await store.commit({ session: next, expectedVersion: 1, now: T0 + 5 * MINUTE });

        expect(await store.load(key)).toEqual({ session: next, createdAt: T0, updatedAt: T0 + 5 * MINUTE });
      });

      it('rejects a commit with a stale expectedVersion and keeps the stored session', async () => {
        const key = keyOf();
        await create(key);
        const v2 = makeSession(key, 2, { phase: 'settled' });
        await store.commit({ session: v2, expectedVersion: 1, now: T0 + 1 });

        const error = await rejection(store.commit({ session: makeSession(key, 2, { phase: 'cancelled' }), expectedVersion: 1, now: T0 + 2 }));
        expect(error.code).toBe('SESSION_CONFLICT');
        expect(await store.load(key)).toEqual({ session: v2, createdAt: T0, updatedAt: T0 + 1 });
      });

      it('rejects creating a session that already exists (expectedVersion 0)', async () => {
        const key = keyOf();
        const first = await create(key);
        const error = await rejection(store.commit({ session: makeSession(key, 1, { phase: 'new' }), expectedVersion: 0, now: T0 + 1 }));
        expect(error.code).toBe('SESSION_CONFLICT');
        expect((await store.load(key))?.session).toEqual(first);
      });

      it('rejects updating a session that does not exist (expectedVersion > 0)', async () => {
        const key = keyOf();
        const error = await rejection(store.commit({ session: makeSession(key, 4), expectedVersion: 3, now: T0 }));
        expect(error.code).toBe('SESSION_CONFLICT');
        expect(await store.load(key)).toBeUndefined();
        expect(await store.count()).toBe(0);
      });

      it('updateMeta merges adapter data without changing the version', async () => {
        const key = keyOf();
        await create(key);
        const first = await store.updateMeta(key, { questionMessage: 'M42', parent: 'P1' }, T0 + 1);
        const second = await store.updateMeta(key, { questionMessage: 'M43' }, T0 + 2);
        expect(first?.session.meta).toEqual({ questionMessage: 'M42', parent: 'P1' });
        expect(second).toEqual({ session: makeSession(key, 1, { meta: { questionMessage: 'M43', parent: 'P1' } }), createdAt: T0, updatedAt: T0 + 2 });
        expect(await store.load(key)).toEqual(second);
        expect(await store.updateMeta(keyOf({ user: 'U404' }), { x: 'y' }, T0)).toBeUndefined();
        // And the version still guards the next change.
        await store.commit({ session: makeSession(key, 2), expectedVersion: 1, now: T0 + 3 });
        expect((await store.load(key))?.session.version).toBe(2);
      });

      it('a commit from an older copy keeps the meta set by updateMeta in between', async () => {
        const key = keyOf();
        await create(key);
        const staleCopy = makeSession(key, 2, { meta: { questionMessage: 'OLD' } });
        await store.updateMeta(key, { questionMessage: 'NEW' }, T0 + 1);
        await store.commit({ session: staleCopy, expectedVersion: 1, now: T0 + 2 });
        expect((await store.load(key))?.session).toEqual({ ...staleCopy, meta: { questionMessage: 'NEW' } });
      });
    });

    describe('event ids', () => {
      it('rejects a redelivered event id with SESSION_CONFLICT (duplicateEvent) and keeps the stored session', async () => {
        const key = keyOf();
        const v1 = makeSession(key, 1);
        await store.commit({ session: v1, expectedVersion: 0, eventId: 'Ev1', now: T0 });
        expect(await store.hasEvent(key, 'Ev1')).toBe(true);
        expect(await store.hasEvent(key, 'Ev2')).toBe(false);

        // The version matches, so only the event id makes it a conflict.
        const error = await rejection(
          store.commit({ session: makeSession(key, 2, { phase: 'result' }), expectedVersion: 1, eventId: 'Ev1', now: T0 + 1 }),
        );
        expect(error.code).toBe('SESSION_CONFLICT');
        expect(error.details.duplicateEvent).toBe(true);
        expect(await store.load(key)).toEqual({ session: v1, createdAt: T0, updatedAt: T0 });
      });

      it('records nothing for a rejected commit', async () => {
        const key = keyOf();
        await create(key);
        await rejection(store.commit({ session: makeSession(key, 2), expectedVersion: 7, eventId: 'EvLost', now: T0 + 1 }));
        expect(await store.hasEvent(key, 'EvLost')).toBe(false);
      });

      it('keeps event ids per session: the same id in two sessions is fine', async () => {
        const alice = keyOf({ user: 'alice' });
        const bob = keyOf({ user: 'bob' });
        await store.commit({ session: makeSession(alice, 1), expectedVersion: 0, eventId: 'shared', now: T0 });
        await store.commit({ session: makeSession(bob, 1), expectedVersion: 0, eventId: 'shared', now: T0 });

        expect(await store.hasEvent(alice, 'shared')).toBe(true);
        expect(await store.hasEvent(bob, 'shared')).toBe(true);
        expect(await store.hasEvent(keyOf({ user: 'carol' }), 'shared')).toBe(false);
        expect(await store.count()).toBe(2);
      });

      it('accepts several event ids for one session', async () => {
        const key = keyOf();
        await store.commit({ session: makeSession(key, 1), expectedVersion: 0, eventId: 'Ev1', now: T0 });
        await store.commit({ session: makeSession(key, 2), expectedVersion: 1, eventId: 'Ev2', now: T0 + 1 });
        expect(await store.hasEvent(key, 'Ev1')).toBe(true);
        expect(await store.hasEvent(key, 'Ev2')).toBe(true);
        expect((await store.load(key))?.session.version).toBe(2);
      });
    });

    describe('listByConversation', () => {
      it("returns every user's session in that conversation and nothing else", async () => {
        const here = { platform: 'slack', workspace: 'T1', conversation: 'C1' };
        await create({ ...here, user: 'U1' }, T0);
        await create({ ...here, user: 'U2' }, T0 + 1);
        await create({ ...here, conversation: 'C2', user: 'U1' }, T0);
        await create({ ...here, workspace: 'T2', user: 'U1' }, T0);
        await create({ ...here, platform: 'discord', user: 'U1' }, T0);

        const listed = await store.listByConversation('slack', 'T1', 'C1');
        expect(listed.map((entry) => entry.session.key.user).sort()).toEqual(['U1', 'U2']);
        for (const entry of listed) {
          expect(entry.session.key).toMatchObject(here);
          expect(entry.session).toEqual(makeSession(entry.session.key, 1));
        }
        expect(await store.listByConversation('slack', 'T1', 'C3')).toEqual([]);
        expect(await store.listByConversation('discord', 'T1', 'C1')).toHaveLength(1);
      });
    });

    describe('delete, deleteExpired and count', () => {
      it('deletes one session and its event ids, leaving the others', async () => {
        const gone = keyOf({ user: 'gone' });
        const kept = keyOf({ user: 'kept' });
        await store.commit({ session: makeSession(gone, 1), expectedVersion: 0, eventId: 'Ev1', now: T0 });
        await create(kept);
        expect(await store.count()).toBe(2);

        await store.delete(gone);
        expect(await store.load(gone)).toBeUndefined();
        expect(await store.hasEvent(gone, 'Ev1')).toBe(false);
        expect((await store.load(kept))?.session.key.user).toBe('kept');
        expect(await store.count()).toBe(1);

        // Deleting again, or a session never stored, is not an error.
        await store.delete(gone);
        await store.delete(keyOf({ user: 'never' }));
        expect(await store.count()).toBe(1);

        // A deleted session starts again from version 0.
        await store.commit({ session: makeSession(gone, 1), expectedVersion: 0, eventId: 'Ev1', now: T0 + 1 });
        expect((await store.load(gone))?.createdAt).toBe(T0 + 1);
      });

      it('deletes sessions not updated since olderThan, returns how many, and keeps the rest', async () => {
        const cutoff = T0 + 60 * MINUTE;
        await store.commit({ session: makeSession(keyOf({ user: 'old1' }), 1), expectedVersion: 0, eventId: 'EvOld', now: T0 });
        await create(keyOf({ user: 'old2' }), cutoff - 1);
        await create(keyOf({ user: 'boundary' }), cutoff);
        await create(keyOf({ user: 'fresh' }), cutoff + 1);
        // Created long ago but updated recently: kept.
        const touched = keyOf({ user: 'touched' });
        await create(touched, T0);
        await store.commit({ session: makeSession(touched, 2), expectedVersion: 1, now: cutoff + 5 });

        expect(await store.deleteExpired(cutoff)).toBe(2);

        expect(await store.count()).toBe(3);
        expect(await store.load(keyOf({ user: 'old1' }))).toBeUndefined();
        expect(await store.load(keyOf({ user: 'old2' }))).toBeUndefined();
        expect(await store.hasEvent(keyOf({ user: 'old1' }), 'EvOld')).toBe(false);
        expect((await store.load(keyOf({ user: 'boundary' })))?.updatedAt).toBe(cutoff);
        expect((await store.load(keyOf({ user: 'fresh' })))?.updatedAt).toBe(cutoff + 1);
        expect(await store.load(touched)).toEqual({ session: makeSession(touched, 2), createdAt: T0, updatedAt: cutoff + 5 });

        expect(await store.deleteExpired(cutoff)).toBe(0);
        expect(await store.deleteExpired(cutoff + 100)).toBe(3);
        expect(await store.count()).toBe(0);
      });

      it('counts sessions', async () => {
        expect(await store.count()).toBe(0);
        for (let i = 0; i < 7; i++) await create(keyOf({ user: `U${i}` }));
        expect(await store.count()).toBe(7);
        // Updates do not add sessions.
        await store.commit({ session: makeSession(keyOf({ user: 'U0' }), 2), expectedVersion: 1, now: T0 + 1 });
        expect(await store.count()).toBe(7);
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of 50 racing commits with the same expectedVersion win', async () => {
        const key = keyOf();
        await create(key);
        const attempts = Array.from({ length: 50 }, (_, attempt) =>
          makeSession(key, 2, { answers: { project_type: `attempt_${attempt}` } }),
        );
        const results = await Promise.allSettled(
          attempts.map((session, attempt) => store.commit({ session, expectedVersion: 1, eventId: `Ev${attempt}`, now: T0 + 1 })),
        );

        const winners = results.flatMap((result, attempt) => (result.status === 'fulfilled' ? [attempt] : []));
        expect(winners).toHaveLength(1);
        const losers = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
        expect(losers).toHaveLength(49);
        for (const reason of losers) {
          expect(reason).toBeInstanceOf(AdvisorError);
          expect((reason as AdvisorError).code).toBe('SESSION_CONFLICT');
        }

        const winner = winners[0] ?? -1;
        expect(await store.load(key)).toEqual({ session: attempts[winner], createdAt: T0, updatedAt: T0 + 1 });
        // Only the winner's event id was recorded.
        const recorded = await Promise.all(attempts.map((_, attempt) => store.hasEvent(key, `Ev${attempt}`)));
        expect(recorded.filter(Boolean)).toHaveLength(1);
        expect(recorded[winner]).toBe(true);
      });

      it('lets exactly one of 50 racing creations of the same session win', async () => {
        const key = keyOf();
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, attempt) =>
            store.commit({ session: makeSession(key, 1, { meta: { attempt: String(attempt) } }), expectedVersion: 0, now: T0 }),
          ),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        expect(await store.count()).toBe(1);
      });
    });

    if (options.persistent) describe('persistence', () => {
      it('keeps sessions and event ids across close and reopen', async () => {
        const { reopen } = subject;
        if (reopen === undefined) throw new Error('a persistent store under test must provide reopen()');
        const key = keyOf();
        const session = makeSession(key, 3, { meta: { thread: '1700000000.000100', emoji: '✅' } });
        await store.commit({ session: makeSession(key, 1), expectedVersion: 0, now: T0 });
        await store.updateMeta(key, session.meta, T0);
        await store.commit({ session, expectedVersion: 1, eventId: 'EvKept', now: T0 + 1 });
        await closeNow(store);

        const reopened = await reopen();
        opened.push(reopened);
        expect(await reopened.load(key)).toEqual({ session, createdAt: T0, updatedAt: T0 + 1 });
        expect(await reopened.hasEvent(key, 'EvKept')).toBe(true);
        expect(await reopened.count()).toBe(1);
        // The version check carries over too.
        const error = await rejection(reopened.commit({ session: makeSession(key, 2), expectedVersion: 1, now: T0 + 2 }));
        expect(error.code).toBe('SESSION_CONFLICT');
      });
    });
  });
}
