/**
 * The conversation state machine with the real knowledge pack: every event in
 * every phase (a table), the interview's specific behaviours, and properties over
 * random answer profiles and random event sequences (garbage text included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  ConversationEvent,
  Phase,
  QuestionReply,
  RecommendationReply,
  Reply,
  Session,
  SettledReply,
  WhyReply,
} from '../../src/conversation/types.ts';
import { recommend } from '../../src/engine/recommend.ts';
import {
  KEY,
  SETTLING_ANSWERS,
  SKIP,
  answerWhileAsking,
  assertInvariants,
  checkedConversation,
  createConversation,
  createSession,
  describeReplies,
  djangoLeaning,
  realKnowledge,
  sessionIn,
  type Fixture,
} from '../support/conversation.ts';

const knowledge = realKnowledge();
const conversation = checkedConversation(knowledge);
const criterionIds = knowledge.criteria.map((c) => c.id);
const CRITERIA = criterionIds.length;

/** A full profile where the verdict stays open to the last question: Django 13, Flask 12. */
const CLOSE_PROFILE: Record<string, string> = {
  project_type: 'prototype',
  scale: 'small',
  lifetime: 'short',
  team_size: 'large',
  team_experience: 'flask',
  admin_panel: 'no',
  security: 'standard',
  time_to_market: 'urgent',
  performance: 'normal',
  architecture: 'monolith',
  flexibility: 'low',
  database: 'relational',
  requirements: 'evolving',
  i18n: 'no',
  emerging_tech: 'yes',
  hiring: 'no',
};

function only<K extends Reply['kind']>(replies: readonly Reply[], kind: K): Extract<Reply, { kind: K }> {
  const found = replies.filter((r): r is Extract<Reply, { kind: K }> => r.kind === kind);
  expect(found, `exactly one ${kind} reply in ${describeReplies(replies)}`).toHaveLength(1);
  return found[0]!;
}

function question(replies: readonly Reply[]): QuestionReply {
  return only(replies, 'question');
}

// ---------------------------------------------------------------------------
// Every event in every phase

type Outcome =
  | { changed: false; replies: string }
  | { changed: true; replies: string; phase: Phase; check?: (before: Session, after: Session, replies: Reply[]) => void };

const same = (replies: string): Outcome => ({ changed: false, replies });
const to = (phase: Phase, replies: string, check?: (before: Session, after: Session, replies: Reply[]) => void): Outcome => ({
  changed: true,
  replies,
  phase,
  ...(check ? { check } : {}),
});

/** notStarted: a notice, nothing else, nothing changed. */
const NOT_STARTED = same('notice(not_applicable)');
/** What each phase restates when an event changes nothing. */
const RESTATE: Record<Fixture, string> = {
  new: '',
  'asking-first': 'question',
  asking: 'question',
  settled: 'settled',
  result: 'recommendation',
  'result-complete': 'recommendation',
  cancelled: '',
};
const withRestate = (first: string): Record<Exclude<Fixture, 'asking-first' | 'result-complete'>, Outcome> => ({
  new: same(first),
  asking: same(`${first} ${RESTATE.asking}`),
  settled: same(`${first} ${RESTATE.settled}`),
  result: same(`${first} ${RESTATE.result}`),
  cancelled: same(first),
});

/** The criterion a valid answer targets: the open question, else one no fixture has answered. */
const target = (s: Session): string => s.current ?? 'i18n';
const firstOtherOption = (s: Session, criterion: string): string =>
  knowledge.criterionById.get(criterion)!.options.find((o) => o.id !== s.answers[criterion])!.id;
const stale = (s: Session): number => (s.version === 0 ? 5 : s.version - 1);

const answeredOnly = (expected: Record<string, string>) => (_: Session, after: Session) => {
  expect(after.answers).toEqual(expected);
};

interface Variant {
  name: string;
  event: (s: Session) => ConversationEvent;
  outcomes: Partial<Record<Fixture, Outcome>>;
}

