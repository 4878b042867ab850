/**
 * The conversation state machine: a pure `step(session, event) -> { session, replies }`.
 *
 * It asks one criterion per turn in the engine's `next_question` order, says when
 * the verdict is settled, and gives every event in every phase a defined result:
 * an event that does not apply gets a notice, never an exception. The version goes
 * up by one whenever the session changes; an event carrying an older version
 * (a double click, a button on an old message) changes nothing.
 */
import { askKnowledge } from '../engine/ask.ts';
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import { rankQuestions, recommend } from '../engine/recommend.ts';
import type { Recommendation } from '../engine/types.ts';
import { parseText, type TextMatch, type TypedCommand } from './parse.ts';
import type { ConversationEvent, Reply, Session, SessionKey, StepResult } from './types.ts';
import {
  criterionOf,
  helpReply,
  notice,
  optionLabel,
  optionView,
  questionReply,
  recommendationView,
  whyReply,
} from './views.ts';

export interface Conversation {
  step(session: Session, event: ConversationEvent): StepResult;
}

export function createSession(key: SessionKey): Session {
  return { key, version: 0, phase: 'new', current: null, answers: {}, history: [], refining: false };
}

const NOT_UNDERSTOOD: Record<'empty' | 'too_long' | 'no_match' | 'ambiguous', string> = {
  empty: 'That message was empty.',
  too_long: 'That message is too long for me to read; a short answer works best.',
  no_match: "I didn't catch that.",
  ambiguous: 'That could mean more than one option.',
};

