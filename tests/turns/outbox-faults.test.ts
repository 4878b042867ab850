/**
 * The outbox under faults around the platform call: a store that fails right
 * after the platform took a message, and a drain that outlasts its lease.
 * Nothing is given up that went out, and no entry is sent by two drains.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdvisorError } from '../../src/errors.ts';
import type { SessionStore } from '../../src/sessions/store.ts';
import { threadId, type Content, type ThreadKey } from '../../src/turns/types.ts';
import { MemoryPort, PlatformFailure } from './memory-port.ts';
import { FIRST, THREAD, delivery, intercept, makeWorld, shown, start, text, type World } from './harness.ts';

const LEASE_MS = 10_000;
const storeBlip = (): AdvisorError => new AdvisorError('STORE_FAILURE', 'cannot complete outbox entry: database is locked');

/** A port whose posts can be held at a gate. */
class GatedPort extends MemoryPort {
  gate: Promise<void> | undefined;
  postsEntered = 0;
  readonly failPosts: PlatformFailure[] = [];

  override async post(thread: ThreadKey, content: Content, options: { handle: string; channel?: string; resend?: boolean }): Promise<string> {
    this.postsEntered++;
    await this.gate;
    const failure = this.failPosts.shift();
    if (failure) throw failure;
    return super.post(thread, content, options);
  }
}

/** `store` whose `method` fails with a store error on its `nth` call (1-based) only. */
function failingOnce<K extends 'completeOutbox' | 'commitTurn'>(store: SessionStore, method: K, nth: number): SessionStore {
  let calls = 0;
  return intercept(store, method, (real) => (async (...args: Parameters<SessionStore[K]>) => {
    if (++calls === nth) throw storeBlip();
    return (real as (...a: Parameters<SessionStore[K]>) => ReturnType<SessionStore[K]>)(...args);
  }) as SessionStore[K]);
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not reached');
};

let world: World;

afterEach(async () => {
  vi.useRealTimers();
  await world.close();
});

const pending = (): Promise<number> => world.openStore().pendingOutboxCount();
const deliveryFailedNotes = (port: MemoryPort): number => port.notes.filter((n) => n.content.kind === 'turnNotice' && n.content.notice.code === 'delivery_failed').length;

