/**
 * The planner on its own: replies from the real state machine, thread states
 * written by hand, and the operations that come out.
 */
import { describe, expect, it } from 'vitest';
import { createConversation, createSession } from '../../src/conversation/step.ts';
import type { ConversationEvent, Reply, Session } from '../../src/conversation/types.ts';
import { planTurn, retireControls, withoutControls, type PlanContext } from '../../src/turns/plan.ts';
import { emptyThreadState, type ThreadState } from '../../src/turns/types.ts';
import { KEY, realKnowledge } from '../support/conversation.ts';
import { FIRST, askedAfter, optionOf } from './harness.ts';

const knowledge = realKnowledge();
const conversation = createConversation(knowledge);
/** The first question's first option, and the question asked after it (derived from the engine, not the pack's order). */
const ANSWER = optionOf(FIRST);
const SECOND = askedAfter({ [FIRST]: ANSWER.id });

function context(prefix: string, overrides: Partial<PlanContext> = {}): PlanContext {
  return { owner: 'U1', actor: 'U1', handlePrefix: prefix, repostRestated: false, ...overrides };
}

/** Runs events through the state machine and the planner, as the service would, from a fresh session. */
function played(events: ConversationEvent[]): { session: Session; thread: ThreadState } {
  let session = createSession(KEY);
  let thread = emptyThreadState();
  events.forEach((event, index) => {
    const result = conversation.step(session, event);
    session = result.session;
    thread = planTurn(result.replies, thread, context(`P${index}`, { repostRestated: event.type === 'text' })).thread;
  });
  return { session, thread };
}

