/**
 * The rules written once in the turn layer, for every platform: whose
 * interview a thread is, typed `ask`, starting in a channel, `/advisor ask`
 * and help, and sharing a summary.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadKey } from '../../src/turns/types.ts';
import { PlatformFailure } from './memory-port.ts';
import { FIRST, OWNER, THREAD, control, delivery, liveMessage, makeWorld, notesOf, optionOf, replyOf, shown, start, storedSession, text, type World } from './harness.ts';

let world: World;

beforeEach(() => {
  world = makeWorld();
});

afterEach(async () => {
  await world.close();
});

const CHANNEL: ThreadKey = { platform: 'memory', workspace: 'W1', conversation: 'C1' };

describe('ownership', () => {
  it('a click by someone else gets one private not_owner notice per click and changes nothing', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    const live = liveMessage(world.port);
    const click = control({ type: 'answer', criterion: FIRST, option: optionOf(FIRST).id, version: 1 });
    const result = await turns.run(delivery({ actor: 'U2' }), click);
    expect(result).toMatchObject({ refused: true, changed: false });
    expect(world.port.notes).toHaveLength(1);
    expect(world.port.notes[0]).toMatchObject({ user: 'U2', content: { kind: 'turnNotice', notice: { code: 'not_owner', owner: OWNER } } });
    await turns.run(delivery({ actor: 'U2' }), click);
    expect(notesOf(world.port)).toEqual(['U2:not_owner', 'U2:not_owner']);
    expect((await storedSession(world))?.version).toBe(1);
    expect(await storedSession(world, 'U2')).toBeUndefined();
    expect(liveMessage(world.port)).toEqual(live);
  });

  it('typed text by someone else gets one hint, then silence', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    for (const typed of ['api', 'who is this bot?', 'ask does flask have an orm?']) {
      const result = await turns.run(delivery({ actor: 'U2' }), text(typed));
      expect(result.refused).toBe(true);
    }
    expect(notesOf(world.port)).toEqual(['U2:not_owner']);
    // Another bystander gets their own one hint.
    await turns.run(delivery({ actor: 'U3' }), text('hello'));
    expect(notesOf(world.port)).toEqual(['U2:not_owner', 'U3:not_owner']);
    expect(world.port.thread(THREAD).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect((await storedSession(world))?.answers).toEqual({});
  });

  it('a start by someone else in the thread is refused; the owner still answers', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    expect((await turns.run(delivery({ actor: 'U2' }), start)).refused).toBe(true);
    expect(notesOf(world.port)).toEqual(['U2:not_owner']);
    expect((await turns.run(delivery(), text('api'))).changed).toBe(true);
  });

  it('an owner carried in the control (Discord) is enforced even before the thread is known', async () => {
    const turns = world.service();
    const result = await turns.run(delivery({ actor: 'U2', claimedOwner: OWNER }), control({ type: 'skip', version: 1 }));
    expect(result.refused).toBe(true);
    expect(notesOf(world.port)).toEqual(['U2:not_owner']);
    expect(await world.openStore().count()).toBe(0);
  });
});

describe('ask, help and starting', () => {
  it('typed ask is answered in the thread, with sources, and never recorded', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    const live = liveMessage(world.port);
    const result = await turns.run(delivery(), text('ask does flask have an ORM?'));
    expect(result.changed).toBe(false);
    const posted = world.port.thread(THREAD).at(-1)!;
    expect(posted.content).toMatchObject({ kind: 'reply', controls: false, reply: { kind: 'ask', answer: { found: true } } });
    const reply = replyOf(posted);
    expect(reply?.kind === 'ask' && reply.answer.headline).toMatch(/orm/i);
    expect(await storedSession(world)).toMatchObject({ version: 1, answers: {} });
    // The question stays the live one.
    expect(liveMessage(world.port)).toEqual(live);
  });

  it('a command that starts with "ask" is a command ("ask me more"), not a question for the sources', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    await turns.run(delivery(), text('content site, one codebase, batteries included, high traffic, we know django'));
    expect((await storedSession(world))?.phase).toBe('settled');
    await turns.run(delivery(), text('ask me more'));
    expect((await storedSession(world))?.phase).toBe('asking');
    expect(world.port.thread(THREAD).some((m) => replyOf(m)?.kind === 'ask')).toBe(false);
  });

  it('/advisor ask is posted once per delivery id, with whom it answers', async () => {
    const turns = world.service();
    const asked = delivery({ id: 'cmd-ask', thread: CHANNEL, inThread: false });
    await turns.run(asked, { kind: 'ask', question: 'is django secure?' });
    expect((await turns.run(asked, { kind: 'ask', question: 'is django secure?' })).duplicate).toBe(true);
    const posts = world.port.thread(CHANNEL);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.content).toMatchObject({ kind: 'ask', asker: OWNER });
    expect(await world.openStore().count()).toBe(0);
  });

  it('help goes privately to whoever asked, with the unknown subcommand named', async () => {
    const turns = world.service();
    await turns.run(delivery({ thread: CHANNEL, inThread: false, actor: 'U9' }), { kind: 'help', unknown: 'frobnicate' });
    expect(world.port.notes).toHaveLength(1);
    expect(world.port.notes[0]).toMatchObject({ user: 'U9', content: { kind: 'help', lead: 'frobnicate', reply: { kind: 'help' } } });
    expect(world.port.messages.size).toBe(0);
  });

  it('start in a channel opens a thread and asks the first question there; a replay opens nothing more', async () => {
    const turns = world.service();
    const started = delivery({ id: 'cmd-start', thread: CHANNEL, inThread: false });
    await turns.run(started, start);
    const parent = world.port.thread(CHANNEL);
    expect(parent).toHaveLength(1);
    expect(parent[0]?.content).toEqual({ kind: 'threadParent', owner: OWNER });
    const opened: ThreadKey = { ...CHANNEL, conversation: `${CHANNEL.conversation}/${parent[0]!.id}` };
    expect(world.port.thread(opened).map(shown)).toEqual([`question:${FIRST}@1*`]);
    expect((await storedSession(world, OWNER, opened))?.version).toBe(1);

    expect((await turns.run(started, start)).duplicate).toBe(true);
    expect(world.port.messages.size).toBe(2);
    expect(await world.openStore().pendingOutboxCount()).toBe(0);
  });

  it('a thread opened just before a crash still gets its first question from the next sweep', async () => {
    const crashed = world.service();
    await crashed.accept(delivery({ thread: CHANNEL, inThread: false }), start);
    const restarted = world.service();
    await restarted.outbox.sweep();
    const parent = world.port.thread(CHANNEL)[0]!;
    const opened: ThreadKey = { ...CHANNEL, conversation: `${CHANNEL.conversation}/${parent.id}` };
    expect(world.port.thread(opened).map(shown)).toEqual([`question:${FIRST}@1*`]);
  });
});

describe('sharing a summary', () => {
  it('offers a picker, posts the summary to the chosen channel and says where it went', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    await turns.run(delivery(), { kind: 'share', version: 1 });
    expect(notesOf(world.port)).toEqual([`${OWNER}:nothing_to_share`]);

    // An answer to the question asked: something to share.
    await turns.run(delivery(), text(optionOf(FIRST).label));
    await turns.run(delivery(), { kind: 'share', version: 2 });
    const picker = world.port.thread(THREAD).at(-1)!;
    expect(picker.content).toMatchObject({ kind: 'sharePicker', owner: OWNER, attempt: 1 });

    await turns.run(delivery(), { kind: 'shareTo', channel: 'C-general' });
    const summary = [...world.port.messages.values()].find((m) => m.channel === 'C-general');
    expect(summary?.content).toMatchObject({ kind: 'summary', owner: OWNER, thread: THREAD });
    expect(world.port.messages.get(picker.id)?.content).toEqual({ kind: 'shared', owner: OWNER, channel: 'C-general' });
  });

  it('when the summary cannot be posted there, the picker is offered afresh and the person is told', async () => {
    const turns = world.service();
    await turns.run(delivery(), start);
    // An answer to the question asked: something to share.
    await turns.run(delivery(), text(optionOf(FIRST).label));
    await turns.run(delivery(), { kind: 'share', version: 2 });
    const picker = world.port.thread(THREAD).at(-1)!;
    world.port.failNext(new PlatformFailure(false));
    await turns.run(delivery(), { kind: 'shareTo', channel: 'C-private', picker: picker.id });
    expect([...world.port.messages.values()].some((m) => m.channel === 'C-private')).toBe(false);
    expect(world.port.messages.get(picker.id)?.content).toMatchObject({ kind: 'sharePicker', attempt: 2 });
    expect(notesOf(world.port)).toEqual([`${OWNER}:delivery_failed`]);
  });
});
