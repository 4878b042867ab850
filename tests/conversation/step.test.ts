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
  StepResult,
  WhyReply,
} from '../../src/conversation/types.ts';
import { settledReply } from '../../src/conversation/views.ts';
import { canStopAsking, STOP_CHANCE } from '../../src/engine/chance.ts';
import { rankQuestions, recommend } from '../../src/engine/recommend.ts';
import { parseStoredSession } from '../../src/sessions/session-schema.ts';
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

/** A full profile for a close race: Django 11, Flask 10, offered once on the way (a chance of change of at most 5%). */
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
/** What each phase restates when an event changes nothing (a result is not shown again: it is the message above). */
const RESTATE: Record<Fixture, string> = {
  new: '',
  'asking-first': 'question',
  asking: 'question',
  settled: 'settled',
  result: '',
  'result-complete': '',
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
      // An unfinished interview is picked up, saying so, a result seen early with it; a finished one is not: a new one begins.
      asking: same('notice(resumed) question'),
      settled: same('notice(resumed) settled'),
      result: to('asking', 'notice(resumed) question', (before, after) => expect(after.answers).toEqual(before.answers)),
      'result-complete': to('asking', 'notice(restarted) question', answeredOnly({})),
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
        expect(after.answers).toEqual({ ...before.answers, project_type: 'web_app' });
        expect(after.history).toEqual(['flexibility', 'project_type']);
      }),
      settled: to('settled', 'answered settled', (before, after) => expect(after.answers).toEqual({ ...before.answers, i18n: 'yes' })),
      // After the result, an answer that keeps the verdict gets a short update (a settled-kind reply), not the whole result.
      result: to('result', 'answered settled', (before, after) => expect(after.answers).toEqual({ ...before.answers, i18n: 'yes' })),
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
    event: (s) => ({ type: 'answer', criterion: 'flexibility', option: 'high', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: to('asking', 'notice(changed) answered question', (_, after) => expect(after.answers).toEqual({ flexibility: 'high' })),
      // Conventions -> maximum freedom puts Flask ahead and opens the verdict again.
      settled: to('asking', 'notice(changed) answered question', (_, after) => expect(after.answers['flexibility']).toBe('high')),
      result: to('result', 'notice(changed) answered recommendation', (_, after) => expect(after.answers['flexibility']).toBe('high')),
      cancelled: NOT_STARTED,
    },
  },
  {
    name: 'answer (not the current criterion: the same answer again)',
    event: (s) => ({ type: 'answer', criterion: 'flexibility', option: 'low', version: s.version }),
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
      // Typing an answer starts the interview; an answer to a question that was not shown is noted as such.
      new: to('asking', 'answered notice(recorded_other) question', answeredOnly({ i18n: 'yes' })),
      // Another question than the one asked: said so, and the interview goes on.
      asking: to('asking', 'answered notice(recorded_other) question', answeredOnly({ flexibility: 'low', i18n: 'yes' })),
      settled: to('settled', 'answered notice(recorded_other) settled'),
      result: to('result', 'answered notice(recorded_other) settled'),
      // A cancelled interview starts over: the old answers are gone.
      cancelled: to('asking', 'answered notice(recorded_other) question', answeredOnly({ i18n: 'yes' })),
    },
  },
  {
    name: 'text (a number)',
    event: () => ({ type: 'text', text: '2' }),
    outcomes: {
      new: same('notice(not_understood)'),
      // Option 2 of the project type is a content site: that makes the offer.
      asking: to('settled', 'answered settled', answeredOnly({ flexibility: 'low', project_type: 'content_site' })),
      settled: same('notice(not_understood) settled'),
      // After a result, words it cannot read get a short hint, not the whole result again.
      result: same('notice(result_hint)'),
      cancelled: same('notice(not_understood)'),
    },
  },
  {
    name: 'text (several criteria)',
    event: () => ({ type: 'text', text: 'solo dev building a small REST API' }),
    outcomes: {
      new: to('asking', 'answered answered answered notice(recorded_several) question', answeredOnly({ project_type: 'api', scale: 'small', team_size: 'solo' })),
      asking: to(
        'asking',
        'answered answered answered notice(recorded_several) question',
        answeredOnly({ flexibility: 'low', project_type: 'api', scale: 'small', team_size: 'solo' }),
      ),
      settled: to('asking', 'answered answered answered notice(recorded_several) notice(verdict_changed) question'),
      result: to('result', 'answered answered answered notice(recorded_several) recommendation'),
      cancelled: to('asking', 'answered answered answered notice(recorded_several) question', answeredOnly({ project_type: 'api', scale: 'small', team_size: 'solo' })),
    },
  },
  {
    name: 'text (unparseable)',
    event: () => ({ type: 'text', text: 'qwertyuiop zxcv' }),
    outcomes: { ...withRestate('notice(not_understood)'), asking: same('question'), result: same('notice(result_hint)') },
  },
  {
    name: 'text (empty)',
    event: () => ({ type: 'text', text: '' }),
    outcomes: { ...withRestate('notice(not_understood)'), asking: same('question'), result: same('notice(result_hint)') },
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
      asking: to('asking', 'answered question', answeredOnly({ flexibility: 'low', project_type: SKIP })),
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
      // Always said: "Undid <topic>: ..." before the question asked again.
      asking: to('asking', 'notice(undone) question', (_, after, replies) => {
        expect(after.current).toBe('flexibility');
        expect(after.answers).toEqual({});
        // The undone answer is not shown as "currently".
        expect(question(replies).currentAnswer).toBeUndefined();
      }),
      settled: to('asking', 'notice(undone) question', (_, after, replies) => {
        expect(after.current).toBe('project_type');
        expect(after.answers['project_type']).toBeUndefined();
        expect(question(replies).currentAnswer).toBeUndefined();
      }),
      result: to('asking', 'notice(undone) question', (_, after) => expect(after.current).toBe('project_type')),
      // A cancel is undone like any turn: the interview comes back on the question it was cancelled at.
      cancelled: to('asking', 'notice(resumed) question', (before, after) => {
        expect(after.current).toBe('project_type');
        expect(after.answers).toEqual(before.answers);
        expect(after.turns).toHaveLength(1);
      }),
    },
  },
  {
    name: 'back (stale version)',
    event: (s) => ({ type: 'back', version: stale(s) }),
    outcomes: { ...withRestate('notice(stale)'), new: NOT_STARTED, cancelled: NOT_STARTED },
  },
  {
    name: 'change (an earlier criterion)',
    event: (s) => ({ type: 'change', criterion: 'flexibility', version: s.version }),
    outcomes: {
      new: NOT_STARTED,
      asking: to('asking', 'question', (before, after, replies) => {
        expect(after.current).toBe('flexibility');
        // The answer is kept until a new one is given.
        expect(after.answers).toEqual(before.answers);
        expect(question(replies).currentAnswer).toEqual({ id: 'low', label: 'Happy with conventions' });
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
        expect(only(replies, 'recommendation').view.basis).toBe(
          'Based on 1 answer; even if you answered the 15 remaining questions, there is about a 13% chance the verdict would change.',
        );
      }),
      settled: to('result', 'recommendation', (_, __, replies) => {
        const view = only(replies, 'recommendation').view;
        expect(view.winnerName).toBe('Django');
        // Offered on a chance of change of at most 5%, not because it is decided.
        expect(view.decided).toBe(false);
        expect(view.chanceOfChange).toBeGreaterThan(0);
        expect(view.chanceOfChange).toBeLessThanOrEqual(STOP_CHANCE);
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
    expect(shape('asking-first')).toEqual({ phase: 'asking', version: 1, current: 'flexibility', answered: 0 });
    expect(shape('asking')).toEqual({ phase: 'asking', version: 2, current: 'project_type', answered: 1 });
    expect(shape('settled')).toEqual({ phase: 'settled', version: 3, current: null, answered: 2 });
    expect(shape('result')).toEqual({ phase: 'result', version: 4, current: null, answered: 2 });
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

/** Conventions answered (Django 2-0), and the architecture question open (through "change"). */
function architectureOpen(): Session {
  const s = fixture('asking');
  return conversation.step(s, { type: 'change', criterion: 'architecture', version: s.version }).session;
}

describe('the interview', () => {
  it('asks in the engine next_question order and offers the result for Django after two answers (chance of change at most 5%)', () => {
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
    const rec = recommend(knowledge, s.answers);
    expect(rec.decided).toBe(false);
    expect(rec.chance_of_change).toBeLessThanOrEqual(STOP_CHANCE);
    const settled = only(replies, 'settled') as SettledReply;
    expect(settled.winnerName).toBe('Django');
    expect(settled.text).toBe(
      `Django will very likely stay ahead. Even if you answered the ${CRITERIA - 2} remaining questions, there is about a 4.2% chance the verdict would change. ` +
        'See the result now, or keep refining to add detail.',
    );
    expect(settled.progress).toEqual({
      answered: 2,
      remaining: CRITERIA - 2,
      questionNumber: 3,
      settled: false,
      text: '2 answered · verdict very likely settled',
    });
    expect(settled.version).toBe(s.version);
  });

  it('never offers the result while the chance of change is above 5%, and offers it as soon as it is not', () => {
    let s = conversation.step(createSession(KEY), { type: 'start' }).session;
    // Conventions, then a general web app: Django 3-0 with about a 7% chance of change, so it asks on.
    s = conversation.step(s, { type: 'answer', criterion: 'flexibility', option: 'low', version: s.version }).session;
    const open = conversation.step(s, { type: 'answer', criterion: 'project_type', option: 'web_app', version: s.version });
    expect(recommend(knowledge, open.session.answers).chance_of_change).toBeGreaterThan(STOP_CHANCE);
    expect(open.session.phase).toBe('asking');
    expect(question(open.replies).progress.text).toBe('Question 3 · verdict not settled yet');
  });

  it('says "can no longer change" only when the verdict is decided, exactly', () => {
    let s = fixture('settled');
    let replies: Reply[] = [];
    // More answers for Django while the result is on offer: it stays offered, until it is decided.
    for (const [criterion, option] of [
      ['admin_panel', 'yes'],
      ['architecture', 'monolith'],
      ['scale', 'large'],
    ] as const) {
      ({ session: s, replies } = conversation.step(s, { type: 'answer', criterion, option, version: s.version }));
      expect(s.phase).toBe('settled');
      // Offered already: a one-line reminder, saying "settled" only once it is decided.
      const text = only(replies, 'settled').text;
      if (recommend(knowledge, s.answers).decided) expect(text).toBe('Now settled, whatever the remaining answers: Django stays ahead.');
      else expect(text).toMatch(/^Django will still very likely stay ahead \(.+ chance of a change\)\.$/);
    }
    const rec = recommend(knowledge, s.answers);
    expect(rec.decided).toBe(true);
    const settled = only(replies, 'settled') as SettledReply;
    // The full offer (made when the result is first offered), for a decided verdict.
    expect(settledReply(knowledge, s, rec).text).toBe('The remaining questions can no longer change this: Django stays ahead. See the result now, or keep refining to add detail.');
    expect(settled.progress).toMatchObject({ answered: 5, settled: true, text: '5 answered · verdict settled' });
  });

  it('offers the result or refining once settled; refine keeps asking in engine order to the end', () => {
    const settled = fixture('settled');
    const shown = conversation.step(settled, { type: 'result', version: settled.version });
    const rec = only(shown.replies, 'recommendation') as RecommendationReply;
    expect(rec.canRefine).toBe(true);
    expect(rec.view.winnerName).toBe('Django');
    expect(rec.view.basis).toBe(
      `Based on 2 answers; even if you answered the ${CRITERIA - 2} remaining questions, there is about a 4.2% chance the verdict would change.`,
    );
    expect(rec.view.chanceText).toBe(`Even if you answered the ${CRITERIA - 2} remaining questions, there is about a 4.2% chance the verdict would change.`);

    let s = conversation.step(settled, { type: 'refine', version: settled.version }).session;
    expect(s.phase).toBe('asking');
    expect(s.refining).toBe(true);
    const kinds: string[] = [];
    while (s.phase === 'asking') {
      const criterion = s.current!;
      expect(Object.keys(s.answers)).not.toContain(criterion);
      expect(criterion).toBe(rankQuestions(knowledge, s.answers)[0]);
      const r = conversation.step(s, { type: 'answer', criterion, option: djangoLeaning(knowledge, criterion), version: s.version });
      kinds.push(describeReplies(r.replies));
      s = r.session;
    }
    // No further "settled" interruption while refining, and it ends with the recommendation.
    expect(kinds.slice(0, -1).every((k) => k === 'answered question')).toBe(true);
    expect(kinds.at(-1)).toBe('answered recommendation');
    expect(kinds).toHaveLength(CRITERIA - 2);
    expect(s.phase).toBe('result');
    expect(Object.keys(s.answers)).toHaveLength(CRITERIA);
  });

  it('answering everything (a close race, refining past the offer) ends in a complete recommendation of medium confidence', () => {
    let s = conversation.step(createSession(KEY), { type: 'start' }).session;
    let replies: Reply[] = [];
    let offers = 0;
    for (let i = 0; s.phase !== 'result' && i < 40; i++) {
      if (s.phase === 'settled') {
        offers++;
        ({ session: s, replies } = conversation.step(s, { type: 'refine', version: s.version }));
        continue;
      }
      const criterion = s.current!;
      ({ session: s, replies } = conversation.step(s, { type: 'answer', criterion, option: CLOSE_PROFILE[criterion]!, version: s.version }));
    }
    expect(offers).toBe(1);
    expect(s.phase).toBe('result');
    expect(s.answers).toEqual(CLOSE_PROFILE);
    expect(describeReplies(replies)).toBe('answered recommendation');
    const rec = only(replies, 'recommendation') as RecommendationReply;
    expect(rec.canRefine).toBe(false);
    expect(rec.version).toBe(s.version);
    expect(rec.view.decided).toBe(true);
    expect(rec.view.winner).toBe('django');
    expect(rec.view.headline).toBe('Django is the better fit for this project');
    expect(rec.view.bars.map((b) => [b.name, b.score])).toEqual([
      ['Django', 11],
      ['Flask', 10],
    ]);
    // A one-point lead that the disputed MVP question decides is never "high".
    expect(rec.view.confidence).toBe('medium');
    expect(rec.view.confidenceText).toBe(
      'Medium: every question is answered; the lead hinges on a point the sources dispute (MVPs and prototypes).',
    );
    expect(rec.view.basis).toBe(`Based on ${CRITERIA} answers; 0 questions left unanswered.`);
    expect(rec.view.chanceText).toBeNull();
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
    expect(texts).toHaveLength(SETTLING_ANSWERS.length);
    for (const text of texts) expect(text).not.toMatch(/\d+\s*(of|\/)\s*\d+/);
  });

  it('progress while refining says the verdict is very likely settled, then settled once it is decided', () => {
    const settled = fixture('settled');
    const r = conversation.step(settled, { type: 'refine', version: settled.version });
    expect(question(r.replies).progress).toEqual({
      answered: 2,
      remaining: CRITERIA - 2,
      questionNumber: 3,
      settled: false,
      text: 'Question 3 · the verdict is very likely settled; more answers rarely change it',
    });
    let s = r.session;
    let replies: Reply[] = r.replies;
    while (s.phase === 'asking' && !recommend(knowledge, s.answers).decided) {
      ({ session: s, replies } = conversation.step(s, { type: 'answer', criterion: s.current!, option: djangoLeaning(knowledge, s.current!), version: s.version }));
    }
    expect(s.phase).toBe('asking');
    expect(question(replies).progress.settled).toBe(true);
    expect(question(replies).progress.text).toMatch(/^Question \d+ · the verdict is settled; more answers only add detail$/);
  });

  it('after "continue" from an early (unsettled) result, it still offers the result once it can', () => {
    const early = fixture('asking');
    const shown = conversation.step(early, { type: 'result', version: early.version }).session;
    expect(canStopAsking(recommend(knowledge, shown.answers))).toBe(false);
    let s = conversation.step(shown, { type: 'refine', version: shown.version }).session;
    let replies: Reply[] = [];
    for (const [criterion, option] of SETTLING_ANSWERS.slice(1)) {
      expect(s.current).toBe(criterion);
      ({ session: s, replies } = conversation.step(s, { type: 'answer', criterion, option, version: s.version }));
    }
    expect(canStopAsking(recommend(knowledge, s.answers))).toBe(true);
    // "continue" from an early, unsettled result is not refining: the offer still comes.
    expect(describeReplies(replies)).toBe('answered settled');
  });

  it('back undoes the last answer and re-asks it, without the undone answer as "currently", repeatedly', () => {
    let s = fixture('settled');
    const history = [...s.history];
    expect(history).toEqual(SETTLING_ANSWERS.map(([c]) => c));
    for (let i = history.length - 1; i >= 0; i--) {
      const r = conversation.step(s, { type: 'text', text: 'back' });
      const q = question(r.replies);
      const [criterion] = SETTLING_ANSWERS[i]!;
      expect(q.criterion).toBe(criterion);
      expect(q.currentAnswer).toBeUndefined();
      expect(q.progress.questionNumber).toBe(i + 1);
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
    const changing = conversation.step(asking, { type: 'text', text: 'change flexibility' });
    expect(changing.session.current).toBe('flexibility');
    expect(changing.session.answers).toEqual(asking.answers);
    expect(question(changing.replies).currentAnswer).toEqual({ id: 'low', label: 'Happy with conventions' });
    // Things that are not an answer keep the old one.
    const why = conversation.step(changing.session, { type: 'why' });
    expect(only(why.replies, 'why').criterion).toBe('flexibility');
    const garbage = conversation.step(changing.session, { type: 'text', text: '???!!!' });
    expect(garbage.session.answers['flexibility']).toBe('low');
    // A new answer replaces it and the interview goes on from the engine's view (Flask now leads 4-3, still open).
    const changed = conversation.step(changing.session, { type: 'answer', criterion: 'flexibility', option: 'high', version: changing.session.version });
    expect(describeReplies(changed.replies)).toBe('answered question');
    expect(changed.session.answers).toEqual({ ...asking.answers, flexibility: 'high' });
    expect(changed.session.history.at(-1)).toBe('flexibility');
    expect(changed.session.current).toBe(recommend(knowledge, changed.session.answers).next_question);
  });

  it('a double click (the same answer event twice, same version) records once', () => {
    const s = fixture('asking');
    const click: ConversationEvent = { type: 'answer', criterion: 'project_type', option: 'api', version: s.version };
    const first = conversation.step(s, click);
    const second = conversation.step(first.session, click);
    expect(first.session.version).toBe(s.version + 1);
    expect(second.session).toBe(first.session);
    expect(describeReplies(second.replies)).toBe('notice(already_recorded)');
    expect(second.session.history).toEqual(['flexibility', 'project_type']);
  });

  it('a stale version changes nothing, even for a different option of the open question', () => {
    const s = fixture('asking');
    const next = conversation.step(s, { type: 'answer', criterion: 'project_type', option: 'web_app', version: s.version }).session;
    expect(next.phase).toBe('asking');
    // An old button of the project-type question (version s.version), another option.
    const late = conversation.step(next, { type: 'answer', criterion: 'project_type', option: 'api', version: s.version });
    expect(late.session).toBe(next);
    expect(describeReplies(late.replies)).toBe('notice(stale) question');
    expect(next.answers['project_type']).toBe('web_app');
    // A version from the future is stale too.
    expect(conversation.step(next, { type: 'skip', version: next.version + 1 }).session).toBe(next);
  });

  it('"why" explains the current question: which answers favour which framework, what each would do now, a few cited points', () => {
    const s = architectureOpen();
    const why = only(conversation.step(s, { type: 'text', text: 'why?' }).replies, 'why') as WhyReply;
    const architecture = knowledge.criterionById.get('architecture')!;
    expect(why.criterion).toBe('architecture');
    expect(why.title).toBe(architecture.title);
    expect(why.why).toBe(architecture.why);
    expect(why.impacts.slice(0, 4)).toEqual([
      'For Django: One application (monolith) (+2 Django).',
      'For Flask: Many small services (+3 Flask).',
      'For neither: Not decided yet (+1 Django, +1 Flask).',
      'With your other answers: Flask would lead after "Many small services"; Django would lead after any other answer.',
    ]);
    expect(why.impacts[4]).toMatch(/^One application \(monolith\): .+ \(.+\)$/);
    expect(why.impacts[5]).toMatch(/^Many small services: .+ \(.+\)$/);
    expect(why.impacts.at(-2)).toMatch(/^Sources disagree on /);
    expect(why.impacts.at(-1)).toMatch(/^…and \d+ more cited points? and 1 more disagreement: ask architecture /);
    expect(why.sources.length).toBeGreaterThan(0);
    for (const label of why.sources) expect(knowledge.sources.some((src) => src.label === label)).toBe(true);
    // Not fixed text: with a Flask-leaning project, the same options lead elsewhere.
    const flaskish = conversation.step(fixture('new'), { type: 'text', text: 'solo dev building a small REST API' }).session;
    const other = only(conversation.step(flaskish, { type: 'why', criterion: 'architecture' }).replies, 'why') as WhyReply;
    expect(other.impacts[3]).toBe('With your other answers, Flask would lead whatever you answer here.');
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
    const s = architectureOpen();
    for (const [text, hint] of [
      ['qwertyuiop zxcv', "I didn't catch that. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help."],
      ['   ', 'That message was empty. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.'],
      ['<!channel>', 'That message was empty. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.'],
      ['x'.repeat(10_000), 'That message is too long for me to read; a short answer works best. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.'],
      ['99', 'There is no option 99 here: pick 1 to 3, answer in your own words, or say skip, back, why or help.'],
      ['option 4', 'There is no option 4 here: pick 1 to 3, answer in your own words, or say skip, back, why or help.'],
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
// Issue 9: questions are never recorded, free text answers the current question first,
// back undoes a whole message, and the question number holds when a question is asked again.

describe('understanding and back (issue 9)', () => {
  /** Started, then asking `criterion` (through "change", so the engine's order does not matter). */
  function askingAbout(criterion: string): Session {
    const started = conversation.step(createSession(KEY), { type: 'start' }).session;
    if (started.current === criterion) return started;
    return conversation.step(started, { type: 'change', criterion, version: started.version }).session;
  }
  const byButton = (s: Session, criterion: string, option: string): Session =>
    conversation.step(s, { type: 'answer', criterion, option, version: s.version }).session;

  it('a question about a topic is answered and the open question asked again, nothing recorded', () => {
    const s = askingAbout('admin_panel');
    for (const text of ['what is an admin panel?', 'can flask do an admin?', 'how does django admin work', 'do we need an admin panel?']) {
      const r = conversation.step(s, { type: 'text', text });
      expect(r.session, text).toBe(s);
      expect(describeReplies(r.replies), text).toBe('ask question');
      expect(question(r.replies).criterion).toBe('admin_panel');
      expect(question(r.replies).progress).toEqual(question(restated(s)).progress);
    }
  });

  /** The question the session shows now. */
  function restated(s: Session): Reply[] {
    return conversation.step(s, { type: 'change', criterion: s.current!, version: s.version }).replies;
  }

  it('"why <topic>" gives the why of that topic, while asking or after a result, and changes nothing', () => {
    const asking = askingAbout('scale');
    const r = conversation.step(asking, { type: 'text', text: 'why database' });
    expect(r.session).toBe(asking);
    expect(describeReplies(r.replies)).toBe('why question');
    expect((only(r.replies, 'why') as WhyReply).criterion).toBe('database');
    expect(question(r.replies).criterion).toBe('scale');

    let done = byButton(askingAbout('admin_panel'), 'admin_panel', 'later');
    done = conversation.step(done, { type: 'result', version: done.version }).session;
    expect(done.phase).toBe('result');
    const why = conversation.step(done, { type: 'text', text: 'why admin panel' });
    expect(why.session).toBe(done);
    expect(describeReplies(why.replies)).toBe('why');
    expect(why.session.answers['admin_panel']).toBe('later');
  });

  it('at the traffic question, people who will use it are users, not the team', () => {
    const r = conversation.step(askingAbout('scale'), { type: 'text', text: 'only about 20 people in ops will use it' });
    expect(r.session.answers['scale']).toBe('small');
    expect(r.session.answers['team_size']).toBeUndefined();
  });

  it('"no idea, as long as I care" skips the lifetime question', () => {
    const r = conversation.step(askingAbout('lifetime'), { type: 'text', text: 'no idea, as long as I care' });
    expect(r.session.answers['lifetime']).toBe(SKIP);
  });

  it('a bare number at the team-size question is a head count, and says how to pick an option by number', () => {
    const s = askingAbout('team_size');
    const r = conversation.step(s, { type: 'text', text: '3' });
    expect(r.session.answers['team_size']).toBe('small');
    const note = r.replies.find((x) => x.kind === 'notice' && x.code === 'read_as');
    expect(note && note.kind === 'notice' ? note.text : '').toBe('Read "3" as 3 people; to pick option 3, say "option 3".');
    expect(conversation.step(s, { type: 'text', text: 'option 3' }).session.answers['team_size']).toBe('large');
    expect(conversation.step(s, { type: 'text', text: '6' }).session.answers['team_size']).toBe('large');
  });

  it('"change team" says which topics it could mean', () => {
    const s = askingAbout('scale');
    const r = conversation.step(s, { type: 'text', text: 'change team' });
    expect(r.session).toBe(s);
    expect(describeReplies(r.replies)).toBe('notice(ambiguous_topic) question');
    expect(only(r.replies, 'notice').text).toBe('"team" could mean Team size or Team experience. Say "change team size" or "change team experience".');
  });

  it('back undoes everything the last message recorded, restoring the answers it overwrote', () => {
    let s = askingAbout('project_type');
    s = byButton(s, 'project_type', 'web_app');
    s = byButton(s, 'team_size', 'large');
    const before = structuredClone(s);
    const said = conversation.step(s, { type: 'text', text: 'solo dev building a small REST API' }).session;
    expect(said.answers).toMatchObject({ project_type: 'api', scale: 'small', team_size: 'solo' });
    const back = conversation.step(said, { type: 'back' });
    expect(back.session.answers).toEqual(before.answers);
    expect(back.session.history).toEqual(before.history);
    expect(describeReplies(back.replies)).toBe('notice(undone) question');
    // Exactly what came back: a replaced answer is back to what it was, an added one is unanswered again.
    expect(only(back.replies, 'notice').text).toBe(
      'Undid the 3 answers from your last message: Project type is back to "General web application" (was "API / backend service"); ' +
        'Expected scale is unanswered again (was "Small (few users)"); Team size is back to "Large team (6+)" (was "Just one developer").',
    );
    // It asks again the question that was open when the message came, without an undone answer as "currently".
    const q = question(back.replies);
    expect(q.criterion).toBe(before.current);
    expect(q.currentAnswer).toEqual(before.answers[q.criterion] === undefined ? undefined : expect.objectContaining({ id: before.answers[q.criterion] }));
    // Back again undoes the team-size click, then the project-type click.
    const again = conversation.step(back.session, { type: 'back' }).session;
    expect(again.answers).toEqual({ project_type: 'web_app' });
    expect(conversation.step(again, { type: 'back' }).session.answers).toEqual({});
  });

  it('an answer to another question is announced, the open one asked again; back names what it undid', () => {
    const s = askingAbout('scale');
    const r = conversation.step(s, { type: 'text', text: 'postgress' });
    expect(r.session.answers['database']).toBe('relational');
    expect(describeReplies(r.replies)).toBe('answered notice(recorded_other) question');
    expect(only(r.replies, 'notice').text).toBe('Noted for another question: Data storage: Relational (SQL) (from "postgress"). Say "change data storage" if I misread it.');
    // The open question stays open: an answer to another never swaps it.
    expect(question(r.replies).criterion).toBe('scale');
    const back = conversation.step(r.session, { type: 'back' });
    expect(back.session.answers).toEqual(s.answers);
    expect(describeReplies(back.replies)).toBe('notice(undone) question');
    expect(only(back.replies, 'notice').text).toBe('Undid Data storage: "Relational (SQL)". It is unanswered again.');
    expect(question(back.replies).criterion).toBe('scale');
  });

  it('after back, the question shows "(currently: ...)" only for an answer still recorded', () => {
    const s = askingAbout('database');
    const answered = byButton(s, 'database', 'nosql');
    const back = conversation.step(answered, { type: 'back' });
    expect(question(back.replies).criterion).toBe('database');
    expect(question(back.replies).currentAnswer).toBeUndefined();
    // A changed answer, undone: the earlier answer is current again, and shown as such.
    const changing = conversation.step(answered, { type: 'text', text: 'change database' }).session;
    const changed = byButton(changing, 'database', 'relational');
    const undone = conversation.step(changed, { type: 'back' });
    expect(undone.session.answers['database']).toBe('nosql');
    expect(question(undone.replies).currentAnswer).toEqual({ id: 'nosql', label: 'NoSQL (MongoDB, Redis, ...)' });
  });

  it('numbers a question by the distinct questions put so far: the same question keeps its number (story 1)', () => {
    // At the flexibility question: three answers in one message, one more, a topic question,
    // the answer, back, a side answer, then "don't know".
    let s = conversation.step(createSession(KEY), { type: 'start' }).session;
    expect(s.current).toBe('flexibility');
    const seen: string[] = [];
    for (const text of [
      "hi, we're two cofounders building an MVP for a booking app, need to ship in three weeks",
      'honestly we both only know flask from a previous job',
      'what is an admin panel?',
      'we are happy with conventions',
      'back',
      "probably later, we'd like one eventually",
      "don't know",
    ]) {
      const r = conversation.step(s, { type: 'text', text });
      s = r.session;
      const q = question(r.replies);
      expect(q.progress.text, text).toMatch(new RegExp(`^Question ${q.progress.questionNumber} · `));
      seen.push(`${q.progress.questionNumber} ${q.criterion}`);
    }
    // Flexibility stays open until it is answered, and stays Question 1 whatever else is answered meanwhile.
    expect(seen.slice(0, 3)).toEqual(['1 flexibility', '1 flexibility', '1 flexibility']);
    expect(seen[3]).toMatch(/^2 (?!flexibility)/);
    // Back asks flexibility again: its own number.
    expect(seen.slice(4, 6)).toEqual(['1 flexibility', '1 flexibility']);
    const second = seen[3]!.split(' ')[1];
    expect(seen[6]).toMatch(seen[6]!.endsWith(` ${second}`) ? /^2 / : /^3 (?!flexibility)/);
  });

  it('loads a session stored before turns existed, and back still undoes its last answer', () => {
    const old = JSON.stringify({
      key: KEY,
      version: 3,
      phase: 'asking',
      current: 'architecture',
      answers: { project_type: 'api', team_size: 'solo' },
      history: ['project_type', 'team_size'],
      refining: false,
    });
    const parsed = parseStoredSession(old);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const r = conversation.step(parsed.session, { type: 'back' });
    expect(r.session.answers).toEqual({ project_type: 'api' });
    expect(r.session.current).toBe('team_size');
    expect(question(r.replies).currentAnswer).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Properties

/** A random full answer profile for the real pack: each criterion an option or skip. */
const profileArb = fc.tuple(
  ...knowledge.criteria.map((c) => fc.constantFrom(SKIP, ...c.options.map((o) => o.id)).map((o) => [c.id, o] as const)),
).map((entries) => Object.fromEntries(entries) as Record<string, string>);

describe('properties over random answer profiles', () => {
  it('asks in next_question order, offers the result exactly when it can stop, and a decided offer keeps the final winner', () => {
    let offers = 0;
    fc.assert(
      fc.property(profileArb, (profile) => {
        let s = conversation.step(createSession(KEY), { type: 'start' }).session;
        let offered: { decided: boolean; winner: string | null } | undefined;
        for (let turns = 0; s.phase !== 'result'; turns++) {
          expect(turns).toBeLessThanOrEqual(CRITERIA + 1);
          const rec = recommend(knowledge, s.answers);
          if (s.phase === 'settled') {
            // The offer: decided, or a chance of change of at most 5%.
            expect(canStopAsking(rec)).toBe(true);
            offered = { decided: rec.decided, winner: rec.winner };
            s = conversation.step(s, { type: 'refine', version: s.version }).session;
            continue;
          }
          expect(s.phase).toBe('asking');
          if (!s.refining) {
            // Not offered yet, so it could not stop: it asks the engine's next question.
            expect(canStopAsking(rec)).toBe(false);
            expect(s.current).toBe(rec.next_question);
          }
          const criterion = s.current!;
          s = conversation.step(s, { type: 'answer', criterion, option: profile[criterion]!, version: s.version }).session;
        }
        expect(s.answers).toEqual(profile);
        if (offered !== undefined) {
          offers++;
          if (offered.decided) expect(recommend(knowledge, profile).winner).toBe(offered.winner);
        }
      }),
      { numRuns: 200 },
    );
    // Most random profiles get the offer before the end; the checks above must have run.
    expect(offers).toBeGreaterThan(50);
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

describe('what a message recorded, the open question and the offers (the stories)', () => {
  const started = (): Session => conversation.step(createSession(KEY), { type: 'start' }).session;
  const say = (s: Session, text: string): StepResult => conversation.step(s, { type: 'text', text });
  const notices = (replies: readonly Reply[]): string[] => replies.flatMap((r) => (r.kind === 'notice' ? [r.text] : []));

  it('says each recorded answer once: the open question\'s as its record, the others in one notice', () => {
    const s = started();
    expect(s.current).toBe('flexibility');
    const r = say(s, 'maximum freedom, 3 of us building a REST API');
    expect(r.session.answers).toMatchObject({ flexibility: 'high', project_type: 'api', team_size: 'small' });
    expect(r.replies.some((x) => x.kind === 'answered' && x.criterion === 'flexibility')).toBe(true);
    expect(notices(r.replies)).toEqual([
      'Also got from that: Project type: API / backend service; Team size: Small team (2-5). Say "change <topic>" if I misread one.',
    ]);
  });

  it('after an early result, an answer to the question still on screen is said once, as its record', () => {
    const asking = say(started(), 'maximum freedom').session;
    const open = asking.current!;
    const early = conversation.step(asking, { type: 'result', version: asking.version }).session;
    expect(early).toMatchObject({ phase: 'result', shown: { criterion: open } });
    const option = knowledge.criterionById.get(open)!.options[0]!;
    const r = say(early, option.label);
    expect(r.session.answers[open]).toBe(option.id);
    expect(r.replies.filter((x) => x.kind === 'answered').map((x) => (x.kind === 'answered' ? x.criterion : ''))).toEqual([open]);
    expect(notices(r.replies)).toEqual([]);
    // Another question's answer is still noted, once.
    expect(open).not.toBe('team_size');
    expect(notices(say(r.session, 'we are 8 developers').replies)).toEqual([
      'Noted: Team size: Large team (6+) (from "8 developers"). Say "change team size" if I misread it.',
    ]);
  });

  it('at the offer, yes shows the result and no keeps refining; short replies record no answer, there or after the result', () => {
    const settled = sessionIn(conversation, knowledge, 'settled');
    for (const yes of ['yes', 'OK.', 'yes please', 'show me']) {
      const r = say(settled, yes);
      expect(r.session.phase, yes).toBe('result');
      expect(r.session.answers, yes).toEqual(settled.answers);
      expect(describeReplies(r.replies), yes).toBe('recommendation');
    }
    for (const no of ['no', 'not yet', 'Nope!']) {
      const r = say(settled, no);
      expect(r.session.phase, no).toBe('asking');
      expect(r.session.answers, no).toEqual(settled.answers);
    }
    for (const yes of ['ok thanks', 'ok, then show me']) expect(say(settled, yes).session.phase, yes).toBe('result');
    // "fine" alone would otherwise answer the performance question nobody asked.
    for (const thanks of ['thanks', 'fine', 'fine, thanks']) {
      const r = say(settled, thanks);
      expect(r.session, thanks).toBe(settled);
      expect(describeReplies(r.replies), thanks).toBe('notice(offer_hint)');
    }
    const result = sessionIn(conversation, knowledge, 'result');
    for (const ack of ['ok', 'thank you', 'great', 'yes', 'ok thanks', 'ok, thanks']) {
      const r = say(result, ack);
      expect(r.session, ack).toBe(result);
      expect(describeReplies(r.replies), ack).toBe('notice(result_hint)');
    }
    expect(describeReplies(say(result, 'show the result').replies)).toBe('recommendation');
    // Nor does an "ok" start an interview that is not running (it would have answered the performance question).
    for (const phase of ['new', 'cancelled'] as const) {
      const before = sessionIn(conversation, knowledge, phase);
      const r = say(before, 'ok');
      expect(r.session, phase).toBe(before);
      expect(describeReplies(r.replies), phase).toBe('notice(not_applicable)');
    }
    // With no question asked, a bare "change" asks which topic instead of answering the requirements question.
    expect(notices(say(result, 'change').replies)[0]).toMatch(/^Change which answer\?/);
    expect(say(result, 'change it').session.answers).toEqual(result.answers);
    // More than a short reply is read as usual.
    expect(say(settled, 'yes, and we need an admin panel').session.answers['admin_panel']).toBe('yes');
  });

  it('says which earlier answer a typed answer replaced ("8 developers" after "solo dev")', () => {
    const solo = say(started(), 'solo dev').session;
    expect(solo.answers['team_size']).toBe('solo');
    const r = say(solo, '8 developers');
    expect(r.session.answers['team_size']).toBe('large');
    expect(notices(r.replies)).toEqual([
      'Noted for another question: Team size changed from "Just one developer" to "Large team (6+)" (from "8 developers"). Say "change team size" if I misread it.',
    ]);
    // The same answer again is said to be unchanged.
    expect(notices(say(r.session, 'we are 8 developers').replies)[0]).toMatch(/^Noted for another question: Team size: Large team \(6\+\), as before \(from /);
  });

  it('keeps asking the open question while answers to other questions come in (story 7)', () => {
    let s = started();
    for (const text of ['we want a community site where researchers can post', 'there will be 8 developers and new ones take over every few years', 'postgres', 'no admin panel']) {
      const r = say(s, text);
      expect(r.session.answers['flexibility'], text).toBeUndefined();
      expect(Object.keys(r.session.answers).length, text).toBeGreaterThan(Object.keys(s.answers).length);
      if (r.session.phase !== 'asking') break;
      expect(question(r.replies).criterion, text).toBe('flexibility');
      s = r.session;
    }
    expect(Object.keys(s.answers).length).toBeGreaterThanOrEqual(2);
  });

  it('goes back to the interrupted question after a revisited answer', () => {
    const s = started();
    const asked = conversation.step(s, { type: 'answer', criterion: 'flexibility', option: 'high', version: s.version }).session;
    const open = asked.current!;
    const changing = conversation.step(asked, { type: 'change', criterion: 'flexibility', version: asked.version }).session;
    const r = conversation.step(changing, { type: 'answer', criterion: 'flexibility', option: 'low', version: changing.version });
    expect(r.session.phase).toBe('asking');
    expect(question(r.replies)).toMatchObject({ criterion: open, progress: { questionNumber: 2 } });
  });

  it('makes the full offer once; answers after it get a one-line reminder (stories 2 and 5)', () => {
    const settled = fixture('settled');
    let s = settled;
    for (const text of ['postgres probably', 'it has to run for many years', 'english and welsh', 'we are 8 developers']) {
      const r = say(s, text);
      s = r.session;
      if (s.phase !== 'settled') break;
      const reply = only(r.replies, 'settled');
      expect(reply.text, text).toMatch(/^(?:Django will still very likely stay ahead \((?:about an? [\d.]+%|less than a 1%) chance of a change\)|(?:Still settled|Now settled, whatever the remaining answers): Django stays ahead)\.$/);
    }
    expect(Object.keys(s.answers).length).toBeGreaterThan(Object.keys(settled.answers).length);
  });

  it('after the result, an answer that keeps the verdict says what changed in a line; one that changes it shows the result (story 6)', () => {
    const result = fixture('result');
    const r = say(result, 'we need it in french, german and spanish');
    expect(r.session.phase).toBe('result');
    expect(r.session.answers['i18n']).toBe('yes');
    expect(describeReplies(r.replies)).toBe('answered notice(recorded_other) settled');
    const update = only(r.replies, 'settled');
    expect(update.text).toMatch(/^Django still leads: Django \d+, Flask \d+ \(before: Django \d+, Flask \d+\); confidence (?:High|Medium|Low)(?:, as before| \(was \w+\))\. Say details for everything behind it\.$/);
    expect(update.version).toBe(r.session.version);
    expect(describeReplies(conversation.step(r.session, { type: 'result', version: r.session.version }).replies)).toBe('recommendation');
    const flipped = conversation.step(result, { type: 'answer', criterion: 'flexibility', option: 'high', version: result.version });
    expect(recommend(knowledge, flipped.session.answers).winner).not.toBe('django');
    expect(only(flipped.replies, 'recommendation').view.winnerName).not.toBe('Django');
  });

  it('numbers questions by the distinct questions put so far: the same question keeps its number, a new one gets the previous max + 1', () => {
    const answerTexts = ['solo dev building a small REST API', 'we are 8 developers', "we don't need an admin panel", 'postgres', 'not sure', 'yes', 'no', '1', '2', 'microservices'];
    const spec = fc.oneof(
      fc.constantFrom(...answerTexts).map((text) => (): ConversationEvent => ({ type: 'text', text })),
      fc.tuple(fc.constantFrom(...criterionIds), fc.nat()).map(([criterion, n]) => (s: Session): ConversationEvent => {
        const options = knowledge.criterionById.get(criterion)!.options;
        return { type: 'answer', criterion, option: options[n % options.length]!.id, version: s.version };
      }),
      fc.constantFrom<ConversationEvent['type']>('skip', 'result', 'refine', 'why', 'help').map((type) => (s: Session) => ({ type, version: s.version }) as ConversationEvent),
    );
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 30 }), (specs) => {
        let s = started();
        const numbers = new Map([[s.current!, 1]]);
        for (const next of specs) {
          const r = conversation.step(s, next(s));
          s = r.session;
          const q = r.replies.find((x): x is QuestionReply => x.kind === 'question');
          if (!q || q.currentAnswer) continue;
          const known = numbers.get(q.criterion);
          if (known === undefined) numbers.set(q.criterion, numbers.size + 1);
          expect(q.progress.questionNumber).toBe(known ?? numbers.size);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('properties of understanding and back', () => {
  const plain = createConversation(knowledge);
  const recording = fc.oneof(
    fc.constantFrom(
      'solo dev building a small REST API',
      "We're 3 people making an online shop with an admin back office",
      'postgres, no admin, english only, 8 devs',
      'only about 20 people in ops will use it',
      'we know django and need it fast',
      '2 founders, 10+ years, about 50k readers a month',
      'microservices',
      'not sure',
      '3',
      '1',
    ),
    fc.tuple(criterionArb, fc.nat()).map(([criterion, n]) => {
      const c = knowledge.criterionById.get(criterion);
      return c ? { criterion, option: c.options[n % c.options.length]!.id } : 'skip';
    }),
  );

  it('back restores the exact answers and history from before the last recorded message', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 25 }), fc.constantFrom<Fixture>('asking', 'settled', 'result'), recording, (specs, start, record) => {
        let s = sessionIn(plain, knowledge, start);
        for (const spec of specs) s = plain.step(s, spec(s)).session;
        if (s.phase === 'new' || s.phase === 'cancelled') return;
        const event: ConversationEvent =
          typeof record === 'string'
            ? record === 'skip'
              ? { type: 'skip', version: s.version }
              : { type: 'text', text: record }
            : { type: 'answer', criterion: record.criterion, option: record.option, version: s.version };
        const after = plain.step(s, event).session;
        if (after.turns?.at(-1) === s.turns?.at(-1)) return; // nothing recorded
        const back = plain.step(after, { type: 'back', version: after.version }).session;
        expect(back.answers).toEqual(s.answers);
        expect(back.history).toEqual(s.history);
        // Back to the question that was open, or (a message at the offer or after the result) to where it came.
        if (after.turns!.at(-1)!.asked !== null) expect(back.phase).toBe('asking');
        else expect(['asking', 'settled', 'result']).toContain(back.phase);
      }),
      { numRuns: 300 },
    );
  });

  const questionText = fc
    .tuple(
      fc.constantFrom('what is', 'how does', 'can flask', 'does django', 'why', 'which', 'should we', 'is it'),
      fc.array(fc.constantFrom(...knowledge.criteria.flatMap((c) => [c.title, ...c.options.flatMap((o) => [o.label, ...o.synonyms.slice(0, 3)])])), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([q, words]) => `${q} ${words.join(' ')}?`);

  it('a typed question never changes the session, in any phase', () => {
    fc.assert(
      fc.property(fc.constantFrom<Fixture>('new', 'asking', 'settled', 'result', 'cancelled'), questionText, (phase, text) => {
        const s = sessionIn(plain, knowledge, phase);
        const r = plain.step(s, { type: 'text', text });
        expect(r.session, text).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});