function step(session: Session, event: ConversationEvent): Reply[] {
  return conversation.step(session, event).replies;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('planTurn', () => {
  it('posts the first question with controls and remembers it as live and as the message that asked it', () => {
    const plan = planTurn(step(createSession(KEY), { type: 'start' }), emptyThreadState(), context('D1'));
    expect(plan.operations).toEqual([{ op: 'post', handle: 'D1#0', content: { kind: 'reply', reply: expect.objectContaining({ kind: 'question', criterion: FIRST, version: 1 }), owner: 'U1', controls: true } }]);
    expect(plan.thread.live).toMatchObject({ handle: 'D1#0', version: 1, view: `question:${FIRST}` });
    expect(plan.thread.questions).toEqual({ [FIRST]: 'D1#0' });
  });

  it('an answer turns the question into its record and posts the next; the record is the only edit of it', () => {
    const { session, thread } = played([{ type: 'start' }]);
    const plan = planTurn(step(session, { type: 'answer', criterion: FIRST, option: ANSWER.id, version: 1 }), thread, context('D2'));
    expect(plan.operations.map((o) => [o.op, 'handle' in o ? o.handle : 'target' in o ? o.target : 'user' in o ? o.user : o.messageId])).toEqual([
      ['edit', { handle: 'P0#0' }],
      ['post', 'D2#0'],
    ]);
    expect(plan.operations[0]).toMatchObject({ content: { kind: 'reply', controls: false, reply: { kind: 'answered', criterion: FIRST } } });
    expect(plan.thread.questions).toEqual({ [SECOND]: 'D2#0' });
    expect(plan.thread.live?.handle).toBe('D2#0');
  });

  it('a new question while another message is live retires that one (same content, no controls) before posting', () => {
    const { session, thread } = played([{ type: 'start' }]);
    const plan = planTurn(step(session, { type: 'restart', version: 1 }), thread, context('D3'));
    expect(plan.operations).toEqual([
      { op: 'notify', user: 'U1', content: { kind: 'notice', notice: expect.objectContaining({ code: 'restarted' }) } },
      { op: 'edit', target: { handle: 'P0#0' }, content: withoutControls(thread.live!.content) },
      { op: 'post', handle: 'D3#0', content: expect.objectContaining({ controls: true }) },
    ]);
    expect(withoutControls(thread.live!.content)).toMatchObject({ kind: 'reply', controls: false });
  });

  it('a click that restates what is live posts nothing again: only the notice, privately', () => {
    const { session, thread } = played([{ type: 'start' }, { type: 'text', text: ANSWER.label }]);
    // A click on the first question's buttons, now one step old.
    const plan = planTurn(step(session, { type: 'answer', criterion: FIRST, option: optionOf(FIRST, 1).id, version: 1 }), thread, context('D4'));
    expect(plan.operations).toEqual([{ op: 'notify', user: 'U1', content: { kind: 'notice', notice: expect.objectContaining({ code: 'stale' }) } }]);
    expect(plan.thread).toEqual(thread);
  });

  it('a restated question with a hint from a click sends the hint privately; typed, it is reposted at the bottom', () => {
    const { session, thread } = played([{ type: 'start' }]);
    const replies = step(session, { type: 'text', text: 'qwertyuiop' });
    expect(replies).toEqual([expect.objectContaining({ kind: 'question', hint: expect.stringContaining("I didn't catch that.") })]);
    const clicked = planTurn(replies, thread, context('D5'));
    expect(clicked.operations).toEqual([{ op: 'notify', user: 'U1', content: { kind: 'notice', notice: { kind: 'notice', code: 'not_understood', text: expect.stringContaining("I didn't catch that.") } } }]);

    const typed = planTurn(replies, thread, context('D6', { repostRestated: true }));
    expect(typed.operations.map((o) => o.op)).toEqual(['edit', 'post']);
    expect(typed.thread.live?.handle).toBe('D6#0');
    expect(typed.thread.questions).toEqual({ [FIRST]: 'D6#0' });
  });

  it('answers to questions never asked in the thread get no record; the note lists them, privately', () => {
    const { session, thread } = played([{ type: 'start' }]);
    const ops = (plan: ReturnType<typeof planTurn>): string[] => plan.operations.map((o) => (o.op === 'edit' ? `edit:${JSON.stringify(o.target)}` : o.op));
    // The sentence answers the question asked too: only that one becomes a record.
    const withAsked = planTurn(step(session, { type: 'text', text: `solo dev building a small REST API, ${ANSWER.label.toLowerCase()}` }), thread, context('D7', { repostRestated: true }));
    expect(ops(withAsked)).toEqual(['edit:{"handle":"P0#0"}', 'notify', 'post']);
    expect(withAsked.operations[0]).toMatchObject({ content: { reply: { kind: 'answered', criterion: FIRST } } });
    expect(withAsked.operations[1]).toMatchObject({ content: { notice: { code: 'recorded_several' } } });
    // Not the question asked: no record at all; the note, then the same question again at the bottom (the copy above loses its controls).
    const without = planTurn(step(session, { type: 'text', text: 'solo dev building a small REST API' }), thread, context('D8', { repostRestated: true }));
    expect(ops(without)).toEqual(['notify', 'edit:{"handle":"P0#0"}', 'post']);
    expect(without.operations[0]).toMatchObject({ content: { notice: { code: 'recorded_several' } } });
    expect(without.operations[1]).toMatchObject({ content: { controls: false, reply: { kind: 'question', criterion: FIRST } } });
    expect(without.operations[2]).toMatchObject({ content: { controls: true, reply: { kind: 'question', criterion: FIRST } } });
  });

  it('why and ask answers are posted in the thread without controls and leave the live message alone; help is private', () => {
    const { session, thread } = played([{ type: 'start' }]);
    const why = planTurn(step(session, { type: 'why' }), thread, context('D8'));
    expect(why.operations).toEqual([{ op: 'post', handle: 'D8#0', content: expect.objectContaining({ controls: false, reply: expect.objectContaining({ kind: 'why' }) }) }]);
    expect(why.thread).toEqual(thread);
    const ask = planTurn(step(session, { type: 'text', text: 'ask is flask fast?' }), thread, context('D9', { repostRestated: true }));
    expect(ask.operations).toEqual([{ op: 'post', handle: 'D9#0', content: expect.objectContaining({ controls: false, reply: expect.objectContaining({ kind: 'ask' }) }) }]);
    const help = planTurn(step(session, { type: 'help' }), thread, context('D10', { actor: 'U7' }));
    expect(help.operations).toEqual([{ op: 'notify', user: 'U7', content: { kind: 'help', reply: expect.objectContaining({ kind: 'help' }) } }]);
  });

  it('gives every message of a turn its own handle', () => {
    const { session, thread } = played([{ type: 'start' }, { type: 'text', text: 'api' }]);
    const settled = conversation.step(session, { type: 'text', text: 'content site, one codebase, batteries included, high traffic, we know django' });
    const plan = planTurn([...settled.replies, ...step(settled.session, { type: 'why', criterion: 'scale' })], thread, context('D11', { repostRestated: true }));
    const handles = plan.operations.flatMap((o) => (o.op === 'post' ? [o.handle] : []));
    expect(handles.length).toBeGreaterThan(1);
    expect(new Set(handles).size).toBe(handles.length);
    expect(handles.every((h) => h.startsWith('D11#'))).toBe(true);
  });

  it('is pure: it leaves its input alone and gives the same plan for the same input', () => {
    const { session, thread } = played([{ type: 'start' }, { type: 'text', text: 'api' }]);
    const replies = deepFreeze(step(session, { type: 'restart', version: session.version }));
    const frozen = deepFreeze(structuredClone(thread));
    const first = planTurn(replies, frozen, context('D12'));
    expect(planTurn(replies, frozen, context('D12'))).toEqual(first);
    expect(frozen).toEqual(thread);
  });
});

describe('retireControls', () => {
  it('takes the controls off the live message and forgets it; with nothing live it does nothing', () => {
    const { thread } = played([{ type: 'start' }]);
    const retired = retireControls(deepFreeze(structuredClone(thread)));
    expect(retired.operations).toEqual([{ op: 'edit', target: { handle: 'P0#0' }, content: withoutControls(thread.live!.content) }]);
    expect(retired.thread.live).toBeUndefined();
    expect(retired.thread.questions).toEqual(thread.questions);
    expect(retireControls(retired.thread)).toEqual({ operations: [], thread: retired.thread });
  });
});
