/**
 * The outbox: what a committed turn queued is sent in order, marked sent only
 * once the platform took it, retried after a passing failure, given up (and
 * the person told) after a lasting one, re-sent by the next process after a
 * crash, and never sent by two processes at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionStore } from '../../src/sessions/store.ts';
import type { FailureVerdict } from '../../src/turns/port.ts';
import { threadId, type Content, type ThreadKey } from '../../src/turns/types.ts';
import { MemoryPort, PlatformFailure } from './memory-port.ts';
import { FIRST, OWNER, THREAD, askedAfter, control, delivery, intercept, liveMessage, makeWorld, notesOf, optionOf, shown, start, text, type World } from './harness.ts';

/** The first question's first option, and the question asked after it. */
const ANSWER = optionOf(FIRST);
const SECOND = askedAfter({ [FIRST]: ANSWER.id });

/** Posts fail with the queued failures (other calls do not consume them); a gate can hold posts. */
class FlakyPort extends MemoryPort {
  readonly postFailures: PlatformFailure[] = [];
  gate: Promise<void> | undefined;
  postsEntered = 0;

  override async post(thread: ThreadKey, content: Content, options: { handle: string; channel?: string }): Promise<string> {
    this.postsEntered++;
    await this.gate;
    const failure = this.postFailures.shift();
    if (failure) {
      this.calls.push('post');
      throw failure;
    }
    return super.post(thread, content, options);
  }
}

let world: World;

function flakyWorld(): { world: World; port: FlakyPort } {
  const port = new FlakyPort();
  world = makeWorld({ port });
  return { world, port };
}

afterEach(async () => {
  await world.close();
});

async function pending(): Promise<number> {
  return world.openStore().pendingOutboxCount();
}