const VARIANTS: Variant[] = [
  {
    name: 'start',
    event: () => ({ type: 'start' }),
    outcomes: {
      new: to('asking', 'question', (_, after, replies) => {
        expect(after.current).toBe(recommend(knowledge, {}).next_question);
        expect(question(replies).progress.questionNumber).toBe(1);
      }),
      asking: same('notice(not_applicable) question'),
      settled: same('notice(not_applicable) settled'),
      result: same('notice(not_applicable) recommendation'),
      // A cancelled interview starts over from nothing.
      cancelled: to('asking', 'question', answeredOnly({})),
    },
  },
  {
    name: 'answer (valid, current version)',
    event: (s) => ({ type: 'answer', criterion: target(s), option: firstOtherOption(s, target(s)), version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: to('asking', 'answered question', (before, after) => {
        expect(after.answers).toEqual({ ...before.answers, architecture: 'monolith' });
        expect(after.history).toEqual(['project_type', 'architecture']);
      }),
      settled: to('settled', 'answered settled', (before, after) => expect(after.answers).toEqual({ ...before.answers, i18n: 'yes' })),
      result: to('result', 'answered recommendation', (before, after) => expect(after.answers).toEqual({ ...before.answers, i18n: 'yes' })),
      cancelled: NOT_STARTED,
    },
  },
  {
    name: 'answer (unknown criterion)',
    event: (s) => ({ type: 'answer', criterion: 'favourite_colour', option: 'blue', version: s.version }),
    outcomes: withRestate('notice(not_applicable)'),
  },
  {
    name: 'answer (invalid option)',
    event: (s) => ({ type: 'answer', criterion: target(s), option: 'definitely_not_an_option', version: s.version }),
    outcomes: withRestate('notice(not_applicable)'),
  },
  {
    name: 'answer (stale version)',
    event: (s) => ({ type: 'answer', criterion: target(s), option: firstOtherOption(s, target(s)), version: stale(s) }),
    outcomes: withRestate('notice(stale)'),
  },
  {
    name: 'answer (not the current criterion: an earlier answer, changed)',
    event: (s) => ({ type: 'answer', criterion: 'project_type', option: 'web_app', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: to('asking', 'notice(changed) answered question', (_, after) => expect(after.answers).toEqual({ project_type: 'web_app' })),
      // Content site -> web app lowers Django's lead enough to open the verdict again.
      settled: to('asking', 'notice(changed) answered question', (_, after) => expect(after.answers['project_type']).toBe('web_app')),
      result: to('result', 'notice(changed) answered recommendation', (_, after) => expect(after.answers['project_type']).toBe('web_app')),
      cancelled: NOT_STARTED,
    },
  },
  {
    name: 'answer (not the current criterion: the same answer again)',
    event: (s) => ({ type: 'answer', criterion: 'project_type', option: 'content_site', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: same('notice(already_recorded)'),
      settled: same('notice(already_recorded)'),
      result: same('notice(already_recorded)'),
      cancelled: same('notice(already_recorded)'),
    },
  },
  {
    name: 'text (an answer in words)',
    event: () => ({ type: 'text', text: 'it must support several languages' }),
    outcomes: {
      // Typing an answer starts the interview.
      new: to('asking', 'answered question', answeredOnly({ i18n: 'yes' })),
      asking: to('asking', 'answered question', answeredOnly({ project_type: 'content_site', i18n: 'yes' })),
      settled: to('settled', 'answered settled'),
      result: to('result', 'answered recommendation'),
      // A cancelled interview starts over: the old answers are gone.
      cancelled: to('asking', 'answered question', answeredOnly({ i18n: 'yes' })),
    },
  },
  {
    name: 'text (a number)',
    event: () => ({ type: 'text', text: '2' }),
    outcomes: {
      new: same('notice(not_understood)'),
      asking: to('asking', 'answered question', answeredOnly({ project_type: 'content_site', architecture: 'microservices' })),
      settled: same('notice(not_understood) settled'),
      result: same('notice(not_understood) recommendation'),
      cancelled: same('notice(not_understood)'),
    },
  },
  {
    name: 'text (several criteria)',
    event: () => ({ type: 'text', text: 'solo dev building a small REST API' }),
    outcomes: {
      new: to('asking', 'answered answered answered notice(recorded_several) question', answeredOnly({ project_type: 'api', scale: 'small', team_size: 'solo' })),
      asking: to('asking', 'answered answered answered notice(recorded_several) question', answeredOnly({ project_type: 'api', scale: 'small', team_size: 'solo' })),
      settled: to('asking', 'answered answered answered notice(recorded_several) question'),
      result: to('result', 'answered answered answered notice(recorded_several) recommendation'),
      cancelled: to('asking', 'answered answered answered notice(recorded_several) question', answeredOnly({ project_type: 'api', scale: 'small', team_size: 'solo' })),
    },
  },
  {
    name: 'text (unparseable)',
    event: () => ({ type: 'text', text: 'qwertyuiop zxcv' }),
    outcomes: { ...withRestate('notice(not_understood)'), asking: same('question') },
  },
  {
    name: 'text (empty)',
    event: () => ({ type: 'text', text: '' }),
    outcomes: { ...withRestate('notice(not_understood)'), asking: same('question') },
  },
  {
    name: 'text (10k characters)',
    event: () => ({ type: 'text', text: 'django '.repeat(1500) }),
    outcomes: { ...withRestate('notice(input_too_long)'), asking: same('question') },
  },
  {
    name: 'skip',
    event: (s) => ({ type: 'skip', version: s.version }),
    outcomes: {
      ...withRestate('notice(not_applicable)'),
      asking: to('asking', 'answered question', answeredOnly({ project_type: 'content_site', architecture: SKIP })),
    },
  },
  {
    name: 'skip (not the current criterion)',
    event: (s) => ({ type: 'skip', criterion: 'hiring', version: s.version }),
    outcomes: { ...withRestate('notice(not_applicable)'), asking: same('notice(already_recorded) question') },
  },
  {
    name: 'skip (stale version)',
    event: (s) => ({ type: 'skip', version: stale(s) }),
    outcomes: { ...withRestate('notice(not_applicable)'), asking: same('notice(stale) question') },
  },
  {
    name: 'back',
    event: (s) => ({ type: 'back', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: to('asking', 'question', (_, after, replies) => {
        expect(after.current).toBe('project_type');
        expect(after.answers).toEqual({});
        expect(question(replies).currentAnswer).toEqual({ id: 'content_site', label: 'Content site / CMS' });
      }),
      settled: to('asking', 'question', (_, after, replies) => {
        expect(after.current).toBe('team_experience');
        expect(after.answers['team_experience']).toBeUndefined();
        expect(question(replies).currentAnswer).toEqual({ id: 'django', label: 'We know Django' });
      }),
      result: to('asking', 'question', (_, after) => expect(after.current).toBe('team_experience')),
      cancelled: NOT_STARTED,
    },
  },
  {
    name: 'back (stale version)',
    event: (s) => ({ type: 'back', version: stale(s) }),
    outcomes: { ...withRestate('notice(stale)'), new: NOT_STARTED, cancelled: NOT_STARTED },
  },
  {
    name: 'change (an earlier criterion)',
    event: (s) => ({ type: 'change', criterion: 'project_type', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: to('asking', 'question', (before, after, replies) => {
        expect(after.current).toBe('project_type');
        // The answer is kept until a new one is given.
        expect(after.answers).toEqual(before.answers);
        expect(question(replies).currentAnswer).toEqual({ id: 'content_site', label: 'Content site / CMS' });
      }),
      settled: to('asking', 'question', (before, after) => expect(after.answers).toEqual(before.answers)),
      result: to('asking', 'question', (before, after) => expect(after.answers).toEqual(before.answers)),
      cancelled: NOT_STARTED,
    },
  },
  {
    name: 'change (unknown criterion)',
    event: (s) => ({ type: 'change', criterion: 'favourite_colour', version: s.version }),
    outcomes: { ...withRestate('notice(unknown_criterion)'), new: NOT_STARTED, cancelled: NOT_STARTED },
  },
  {
    name: 'change (stale version)',
    event: (s) => ({ type: 'change', criterion: 'project_type', version: stale(s) }),
    outcomes: { ...withRestate('notice(stale)'), new: NOT_STARTED, cancelled: NOT_STARTED },
  },
  {
    name: 'change (the question already open)',
    event: (s) => ({ type: 'change', criterion: target(s), version: s.version }),
    outcomes: { asking: same('question'), 'asking-first': same('question') },
  },
  {
    name: 'why',
    event: () => ({ type: 'why' }),
    outcomes: {
      new: same('notice(not_applicable)'),
      asking: same('why'),
      settled: same('notice(not_applicable)'),
      result: same('notice(not_applicable)'),
      cancelled: same('notice(not_applicable)'),
    },
  },
  {
    name: 'why (a named criterion)',
    event: () => ({ type: 'why', criterion: 'database' }),
    outcomes: { new: same('why'), asking: same('why'), settled: same('why'), result: same('why'), cancelled: same('why') },
  },
  {
    name: 'why (unknown criterion)',
    event: () => ({ type: 'why', criterion: 'favourite_colour' }),
    outcomes: {
      new: same('notice(not_applicable)'),
      asking: same('notice(not_applicable)'),
      settled: same('notice(not_applicable)'),
      result: same('notice(not_applicable)'),
      cancelled: same('notice(not_applicable)'),
    },
  },
  {
    name: 'result',
    event: (s) => ({ type: 'result', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      'asking-first': same('notice(not_applicable) question'),
      asking: to('result', 'recommendation', (_, __, replies) => {
        expect(only(replies, 'recommendation').view.basis).toBe('Based on 1 answer; 15 questions left unanswered.');
      }),
      settled: to('result', 'recommendation', (_, __, replies) => {
        const view = only(replies, 'recommendation').view;
        expect(view.winnerName).toBe('Django');
        expect(view.decided).toBe(true);
      }),
      result: same('recommendation'),
      cancelled: NOT_STARTED,
    },
  },
  {
    name: 'result (stale version)',
    event: (s) => ({ type: 'result', version: stale(s) }),
    outcomes: { ...withRestate('notice(stale)'), new: NOT_STARTED, cancelled: NOT_STARTED },
  },
  {
    name: 'refine',
    event: (s) => ({ type: 'refine', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: same('notice(not_applicable) question'),
      settled: to('asking', 'question', (_, after) => expect(after.refining).toBe(true)),
      result: to('asking', 'question', (_, after) => expect(after.refining).toBe(true)),
      'result-complete': same('notice(not_applicable)'),
      cancelled: NOT_STARTED,
    },
  },
  {
    name: 'refine (stale version)',
    event: (s) => ({ type: 'refine', version: stale(s) }),
    outcomes: { ...withRestate('notice(stale)'), new: NOT_STARTED, cancelled: NOT_STARTED },
  },
  {
    name: 'restart',
    event: (s) => ({ type: 'restart', version: s.version }),
    outcomes: Object.fromEntries(
      (['new', 'asking', 'settled', 'result', 'cancelled'] as const).map((f) => [
        f,
        to('asking', 'notice(restarted) question', (_, after) => {
          expect(after.answers).toEqual({});
          expect(after.history).toEqual([]);
          expect(after.refining).toBe(false);
          expect(after.current).toBe(recommend(knowledge, {}).next_question);
        }),
      ]),
    ),
  },
  {
    name: 'restart (stale version)',
    event: (s) => ({ type: 'restart', version: stale(s) }),
    outcomes: withRestate('notice(stale)'),
  },
  {
    name: 'cancel',
    event: (s) => ({ type: 'cancel', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: to('cancelled', 'notice(cancelled)', (before, after) => expect(after.answers).toEqual(before.answers)),
      settled: to('cancelled', 'notice(cancelled)'),
      result: to('cancelled', 'notice(cancelled)'),
      cancelled: NOT_STARTED,
    },
  },
  {
    name: 'cancel (stale version)',
    event: (s) => ({ type: 'cancel', version: stale(s) }),
    outcomes: { ...withRestate('notice(stale)'), new: NOT_STARTED, cancelled: NOT_STARTED },
  },
  {
    name: 'help',
    event: () => ({ type: 'help' }),
    outcomes: { new: same('help'), asking: same('help'), settled: same('help'), result: same('help'), cancelled: same('help') },
  },
];

const fixtures = new Map<Fixture, Session>();
function fixture(name: Fixture): Session {
  let session = fixtures.get(name);
  if (!session) {
    session = sessionIn(conversation, knowledge, name);
    fixtures.set(name, session);
  }
  return structuredClone(session);
}

describe('every event in every phase', () => {
  it('builds the phase fixtures as documented', () => {
    const shape = (f: Fixture) => {
      const s = fixture(f);
      return { phase: s.phase, version: s.version, current: s.current, answered: Object.keys(s.answers).length };
    };
    expect(shape('new')).toEqual({ phase: 'new', version: 0, current: null, answered: 0 });
    expect(shape('asking-first')).toEqual({ phase: 'asking', version: 1, current: 'project_type', answered: 0 });
    expect(shape('asking')).toEqual({ phase: 'asking', version: 2, current: 'architecture', answered: 1 });
    expect(shape('settled')).toEqual({ phase: 'settled', version: 6, current: null, answered: 5 });
    expect(shape('result')).toEqual({ phase: 'result', version: 7, current: null, answered: 5 });
    expect(shape('result-complete')).toMatchObject({ phase: 'result', current: null, answered: CRITERIA });
    expect(shape('cancelled')).toEqual({ phase: 'cancelled', version: 3, current: null, answered: 1 });
  });

  const EVENT_TYPES = new Set(VARIANTS.map((v) => v.event(createSession(KEY)).type));
  it('covers every event type in all five phases', () => {
    expect([...EVENT_TYPES].sort()).toEqual(
      ['answer', 'back', 'cancel', 'change', 'help', 'refine', 'restart', 'result', 'skip', 'start', 'text', 'why'].sort(),
    );
    for (const type of EVENT_TYPES) {
      for (const phase of ['new', 'asking', 'settled', 'result', 'cancelled'] as const) {
        const covered = VARIANTS.some((v) => v.event(createSession(KEY)).type === type && v.outcomes[phase] !== undefined);
        expect(covered, `${type} in ${phase}`).toBe(true);
      }
    }
  });

  const cases = VARIANTS.flatMap((variant) =>
    (Object.entries(variant.outcomes) as [Fixture, Outcome][]).map(([phase, outcome]) => ({ variant, phase, outcome })),
  );

  it.each(cases.map((c) => [c.variant.name, c.phase, c] as const))('%s in phase %s', (_name, phase, { variant, outcome }) => {
    const before = fixture(phase);
    const snapshot = structuredClone(before);
    const event = variant.event(before);
    const result = conversation.step(before, event); // checkedConversation also asserts the invariants
    expect(describeReplies(result.replies)).toBe(outcome.replies.trim());
    // The input session is never mutated.
    expect(before).toEqual(snapshot);
    if (!outcome.changed) {
      expect(result.session).toBe(before);
      return;
    }
    expect(result.session.version).toBe(before.version + 1);
    expect(result.session.phase).toBe(outcome.phase);
    outcome.check?.(before, result.session, result.replies);
  });

  it('back on the first question has nothing to undo', () => {
    const before = fixture('asking-first');
    const result = conversation.step(before, { type: 'back', version: before.version });
    expect(describeReplies(result.replies)).toBe('notice(nothing_to_undo) question');
    expect(result.session).toBe(before);
  });
});

// ---------------------------------------------------------------------------
// Specific behaviours

describe('the interview', () => {
  it('asks in the engine next_question order and settles for Django after five answers', () => {
    let s = conversation.step(createSession(KEY), { type: 'start' }).session;
    const asked: string[] = [];
    let replies: Reply[] = [];
    for (const [criterion, option] of SETTLING_ANSWERS) {
      expect(s.current).toBe(recommend(knowledge, s.answers).next_question);
      asked.push(s.current!);
      ({ session: s, replies } = conversation.step(s, { type: 'answer', criterion, option, version: s.version }));
    }
    expect(asked).toEqual(SETTLING_ANSWERS.map(([c]) => c));
    expect(s.phase).toBe('settled');
    expect(describeReplies(replies)).toBe('answered settled');
    const settled = only(replies, 'settled') as SettledReply;
    expect(settled.winnerName).toBe('Django');
    expect(settled.text).toBe(
      'The remaining questions can no longer change this: Django stays ahead. See the result now, or keep refining to add detail.',
    );
    expect(settled.progress).toEqual({
      answered: 5,
      remaining: CRITERIA - 5,
      questionNumber: 6,
      settled: true,
      text: '5 answered · verdict settled',
    });
    expect(settled.version).toBe(s.version);
  });

  it('offers the result or refining once settled; refine keeps asking in engine order to the end', () => {
    const settled = fixture('settled');
    const shown = conversation.step(settled, { type: 'result', version: settled.version });
    const rec = only(shown.replies, 'recommendation') as RecommendationReply;
    expect(rec.canRefine).toBe(true);
    expect(rec.view.headline).toBe('Django is the better fit for this project');
    expect(rec.view.basis).toBe(`Based on 5 answers; ${CRITERIA - 5} questions left unanswered, none of which could change the verdict.`);

    let s = conversation.step(settled, { type: 'refine', version: settled.version }).session;
    expect(s.phase).toBe('asking');
    expect(s.refining).toBe(true);
    const kinds: string[] = [];
    while (s.phase === 'asking') {
      const criterion = s.current!;
      expect(Object.keys(s.answers)).not.toContain(criterion);
      const r = conversation.step(s, { type: 'answer', criterion, option: djangoLeaning(knowledge, criterion), version: s.version });
      kinds.push(describeReplies(r.replies));
      s = r.session;
    }
    // No further "settled" interruption while refining, and it ends with the recommendation.
    expect(kinds.slice(0, -1).every((k) => k === 'answered question')).toBe(true);
    expect(kinds.at(-1)).toBe('answered recommendation');
    expect(kinds).toHaveLength(CRITERIA - 5);
    expect(s.phase).toBe('result');
    expect(Object.keys(s.answers)).toHaveLength(CRITERIA);
  });

  it('answering everything (a close race that never settles early) ends in a complete recommendation', () => {
    const start = conversation.step(createSession(KEY), { type: 'start' }).session;
    const { session, replies, asked } = answerWhileAsking(conversation, start, (c) => CLOSE_PROFILE[c]!);
    expect(asked).toHaveLength(CRITERIA);
    expect(session.phase).toBe('result');
    expect(session.answers).toEqual(CLOSE_PROFILE);
    expect(describeReplies(replies)).toBe('answered recommendation');
    const rec = only(replies, 'recommendation') as RecommendationReply;
    expect(rec.canRefine).toBe(false);
    expect(rec.version).toBe(session.version);
    expect(rec.view.decided).toBe(true);
    expect(rec.view.winner).toBe('django');
    expect(rec.view.headline).toBe('Django is the better fit for this project');
    expect(rec.view.bars.map((b) => [b.name, b.score])).toEqual([
      ['Django', 13],
      ['Flask', 12],
    ]);
    expect(rec.view.basis).toBe(`Based on ${CRITERIA} answers; 0 questions left unanswered.`);
    expect(rec.view.flips.length).toBeGreaterThan(0);
    expect(rec.view.caveats.length).toBeGreaterThan(0);
    expect(rec.view.reasons.every((r) => r.sources.length > 0)).toBe(true);
  });

  it('shows progress honestly: answered so far and whether settled, never "N of 16"', () => {
    let s = conversation.step(createSession(KEY), { type: 'start' }).session;
    const texts: string[] = [];
    for (let n = 0; s.phase === 'asking'; n++) {
      const r = conversation.step(s, { type: 'text', text: 'why' });
      expect(r.session).toBe(s);
      const q = question(conversation.step(s, { type: 'change', criterion: s.current!, version: s.version }).replies);
      expect(q.progress.answered).toBe(n);
      expect(q.progress.answered).toBe(Object.keys(s.answers).length);
      expect(q.progress.remaining).toBe(CRITERIA - n);
      expect(q.progress.questionNumber).toBe(n + 1);
      expect(q.progress.settled).toBe(recommend(knowledge, s.answers).decided);
      expect(q.progress.text).toBe(`Question ${n + 1} · verdict not settled yet`);
      texts.push(q.progress.text);
      const [criterion, option] = SETTLING_ANSWERS[n]!;
      s = conversation.step(s, { type: 'answer', criterion, option, version: s.version }).session;
    }
    expect(texts).toHaveLength(5);
    for (const text of texts) expect(text).not.toMatch(/\d+\s*(of|\/)\s*\d+/);
  });

  it('progress while refining says the verdict is settled', () => {
    const settled = fixture('settled');
    const r = conversation.step(settled, { type: 'refine', version: settled.version });
    expect(question(r.replies).progress).toEqual({
      answered: 5,
      remaining: CRITERIA - 5,
      questionNumber: 6,
      settled: true,
      text: 'Question 6 · the verdict is settled; more answers only add detail',
    });
  });

  it('after "continue" from an early (unsettled) result, it still says when the verdict settles', () => {
    const early = fixture('asking');
    const shown = conversation.step(early, { type: 'result', version: early.version }).session;
    expect(recommend(knowledge, shown.answers).decided).toBe(false);
    let s = conversation.step(shown, { type: 'refine', version: shown.version }).session;
    let replies: Reply[] = [];
    for (const [criterion, option] of SETTLING_ANSWERS.slice(1)) {
      expect(s.current).toBe(criterion);
      ({ session: s, replies } = conversation.step(s, { type: 'answer', criterion, option, version: s.version }));
    }
    expect(recommend(knowledge, s.answers).decided).toBe(true);
    // "continue" from an early, unsettled result keeps asking and still announces the settled verdict:
    // so the settled offer never comes and the interview asks on to question 16.
    expect(describeReplies(replies)).toBe('answered settled');
  });

  it('back undoes the last answer and re-asks it with currentAnswer, repeatedly', () => {
    let s = fixture('settled');
    const history = [...s.history];
    expect(history).toEqual(SETTLING_ANSWERS.map(([c]) => c));
    for (let i = history.length - 1; i >= 0; i--) {
      const r = conversation.step(s, { type: 'text', text: 'back' });
      const q = question(r.replies);
      const [criterion, option] = SETTLING_ANSWERS[i]!;
      expect(q.criterion).toBe(criterion);
      expect(q.currentAnswer?.id).toBe(option);
      expect(q.canGoBack).toBe(i > 0);
      expect(r.session.answers).toEqual(Object.fromEntries(SETTLING_ANSWERS.slice(0, i)));
      expect(r.session.history).toEqual(history.slice(0, i));
      expect(r.session.version).toBe(s.version + 1);
      s = r.session;
    }
    const none = conversation.step(s, { type: 'back' });
    expect(describeReplies(none.replies)).toBe('notice(nothing_to_undo) question');
    // Answering again after going back continues in engine order.
    const again = conversation.step(s, { type: 'answer', criterion: 'project_type', option: 'api', version: s.version });
    expect(again.session.current).toBe(recommend(knowledge, { project_type: 'api' }).next_question);
  });

  it('change re-asks an earlier criterion, keeps its answer until a new one, then carries on', () => {
    const asking = fixture('settled');
    const changing = conversation.step(asking, { type: 'text', text: 'change team experience' });
    expect(changing.session.current).toBe('team_experience');
    expect(changing.session.answers).toEqual(asking.answers);
    expect(question(changing.replies).currentAnswer).toEqual({ id: 'django', label: 'We know Django' });
    // Things that are not an answer keep the old one.
    const why = conversation.step(changing.session, { type: 'why' });
    expect(only(why.replies, 'why').criterion).toBe('team_experience');
    const garbage = conversation.step(changing.session, { type: 'text', text: '???!!!' });
    expect(garbage.session.answers['team_experience']).toBe('django');
    // A new answer replaces it and the interview goes on from the engine's view.
    const changed = conversation.step(changing.session, { type: 'answer', criterion: 'team_experience', option: 'flask', version: changing.session.version });
    expect(describeReplies(changed.replies)).toBe('answered question');
    expect(changed.session.answers).toEqual({ ...asking.answers, team_experience: 'flask' });
    expect(changed.session.history.at(-1)).toBe('team_experience');
    expect(changed.session.current).toBe(recommend(knowledge, changed.session.answers).next_question);
  });

  it('a double click (the same answer event twice, same version) records once', () => {
    const s = fixture('asking');
    const click: ConversationEvent = { type: 'answer', criterion: 'architecture', option: 'microservices', version: s.version };
    const first = conversation.step(s, click);
    const second = conversation.step(first.session, click);
    expect(first.session.version).toBe(s.version + 1);
    expect(second.session).toBe(first.session);
    expect(describeReplies(second.replies)).toBe('notice(already_recorded)');
    expect(second.session.history).toEqual(['project_type', 'architecture']);
  });

  it('a stale version changes nothing, even for a different option of the open question', () => {
    const s = fixture('asking');
    const next = conversation.step(s, { type: 'answer', criterion: 'architecture', option: 'monolith', version: s.version }).session;
    // An old button of the architecture question (version s.version), another option.
    const late = conversation.step(next, { type: 'answer', criterion: 'architecture', option: 'microservices', version: s.version });
    expect(late.session).toBe(next);
    expect(describeReplies(late.replies)).toBe('notice(stale) question');
    expect(next.answers['architecture']).toBe('monolith');
    // A version from the future is stale too.
    expect(conversation.step(next, { type: 'skip', version: next.version + 1 }).session).toBe(next);
  });

  it('"why" explains the current question with per-option impacts and sources, from the knowledge', () => {
    const s = fixture('asking');
    const why = only(conversation.step(s, { type: 'text', text: 'why?' }).replies, 'why') as WhyReply;
    const architecture = knowledge.criterionById.get('architecture')!;
    expect(why.criterion).toBe('architecture');
    expect(why.title).toBe(architecture.title);
    expect(why.why).toBe(architecture.why);
    expect(why.impacts).toHaveLength(architecture.options.length);
    architecture.options.forEach((option, i) => expect(why.impacts[i]!.startsWith(`${option.label}: `)).toBe(true));
    expect(why.impacts[0]).toMatch(/^One application \(monolith\): \+2 Django; Django would lead\. Because: .+\(.+\)/);
    expect(why.impacts[1]).toMatch(/^Many small services: \+3 Flask; a tie so far\. Because: /);
    expect(why.impacts[2]).toMatch(/^Not decided yet: \+1 Django, \+1 Flask; Django would lead\./);
    expect(why.sources.length).toBeGreaterThan(0);
    for (const label of why.sources) expect(knowledge.sources.some((src) => src.label === label)).toBe(true);
    // Not fixed text: with a Flask-leaning project, the same options lead elsewhere.
    const flaskish = conversation.step(fixture('new'), { type: 'text', text: 'solo dev building a small REST API' }).session;
    const other = only(conversation.step(flaskish, { type: 'why', criterion: 'architecture' }).replies, 'why') as WhyReply;
    expect(other.impacts[0]).toMatch(/^One application \(monolith\): \+2 Django; Flask would lead\./);
  });

  it('typed text with several criteria fills them all and says so', () => {
    const s = fixture('asking-first');
    const r = conversation.step(s, { type: 'text', text: 'solo dev building a small REST API' });
    expect(r.session.answers).toEqual({ project_type: 'api', scale: 'small', team_size: 'solo' });
    expect(r.session.version).toBe(s.version + 1);
    const answered = r.replies.filter((x) => x.kind === 'answered');
    expect(answered.map((a) => (a.kind === 'answered' ? [a.criterion, a.answer.id, a.understoodFrom] : []))).toEqual([
      ['project_type', 'api', 'rest api'],
      ['scale', 'small', 'small'],
      ['team_size', 'solo', 'solo dev'],
    ]);
    const note = only(r.replies, 'notice');
    expect(note.code).toBe('recorded_several');
    expect(note.text).toBe(
      'Got several answers from that: Project type: API / backend service; Expected scale: Small (few users); Team size: Just one developer. Say "change <topic>" if I misread one.',
    );
    expect(question(r.replies).criterion).toBe(recommend(knowledge, r.session.answers).next_question);
  });

  it('unparseable text re-asks the same question with a hint and the options, changing nothing', () => {
    const s = fixture('asking');
    for (const [text, hint] of [
      ['qwertyuiop zxcv', "I didn't catch that. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help."],
      ['   ', 'That message was empty. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.'],
      ['<!channel>', 'That message was empty. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.'],
      ['x'.repeat(10_000), 'That message is too long for me to read; a short answer works best. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.'],
      ['99', "I didn't catch that. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help."],
    ] as const) {
      const r = conversation.step(s, { type: 'text', text });
      expect(r.session).toBe(s);
      const q = question(r.replies);
      expect(q.criterion).toBe('architecture');
      expect(q.hint).toBe(hint);
      expect(q.options.map((o) => o.id)).toEqual(['monolith', 'microservices', 'undecided']);
    }
  });

  it('typed commands act like their events', () => {
    const s = fixture('asking');
    const pairs: [string, ConversationEvent][] = [
      ['back', { type: 'back' }],
      ['skip', { type: 'skip' }],
      ["don't know", { type: 'skip' }],
      ['result', { type: 'result' }],
      ['restart', { type: 'restart' }],
      ['cancel', { type: 'cancel' }],
      ['help', { type: 'help' }],
      ['change team size', { type: 'change', criterion: 'team_size' }],
    ];
    const plain = createConversation(knowledge);
    for (const [text, event] of pairs) {
      expect(plain.step(s, { type: 'text', text }), text).toEqual(plain.step(s, event));
    }
  });
});

// ---------------------------------------------------------------------------
// Properties

/** A random full answer profile for the real pack: each criterion an option or skip. */
const profileArb = fc.tuple(
  ...knowledge.criteria.map((c) => fc.constantFrom(SKIP, ...c.options.map((o) => o.id)).map((o) => [c.id, o] as const)),
).map((entries) => Object.fromEntries(entries) as Record<string, string>);

describe('properties over random answer profiles', () => {
  it('asks in next_question order, and stopping at "settled" ends on the same winner as answering all', () => {
    let settledRuns = 0;
    fc.assert(
      fc.property(profileArb, (profile) => {
        let s = conversation.step(createSession(KEY), { type: 'start' }).session;
        let settledWinner: string | null | undefined;
        for (let turns = 0; s.phase !== 'result'; turns++) {
          expect(turns).toBeLessThanOrEqual(CRITERIA + 1);
          if (s.phase === 'settled') {
            const rec = recommend(knowledge, s.answers);
            expect(rec.decided).toBe(true);
            settledWinner = rec.winner;
            s = conversation.step(s, { type: 'refine', version: s.version }).session;
            continue;
          }
          expect(s.phase).toBe('asking');
          const rec = recommend(knowledge, s.answers);
          if (!s.refining) expect(s.current).toBe(rec.next_question);
          const criterion = s.current!;
          s = conversation.step(s, { type: 'answer', criterion, option: profile[criterion]!, version: s.version }).session;
        }
        expect(s.answers).toEqual(profile);
        const final = recommend(knowledge, profile);
        if (settledWinner !== undefined) {
          settledRuns++;
          expect(final.winner).toBe(settledWinner);
        }
      }),
      { numRuns: 200 },
    );
    // Most random profiles settle before the end; the comparison above must have run.
    expect(settledRuns).toBeGreaterThan(50);
  });
});

const realTexts = [
  'solo dev building a small REST API',
  'we are 8 developers',
  "we don't need an admin panel",
  'it must support several languages',
  'postgres',
  'not sure',
  'back',
  'why',
  'result',
  'continue',
  'restart',
  'cancel',
  'help',
  'start',
  'skip',
  'change team size',
  'change database',
  'yes',
  'no',
  '1',
  '2',
  '3',
  '8',
];
const garbageText = fc.oneof(
  fc.constantFrom('', ' ', '\n\n', '\u0000\u0001\u0002\u001b[31m', '<!channel>', '<@U123> <#C1|general>', '*bold* _it_ `code`', '<script>alert(1)</script>', '‮evil', '🙂👍🏽', '\uD800'),
  fc.constant('a'.repeat(10_000)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.constantFrom(...realTexts, 'and', 'but', 'not', 'django', 'flask'), { maxLength: 6 }).map((w) => w.join(' ')),
);
const criterionArb = fc.constantFrom(...criterionIds, 'favourite_colour', '', '__proto__', 'constructor');
const optionArb = fc.oneof(
  fc.constantFrom(SKIP, 'yes', 'no', 'small', 'large', 'api', 'monolith', 'relational', '__proto__', 'toString', ''),
  fc.string({ maxLength: 8 }),
);
/** A version relative to the session's: undefined, current, older, newer. */
const versionArb = fc.constantFrom<undefined | number>(undefined, 0, -1, 1, 2);

type EventSpec = (s: Session) => ConversationEvent;
const eventArb: fc.Arbitrary<EventSpec> = fc.oneof(
  fc.constant<EventSpec>(() => ({ type: 'start' })),
  fc.tuple(criterionArb, optionArb, versionArb, fc.boolean()).map(([criterion, option, dv, useCurrent]): EventSpec => (s) => {
    const c = useCurrent && s.current ? s.current : criterion;
    const valid = knowledge.criterionById.get(c)?.options.map((o) => o.id) ?? [];
    const o = valid.length > 0 && option.length % 2 === 0 ? valid[option.length % valid.length]! : option;
    return { type: 'answer', criterion: c, option: o, ...(dv === undefined ? {} : { version: s.version + dv }) };
  }),
  fc.oneof(fc.constantFrom(...realTexts), garbageText).map((text): EventSpec => () => ({ type: 'text', text })),
  fc.tuple(fc.option(criterionArb, { nil: undefined }), versionArb).map(([criterion, dv]): EventSpec => (s) => ({
    type: 'skip',
    ...(criterion === undefined ? {} : { criterion }),
    ...(dv === undefined ? {} : { version: s.version + dv }),
  })),
  ...(['back', 'result', 'refine', 'restart', 'cancel'] as const).map((type) =>
    versionArb.map((dv): EventSpec => (s) => ({ type, ...(dv === undefined ? {} : { version: s.version + dv }) })),
  ),
  fc.tuple(criterionArb, versionArb).map(([criterion, dv]): EventSpec => (s) => ({
    type: 'change',
    criterion,
    ...(dv === undefined ? {} : { version: s.version + dv }),
  })),
  fc.option(criterionArb, { nil: undefined }).map((criterion): EventSpec => () => ({ type: 'why', ...(criterion === undefined ? {} : { criterion }) })),
  fc.constant<EventSpec>(() => ({ type: 'help' })),
);

describe('properties over random event sequences', () => {
  it('never throw and keep the invariants (garbage text included)', () => {
    const plain = createConversation(knowledge);
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), fc.constantFrom<Fixture>('new', 'asking', 'settled', 'result', 'cancelled'), (specs, start) => {
        let s = sessionIn(plain, knowledge, start);
        let lastVersion = s.version;
        for (const spec of specs) {
          const event = spec(s);
          const result = plain.step(s, event);
          assertInvariants(knowledge, s, result);
          expect(result.session.version).toBeGreaterThanOrEqual(lastVersion);
          lastVersion = result.session.version;
          s = result.session;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a stale version never changes anything, whatever the event', () => {
    const plain = createConversation(knowledge);
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 15 }),
        fc.constantFrom('answer', 'skip', 'back', 'change', 'result', 'refine', 'restart', 'cancel'),
        fc.constantFrom(-1, 1, -3),
        (specs, type, dv) => {
          let s = sessionIn(plain, knowledge, 'asking');
          for (const spec of specs) s = plain.step(s, spec(s)).session;
          const event = {
            type,
            version: s.version + dv,
            criterion: s.current ?? 'database',
            option: knowledge.criterionById.get(s.current ?? 'database')!.options[0]!.id,
          } as ConversationEvent;
          expect(plain.step(s, event).session).toBe(s);
        },
      ),
      { numRuns: 200 },
    );
  });
});
