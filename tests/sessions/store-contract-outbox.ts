/**
 * The outbox part of the store contract: order, claims and their leases,
 * completion with message ids, failures with and without a retry time,
 * release, and which threads a sweep should visit.
 */
import { describe, expect, it } from 'vitest';
import type { Operation, ThreadKey } from '../../src/turns/types.ts';
import type { ContractContext } from './store-contract.ts';
import { enqueue, keyOf, MINUTE, notify, post, T0, textOf, threadOf } from './store-fixtures.ts';

const A: ThreadKey = threadOf(keyOf({ conversation: 'A' }));
const B: ThreadKey = threadOf(keyOf({ conversation: 'B' }));
const lease = (owner: string, now = T0) => ({ now, leaseMs: MINUTE, owner });

export function describeOutboxContract(context: ContractContext): void {
  describe('outbox', () => {
    it('keeps every kind of operation exactly, and claims a thread’s entries in the order they were committed', async () => {
      const store = context.store();
      const operations: Operation[] = [
        post('h1', 'first «ü» 🚀'),
        { op: 'post', handle: 'h2', channel: 'C-general', content: { kind: 'shared', owner: 'U1', channel: 'C-general' } },
        { op: 'edit', target: { handle: 'h1' }, content: { kind: 'threadParent', owner: 'U1' }, when: { handle: 'h2', sent: false } },
        { op: 'edit', target: { messageId: 'M9' }, content: { kind: 'sharePicker', owner: 'U1', version: 3, attempt: 2 } },
        notify('U2', 'psst'),
        { op: 'openThread', handle: 'h3', content: { kind: 'threadParent', owner: 'U1' }, owner: 'U1', startDelivery: 'Ev1/started' },
      ];
      await store.commitTurn({ now: T0, outbox: { thread: A, operations: operations.slice(0, 3), deliveryId: 'Ev1', actor: 'U1' } });
      await enqueue(store, B, [post('b1')]);
      await store.commitTurn({ now: T0 + 1, outbox: { thread: A, operations: operations.slice(3) } });
      const claimed = await store.claimOutbox(A, lease('p1'));
      expect(claimed.map((e) => e.operation)).toEqual(operations);
      expect(claimed.map((e) => e.thread)).toEqual(operations.map(() => A));
      expect(claimed[0]).toMatchObject({ deliveryId: 'Ev1', actor: 'U1', attempts: 0, createdAt: T0 });
      expect(claimed[3]).not.toHaveProperty('deliveryId');
      expect(claimed[3]).not.toHaveProperty('actor');
      const seqs = claimed.map((e) => e.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(await store.pendingOutboxCount()).toBe(7);
    });

    it('a claim holds against other owners until it lapses; its owner may claim again', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), post('h2')]);
      expect(await store.claimOutbox(A, lease('p1'))).toHaveLength(2);
      expect(await store.claimOutbox(A, lease('p2', T0 + MINUTE - 1))).toEqual([]);
      expect(await store.claimOutbox(A, lease('p1', T0 + 1))).toHaveLength(2);
      // p1's second claim runs from T0 + 1.
      expect(await store.claimOutbox(A, lease('p2', T0 + MINUTE))).toEqual([]);
      expect((await store.claimOutbox(A, lease('p2', T0 + MINUTE + 1))).map((e) => textOf(e.operation))).toEqual(['h1', 'h2']);
      // A claim on one thread does not block another.
      await enqueue(store, B, [post('b1')]);
      expect(await store.claimOutbox(B, lease('p1', T0 + MINUTE + 1))).toHaveLength(1);
    });

    it('a completed entry is not sent again, and its message id is found under its handle', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), notify('U1', 'note'), post('h2')]);
      const [first, second] = await store.claimOutbox(A, lease('p1'));
      await store.completeOutbox(first!.seq, { now: T0 + 1, messageId: 'M1' });
      await store.completeOutbox(second!.seq, { now: T0 + 1 });
      expect(await store.messageIdOf(A, 'h1')).toBe('M1');
      expect(await store.messageIdOf(A, 'h2')).toBeUndefined(); // not sent yet
      expect(await store.messageIdOf(A, 'nope')).toBeUndefined();
      expect(await store.messageIdOf(B, 'h1')).toBeUndefined();
      // Which messages are some sent entry's: only sent entries with a message id, of this thread.
      expect(await store.sentMessageIds(A, ['M1', 'M2', 'X'])).toEqual(['M1']);
      expect(await store.sentMessageIds(B, ['M1'])).toEqual([]);
      expect(await store.sentMessageIds(A, [])).toEqual([]);
      expect((await store.claimOutbox(A, lease('p1', T0 + 2))).map((e) => textOf(e.operation))).toEqual(['h2']);
      expect(await store.pendingOutboxCount()).toBe(1);
    });

    it('a failure with a retry time keeps the entry, and the whole thread waits for it', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), post('h2')]);
      const [first, second] = await store.claimOutbox(A, lease('p1'));
      await store.failOutbox(first!.seq, { now: T0 + 1, error: 'rate limited', retryAt: T0 + 5_000 });
      await store.releaseOutbox([second!], 'p1');
      expect(await store.claimOutbox(A, lease('p2', T0 + 4_999))).toEqual([]);
      // h2 could go, but not before h1: the sweep is not sent to a thread that can only wait.
      expect(await store.threadsWithPendingOutbox(T0 + 4_999, 10, A.platform)).toEqual([]);
      expect(await store.threadsWithPendingOutbox(T0 + 5_000, 10, A.platform)).toEqual([A]);
      const retried = await store.claimOutbox(A, lease('p2', T0 + 5_000));
      expect(retried.map((e) => [textOf(e.operation), e.attempts])).toEqual([
        ['h1', 1],
        ['h2', 0],
      ]);
      expect(await store.pendingOutboxCount()).toBe(2);
    });

    it('a failure without a retry time gives the entry up, and later entries go', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), post('h2')]);
      const [first] = await store.claimOutbox(A, lease('p1'));
      await store.failOutbox(first!.seq, { now: T0 + 1, error: 'channel_not_found '.repeat(100) });
      expect((await store.claimOutbox(A, lease('p1', T0 + 1))).map((e) => textOf(e.operation))).toEqual(['h2']);
      expect(await store.messageIdOf(A, 'h1')).toBeUndefined();
      expect(await store.pendingOutboxCount()).toBe(1);
    });

    it('marks entries an earlier attempt may have sent: a lapsed claim or a failure, not a fresh one', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), post('h2'), post('h3')]);
      const fresh = await store.claimOutbox(A, lease('p1'));
      expect(fresh.map((e) => e.mayHaveBeenSent)).toEqual([false, false, false]);
      // p1 died mid-send: its claim lapses and p2 takes the entries over.
      const taken = await store.claimOutbox(A, lease('p2', T0 + MINUTE + 1));
      expect(taken.map((e) => e.mayHaveBeenSent)).toEqual([true, true, true]);
      await store.failOutbox(taken[0]!.seq, { now: T0 + MINUTE + 2, error: 'timeout', retryAt: T0 + MINUTE + 3 });
      // p2 gives h2 and h3 back untried: p1 may still have sent them before it died, so they keep saying so.
      await store.releaseOutbox(taken.slice(1), 'p2');
      const again = await store.claimOutbox(A, lease('p3', T0 + MINUTE + 3));
      expect(again.map((e) => [textOf(e.operation), e.mayHaveBeenSent])).toEqual([
        ['h1', true],
        ['h2', true],
        ['h3', true],
      ]);
    });

    it('an entry given back untried comes back fresh when nothing before could have sent it', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), post('h2')]);
      const fresh = await store.claimOutbox(A, lease('p1'));
      await store.releaseOutbox(fresh, 'p1');
      const again = await store.claimOutbox(A, lease('p2'));
      expect(again.map((e) => [textOf(e.operation), e.mayHaveBeenSent])).toEqual([
        ['h1', false],
        ['h2', false],
      ]);
    });

    it("ends an owner's claims on one thread, its commits' owner#<n> claims included, and no one else's", async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1')], T0, { lease: { owner: 'terminal:ann#3', leaseMs: MINUTE } });
      await enqueue(store, A, [post('h2')]);
      await enqueue(store, B, [post('h3')], T0, { lease: { owner: 'terminal:ann#4', leaseMs: MINUTE } });
      expect(await store.claimOutbox(A, lease('terminal:ann'))).toEqual([]); // h1 is claimed, and h2 waits behind it

      expect(await store.releaseClaimsOf(A, 'terminal:an')).toBe(0); // another owner whose name is a prefix
      expect(await store.releaseClaimsOf(A, 'terminal:ann')).toBe(1);
      // Ended as if lapsed: h1 may have gone out under that claim, and says so.
      const taken = await store.claimOutbox(A, lease('terminal:ann'));
      expect(taken.map((e) => [textOf(e.operation), e.mayHaveBeenSent])).toEqual([
        ['h1', true],
        ['h2', false],
      ]);
      expect(await store.releaseClaimsOf(A, 'terminal:ann')).toBe(2); // a plain claim of the owner's own
      expect(await store.claimOutbox(B, lease('terminal:ann'))).toEqual([]); // the other thread keeps its claim
    });

    it('ends only owner#<digits> claims: not those of owners whose names merely start with owner#', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1')], T0, { lease: { owner: 'terminal:bob#x', leaseMs: MINUTE } });
      await enqueue(store, B, [post('h2')], T0, { lease: { owner: 'terminal:bob#2#5', leaseMs: MINUTE } });
      expect(await store.releaseClaimsOf(A, 'terminal:bob')).toBe(0);
      expect(await store.releaseClaimsOf(B, 'terminal:bob')).toBe(0);
      expect(await store.releaseClaimsOf(B, 'terminal:bob#2')).toBe(1);
    });

    it('completes or fails an entry only while it is unsent: a late drain cannot undo or overwrite what another recorded', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1')]);
      const [entry] = await store.claimOutbox(A, lease('p1'));
      await store.completeOutbox(entry!.seq, { now: T0, messageId: 'M1' });
      await store.completeOutbox(entry!.seq, { now: T0 + 1, messageId: 'M2' });
      await store.failOutbox(entry!.seq, { now: T0 + 2, error: 'late', retryAt: T0 + 3 });
      expect(await store.messageIdOf(A, 'h1')).toBe('M1');
      expect(await store.pendingOutboxCount()).toBe(0);
      expect(await store.claimOutbox(A, lease('p2', T0 + MINUTE))).toEqual([]);
    });

    it('never hands a seq out twice, also once the newest entries were swept: a late completion cannot reach a new entry', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1')]);
      const [first] = await store.claimOutbox(A, lease('p1'));
      await store.completeOutbox(first!.seq, { now: T0, messageId: 'M1' });
      await store.deleteExpired(T0 + 2 * MINUTE, T0 + 2 * MINUTE); // every sent entry is older than that
      await enqueue(store, A, [post('h2')], T0 + 3 * MINUTE);
      const [second] = await store.claimOutbox(A, lease('p2', T0 + 3 * MINUTE));
      expect(second!.seq).toBeGreaterThan(first!.seq);
      await store.completeOutbox(first!.seq, { now: T0 + 3 * MINUTE, messageId: 'late' }); // p1, stalled all along
      expect(await store.pendingOutboxCount()).toBe(1);
    });

    it('a commit completes the entry it continues only while that entry is unsent', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1')]);
      const [entry] = await store.claimOutbox(A, lease('p1'));
      await store.completeOutbox(entry!.seq, { now: T0, messageId: 'M1' });
      await store.commitTurn({ now: T0 + 1, completes: { seq: entry!.seq, messageId: 'M2' }, outbox: { thread: A, operations: [post('h2')] } });
      expect(await store.messageIdOf(A, 'h1')).toBe('M1');
    });

    it('released entries may be claimed by another process at once; a sent entry stays sent', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), post('h2')]);
      const [first, second] = await store.claimOutbox(A, lease('p1'));
      await store.completeOutbox(first!.seq, { now: T0, messageId: 'M1' });
      await store.releaseOutbox([first!, second!], 'p1');
      expect((await store.claimOutbox(A, lease('p2'))).map((e) => textOf(e.operation))).toEqual(['h2']);
      expect(await store.messageIdOf(A, 'h1')).toBe('M1');
    });

    it('a drain whose claim was taken over can neither give it back nor record a failure on it', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), post('h2')]);
      const stale = await store.claimOutbox(A, lease('p1'));
      // p1 stalls past its lease; p2 takes the entries over, sends h1 and is sending h2.
      const current = await store.claimOutbox(A, lease('p2', T0 + MINUTE + 1));
      expect(current).toHaveLength(2);
      await store.completeOutbox(current[0]!.seq, { now: T0 + MINUTE + 2, messageId: 'M1' });
      await store.releaseOutbox(stale.slice(1), 'p1');
      expect(await store.claimOutbox(A, lease('p3', T0 + MINUTE + 3))).toEqual([]); // h2 is still p2's
      expect(await store.failOutbox(stale[1]!.seq, { now: T0 + MINUTE + 4, error: 'late timeout', retryAt: T0 + MINUTE + 5, owner: 'p1' })).toBe(false);
      expect(await store.claimOutbox(A, lease('p3', T0 + MINUTE + 5))).toEqual([]); // and no failure of p1's ended p2's claim
      expect(await store.failOutbox(current[1]!.seq, { now: T0 + MINUTE + 6, error: 'timeout', retryAt: T0 + MINUTE + 7, owner: 'p2' })).toBe(true);
      expect(await store.failOutbox(current[1]!.seq, { now: T0 + MINUTE + 6, error: 'again', owner: 'p2' })).toBe(false); // no longer claimed
      const retried = await store.claimOutbox(A, lease('p3', T0 + MINUTE + 7));
      expect(retried.map((e) => [textOf(e.operation), e.attempts])).toEqual([['h2', 1]]);
    });

    it('a commit with a lease claims its own entries for that owner and returns them as a claim would', async () => {
      const store = context.store();
      const operations = [post('h1'), notify('U1', 'note')];
      const { leased } = await store.commitTurn({ now: T0, outbox: { thread: A, operations, deliveryId: 'Ev1', actor: 'U1' }, lease: { owner: 'p1#1', leaseMs: MINUTE } });
      expect(leased.map((e) => e.operation)).toEqual(operations);
      expect(leased[0]).toMatchObject({ thread: A, deliveryId: 'Ev1', actor: 'U1', attempts: 0, mayHaveBeenSent: false });
      expect(leased[1]!.seq).toBeGreaterThan(leased[0]!.seq);
      // Held against every other owner, the same process's plain claims included, until it lapses.
      expect(await store.claimOutbox(A, lease('p1', T0 + 1))).toEqual([]);
      expect(await store.claimOutbox(A, lease('p2', T0 + MINUTE - 1))).toEqual([]);
      expect(await store.threadsWithPendingOutbox(T0 + 1, 10, A.platform)).toEqual([]);
      // Then it is taken over like a lapsed claim: it may have been sent.
      const taken = await store.claimOutbox(A, lease('p2', T0 + MINUTE + 1));
      expect(taken.map((e) => [e.seq, e.mayHaveBeenSent])).toEqual(leased.map((e) => [e.seq, true]));
      // Completing one by seq works as for a claimed entry.
      await store.completeOutbox(leased[0]!.seq, { now: T0 + MINUTE + 2, messageId: 'M1' });
      expect(await store.messageIdOf(A, 'h1')).toBe('M1');
    });

    it('renews a claim only for its holder and only while the entries are unsent', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1'), post('h2'), post('h3')]);
      const claimed = await store.claimOutbox(A, lease('p1'));
      const seqs = claimed.map((e) => e.seq);
      await store.completeOutbox(seqs[0]!, { now: T0 + 1, messageId: 'M1' });
      // Another owner cannot renew it; the holder renews what it still holds unsent.
      expect(await store.renewOutbox(seqs, 'p2', { now: T0 + 2, leaseMs: MINUTE })).toEqual([]);
      expect(await store.renewOutbox(seqs, 'p1', { now: T0 + MINUTE - 1, leaseMs: MINUTE })).toEqual(seqs.slice(1));
      // Renewed: still held where the first claim would have lapsed.
      expect(await store.claimOutbox(A, lease('p2', T0 + MINUTE + 1))).toEqual([]);
      // Once it lapses and another owner takes it over, the first holder's renewal finds nothing.
      const taken = await store.claimOutbox(A, lease('p2', T0 + 2 * MINUTE));
      expect(taken.map((e) => e.seq)).toEqual(seqs.slice(1));
      expect(await store.renewOutbox(seqs, 'p1', { now: T0 + 2 * MINUTE + 1, leaseMs: MINUTE })).toEqual([]);
      expect(await store.renewOutbox([], 'p2', { now: T0 + 2 * MINUTE + 1, leaseMs: MINUTE })).toEqual([]);
    });

    it("a commit's lease renewed by its own owner comes back fresh; any other claim of it may have been sent", async () => {
      const store = context.store();
      const { leased } = await store.commitTurn({ now: T0, outbox: { thread: A, operations: [post('h1'), post('h2')] }, lease: { owner: 'p1#1', leaseMs: MINUTE } });
      // Renewed before anything was sent on it: nothing of it can have gone out.
      const renewed = await store.claimOutbox(A, { ...lease('p1#1', T0 + MINUTE / 2 + 1), renewing: true });
      expect(renewed.map((e) => [e.seq, e.mayHaveBeenSent])).toEqual(leased.map((e) => [e.seq, false]));
      // The same owner claiming without renewing cannot know that.
      expect((await store.claimOutbox(A, lease('p1#1', T0 + MINUTE))).map((e) => e.mayHaveBeenSent)).toEqual([true, true]);
      // Renewing cannot make another owner's claim fresh, nor an entry that was tried.
      const taken = await store.claimOutbox(A, { ...lease('p2', T0 + 3 * MINUTE), renewing: true });
      expect(taken.map((e) => e.mayHaveBeenSent)).toEqual([true, true]);
      await store.failOutbox(taken[0]!.seq, { now: T0 + 3 * MINUTE + 1, error: 'timeout', retryAt: T0 + 3 * MINUTE + 2, owner: 'p2' });
      await store.releaseOutbox([{ seq: taken[1]!.seq, mayHaveBeenSent: false }], 'p2');
      const retried = await store.claimOutbox(A, { ...lease('p2', T0 + 3 * MINUTE + 3), renewing: true });
      expect(retried.map((e) => [textOf(e.operation), e.mayHaveBeenSent])).toEqual([
        ['h1', true],
        ['h2', false],
      ]);
    });

    it('a commit with a lease claims nothing while an earlier entry of the thread is unsent; those go first', async () => {
      const store = context.store();
      await enqueue(store, A, [post('h1')]);
      const { leased } = await store.commitTurn({ now: T0 + 1, outbox: { thread: A, operations: [post('h2')] }, lease: { owner: 'p1#1', leaseMs: MINUTE } });
      expect(leased).toEqual([]);
      expect((await store.claimOutbox(A, lease('p2', T0 + 2))).map((e) => textOf(e.operation))).toEqual(['h1', 'h2']);
      // Another thread's unsent entries do not count, and a commit without a lease returns none.
      expect((await store.commitTurn({ now: T0 + 3, outbox: { thread: B, operations: [post('b1')] }, lease: { owner: 'p1#2', leaseMs: MINUTE } })).leased).toHaveLength(1);
      expect((await store.commitTurn({ now: T0 + 4, outbox: { thread: threadOf(keyOf({ conversation: 'C' })), operations: [post('c1')] } })).leased).toEqual([]);
    });

    it('lists the threads a sweep should visit: its platform only, ready and unclaimed, oldest first, up to the limit', async () => {
      const store = context.store();
      const C = threadOf(keyOf({ conversation: 'C' }));
      const elsewhere = threadOf(keyOf({ platform: 'discord', conversation: 'A' }));
      await enqueue(store, B, [post('b1')], T0);
      await enqueue(store, elsewhere, [post('d1')], T0);
      await enqueue(store, A, [post('a1'), post('a2')], T0 + 1);
      await enqueue(store, C, [post('c1')], T0 + 2);
      expect(await store.threadsWithPendingOutbox(T0 + 10, 10, 'slack')).toEqual([B, A, C]);
      expect(await store.threadsWithPendingOutbox(T0 + 10, 2, 'slack')).toEqual([B, A]);
      expect(await store.threadsWithPendingOutbox(T0 + 10, 10, 'discord')).toEqual([elsewhere]);

      // Claimed by a live process: not listed until the claim lapses, even with newer entries behind the claimed ones.
      // Waiting for a retry: not listed until then.
      await store.claimOutbox(A, lease('p1', T0 + 10));
      await enqueue(store, A, [post('a3')], T0 + 11);
      const [c1] = await store.claimOutbox(C, lease('p1', T0 + 10));
      await store.failOutbox(c1!.seq, { now: T0 + 10, error: 'later', retryAt: T0 + 30_000 });
      expect(await store.threadsWithPendingOutbox(T0 + 20, 10, 'slack')).toEqual([B]);
      expect(await store.threadsWithPendingOutbox(T0 + 30_000, 10, 'slack')).toEqual([B, C]);
      expect(await store.threadsWithPendingOutbox(T0 + 10 + MINUTE, 10, 'slack')).toEqual([B, A, C]);
    });

    if (context.reopen) {
      it('two connections never both claim the same entries', async () => {
        const store = context.store();
        const other = await context.reopen!();
        await enqueue(store, A, [post('h1'), post('h2')]);
        const claims = await Promise.all([store.claimOutbox(A, lease('p1')), other.claimOutbox(A, lease('p2'))]);
        expect(claims.map((c) => c.length).sort()).toEqual([0, 2]);
      });
    }
  });
}
