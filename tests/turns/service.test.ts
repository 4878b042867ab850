/**
 * TurnService over SQLite files and the in-memory platform: commit before
 * anything is sent, delivery ids applied once (also across two processes on
 * one file), turns of one thread in order, version conflicts retried on fresh
 * state, expiry, cleanup, and resuming after a restart.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConversation } from '../../src/conversation/step.ts';
import type { ConversationEvent } from '../../src/conversation/types.ts';
import { threadId } from '../../src/turns/types.ts';
import {
  FIRST,
  HookedStore,
  HOUR,
  OWNER,
  T0,
  THREAD,
  TTL,
  askedAfter,
  control,
  delivery,
  knowledge,
  liveMessage,
  makeWorld,
  notesOf,
  optionOf,
  replyOf,
  shown,
  start,
  storedSession,
  text,
  type World,
} from './harness.ts';

let world: World;
/** The first question's first option, and the question asked after it (derived from the engine, not the pack's order). */
const ANSWER = optionOf(FIRST);
const SECOND = askedAfter({ [FIRST]: ANSWER.id });

beforeEach(() => {
  world = makeWorld();
});

afterEach(async () => {
  await world.close();
});

/** 20 distinct answers: every criterion's first option, then the second option of four of them. */
function distinctAnswers(): ConversationEvent[] {
  const firsts = knowledge.criteria.map((c) => ({ type: 'answer' as const, criterion: c.id, option: c.options[0]!.id }));
  const seconds = knowledge.criteria.slice(0, 4).map((c) => ({ type: 'answer' as const, criterion: c.id, option: c.options[1]!.id }));
  return [...firsts, ...seconds];
}