describe('a store failure right after the platform call', () => {
  it('leaves a posted question pending as possibly sent, tells no one it failed, and the next try finds it instead of posting it again', async () => {
    world = makeWorld();
    const turns = world.service({ store: failingOnce(world.openStore(), 'completeOutbox', 1) });
    await turns.run(delivery(), start);
    // The platform took the question; only recording that failed.
    expect(world.port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect(deliveryFailedNotes(world.port)).toBe(0);
    expect(await pending()).toBe(1);

    // Tried again after the usual wait for a passing failure, looked up first.
    expect(await turns.outbox.sweep()).toBe(0);
    world.now += 2_000;
    expect(await turns.outbox.sweep()).toBe(1);
    expect(world.port.resends).toHaveLength(1);
    expect(world.port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect(await pending()).toBe(0);
    // And the interview goes on from that message: the next answer retires it.
    await turns.run(delivery(), text('1'));
    expect(world.port.live(THREAD)).toHaveLength(1);
  });

  it('still starts the interview in a thread it opened when the start could not be committed at first', async () => {
    world = makeWorld();
    // The first commit is the slash command's; the second, the start in the opened thread, fails once.
    const turns = world.service({ store: failingOnce(world.openStore(), 'commitTurn', 2) });
    const channel: ThreadKey = { platform: 'memory', workspace: 'W1', conversation: 'C-general' };
    await turns.run(delivery({ thread: channel, inThread: false }), start);
    const parents = (): string[] => [...world.port.messages.values()].filter((m) => m.thread === threadId(channel)).map((m) => m.id);
    expect(parents()).toHaveLength(1);
    expect(deliveryFailedNotes(world.port)).toBe(0);
    expect(await pending()).toBe(1);

    world.now += 2_000;
    expect(await turns.outbox.sweep()).toBe(1);
    await turns.idle();
    // The same thread, found again, now holds its first question; no second thread was opened.
    expect(parents()).toHaveLength(1);
    const opened: ThreadKey = { ...channel, conversation: `${channel.conversation}/${parents()[0]}` };
    expect(world.port.thread(opened).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect(await pending()).toBe(0);
  });

  it('a store that keeps failing is tried again with the usual waits, never gives up a message that went out, and tells no one', async () => {
    world = makeWorld();
    let failures = 0;
    const broken = intercept(world.openStore(), 'completeOutbox', (real) => async (...args) => {
      if (++failures <= 30) throw storeBlip();
      return real(...args);
    });
    const turns = world.service({ store: broken });
    await turns.run(delivery(), start);
    for (let sweep = 0; sweep < 40; sweep++) {
      world.now += 61_000;
      await turns.outbox.sweep();
    }
    // Past the 20 tries a platform failure gets: the first, then 30 resends that found the message, the last completed.
    expect(world.port.resends).toHaveLength(30);
    expect(world.port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect(deliveryFailedNotes(world.port)).toBe(0);
    expect(await pending()).toBe(0);
    // Known as sent, so the next answer retires its buttons: one live question.
    await turns.run(delivery(), text('1'));
    expect(world.port.live(THREAD)).toHaveLength(1);
  });
});

describe('a drain that outlasts its lease', () => {
  it('keeps its claim while a platform call runs long, so no other process sends the same entry meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const port = new GatedPort();
    world = makeWorld({ port });
    let open!: () => void;
    port.gate = new Promise((resolve) => (open = resolve));
    const answering = world.service({ processId: 'A' }).run(delivery(), start);
    await until(() => port.postsEntered === 1);
    // 13.6 s pass while the post hangs: past the 10 s lease, renewed every third of it.
    for (let step = 0; step < 4; step++) {
      world.now += 3_400;
      await vi.advanceTimersByTimeAsync(3_400);
    }
    expect(await world.openStore().claimOutbox(THREAD, { now: world.now, leaseMs: LEASE_MS, owner: 'B' })).toEqual([]);
    open();
    await answering;
    expect(port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect(await pending()).toBe(0);
  });

  it('stops before its next entry once its claim was taken over, and the new holder sends that entry once', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const port = new GatedPort();
    world = makeWorld({ port });
    // Two entries pending in one thread: the question (its first post failed for now) and the reply to "why".
    port.failPosts.push(new PlatformFailure(true));
    const setup = world.service({ processId: 'setup' });
    await setup.run(delivery(), start);
    await setup.accept(delivery(), text('why'));
    expect(await pending()).toBe(2);
    world.now += 2_500;

    // A's renewals find the claim gone, as when another process took it over after a stall.
    const a = world.service({ processId: 'A', store: intercept(world.openStore(), 'renewOutbox', () => async () => []) });
    let open!: () => void;
    port.gate = new Promise((resolve) => (open = resolve));
    const sweeping = a.outbox.sweep();
    await until(() => port.postsEntered === 1);
    world.now += 3_400;
    await vi.advanceTimersByTimeAsync(3_400);
    open();
    await sweeping;
    // The post in flight went out; the reply to "why" was not sent on a lost claim.
    expect(port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect(await pending()).toBe(1);

    await world.service({ processId: 'B' }).outbox.sweep();
    expect(port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`, 'why']);
    expect(await pending()).toBe(0);
  });

  it('stops renewing when the drain ends by an error it could not handle, so the claim lapses as usual', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const port = new (class extends GatedPort {
      classifyBreaks = false;
      override classify(error: unknown) {
        if (this.classifyBreaks) throw new Error('classify broke');
        return super.classify(error);
      }
    })();
    world = makeWorld({ port });
    // Two entries pending in one thread, as in the test above.
    port.failPosts.push(new PlatformFailure(true));
    const setup = world.service({ processId: 'setup' });
    await setup.run(delivery(), start);
    await setup.accept(delivery(), text('why'));
    world.now += 2_500;

    let renewals = 0;
    const counted = intercept(world.openStore(), 'renewOutbox', (real) => async (...args) => {
      renewals++;
      return real(...args);
    });
    // The first post fails and the port cannot even classify it: the drain throws out of its loop (logged, not thrown).
    port.failPosts.push(new PlatformFailure(true));
    port.classifyBreaks = true;
    await world.service({ processId: 'A', store: counted }).outbox.sweep();
    world.now += 20_000;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(renewals).toBe(0);
    expect(await world.openStore().claimOutbox(THREAD, { now: world.now, leaseMs: LEASE_MS, owner: 'B' })).toHaveLength(2);
  });
});