export function createConversation(knowledge: Knowledge): Conversation {
  const evaluate = (session: Session): Recommendation => recommend(knowledge, session.answers);

  /** The reply for the session's current phase, used when an event changes nothing. */
  function restate(session: Session, hint?: string): Reply[] {
    const rec = evaluate(session);
    switch (session.phase) {
      case 'asking':
        return [questionReply(knowledge, session, rec, session.current!, hint)];
      case 'settled':
        return [settledReply(session, rec)];
      case 'result':
        return [recommendationReply(session, rec)];
      case 'new':
      case 'cancelled':
        return [];
    }
  }

  function settledReply(session: Session, rec: Recommendation): Reply {
    const winner = rec.winner === null ? null : (knowledge.frameworkById.get(rec.winner)?.name ?? rec.winner);
    const lead = winner === null ? 'the frameworks stay tied' : `${winner} stays ahead`;
    return {
      kind: 'settled',
      text: `The remaining questions can no longer change this: ${lead}. See the result now, or keep refining to add detail.`,
      winnerName: winner,
      progress: {
        answered: rec.answered.length,
        remaining: rec.unanswered.length,
        questionNumber: rec.answered.length + 1,
        settled: true,
        text: `${rec.answered.length} answered · verdict settled`,
      },
      version: session.version,
    };
  }

  function recommendationReply(session: Session, rec: Recommendation): Reply {
    return {
      kind: 'recommendation',
      view: recommendationView(knowledge, session.answers, rec),
      canRefine: rec.unanswered.length > 0,
      version: session.version,
    };
  }

  /** Moves to the next question, the settled offer, or the result; bumps the version. */
  function advance(before: Session, draft: Session, replies: Reply[]): StepResult {
    const session: Session = { ...draft, version: before.version + 1 };
    const rec = evaluate(session);
    if (rec.unanswered.length === 0) {
      const done: Session = { ...session, phase: 'result', current: null };
      return { session: done, replies: [...replies, recommendationReply(done, rec)] };
    }
    if (rec.decided && !session.refining) {
      const settled: Session = { ...session, phase: 'settled', current: null };
      return { session: settled, replies: [...replies, settledReply(settled, rec)] };
    }
    const next = rec.next_question ?? rankQuestions(knowledge, session.answers)[0]!;
    const asking: Session = { ...session, phase: 'asking', current: next };
    return { session: asking, replies: [...replies, questionReply(knowledge, asking, rec, next)] };
  }

  /** A session change that shows the recommendation again (phase `result`). */
  function showResult(before: Session, draft: Session, replies: Reply[]): StepResult {
    const session: Session = { ...draft, phase: 'result', current: null, version: before.version + 1 };
    return { session, replies: [...replies, recommendationReply(session, evaluate(session))] };
  }

  function unchanged(session: Session, replies: Reply[]): StepResult {
    return { session, replies };
  }

  function record(session: Session, criterion: string, option: string): Session {
    return {
      ...session,
      answers: { ...session.answers, [criterion]: option },
      history: [...session.history.filter((c) => c !== criterion), criterion],
    };
  }

  function answeredReply(criterion: string, option: string, understoodFrom?: string): Reply {
    const c = criterionOf(knowledge, criterion);
    return {
      kind: 'answered',
      criterion,
      title: c.title,
      question: c.question,
      answer: optionView(knowledge, criterion, option),
      ...(understoodFrom ? { understoodFrom } : {}),
    };
  }

  function isStale(session: Session, version: number | undefined): boolean {
    return version !== undefined && version !== session.version;
  }

  function staleNotice(session: Session): StepResult {
    return unchanged(session, [notice('stale', 'That button is from an earlier step, so nothing changed.'), ...restate(session)]);
  }

  function begin(session: Session): Session {
    return { ...session, phase: 'asking', current: null, answers: {}, history: [], refining: false };
  }

  /** Records answers and continues: in `result`, shows the updated result; otherwise asks on. */
  function applyAnswers(session: Session, matches: readonly TextMatch[], typed: boolean): StepResult {
    const wasResult = session.phase === 'result';
    let draft = session.phase === 'new' || session.phase === 'cancelled' ? begin(session) : session;
    const replies: Reply[] = [];
    for (const match of matches) {
      draft = record(draft, match.criterion, match.option);
      replies.push(answeredReply(match.criterion, match.option, typed ? match.evidence : undefined));
    }
    if (matches.length > 1) {
      const understood = matches.map((m) => `${criterionOf(knowledge, m.criterion).title}: ${optionLabel(knowledge, m.criterion, m.option)}`);
      replies.push(notice('recorded_several', `Got several answers from that: ${understood.join('; ')}. Say "change <topic>" if I misread one.`));
    }
    return wasResult ? showResult(session, draft, replies) : advance(session, draft, replies);
  }

  function onAnswer(session: Session, criterion: string, option: string, version: number | undefined): StepResult {
    const c = knowledge.criterionById.get(criterion);
    const valid = c && (option === SKIP || c.options.some((o) => o.id === option));
    if (!valid) {
      return unchanged(session, [notice('not_applicable', 'That is not one of the options.'), ...restate(session)]);
    }
    if (session.answers[criterion] === option && session.current !== criterion) {
      return unchanged(session, [notice('already_recorded', `Already recorded: ${c.title} is "${optionLabel(knowledge, criterion, option)}".`)]);
    }
    if (isStale(session, version)) return staleNotice(session);
    if (session.phase === 'new' || session.phase === 'cancelled') return notStarted(session);
    const changing = session.current !== criterion && session.answers[criterion] !== undefined;
    const result = applyAnswers(session, [{ criterion, option, evidence: '' }], false);
    if (!changing) return result;
    return { ...result, replies: [notice('changed', `Changed ${c.title} to "${optionLabel(knowledge, criterion, option)}".`), ...result.replies] };
  }

  function notStarted(session: Session): StepResult {
    const text =
      session.phase === 'cancelled'
        ? 'This interview was cancelled. Start a new one (say start) whenever you like.'
        : 'No interview is running here yet. Say start to begin.';
    return unchanged(session, [notice('not_applicable', text)]);
  }

  function onSkip(session: Session, criterion: string | undefined, version: number | undefined): StepResult {
    if (session.phase !== 'asking') {
      return unchanged(session, [notice('not_applicable', 'There is no question to skip right now.'), ...restate(session)]);
    }
    if (criterion !== undefined && criterion !== session.current) {
      return unchanged(session, [notice('already_recorded', 'That question was already dealt with.'), ...restate(session)]);
    }
    if (isStale(session, version)) return staleNotice(session);
    const current = session.current!;
    return advance(session, record(session, current, SKIP), [answeredReply(current, SKIP)]);
  }

  function onBack(session: Session, version: number | undefined): StepResult {
    if (session.phase === 'new' || session.phase === 'cancelled') return notStarted(session);
    if (isStale(session, version)) return staleNotice(session);
    const last = session.history.at(-1);
    if (last === undefined) {
      return unchanged(session, [notice('nothing_to_undo', 'This is the first question; there is nothing to go back to.'), ...restate(session)]);
    }
    const answers = { ...session.answers };
    const previous = answers[last]!;
    delete answers[last];
    const back: Session = {
      ...session,
      version: session.version + 1,
      phase: 'asking',
      current: last,
      answers,
      history: session.history.slice(0, -1),
    };
    const rec = evaluate(back);
    const reply = questionReply(knowledge, back, rec, last);
    reply.currentAnswer = optionView(knowledge, last, previous);
    return { session: back, replies: [reply] };
  }

  function onChange(session: Session, criterion: string, version: number | undefined): StepResult {
    if (session.phase === 'new' || session.phase === 'cancelled') return notStarted(session);
    if (!knowledge.criterionById.has(criterion)) {
      const titles = knowledge.criteria.map((c) => c.title.toLowerCase()).join(', ');
      return unchanged(session, [notice('unknown_criterion', `I don't know that topic. You can change: ${titles}.`), ...restate(session)]);
    }
    if (isStale(session, version)) return staleNotice(session);
    if (session.phase === 'asking' && session.current === criterion) return unchanged(session, restate(session));
    const changing: Session = { ...session, version: session.version + 1, phase: 'asking', current: criterion };
    return { session: changing, replies: [questionReply(knowledge, changing, evaluate(changing), criterion)] };
  }

  function onWhy(session: Session, criterion: string | undefined): StepResult {
    const target = criterion ?? session.current;
    if (target === null || target === undefined || !knowledge.criterionById.has(target)) {
      return unchanged(session, [notice('not_applicable', 'Ask "why" while a question is open, or name the topic, e.g. "why database".')]);
    }
    return unchanged(session, [whyReply(knowledge, session.answers, target)]);
  }

  function onResult(session: Session, version: number | undefined): StepResult {
    if (session.phase === 'new' || session.phase === 'cancelled') return notStarted(session);
    if (isStale(session, version)) return staleNotice(session);
    if (Object.keys(session.answers).length === 0) {
      return unchanged(session, [notice('not_applicable', 'Answer at least one question first; there is nothing to recommend from yet.'), ...restate(session)]);
    }
    if (session.phase === 'result') return unchanged(session, restate(session));
    return showResult(session, session, []);
  }

  function onRefine(session: Session, version: number | undefined): StepResult {
    if (session.phase === 'new' || session.phase === 'cancelled') return notStarted(session);
    if (isStale(session, version)) return staleNotice(session);
    if (session.phase === 'asking') {
      return unchanged(session, [notice('not_applicable', 'The interview is already going; here is the current question.'), ...restate(session)]);
    }
    if (evaluate(session).unanswered.length === 0) {
      return unchanged(session, [notice('not_applicable', 'Every question is answered already. Say "change <topic>" to revise one.')]);
    }
    // Refining only means something once the verdict is settled; before that, "continue" just asks on.
    return advance(session, { ...session, refining: evaluate(session).decided }, []);
  }

  function onRestart(session: Session, version: number | undefined): StepResult {
    if (isStale(session, version)) return staleNotice(session);
    return advance(session, begin(session), [notice('restarted', 'Starting over with no answers.')]);
  }

  function onCancel(session: Session, version: number | undefined): StepResult {
    if (session.phase === 'cancelled' || session.phase === 'new') return notStarted(session);
    if (isStale(session, version)) return staleNotice(session);
    const cancelled: Session = { ...session, version: session.version + 1, phase: 'cancelled', current: null };
    return { session: cancelled, replies: [notice('cancelled', 'Interview cancelled. Say start whenever you want to begin again.')] };
  }

  function onStart(session: Session): StepResult {
    if (session.phase === 'new' || session.phase === 'cancelled') return advance(session, begin(session), []);
    return unchanged(session, [notice('not_applicable', 'Picking up where you left off.'), ...restate(session)]);
  }

  function onCommand(session: Session, command: TypedCommand): StepResult {
    switch (command.type) {
      case 'change':
        return onChange(session, command.criterion, undefined);
      case 'skip':
        return onSkip(session, undefined, undefined);
      case 'why':
        return onWhy(session, undefined);
      case 'ask':
        return unchanged(session, [{ kind: 'ask', answer: askKnowledge(knowledge, command.question) }]);
      default:
        return step(session, { type: command.type });
    }
  }

  function onText(session: Session, text: string): StepResult {
    const parsed = parseText(knowledge, text, session.current);
    if (parsed.kind === 'command') return onCommand(session, parsed.command);
    if (parsed.kind === 'answers') return applyAnswers(session, parsed.matches, true);
    const reason = NOT_UNDERSTOOD[parsed.reason];
    if (session.phase === 'asking') {
      const hint = `${reason} Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.`;
      return unchanged(session, restate(session, hint));
    }
    const code = parsed.reason === 'too_long' ? 'input_too_long' : 'not_understood';
    return unchanged(session, [notice(code, `${reason} Type help to see what I understand.`), ...restate(session)]);
  }

  function step(session: Session, event: ConversationEvent): StepResult {
    switch (event.type) {
      case 'start':
        return onStart(session);
      case 'answer':
        return onAnswer(session, event.criterion, event.option, event.version);
      case 'text':
        return onText(session, event.text);
      case 'skip':
        return onSkip(session, event.criterion, event.version);
      case 'back':
        return onBack(session, event.version);
      case 'change':
        return onChange(session, event.criterion, event.version);
      case 'why':
        return onWhy(session, event.criterion);
      case 'result':
        return onResult(session, event.version);
      case 'refine':
        return onRefine(session, event.version);
      case 'restart':
        return onRestart(session, event.version);
      case 'cancel':
        return onCancel(session, event.version);
      case 'help':
        return unchanged(session, [helpReply()]);
      case 'ask':
        return unchanged(session, [{ kind: 'ask', answer: askKnowledge(knowledge, event.question) }]);
    }
  }

  return { step };
}
