/**
 * Moves that record no answer are turns too, so `back` undoes them. Cancelling: "stop" or
 * "never mind" typed by mistake must not throw an interview away; undo brings it back as it
 * was, start begins a new one. Revisiting ("change team size"): back leaves the answer as it
 * was and returns to where the interview was, and skipping replaces it only with a word said.
 */
import { describe, expect, it } from 'vitest';
import type { NoticeReply, Reply, Session } from '../../src/conversation/types.ts';
import { parseStoredSession } from '../../src/sessions/session-schema.ts';
import { checkedConversation, describeReplies, realKnowledge, sessionIn } from '../support/conversation.ts';

const knowledge = realKnowledge();
const conversation = checkedConversation(knowledge);
const say = (session: Session, text: string) => conversation.step(session, { type: 'text', text });
const noticeText = (replies: readonly Reply[]): string => (replies.find((r) => r.kind === 'notice') as NoticeReply).text;

describe('cancel and undo', () => {
  it('every cancel word can be undone: the interview comes back on its open question with every answer', () => {
    const asking = sessionIn(conversation, knowledge, 'asking');
    for (const word of ['cancel', 'stop', 'never mind', 'nevermind', 'abort', 'quit']) {
      const cancelled = say(asking, word);
      expect(cancelled.session.phase, word).toBe('cancelled');
      expect(noticeText(cancelled.replies), word).toBe('Interview cancelled. Say undo to bring it back with your 1 answer, or start to begin a new one.');
      // The cancel survives storage: a session read back from the database can still be undone.
      const stored = parseStoredSession(JSON.stringify(cancelled.session));
      expect(stored.ok && stored.session).toEqual(cancelled.session);
      for (const undo of ['undo', 'back']) {
        const back = say(cancelled.session, undo);
        expect(describeReplies(back.replies), `${word} then ${undo}`).toBe('notice(resumed) question');
        expect(back.session.phase).toBe('asking');
        expect(back.session.current).toBe(asking.current);
        expect(back.session.answers).toEqual(asking.answers);
        expect(back.session.turns).toEqual(asking.turns);
      }
    }
  });

  it('a cancelled result comes back as the result; a cancelled offer as the offer', () => {
    const result = sessionIn(conversation, knowledge, 'result');
    const fromResult = say(say(result, 'stop').session, 'undo');
    expect(fromResult.session.phase).toBe('result');
    expect(describeReplies(fromResult.replies)).toBe('notice(resumed) recommendation');

    const settled = sessionIn(conversation, knowledge, 'settled');
    const fromOffer = say(say(settled, 'never mind').session, 'undo');
    expect(fromOffer.session.phase).toBe('settled');
    expect(describeReplies(fromOffer.replies)).toBe('notice(resumed) settled');
  });

  it('start after a cancel begins a new interview, and a second undo has nothing to bring back', () => {
    const cancelled = say(sessionIn(conversation, knowledge, 'asking'), 'cancel').session;
    const fresh = conversation.step(cancelled, { type: 'start' }).session;
    expect(fresh.phase).toBe('asking');
    expect(fresh.answers).toEqual({});

    const restored = say(cancelled, 'undo').session;
    const undoneAnswer = say(restored, 'undo');
    // The undo after that is an ordinary one: it takes back the answer before the cancel.
    expect(describeReplies(undoneAnswer.replies)).toBe('notice(undone) question');
    expect(undoneAnswer.session.answers).toEqual({});
  });

  it('a cancel with no answers says start, and a stale Back button does not undo a cancel', () => {
    const first = sessionIn(conversation, knowledge, 'asking-first');
    const cancelled = say(first, 'cancel');
    expect(noticeText(cancelled.replies)).toBe('Interview cancelled. Say start whenever you want to begin again (or undo to bring it back).');
    const stale = conversation.step(cancelled.session, { type: 'back', version: first.version });
    expect(stale.session).toBe(cancelled.session);
    expect(describeReplies(stale.replies)).toBe('notice(not_applicable)');
  });
});

describe('revisiting an earlier answer', () => {
  /** Two answers in, the third question open, then "change flexibility". */
  function revisiting(): { open: Session; revisit: Session } {
    let s = sessionIn(conversation, knowledge, 'asking-first');
    for (let i = 0; i < 2; i++) s = conversation.step(s, { type: 'answer', criterion: s.current!, option: knowledge.criterionById.get(s.current!)!.options[0]!.id, version: s.version }).session;
    expect(s.phase).toBe('asking');
    const first = s.history[0]!;
    const revisit = say(s, `change ${knowledge.criterionById.get(first)!.title}`).session;
    expect(revisit.current).toBe(first);
    return { open: s, revisit };
  }

  it('back leaves the answer as it was and asks the interrupted question again, with its number', () => {
    const { open, revisit } = revisiting();
    const first = open.history[0]!;
    const back = say(revisit, 'back');
    expect(describeReplies(back.replies)).toBe('notice(undone) question');
    const label = knowledge.criterionById.get(first)!.options[0]!.label;
    expect(noticeText(back.replies)).toBe(`Left ${knowledge.criterionById.get(first)!.title} as it was: "${label}".`);
    expect(back.session.answers).toEqual(open.answers);
    expect(back.session.current).toBe(open.current);
    expect(back.session.shown).toEqual(open.shown);
    expect(back.session.turns).toEqual(open.turns);
  });

  it('skip replaces the revisited answer with "Don\'t know" and says what it replaced', () => {
    const { open, revisit } = revisiting();
    const first = open.history[0]!;
    const skipped = say(revisit, 'skip');
    const title = knowledge.criterionById.get(first)!.title;
    expect(noticeText(skipped.replies)).toBe(`Changed ${title} from "${knowledge.criterionById.get(first)!.options[0]!.label}" to "Don't know".`);
    expect(skipped.session.answers[first]).toBe('skip');
    // Undone step by step: the skip (back on the revisited question), then the revisit itself.
    const undoSkip = say(skipped.session, 'back').session;
    expect(undoSkip.current).toBe(first);
    expect(undoSkip.answers).toEqual(open.answers);
    expect(say(undoSkip, 'back').session.current).toBe(open.current);
  });

  it('after a result, back from a revisit keeps the result and says it stands', () => {
    const result = sessionIn(conversation, knowledge, 'result');
    const revisit = say(result, 'change project type').session;
    expect(revisit.phase).toBe('asking');
    const back = say(revisit, 'back');
    expect(back.session.phase).toBe('result');
    expect(back.session.answers).toEqual(result.answers);
    expect(describeReplies(back.replies)).toMatch(/^notice\(undone\) /);
  });
});