describe('outbox failures', () => {
  it('a post that fails for now stays pending, later entries wait behind it, and a sweep sends them in order', async () => {
    const { port } = flakyWorld();
    const turns = world.service();
    port.postFailures.push(new PlatformFailure(true));
    const result = await turns.run(delivery(), start);
    // The turn was committed all the same; only the platform call waits.
    expect(result.changed).toBe(true);
    expect(port.thread(THREAD)).toEqual([]);
    expect(port.notes.map((n) => n.content)).toEqual([
      { kind: 'turnNotice', notice: { code: 'delivery_failed', failed: { what: 'post' }, explanation: 'The platform had a problem.', retrying: true } },
    ]);
    expect(await pending()).toBe(1);

    // A later turn commits, but its message must not overtake the question.
    await turns.run(delivery(), text('why'));
    expect(port.thread(THREAD)).toEqual([]);
    expect(await pending()).toBe(2);

    world.now += 1_000; // before the retry time: still waiting
    await turns.outbox.sweep();
    expect(port.thread(THREAD)).toEqual([]);

    world.now += 1_500;
    expect(await turns.outbox.sweep()).toBe(1);
    expect(port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`, 'why']);
    expect(await pending()).toBe(0);
    // Told once that it would be retried, not again when it went.
    expect(notesOf(port)).toEqual([`${OWNER}:delivery_failed`]);
  });

  it('a lasting failure is given up, the person is told, and later entries go', async () => {
    const { port } = flakyWorld();
    const turns = world.service();
    await turns.run(delivery(), start);
    await turns.accept(delivery(), text('why'));
    await turns.accept(delivery(), control({ type: 'answer', criterion: FIRST, option: ANSWER.id, version: 1 }));
    port.postFailures.push(new PlatformFailure(false));
    await turns.outbox.drain(THREAD);
    expect(port.thread(THREAD).map(shown)).toEqual([`answered:${FIRST}`, `question:${SECOND}@2*`]);
    expect(port.notes.map((n) => n.content)).toEqual([
      { kind: 'turnNotice', notice: { code: 'delivery_failed', failed: { what: 'post' }, explanation: 'I may not post there.', retrying: false } },
    ]);
    expect(await pending()).toBe(0);
  });

  it('a failure that keeps passing is tried 20 times over about 15 minutes, then given up and said so', async () => {
    const { port } = flakyWorld();
    const turns = world.service();
    for (let i = 0; i < 30; i++) port.postFailures.push(new PlatformFailure(true));
    await turns.run(delivery(), start);
    // The waits grow from 2 s to a minute: 20 tries take about 15 minutes.
    let waited = 0;
    while (waited < 20 * 60_000) {
      world.now += 1_000;
      waited += 1_000;
      await turns.outbox.sweep();
    }
    const posts = port.calls.filter((c) => c === 'post');
    expect(posts).toHaveLength(20);
    expect(port.notes.map((n) => n.content.kind === 'turnNotice' && n.content.notice.code === 'delivery_failed' && n.content.notice.retrying)).toEqual([true, false]);
    expect(await pending()).toBe(0);
  });

  it('an edit of a message whose post was given up is skipped, not failed', async () => {
    const { port } = flakyWorld();
    const turns = world.service();
    port.postFailures.push(new PlatformFailure(false));
    await turns.run(delivery(), start);
    await turns.run(delivery(), text(ANSWER.label));
    // The first question never went out: its record has nothing to edit; the next question is posted.
    expect(port.thread(THREAD).map(shown)).toEqual([`question:${SECOND}@2*`]);
    expect(port.calls.filter((c) => c === 'edit')).toEqual([]);
    expect(await pending()).toBe(0);
  });
});

describe('outbox after a crash', () => {
  it('a crash between commit and send: the next process sweeps at start-up and posts the live question', async () => {
    world = makeWorld();
    const crashed = world.service();
    await crashed.accept(delivery(), start);
    expect(world.port.messages.size).toBe(0);

    const restarted = world.service();
    expect(await restarted.outbox.sweep()).toBe(1);
    expect(shown(liveMessage(world.port))).toBe(`question:${FIRST}@1*`);
    expect(await pending()).toBe(0);
    expect(await restarted.outbox.sweep()).toBe(0);
  });

  it("the platform's retry of a committed delivery sends what was not sent, without applying it again", async () => {
    world = makeWorld();
    const crashed = world.service();
    await crashed.run(delivery(), start);
    const answer = delivery({ id: 'Ev-answer' });
    const click = control({ type: 'answer', criterion: FIRST, option: ANSWER.id, version: 1 });
    await crashed.accept(answer, click);

    const restarted = world.service();
    const retried = await restarted.run(answer, click);
    expect(retried.duplicate).toBe(true);
    expect(world.port.thread(THREAD).map(shown)).toEqual([`answered:${FIRST}`, `question:${SECOND}@2*`]);
  });
});

describe('outbox claims across processes', () => {
  it("a claim keeps a second process's drain away from entries being sent", async () => {
    const { port } = flakyWorld();
    const a = world.service({ processId: 'A' });
    const b = world.service({ processId: 'B' });
    await a.accept(delivery(), start);
    let open: () => void = () => {};
    port.gate = new Promise((resolve) => (open = resolve));
    const draining = a.outbox.drain(THREAD);
    while (port.postsEntered === 0) await new Promise((resolve) => setImmediate(resolve));

    await b.outbox.drain(THREAD);
    expect(await b.outbox.sweep()).toBe(0);
    open();
    await draining;
    expect(port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect(port.postsEntered).toBe(1);
    expect(await pending()).toBe(0);
  });

  it('a drain that stalled past its claim and then fails leaves the entries to the process that took them over, and tells no one', async () => {
    const { port } = flakyWorld();
    const a = world.service({ processId: 'A' });
    await a.accept(delivery(), start);
    await a.accept(delivery(), text('why'));
    let open: () => void = () => {};
    port.gate = new Promise((resolve) => (open = resolve));
    const draining = a.outbox.drain(THREAD);
    while (port.postsEntered === 0) await new Promise((resolve) => setImmediate(resolve));
    // A's claim lapses while its post hangs; B takes both entries over and is sending them.
    world.now += 10_001;
    const taken = await world.openStore().claimOutbox(THREAD, { now: world.now, leaseMs: 60_000, owner: 'B' });
    expect(taken).toHaveLength(2);
    port.postFailures.push(new PlatformFailure(true));
    open();
    await draining;
    // A sends no "could not deliver" notice for B's entries, and records nothing under B's claim: B's claim still
    // holds both, and B's own failure is the entry's first attempt.
    expect(port.notes).toEqual([]);
    const store = world.openStore();
    expect(await store.claimOutbox(THREAD, { now: world.now + 1, leaseMs: 60_000, owner: 'C' })).toEqual([]);
    expect(await store.failOutbox(taken[0]!.seq, { now: world.now + 1, error: 'timeout', retryAt: world.now + 2, owner: 'B' })).toBe(true);
    await store.releaseOutbox(taken.slice(1), 'B');
    const retried = await store.claimOutbox(THREAD, { now: world.now + 2, leaseMs: 60_000, owner: 'C' });
    expect(retried.map((entry) => entry.attempts)).toEqual([1, 0]);
  });

  it('what another process commits while this drain holds the claim is sent by this drain, not left for the sweep', async () => {
    const { port } = flakyWorld();
    const a = world.service({ processId: 'A' });
    const b = world.service({ processId: 'B' });
    await a.accept(delivery(), start);
    let open: () => void = () => {};
    port.gate = new Promise((resolve) => (open = resolve));
    const draining = a.outbox.drain(THREAD);
    while (port.postsEntered === 0) await new Promise((resolve) => setImmediate(resolve));

    // B's turn commits meanwhile; its own drain finds the thread claimed by A and sends nothing.
    await b.run(delivery(), text('why'));
    expect(await pending()).toBe(2);
    open();
    await draining;
    expect(port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`, 'why']);
    expect(await pending()).toBe(0);
  });

  it('a claim whose process died lapses, and another process sends the entries then', async () => {
    world = makeWorld();
    const a = world.service({ processId: 'A' });
    await a.accept(delivery(), start);
    const claimed = await world.openStore().claimOutbox(THREAD, { now: world.now, leaseMs: 60_000, owner: 'dead-process' });
    expect(claimed).toHaveLength(1);

    const b = world.service({ processId: 'B' });
    await b.outbox.drain(THREAD);
    expect(await b.outbox.sweep()).toBe(0);
    expect(world.port.messages.size).toBe(0);

    world.now += 60_001;
    expect(await b.outbox.sweep()).toBe(1);
    expect(world.port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
  });

  it("a platform's sweep sends only its own platform's threads", async () => {
    world = makeWorld();
    const memory = world.service();
    // Another platform's turn in the same database: not for this port.
    const elsewhere: ThreadKey = { platform: 'elsewhere', workspace: 'W1', conversation: 'C9' };
    await memory.accept(delivery({ thread: elsewhere }), start);
    expect(await memory.outbox.sweep()).toBe(0);
    expect(world.port.messages.size).toBe(0);
    expect(await pending()).toBe(1);
  });
});

