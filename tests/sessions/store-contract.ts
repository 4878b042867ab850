/**
 * The behaviour every `SessionStore` must have. An implementation's test file
 * calls `describeSessionStoreContract` with a factory (a PostgreSQL store runs
 * the same suite); each test gets a fresh, empty store.
 *
 * The suite closes the stores it was given (and any reopened store) itself;
 * `cleanup` then only has to release what the factory created (files, schemas).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionStore } from '../../src/sessions/store.ts';
import { describeOutboxContract } from './store-contract-outbox.ts';
import { createSession, HOUR, keyOf, makeSession, MINUTE, post, rejection, T0, threadOf, threadState } from './store-fixtures.ts';

export interface StoreUnderTest {
  store: SessionStore;
  /** Opens the same storage again (after the suite closed `store`), or a second connection to it. Omit for stores that do not persist. */
  reopen?: () => Promise<SessionStore>;
  cleanup: () => Promise<void>;
}

/** What the contract's parts share: the store of the running test, and a way to open another connection. */
export interface ContractContext {
  store(): SessionStore;
  reopen: (() => Promise<SessionStore>) | undefined;
}

/** `persistent: false` for stores that cannot be reopened (in-memory): the persistence tests are not registered. */
export function describeSessionStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>, options: { persistent: boolean } = { persistent: true }): void {
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

    const context: ContractContext = {
      store: () => store,
      reopen: options.persistent
        ? async () => {
            if (!subject.reopen) throw new Error('a persistent store under test must provide reopen()');
            const another = await subject.reopen();
            opened.push(another);
            return another;
          }
        : undefined,
    };

    describe('sessions', () => {
      it('returns undefined for a session never committed', async () => {
        expect(await store.load(keyOf())).toBeUndefined();
      });

      it('round-trips a session exactly, with unicode and separator characters in its key', async () => {
        const key = keyOf({ workspace: 'équipe:1/2', conversation: 'thread 🧵 "a:b"', user: '用户%20' });
        const session = makeSession(key, 1, { phase: 'result', current: null, answers: { project_type: 'api', 'größe': 'klein' }, history: ['project_type', 'größe'], refining: true });
        await store.commitTurn({ now: T0, session: { session, expectedVersion: 0 } });
        expect(await store.load(key)).toEqual({ session, createdAt: T0, updatedAt: T0 });
        expect(await store.load({ ...key, user: 'U2' })).toBeUndefined();
      });

      it('keeps createdAt and moves updatedAt on later commits', async () => {
        const key = keyOf();
        await createSession(store, key, T0);
        const next = makeSession(key, 2, { answers: { admin_panel: 'yes' } });
        await store.commitTurn({ now: T0 + 5 * MINUTE, session: { session: next, expectedVersion: 1 } });
        expect(await store.load(key)).toEqual({ session: next, createdAt: T0, updatedAt: T0 + 5 * MINUTE });
      });

      it('rejects a stale expectedVersion, creating what exists, and updating what does not, with SESSION_CONFLICT', async () => {
        const key = keyOf();
        const first = await createSession(store, key);
        const stale = rejection(store.commitTurn({ now: T0 + 1, session: { session: makeSession(key, 3), expectedVersion: 2 } }));
        expect((await stale).code).toBe('SESSION_CONFLICT');
        const again = rejection(store.commitTurn({ now: T0 + 1, session: { session: makeSession(key, 1, { phase: 'new' }), expectedVersion: 0 } }));
        expect((await again).code).toBe('SESSION_CONFLICT');
        expect(await store.load(key)).toEqual({ session: first, createdAt: T0, updatedAt: T0 });
        const missing = keyOf({ user: 'U404' });
        expect((await rejection(store.commitTurn({ now: T0, session: { session: makeSession(missing, 4), expectedVersion: 3 } }))).code).toBe('SESSION_CONFLICT');
        expect(await store.load(missing)).toBeUndefined();
        expect(await store.count()).toBe(1);
      });

      it("lists every user's session in one conversation, oldest first, and nothing else", async () => {
        const here = keyOf({ conversation: 'C1' });
        await createSession(store, { ...here, user: 'U2' }, T0 + 1);
        await createSession(store, { ...here, user: 'U1' }, T0);
        await createSession(store, { ...here, conversation: 'C2' }, T0);
        await createSession(store, { ...here, workspace: 'T2' }, T0);
        await createSession(store, { ...here, platform: 'discord' }, T0);
        const listed = await store.listByConversation(threadOf(here));
        expect(listed.map((entry) => entry.session.key.user)).toEqual(['U1', 'U2']);
        expect(await store.listByConversation({ ...threadOf(here), conversation: 'C3' })).toEqual([]);
      });

      it('deletes one session, leaving the others; a deleted session starts again from version 0', async () => {
        await createSession(store, keyOf({ user: 'gone' }));
        await createSession(store, keyOf({ user: 'kept' }));
        await store.delete(keyOf({ user: 'gone' }));
        await store.delete(keyOf({ user: 'never' }));
        expect(await store.load(keyOf({ user: 'gone' }))).toBeUndefined();
        expect(await store.count()).toBe(1);
        await createSession(store, keyOf({ user: 'gone' }), T0 + 1);
        expect((await store.load(keyOf({ user: 'gone' })))?.createdAt).toBe(T0 + 1);
      });
    });

    describe('thread states', () => {
      it('round-trips a thread state, versioned from 1, with its own optimistic check', async () => {
        const thread = threadOf(keyOf());
        expect(await store.loadThread(thread)).toBeUndefined();
        const state = threadState({
          owner: 'U1',
          live: { handle: 'Ev1#0', version: 3, view: 'question:scale', content: { kind: 'notice', notice: { kind: 'notice', code: 'not_applicable', text: 'Scale? «ü» 🚀\n' } } },
          questions: { scale: 'Ev1#0' },
          hinted: ['U2'],
          picker: 'Ev0#picker',
          pickerAttempts: 2,
        });
        await store.commitTurn({ now: T0, thread: { key: thread, state, expectedVersion: 0 } });
        expect(await store.loadThread(thread)).toEqual({ state, version: 1, updatedAt: T0 });
        const next = threadState({ owner: 'U1' });
        await store.commitTurn({ now: T0 + 1, thread: { key: thread, state: next, expectedVersion: 1 } });
        expect(await store.loadThread(thread)).toEqual({ state: next, version: 2, updatedAt: T0 + 1 });
        const stale = await rejection(store.commitTurn({ now: T0 + 2, thread: { key: thread, state, expectedVersion: 1 } }));
        expect(stale.code).toBe('SESSION_CONFLICT');
        expect((await store.loadThread(thread))?.version).toBe(2);
        expect(await store.loadThread({ ...thread, platform: 'discord' })).toBeUndefined();
      });
    });

    describe('delivery ids', () => {
      it('remembers a delivery id until it expires, across sessions and threads', async () => {
        await store.commitTurn({ now: T0, delivery: { id: 'Ev1', expiresAt: T0 + HOUR } });
        expect(await store.hasDelivery('Ev1', T0)).toBe(true);
        expect(await store.hasDelivery('Ev1', T0 + HOUR - 1)).toBe(true);
        expect(await store.hasDelivery('Ev1', T0 + HOUR)).toBe(false);
        expect(await store.hasDelivery('Ev2', T0)).toBe(false);
        // Claimed anywhere, it is a duplicate everywhere.
        const error = await rejection(store.commitTurn({ now: T0 + 1, delivery: { id: 'Ev1', expiresAt: T0 + 2 * HOUR }, session: { session: makeSession(keyOf({ user: 'other' }), 1), expectedVersion: 0 } }));
        expect(error.code).toBe('DUPLICATE_DELIVERY');
        expect(error.details.deliveryId).toBe('Ev1');
        // Once expired it may be applied again.
        await store.commitTurn({ now: T0 + HOUR, delivery: { id: 'Ev1', expiresAt: T0 + 3 * HOUR } });
        expect(await store.hasDelivery('Ev1', T0 + 2 * HOUR)).toBe(true);
      });
    });

    describe("a turn's read", () => {
      it('reads the delivery check, the thread state and the user’s session together, each as its own method would', async () => {
        const key = keyOf();
        const thread = threadOf(key);
        expect(await store.readTurn({ thread, user: key.user, deliveryId: 'Ev1', now: T0 })).toEqual({ applied: false });
        const state = threadState({ owner: key.user, hinted: ['U2'] });
        await store.commitTurn({
          now: T0,
          delivery: { id: 'Ev1', expiresAt: T0 + HOUR },
          session: { session: makeSession(key, 1), expectedVersion: 0 },
          thread: { key: thread, state, expectedVersion: 0 },
        });
        const read = await store.readTurn({ thread, user: key.user, deliveryId: 'Ev1', now: T0 + 1 });
        expect(read).toEqual({ applied: true, thread: await store.loadThread(thread), session: await store.load(key) });
        expect(read.session?.session.version).toBe(1);
        expect(read.thread).toEqual({ state, version: 1, updatedAt: T0 });
        // Another user in the same thread: the thread, not the session; another delivery, an expired one, or none: not applied.
        expect(await store.readTurn({ thread, user: 'U2', deliveryId: 'Ev2', now: T0 + 1 })).toEqual({ applied: false, thread: read.thread });
        expect((await store.readTurn({ thread, user: key.user, deliveryId: 'Ev1', now: T0 + HOUR })).applied).toBe(false);
        expect((await store.readTurn({ thread, user: key.user, now: T0 + 1 })).applied).toBe(false);
        // A session with no thread state (stored before thread states existed).
        const older = keyOf({ conversation: 'C-older' });
        await store.commitTurn({ now: T0, session: { session: makeSession(older, 2), expectedVersion: 0 } });
        expect(await store.readTurn({ thread: threadOf(older), user: older.user, now: T0 })).toEqual({ applied: false, session: await store.load(older) });
      });
    });

    describe('commitTurn is all or nothing', () => {
      const key = keyOf();
      const thread = threadOf(key);

      async function seeded(): Promise<void> {
        await store.commitTurn({
          now: T0,
          delivery: { id: 'Ev-seed', expiresAt: T0 + HOUR },
          session: { session: makeSession(key, 1), expectedVersion: 0 },
          thread: { key: thread, state: threadState({ owner: 'U1' }), expectedVersion: 0 },
          outbox: { thread, operations: [post('seed')], deliveryId: 'Ev-seed', actor: 'U1' },
        });
      }

      async function expectNothingWritten(failed: Promise<unknown>, code: string): Promise<void> {
        expect((await rejection(failed)).code).toBe(code);
        expect(await store.hasDelivery('Ev-lost', T0 + 1)).toBe(false);
        expect((await store.load(key))?.session.version).toBe(1);
        expect(await store.loadThread(thread)).toMatchObject({ version: 1, state: threadState({ owner: 'U1' }) });
        expect(await store.pendingOutboxCount()).toBe(1);
      }

      const turn = (overrides: { sessionExpected?: number; threadExpected?: number; delivery?: string } = {}) =>
        store.commitTurn({
          now: T0 + 1,
          delivery: { id: overrides.delivery ?? 'Ev-lost', expiresAt: T0 + HOUR },
          session: { session: makeSession(key, 2, { phase: 'result' }), expectedVersion: overrides.sessionExpected ?? 1 },
          thread: { key: thread, state: threadState({ owner: 'U1', hinted: ['U9'] }), expectedVersion: overrides.threadExpected ?? 1 },
          outbox: { thread, operations: [post('lost-1'), post('lost-2')], deliveryId: overrides.delivery ?? 'Ev-lost', actor: 'U1' },
        });

      it('a conflicting session version writes nothing: no delivery claim, no thread state, no outbox rows', async () => {
        await seeded();
        await expectNothingWritten(turn({ sessionExpected: 0 }), 'SESSION_CONFLICT');
      });

      it('a conflicting thread version writes nothing', async () => {
        await seeded();
        await expectNothingWritten(turn({ threadExpected: 0 }), 'SESSION_CONFLICT');
      });

      it('a duplicate delivery writes nothing', async () => {
        await seeded();
        await expectNothingWritten(turn({ delivery: 'Ev-seed' }), 'DUPLICATE_DELIVERY');
      });

      it('a failed commit does not complete the entry it continues', async () => {
        await seeded();
        const [entry] = await store.claimOutbox(thread, { now: T0, leaseMs: MINUTE, owner: 'p1' });
        await rejection(store.commitTurn({ now: T0 + 1, session: { session: makeSession(key, 2), expectedVersion: 0 }, completes: { seq: entry!.seq, messageId: 'M1' } }));
        expect(await store.messageIdOf(thread, 'seed')).toBeUndefined();
        await store.commitTurn({ now: T0 + 1, session: { session: makeSession(key, 2), expectedVersion: 1 }, completes: { seq: entry!.seq, messageId: 'M1' } });
        expect(await store.messageIdOf(thread, 'seed')).toBe('M1');
        expect(await store.pendingOutboxCount()).toBe(0);
      });

      it('lets exactly one of 50 racing commits with the same expected versions win, with only its delivery and rows', async () => {
        await seeded();
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, attempt) =>
            store.commitTurn({
              now: T0 + 1,
              delivery: { id: `Ev${attempt}`, expiresAt: T0 + HOUR },
              session: { session: makeSession(key, 2, { answers: { project_type: `attempt_${attempt}` } }), expectedVersion: 1 },
              thread: { key: thread, state: threadState({ owner: 'U1' }), expectedVersion: 1 },
              outbox: { thread, operations: [post(`row-${attempt}`)] },
            }),
          ),
        );
        const winners = results.flatMap((result, attempt) => (result.status === 'fulfilled' ? [attempt] : []));
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect((await store.load(key))?.session.answers).toEqual({ project_type: `attempt_${winner}` });
        const recorded = await Promise.all(results.map((_, attempt) => store.hasDelivery(`Ev${attempt}`, T0 + 1)));
        expect(recorded.flatMap((seen, attempt) => (seen ? [attempt] : []))).toEqual([winner]);
        expect(await store.pendingOutboxCount()).toBe(2);
      });
    });

    describe('deleteExpired and count', () => {
      it('deletes sessions and thread states not updated since the cut-off, finished outbox rows and expired delivery ids', async () => {
        const cutoff = T0 + HOUR;
        const old = keyOf({ conversation: 'old' });
        const kept = keyOf({ conversation: 'kept' });
        await store.commitTurn({ now: T0, session: { session: makeSession(old, 1), expectedVersion: 0 }, thread: { key: threadOf(old), state: threadState(), expectedVersion: 0 }, outbox: { thread: threadOf(old), operations: [post('sent-old'), post('pending-old')] } });
        await createSession(store, keyOf({ conversation: 'boundary' }), cutoff);
        await store.commitTurn({ now: T0, session: { session: makeSession(kept, 1), expectedVersion: 0 } });
        await store.commitTurn({ now: cutoff + 5, session: { session: makeSession(kept, 2), expectedVersion: 1 }, thread: { key: threadOf(kept), state: threadState(), expectedVersion: 0 } });
        await store.commitTurn({ now: T0, delivery: { id: 'Ev-expired', expiresAt: cutoff } });
        await store.commitTurn({ now: T0, delivery: { id: 'Ev-live', expiresAt: cutoff + HOUR } });
        const [sent] = await store.claimOutbox(threadOf(old), { now: T0, leaseMs: MINUTE, owner: 'p1' });
        await store.completeOutbox(sent!.seq, { now: T0, messageId: 'M-old' });

        expect(await store.deleteExpired(cutoff, cutoff)).toBe(1);
        expect(await store.load(old)).toBeUndefined();
        expect(await store.loadThread(threadOf(old))).toBeUndefined();
        expect((await store.load(keyOf({ conversation: 'boundary' })))?.updatedAt).toBe(cutoff);
        expect(await store.load(kept)).toEqual({ session: makeSession(kept, 2), createdAt: T0, updatedAt: cutoff + 5 });
        expect(await store.loadThread(threadOf(kept))).toBeDefined();
        // A sent row goes; a row not sent yet is kept, however old: it is still owed to the platform.
        expect(await store.messageIdOf(threadOf(old), 'sent-old')).toBeUndefined();
        expect(await store.pendingOutboxCount()).toBe(1);
        expect(await store.hasDelivery('Ev-expired', T0)).toBe(false);
        expect(await store.hasDelivery('Ev-live', T0)).toBe(true);
        expect(await store.count()).toBe(2);
        expect(await store.deleteExpired(cutoff, cutoff)).toBe(0);
        expect(await store.deleteExpired(cutoff + 100, cutoff + 100)).toBe(2);
        expect(await store.count()).toBe(0);
      });
    });

    describe('ping (the health check)', () => {
      it('answers while open, and fails with STORE_FAILURE once closed', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        expect((await rejection(store.ping())).code).toBe('STORE_FAILURE');
      });
    });

    describeOutboxContract(context);

    if (options.persistent) {
      describe('persistence', () => {
        it('keeps sessions, thread states, delivery ids and the outbox across close and reopen', async () => {
          const key = keyOf();
          const thread = threadOf(key);
          await store.commitTurn({
            now: T0,
            delivery: { id: 'EvKept', expiresAt: T0 + HOUR },
            session: { session: makeSession(key, 1), expectedVersion: 0 },
            thread: { key: thread, state: threadState({ owner: 'U1' }), expectedVersion: 0 },
            outbox: { thread, operations: [post('kept')], deliveryId: 'EvKept', actor: 'U1' },
          });
          opened.splice(opened.indexOf(store), 1);
          await store.close();
          const reopened = await context.reopen!();
          expect(await reopened.load(key)).toEqual({ session: makeSession(key, 1), createdAt: T0, updatedAt: T0 });
          expect(await reopened.loadThread(thread)).toEqual({ state: threadState({ owner: 'U1' }), version: 1, updatedAt: T0 });
          expect(await reopened.hasDelivery('EvKept', T0)).toBe(true);
          expect(await reopened.claimOutbox(thread, { now: T0, leaseMs: MINUTE, owner: 'p2' })).toMatchObject([{ operation: post('kept'), deliveryId: 'EvKept', actor: 'U1' }]);
          expect((await rejection(reopened.commitTurn({ now: T0 + 1, session: { session: makeSession(key, 2), expectedVersion: 0 } }))).code).toBe('SESSION_CONFLICT');
        });
      });
    }
  });
}
