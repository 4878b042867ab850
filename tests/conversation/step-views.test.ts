/**
 * What the conversation says (second round of user tries): `back` always says exactly what it
 * undid, the confidence speaks of unanswered questions only, `why` fits a screen, the offer
 * is made once, an ambiguous answer names its question, and "Question N" counts distinct
 * questions put to the person.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NoticeReply, QuestionReply, Reply, Session, SettledReply, WhyReply } from '../../src/conversation/types.ts';
import { recommendationView } from '../../src/conversation/views.ts';
import { WHY_POINTS } from '../../src/conversation/why-view.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { renderReply, wrapText } from '../../src/render/text.ts';
import { parseStoredSession } from '../../src/sessions/session-schema.ts';
import { KEY, checkedConversation, createSession, realKnowledge } from '../support/conversation.ts';

const knowledge = realKnowledge();
const conversation = checkedConversation(knowledge);

function run(texts: readonly string[], from: Session = conversation.step(createSession(KEY), { type: 'start' }).session): { session: Session; replies: Reply[] } {
  let session = from;
  let replies: Reply[] = [];
  for (const text of texts) ({ session, replies } = conversation.step(session, { type: 'text', text }));
  return { session, replies };
}

const notices = (replies: readonly Reply[]): string[] => replies.filter((r): r is NoticeReply => r.kind === 'notice').map((r) => r.text);
const questionOf = (replies: readonly Reply[]): QuestionReply | undefined => replies.find((r): r is QuestionReply => r.kind === 'question');

describe('back says exactly what it undid', () => {
  it('after "change team size", back leaves team size as it was and says so; the next back undoes the last answer (story 11)', () => {
    const { session } = run(['2 volunteers building a signup site', 'skip']);
    const asked = session.current!;
    const answered = run(['1'], session);
    const changing = run(['change team size'], answered.session);
    const back = run(['back'], changing.session);
    expect(notices(back.replies)).toEqual(['Left Team size as it was: "Small team (2-5)".']);
    expect(back.session.answers).toEqual(answered.session.answers);
    expect(back.session.current).toBe(answered.session.current);
    const again = run(['back'], back.session);
    const label = knowledge.criterionById.get(asked)!.options[0]!.label;
    expect(notices(again.replies)).toEqual([`Undid ${knowledge.criterionById.get(asked)!.title}: "${label}". It is unanswered again.`]);
    expect(again.session.answers[asked]).toBeUndefined();
    expect(again.session.current).toBe(asked);
  });

  it('restores exactly the answers before the message, and says which came back (story 9)', () => {
    const first = run(['maximum freedom, 3 of us building a REST API']);
    const second = run(['solo dev building a small REST API'], first.session);
    const back = run(['back'], second.session);
    expect(back.session.answers).toEqual(first.session.answers);
    const [text] = notices(back.replies);
    expect(text).toContain('Undid the 2 answers from your last message');
    expect(text).toContain('Expected scale is unanswered again');
    expect(text).toContain('Team size is back to "Small team (2-5)"');
    expect(text).toContain('Project type stays "API / backend service"');
  });

  it('at the offer, back says what it undid and comes back to the offer (story 21)', () => {
    const offered = run(["we're moving our online shop off Rails, conventions are fine, admin from day one"]);
    expect(offered.session.phase).toBe('settled');
    const more = run(['it must be in french and english'], offered.session);
    const back = run(['back'], more.session);
    expect(notices(back.replies)[0]).toMatch(/^Undid Multiple languages: "Yes, multilingual"\. It is unanswered again\.$/);
    expect(back.session.answers).toEqual(offered.session.answers);
    expect(back.session.phase).toBe('settled');
  });

  it('with nothing to undo, says so', () => {
    const { replies } = run(['back']);
    expect(notices(replies)).toEqual(['There is nothing to undo yet.']);
  });

  it('property: any answers then back restore the answers before and always say so', () => {
    const texts = ['1', '2', 'skip', 'solo dev building a small REST API', 'we need an admin panel', '8 developers', 'change team size', 'continue', 'result'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...texts), { maxLength: 8 }), fc.constantFrom(...texts), (before, last) => {
        const prior = run(before);
        const after = run([last], prior.session);
        if ((after.session.turns ?? []).length <= (prior.session.turns ?? []).length) return;
        const back = run(['back'], after.session);
        expect(back.session.answers).toEqual(prior.session.answers);
        expect(back.replies.some((r) => r.kind === 'notice' && r.code === 'undone')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('confidence and what would change it', () => {
  it('speaks of unanswered questions, and of changing given answers (story 11)', () => {
    const answers = { flexibility: 'low', project_type: 'skip', architecture: 'skip', team_size: 'small', security: 'critical' };
    const view = recommendationView(knowledge, answers, recommend(knowledge, answers));
    expect(view.confidenceText).not.toMatch(/remaining answer/);
    expect(view.confidenceText).toMatch(/unanswered question/);
    for (const flip of view.summary!.flips) expect(flip).toMatch(/^If you (changed|answered)/);
    expect(view.summary!.flips.join(' ')).not.toMatch(/ were "/);
  });
});

describe('short replies', () => {
  it('a bare why fits a screen and says what it leaves out (story 11)', () => {
    const { replies } = run(['why'], run(['2']).session);
    const why = replies.find((r): r is WhyReply => r.kind === 'why')!;
    for (const criterion of knowledge.criteria) {
      const reply = run([`why ${criterion.title.toLowerCase()}`]).replies.find((r): r is WhyReply => r.kind === 'why');
      if (!reply) continue;
      expect(wrapText(renderReply(reply)).split('\n').length).toBeLessThanOrEqual(26);
    }
    const text = wrapText(renderReply(why));
    expect(text.split('\n').length).toBeLessThanOrEqual(26);
    const cited = why.impacts.filter((l) => / \([^)]*\)$/.test(l) && !l.startsWith('For ') && !l.startsWith('…'));
    expect(cited.length).toBeLessThanOrEqual(WHY_POINTS);
    expect(why.impacts.filter((l) => l.startsWith('Sources disagree')).length).toBeLessThanOrEqual(1);
    expect(why.impacts.at(-1)).toMatch(/^…and \d+ more cited point.*ask .* say details/);
  });

  it('an option number with no question open says so, and how to go on, at the offer and after the result', () => {
    const offered = run(["we're moving our online shop off Rails, conventions are fine, admin from day one"]);
    expect(offered.session.phase).toBe('settled');
    const atOffer = run(['2'], offered.session);
    expect(atOffer.session).toBe(offered.session);
    expect(notices(atOffer.replies)[0]).toMatch(/^No question is open, so a number picks nothing\./);
    expect(atOffer.replies.map((r) => r.kind)).toEqual(['notice', 'settled']);
    const result = run(['result'], offered.session);
    const afterResult = run(['option 3'], result.session);
    expect(notices(afterResult.replies)).toEqual([expect.stringMatching(/^No question is open, so a number picks nothing\. The result is above: .*continue to answer more/)]);
  });

  it('non-answers at the offer get a one-line reminder, not the offer again (story 4, 7)', () => {
    const offered = run(["we're moving our online shop off Rails, conventions are fine, admin from day one"]);
    for (const text of ['skip', 'idk', 'skip']) {
      const { replies } = run([text], offered.session);
      const settled = replies.filter((r): r is SettledReply => r.kind === 'settled');
      expect(settled).toHaveLength(1);
      expect(settled[0]!.text).not.toMatch(/See the result now/);
      expect(settled[0]!.text.split(/(?<=\.) /).length).toBe(1);
    }
  });
});

describe('an ambiguous answer names its question (story 2, 5)', () => {
  it.each([
    ['most of the team has used django before, some know flask too', 'Team experience', 'change team experience'],
    ['we store readings in timescale/postgres and some stuff in redis', 'Data storage', 'change data storage'],
  ])('%s', (text, title, how) => {
    const { session, replies } = run([text]);
    const [notice] = notices(replies);
    expect(notice).toContain(title);
    expect(notice).toContain(`"${how}"`);
    expect(questionOf(replies)?.criterion).toBe(session.current);
    // The way it says to answer works.
    expect(run([how], session).session.current).toBe(knowledge.criteria.find((c) => c.title === title)!.id);
  });
});

describe('"Question N" counts the distinct questions put to the person (story 1, 6)', () => {
  it('the same question keeps its number while other answers pile up', () => {
    const numbers = ['3 devs', 'clients edit their own pages', 'it lives 6 months'].map((_, i, all) => questionOf(run(all.slice(0, i + 1)).replies)?.progress.questionNumber);
    expect(numbers).toEqual([1, 1, 1]);
  });

  it('property: consecutive prompts of one question share a number; a new question gets the previous max + 1; back shows the earlier number', () => {
    const texts = ['1', '2', 'skip', 'back', 'why', 'no', '3 devs', 'we need an admin panel', 'change team size', 'continue', 'result', 'restart'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...texts), { maxLength: 20 }), (script) => {
        let session = conversation.step(createSession(KEY), { type: 'start' }).session;
        const numberOf = new Map<string, number>();
        let max = 1;
        numberOf.set(session.current!, 1);
        for (const text of script) {
          ({ session } = run([text], session));
          if (text === 'restart') {
            numberOf.clear();
            max = 0;
          }
          const q = session.phase === 'asking' ? questionOf(conversation.step(session, { type: 'text', text: 'zzqx' }).replies) : undefined;
          if (!q || q.currentAnswer) continue;
          const known = numberOf.get(q.criterion);
          if (known !== undefined) expect(q.progress.questionNumber).toBe(known);
          else {
            expect(q.progress.questionNumber).toBe(max + 1);
            numberOf.set(q.criterion, ++max);
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('the questions put so far survive storage', () => {
    const { session } = run(['1', '2']);
    const stored = parseStoredSession(JSON.stringify(session));
    expect(stored.ok && stored.session.questions).toEqual(session.questions);
    expect(stored.ok && stored.session.turns?.at(-1)?.phase).toBe('asking');
  });
});

describe('third round of user tries', () => {
  it('a typed change of an answer says what it replaced, as a click does', () => {
    const { session } = run(['1', 'solo dev, small json api for a webhook handler']);
    const changing = run(['change scale'], session);
    expect(questionOf(changing.replies)?.currentAnswer?.label).toBe('Small (few users)');
    const changed = run(['large'], changing.session);
    expect(notices(changed.replies)).toContain('Changed Expected scale from "Small (few users)" to "Large / high traffic".');
    expect(changed.session.answers['scale']).toBe('large');
  });

  it('a message that answers other questions but could mean two options of the open one says which two', () => {
    const first = run(['1']);
    expect(first.session.current).toBe('project_type');
    const { session, replies } = run(['solo dev, small json api for a webhook handler'], first.session);
    expect(session.answers).toMatchObject({ scale: 'small', team_size: 'solo' });
    expect(session.answers['project_type']).toBeUndefined();
    expect(questionOf(replies)).toMatchObject({ criterion: 'project_type' });
    expect(questionOf(replies)?.hint).toBe(
      'That could mean "API / backend service" or "A microservice". Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.',
    );
  });
});

describe('a verdict that looked very likely settled and then turned is said to have turned', () => {
  const start = (): Session => conversation.step(createSession(KEY), { type: 'start' }).session;
  const answer = (session: Session, criterion: string, option: string): { session: Session; replies: Reply[] } =>
    conversation.step(session, { type: 'answer', criterion, option, version: session.version });
  const turnedNotices = (replies: readonly Reply[]): string[] => notices(replies).filter((n) => n.startsWith('That answer'));
  // Django leads with about a 1% chance of change: the result is offered; "small scale" then puts Flask ahead.
  const settledForDjango = { project_type: 'dashboard', team_experience: 'django', security: 'critical', performance: 'normal', architecture: 'undecided', flexibility: 'high', database: 'relational', emerging_tech: 'no' };
  const offered = (): Session => Object.entries(settledForDjango).reduce((session, [criterion, option]) => answer(session, criterion, option).session, start());

  it('an answer to an open question that puts the other framework ahead says so', () => {
    const before = offered();
    expect(before.phase).toBe('settled');
    const step = answer(before, 'scale', 'small');
    expect(recommend(knowledge, step.session.answers).winner).toBe('flask');
    expect(turnedNotices(step.replies)).toEqual(['That answer changed the verdict: Flask now leads (it was Django), although the verdict had looked very likely settled.']);
  });

  it('says nothing when the verdict had not looked settled, when an earlier answer is changed, or after a cancel', () => {
    // Before any offer, a change of leader is the interview going on.
    const flaskAhead = answer(start(), 'flexibility', 'high').session;
    const early = answer(flaskAhead, 'admin_panel', 'yes');
    expect(recommend(knowledge, early.session.answers).winner).not.toBe('flask');
    expect(turnedNotices(early.replies)).toEqual([]);
    // Changing an earlier answer is not the chance of change coming true; its own notice says what changed.
    const changed = answer(offered(), 'flexibility', 'high');
    const revised = answer(offered(), 'team_experience', 'flask');
    expect(recommend(knowledge, revised.session.answers).winner).not.toBe('django');
    expect(turnedNotices([...changed.replies, ...revised.replies])).toEqual([]);
    // A cancelled interview's first new answer starts afresh: nothing had looked settled.
    const cancelled = conversation.step(offered(), { type: 'text', text: 'stop' }).session;
    const fresh = conversation.step(cancelled, { type: 'text', text: 'we know flask' });
    expect(turnedNotices(fresh.replies)).toEqual([]);
  });
});