/** Starts `service`'s interview, then answers its first question with an acknowledgement that waits; resolves once the answer is committed. */
async function answerWithHeldAcknowledgement(service: ReturnType<World['service']>): Promise<{ answering: Promise<unknown>; acknowledge: () => void }> {
  await service.run(delivery(), start);
  let acknowledge: () => void = () => {};
  const acknowledged = new Promise<void>((resolve) => (acknowledge = resolve));
  const answering = service.run(delivery(), control({ type: 'answer', criterion: FIRST, option: ANSWER.id, version: 1 }), { acknowledge: () => acknowledged });
  while ((await pending()) < 2) await new Promise((resolve) => setImmediate(resolve));
  return { answering, acknowledge };
}

/** `store` with one method replaced; every other method is the real store's. */
/** `store`, counting the claims that found entries to send. */
function countingClaims(store: SessionStore): { store: SessionStore; claimed: () => number } {
  let claimed = 0;
  const counted = intercept(store, 'claimOutbox', (real) => async (...args) => {
    const entries = await real(...args);
    if (entries.length > 0) claimed++;
    return entries;
  });
  return { store: counted, claimed: () => claimed };
}

describe('entries a commit claimed for its own drain', () => {
  it('are sent with no claim of their own, and a later turn acknowledged first still waits for them', async () => {
    // Each delivery answers through its own live handle, so a drain sends other deliveries' entries only ahead of its own.
    const port = new (class extends MemoryPort {
      deliveryOf(live: string): string {
        return live;
      }
    })();
    world = makeWorld({ port });
    const { store, claimed } = countingClaims(world.openStore());
    const a = world.service({ store });
    await a.run(delivery({ id: 'D-start' }), start, { live: 'D-start' });
    expect(claimed()).toBe(0);

    let acknowledgeFirst: () => void = () => {};
    const firstAcknowledged = new Promise<void>((resolve) => (acknowledgeFirst = resolve));
    let secondAcknowledged = false;
    const answering = a.run(delivery({ id: 'D-answer' }), control({ type: 'answer', criterion: FIRST, option: ANSWER.id, version: 1 }), {
      live: 'D-answer',
      acknowledge: () => firstAcknowledged,
    });
    const asking = a.run(delivery({ id: 'D-why' }), text('why'), {
      live: 'D-why',
      acknowledge: async () => {
        secondAcknowledged = true;
      },
    });
    while (!secondAcknowledged) await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);

    acknowledgeFirst();
    await Promise.all([answering, asking]);
    expect(port.thread(THREAD).map(shown)).toEqual([`answered:${FIRST}`, `question:${SECOND}@2*`, 'why']);
    // Only the second turn's entry, committed behind the first's unsent ones, needed claims: the first drain's
    // second round found it and left it to that turn's own drain (its live handle), which claimed and sent it.
    expect(claimed()).toBe(2);
    expect(await pending()).toBe(0);
    expect(port.finished).toEqual(['D-start', 'D-answer', 'D-why']);
  });

  it('a claim that lapsed while it waited, and was taken over, is not sent again', async () => {
    world = makeWorld();
    const { answering, acknowledge } = await answerWithHeldAcknowledgement(world.service({ processId: 'A' }));
    // The lease (10 s) lapses while the acknowledgement hangs, and another process takes the entries over.
    world.now += 10_001;
    const taken = await world.openStore().claimOutbox(THREAD, { now: world.now, leaseMs: 60_000, owner: 'B' });
    expect(taken).toHaveLength(2);
    acknowledge();
    await answering;
    expect(world.port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect(await pending()).toBe(2);
  });

  it('a claim that waited past half its lease, but is still held, is renewed and sent once', async () => {
    world = makeWorld();
    const { answering, acknowledge } = await answerWithHeldAcknowledgement(world.service({ processId: 'A' }));
    world.now += 6_000;
    // Still held: no other process may take the entries meanwhile.
    expect(await world.openStore().claimOutbox(THREAD, { now: world.now, leaseMs: 60_000, owner: 'B' })).toEqual([]);
    acknowledge();
    await answering;
    expect(world.port.thread(THREAD).map(shown)).toEqual([`answered:${FIRST}`, `question:${SECOND}@2*`]);
    expect(await pending()).toBe(0);
    // Renewed by the drain it was made for, before anything was sent on it: no resend (no look-up on Slack).
    expect(world.port.resends).toEqual([]);
  });

  it("a claim's age counts from the commit's own time, so a slow commit cannot make a lapsed claim look fresh", async () => {
    world = makeWorld();
    let commits = 0;
    // The second commit (the answer) takes 6 s of the clock: its lease (10 s) runs from before it.
    const store = intercept(world.openStore(), 'commitTurn', (real) => async (...args) => {
      const committed = await real(...args);
      if (++commits === 2) world.now += 6_000;
      return committed;
    });
    const { answering, acknowledge } = await answerWithHeldAcknowledgement(world.service({ store, processId: 'A' }));
    // 4.5 s after the commit returned, 10.5 s after its lease began: lapsed, and another process takes the entries over.
    world.now += 4_500;
    expect(await world.openStore().claimOutbox(THREAD, { now: world.now, leaseMs: 60_000, owner: 'B' })).toHaveLength(2);
    acknowledge();
    await answering;
    expect(world.port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
  });

  it('a drain that throws gives back the places it reserved for the threads it opened, so they still drain', async () => {
    // The second thread fails to open with an error the port cannot even classify: the drain throws.
    const port = new (class extends MemoryPort {
      opened = 0;
      override async openThread(where: ThreadKey, content: Content): Promise<{ conversation: string; messageId: string }> {
        if (++this.opened === 2) throw new Error('unclassifiable');
        return super.openThread(where, content);
      }
      override classify(error: unknown): FailureVerdict {
        if (error instanceof Error && error.message === 'unclassifiable') throw new Error('classify broke');
        return super.classify(error);
      }
    })();
    world = makeWorld({ port });
    const a = world.service();
    const channel: ThreadKey = { platform: 'memory', workspace: 'W1', conversation: 'C-general' };
    await a.accept(delivery({ thread: channel, inThread: false, actor: 'U1' }), start);
    await a.accept(delivery({ thread: channel, inThread: false, actor: 'U2' }), start);
    // Logged, not thrown: callers send without awaiting (Slack) and must not meet an unhandled rejection.
    await expect(a.outbox.drain(channel)).resolves.toBeUndefined();

    // The first thread opened and its start was committed with its question claimed; that claim was given back.
    const parent = [...port.messages.values()].find((message) => message.thread === threadId(channel));
    const opened: ThreadKey = { ...channel, conversation: `${channel.conversation}/${parent!.id}` };
    expect(port.thread(opened)).toEqual([]);
    await a.outbox.drain(opened);
    expect(port.thread(opened).map(shown)).toEqual([`question:${FIRST}@1*`]);
    await a.idle();
  });

  it('are given back when the delivery could not be acknowledged, so the next drain sends them at once', async () => {
    world = makeWorld();
    const a = world.service();
    await a.run(delivery(), start);
    const failed = a.run(delivery(), control({ type: 'answer', criterion: FIRST, option: ANSWER.id, version: 1 }), {
      acknowledge: async () => {
        throw new Error('the connection closed');
      },
    });
    await expect(failed).rejects.toThrow('the connection closed');
    await a.idle();
    expect(await pending()).toBe(2);

    await a.outbox.drain(THREAD);
    expect(world.port.thread(THREAD).map(shown)).toEqual([`answered:${FIRST}`, `question:${SECOND}@2*`]);
    expect(await pending()).toBe(0);
  });
});