describe('TurnService: commit, then send', () => {
  it('commits each turn before accept returns and sends nothing until the outbox is drained', async () => {
    const turns = world.service();
    // The sentence answers three other questions (the first is asked again); "2" answers the first.
    const steps = [
      start,
      text('solo dev building a small REST API'),
      text('2'),
      control({ type: 'skip' }),
      control({ type: 'back' }),
      control({ type: 'answer', criterion: 'database', option: 'nosql' }),
      control({ type: 'result' }),
    ];
    let version = 0;
    for (const inbound of steps) {
      const sentBefore = world.port.calls.length;
      const result = await turns.accept(delivery(), inbound);
      expect(result).toMatchObject({ duplicate: false, changed: true, expired: false, refused: false });
      expect(result.queued).toBeGreaterThan(0);
      // Durable before anything reaches the platform: a fresh connection sees the new version.
      expect((await storedSession(world))?.version).toBe(++version);
      expect(world.port.calls.length).toBe(sentBefore);
      await turns.outbox.drain(THREAD);
    }
    const final = await storedSession(world);
    expect(final?.phase).toBe('result');
    expect(final?.answers).toEqual({ project_type: 'api', scale: 'small', team_size: 'solo', [FIRST]: optionOf(FIRST, 1).id, database: 'nosql' });
    expect(shown(liveMessage(world.port))).toBe(`recommendation@${version}*`);
    expect(await world.openStore().pendingOutboxCount()).toBe(0);
  });

  it('does not write the session for a turn that changes nothing', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    world.now += HOUR;
    const why = await turns.run(delivery(), text('why'));
    expect(why.changed).toBe(false);
    expect(world.port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`, 'why']);
    const stored = await world.openStore().load({ ...THREAD, user: OWNER });
    expect(stored?.updatedAt).toBe(T0);
  });

  it('typing in a thread with no interview is not for the advisor: nothing is stored or sent', async () => {
    const turns = world.service();
    const result = await turns.run(delivery(), text('lunch at noon?'));
    expect(result).toMatchObject({ changed: false, refused: false, queued: 0 });
    expect(world.port.calls).toEqual([]);
    expect(await world.openStore().count()).toBe(0);
  });

  it('a corrupt thread row fails the interview turns that read it, not an ask or help in that thread', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    const raw = new Database(world.path);
    world.checkStoredOnClose = false;
    raw.prepare('UPDATE threads SET state = ? WHERE id = ?').run('{"owner": 7', threadId(THREAD));
    raw.close();
    expect((await turns.run(delivery(), { kind: 'ask', question: 'Which has an admin panel?' })).queued).toBe(1);
    expect((await turns.run(delivery(), { kind: 'help' })).queued).toBe(1);
    await expect(turns.run(delivery(), text('2'))).rejects.toMatchObject({ code: 'STORE_FAILURE' });
  });
});

describe('TurnService: delivery ids', () => {
  it('applies a delivery id once: a redelivery changes nothing, even one that would', async () => {
    const turns = world.service();
    await turns.run(delivery({ id: 'Ev-start' }), start);
    const first = await turns.run(delivery({ id: 'Ev-1' }), control({ type: 'answer', criterion: FIRST, option: ANSWER.id, version: 1 }));
    expect(first).toMatchObject({ duplicate: false, changed: true });
    const messages = world.port.thread(THREAD).map(shown);
    expect(messages).toEqual([`answered:${FIRST}`, `question:${SECOND}@2*`]);

    const again = await turns.run(delivery({ id: 'Ev-1' }), control({ type: 'answer', criterion: FIRST, option: ANSWER.id }));
    expect(again).toEqual({ thread: THREAD, duplicate: true, expired: false, changed: false, refused: false, queued: 0 });
    const sneaky = await turns.run(delivery({ id: 'Ev-1' }), control({ type: 'restart' }));
    expect(sneaky.duplicate).toBe(true);
    expect((await storedSession(world))?.version).toBe(2);
    expect(world.port.thread(THREAD).map(shown)).toEqual(messages);
    expect(world.port.notes).toEqual([]);

    const next = await turns.run(delivery({ id: 'Ev-2' }), control({ type: 'skip' }));
    expect(next.changed).toBe(true);
    expect((await storedSession(world))?.version).toBe(3);
  });

  it('applies a redelivery racing the original once', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    const results = await Promise.all([1, 2, 3].map(() => turns.run(delivery({ id: 'Ev-dup' }), text('postgres'))));
    expect(results.map((r) => r.duplicate)).toEqual([false, true, true]);
    expect((await storedSession(world))?.answers).toEqual({ database: 'relational' });
    expect(world.port.thread(THREAD).filter((m) => replyOf(m)?.kind === 'question')).toHaveLength(2);
  });

  it('two TurnServices on one SQLite file given the same delivery id apply it once', async () => {
    const a = world.service();
    const b = world.service();
    await a.run(delivery(), start);
    const same = delivery({ id: 'Ev-both' });
    const results = await Promise.all([a.run(same, text('8 developers')), b.run(same, text('8 developers'))]);
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
    const session = await storedSession(world);
    expect(session?.version).toBe(2);
    expect(session?.answers).toEqual({ team_size: 'large' });
    expect(world.port.thread(THREAD).filter((m) => replyOf(m)?.kind === 'question')).toHaveLength(2);
    expect(world.port.live(THREAD)).toHaveLength(1);
  });
});

describe('TurnService: concurrency', () => {
  it('serialises 20 concurrent turns of one thread: the same result as applying them in order', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    const begun = await storedSession(world);
    const events = distinctAnswers();
    const results = await Promise.all(events.map((event) => turns.run(delivery(), control(event))));
    expect(results.every((r) => r.changed)).toBe(true);
    const conversation = createConversation(knowledge);
    let expected = begun!;
    let live = '';
    for (const event of events) {
      const r = conversation.step(expected, event);
      expected = r.session;
      live = r.replies.filter((x) => x.kind === 'question' || x.kind === 'settled' || x.kind === 'recommendation').at(-1)?.kind ?? live;
    }
    expect(await storedSession(world)).toEqual(expected);
    // The last reply's live message: answers after the result that keep the verdict get a short (settled-kind) update.
    expect(live).toMatch(/^(?:recommendation|settled)$/);
    expect(shown(liveMessage(world.port))).toBe(`${live}@${expected.version}*`);
  });

  it('retries on a conflict when another process commits between load and commit', async () => {
    const other = world.service();
    await other.run(delivery(), start);
    let interfered = false;
    const store = new HookedStore(world.openStore(), async () => {
      if (interfered) return;
      interfered = true;
      await other.run(delivery(), control({ type: 'answer', criterion: 'hiring', option: 'yes' }));
    });
    const turns = world.service({ store });
    const result = await turns.run(delivery(), control({ type: 'answer', criterion: 'i18n', option: 'yes' }));
    expect(store.conflicts).toBe(1);
    expect(result.changed).toBe(true);
    const session = await storedSession(world);
    expect(session?.version).toBe(3);
    expect(session?.answers).toEqual({ hiring: 'yes', i18n: 'yes' });
    // The thread state was merged too: one live question, the one the last commit asked.
    expect(shown(liveMessage(world.port))).toBe(`question:${session?.current}@3*`);
  });

  it('two processes on one file racing lose no update and double nothing', async () => {
    const storeA = new HookedStore(world.openStore(), async () => {});
    const storeB = new HookedStore(world.openStore(), async () => {});
    const a = world.service({ store: storeA });
    const b = world.service({ store: storeB });
    await a.run(delivery(), start);
    const forA = knowledge.criteria.slice(0, 8).map((c): ConversationEvent => ({ type: 'answer', criterion: c.id, option: c.options[0]!.id }));
    const forB = knowledge.criteria.slice(8).map((c): ConversationEvent => ({ type: 'answer', criterion: c.id, option: c.options.at(-1)!.id }));
    await Promise.all([...forA.map((e) => a.run(delivery(), control(e))), ...forB.map((e) => b.run(delivery(), control(e)))]);
    const final = await storedSession(world);
    expect(final?.version).toBe(1 + forA.length + forB.length);
    expect(final?.answers).toEqual(Object.fromEntries([...forA, ...forB].map((e) => (e.type === 'answer' ? [e.criterion, e.option] : []))));
    expect(final?.phase).toBe('result');
    // They really raced: some commits lost the version check and were retried on fresh state.
    expect(storeA.conflicts + storeB.conflicts).toBeGreaterThan(0);
    expect(world.port.live(THREAD)).toHaveLength(1);
    expect(world.port.thread(THREAD).filter((m) => replyOf(m)?.kind === 'recommendation')).toHaveLength(1);
  });
});

describe('TurnService: expiry, cleanup, restart', () => {
  it('expires an idle interview with a notice and begins afresh; exactly the TTL is not idle enough', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    await turns.run(delivery(), text('we are 8 developers'));
    world.now = T0 + TTL;
    const atLimit = await turns.run(delivery(), text('postgres'));
    expect(atLimit.expired).toBe(false);
    expect((await storedSession(world))?.answers).toEqual({ team_size: 'large', database: 'relational' });

    world.now = T0 + 2 * TTL + 1;
    const late = await turns.run(delivery(), text('solo dev building a small REST API'));
    expect(late).toMatchObject({ expired: true, changed: true });
    const note = world.port.notes.at(-1)?.content;
    expect(note).toEqual({
      kind: 'notice',
      notice: { kind: 'notice', code: 'expired', text: 'That interview expired after a long pause, so it was closed and a new one begins.' },
    });
    // A fresh interview from its first question: what was typed to the old one is not taken as an answer to the new.
    const session = await storedSession(world);
    expect(session).toMatchObject({ phase: 'asking', current: FIRST, answers: {}, version: 4 });
    expect(shown(liveMessage(world.port))).toBe(`question:${FIRST}@4*`);
    expect((await world.openStore().load({ ...THREAD, user: OWNER }))?.updatedAt).toBe(world.now);
  });

  it('a click on an expired interview gets one notice and its controls are taken away', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    const live = liveMessage(world.port);
    world.now += TTL + 1;
    const click = control({ type: 'answer', criterion: FIRST, option: ANSWER.id, version: 1 });
    const result = await turns.run(delivery(), click);
    expect(result).toMatchObject({ expired: true, changed: false });
    expect(notesOf(world.port)).toEqual([`${OWNER}:expired`]);
    expect(world.port.live(THREAD)).toEqual([]);
    expect(world.port.messages.get(live.id)).toMatchObject({ edits: 1, content: { kind: 'reply', controls: false } });
    // Nothing was applied.
    expect((await storedSession(world))?.answers).toEqual({});
    // Another click: the notice again, and nothing left to retire.
    await turns.run(delivery(), click);
    expect(notesOf(world.port)).toEqual([`${OWNER}:expired`, `${OWNER}:expired`]);
    expect(world.port.messages.get(live.id)?.edits).toBe(1);
  });

  it('a click on an interview whose records cleanup removed: the notice, and the clicked message loses its controls', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    await turns.run(delivery(), text(ANSWER.label));
    const live = liveMessage(world.port);
    world.now += TTL + 1;
    expect(await turns.cleanup()).toBe(1);
    const click = control({ type: 'answer', criterion: SECOND, option: optionOf(SECOND).id, version: 2 });
    const result = await turns.run(delivery({ clicked: live.id }), click);
    expect(result).toMatchObject({ expired: false, changed: false, queued: 2 });
    expect(notesOf(world.port)).toEqual([`${OWNER}:expired`]);
    expect(world.port.live(THREAD)).toEqual([]);
    // What it asked stays; only its controls went.
    expect(world.port.messages.get(live.id)).toMatchObject({ edits: 1, content: { kind: 'reply', controls: false, reply: { kind: 'question', criterion: SECOND } } });
    expect(await storedSession(world)).toBeUndefined();
    // A platform that names no message: the notice alone, as before.
    await turns.run(delivery(), click);
    expect(notesOf(world.port)).toEqual([`${OWNER}:expired`, `${OWNER}:expired`]);
  });

  it('start after expiry begins a fresh interview, says the old one expired and retires its controls', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    await turns.run(delivery(), text(ANSWER.label));
    world.now += TTL + 1;
    const restarted = await turns.run(delivery(), start);
    expect(restarted.expired).toBe(true);
    expect(notesOf(world.port)).toEqual([`${OWNER}:expired`]);
    expect(await storedSession(world)).toMatchObject({ answers: {}, version: 3, current: FIRST });
    expect(shown(liveMessage(world.port))).toBe(`question:${FIRST}@3*`);
  });

  it('cleanup() deletes exactly the expired sessions and their threads', async () => {
    const turns = world.service();
    const at = (conversation: string) => ({ ...THREAD, conversation });
    await turns.run(delivery({ thread: at('T1') }), start);
    await turns.run(delivery({ thread: at('T2'), actor: 'U2' }), start);
    world.now = T0 + 10 * HOUR;
    await turns.run(delivery({ thread: at('T3'), actor: 'U3' }), start);
    world.now = T0 + 20 * HOUR;
    expect(await turns.cleanup()).toBe(0);
    world.now = T0 + TTL + 1;
    expect(await turns.cleanup()).toBe(2);
    expect(await turns.cleanup()).toBe(0);
    const store = world.openStore();
    expect(await store.count()).toBe(1);
    expect(await store.loadThread(at('T1'))).toBeUndefined();
    expect(await store.loadThread(at('T3'))).toBeDefined();
    world.now = T0 + 10 * HOUR + TTL + 1;
    expect(await turns.cleanup()).toBe(1);
    expect(await store.count()).toBe(0);
  });

  it('a new service on the same file (after a crash) picks up where the thread was', async () => {
    const before = world.service();
    await before.run(delivery(), start);
    await before.run(delivery(), text('solo dev building a small REST API'));
    await before.run(delivery(), text('1'));
    const last = await storedSession(world);
    const question = liveMessage(world.port);

    const after = world.service();
    const resumed = await after.run(delivery(), start);
    expect(resumed).toMatchObject({ expired: false, changed: false });
    // Said so, with how to start over instead.
    expect(world.port.notes.at(-1)?.content).toMatchObject({ kind: 'notice', notice: { code: 'resumed', text: expect.stringMatching(/^Picking up .*\brestart\b/) } });
    // Restated at the bottom of the thread; the copy above lost its controls.
    const live = liveMessage(world.port);
    expect(live.id).not.toBe(question.id);
    expect(replyOf(live)).toEqual(replyOf(question));
    expect(await storedSession(world)).toEqual(last);

    await after.run(delivery(), control({ type: 'skip' }));
    const next = await storedSession(world);
    expect(next?.version).toBe(last!.version + 1);
    expect(next?.answers[last!.current!]).toBe('skip');
    expect(threadId(THREAD)).toContain('memory');
  });
});
