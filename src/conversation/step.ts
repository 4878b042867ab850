/**
 * The conversation state machine: a pure `step(session, event) -> { session, replies }`.
 *
 * It asks one criterion per turn in the engine's `next_question` order (an open question stays open until it is
 * answered, whatever else a message answers) and offers the result (phase `settled`) as soon as the verdict is decided
 * or its chance of change is at most 5%; people can go on answering (refining). Every event in every phase has a
 * defined result: an event that does not apply gets a notice, never an exception. The version goes up by one whenever
 * the session changes; an event carrying an older version (a double click, a button on an old message) changes nothing.
 */
import { askKnowledge } from '../engine/ask.ts';
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import { canStopAsking } from '../engine/chance.ts';
import { rankQuestions, recommend } from '../engine/recommend.ts';
import type { Recommendation } from '../engine/types.ts';
import { parseText, type ParsedText, type TextMatch, type TypedCommand, type UnknownReason } from './parse.ts';
import { cancelledText, changedNotice, verdictTurned, leftAsItWasText, NOT_UNDERSTOOD, notStartedText, notUnderstoodHint, OFFER_HINT, recordedReplies, resultHintText, resumedText, resultUpdate, topicsText, undoneText } from './notices.ts';
import { offerReply } from './parsing/offer-replies.ts';
import type { ConversationEvent, Reply, Session, SessionKey, StepResult } from './types.ts';
import { asking, recordTurn, undoTurn, withMoveTurn } from './history.ts';
import { detailsReplies } from './details-view.ts';
import { ambiguityReply, withOpenAmbiguity } from './ambiguity.ts';
import { deepFreeze } from '../deep-freeze.ts';
import { answeredReply, helpReply, notice, optionLabel, questionReply, recommendationView, resultIsFinal, settledReply, whyReply } from './views.ts';

export interface Conversation {
  step(session: Session, event: ConversationEvent): StepResult;
}

export function createSession(key: SessionKey): Session {
  return { key, version: 0, phase: 'new', current: null, answers: {}, history: [], refining: false, turns: [], shown: null, questions: [] };
}

export function createConversation(knowledge: Knowledge): Conversation {
  // Every interview opens on no answers: that recommendation (the first question's) is worked out once, frozen, and shared.
  let opening: Recommendation | undefined;
  const evaluate = (session: Session): Recommendation =>
    Object.keys(session.answers).length > 0 ? recommend(knowledge, session.answers) : (opening ??= deepFreeze(recommend(knowledge, {})));

  /**
   * The reply for the session's current phase, used when an event changes nothing. A result is
   * not shown again (it is the message above): the notice before says what can be done. The
   * offer of the result was made when the session settled, so it comes back as a one-line
   * reminder; `fullOffer` (picking an interview up) makes it again.
   */
  function restate(session: Session, hint?: string, fullOffer = false): Reply[] {
    const rec = evaluate(session);
    switch (session.phase) {
      case 'asking':
        return [questionReply(knowledge, session, rec, session.current!, hint)];
      case 'settled':
        return [settledReply(knowledge, session, rec, fullOffer ? undefined : { wasDecided: rec.decided })];
      case 'result':
      case 'new':
      case 'cancelled':
        return [];
    }
  }

  /** What to say after the result instead of showing it again. */
  const resultHint = (session: Session): string => resultHintText(evaluate(session).unanswered.length > 0);

  function recommendationReply(session: Session, rec: Recommendation): Reply {
    return {
      kind: 'recommendation',
      view: recommendationView(knowledge, session.answers, rec),
      canRefine: rec.unanswered.length > 0,
      version: session.version,
    };
  }

  /**
   * The question to ask while the interview goes on: the open one while it is unanswered (an
   * answer to other questions never swaps it), then the last one put to the user, if still
   * unanswered (interrupted by a revisited answer, an early result or the offer).
   */
  function stillOpen(session: Session): string | null {
    const open = [session.current, session.shown?.criterion].find((c): c is string => typeof c === 'string' && knowledge.criterionById.has(c) && session.answers[c] === undefined);
    return open ?? null;
  }

  /** Moves to the next question, the settled offer, or the result; bumps the version. */
  function advance(before: Session, draft: Session, replies: Reply[]): StepResult {
    const session: Session = { ...draft, version: before.version + 1 };
    const rec = evaluate(session);
    if (rec.unanswered.length === 0) {
      const done: Session = { ...session, phase: 'result', current: null };
      return { session: done, replies: [...replies, recommendationReply(done, rec)] };
    }
    // The stop: decided, or a chance of change of at most 5%. People may still go on (refining).
    if (canStopAsking(rec) && !session.refining) {
      const settled: Session = { ...session, phase: 'settled', current: null };
      // Offered already, and answering on kept the winner: a one-line reminder, not the offer again.
      const prior = before.phase === 'settled' ? evaluate(before) : null;
      const reminder = prior !== null && prior.winner === rec.winner ? { wasDecided: prior.decided } : undefined;
      return { session: settled, replies: [...replies, settledReply(knowledge, settled, rec, reminder)] };
    }
    const next = stillOpen(session) ?? rec.next_question ?? rankQuestions(knowledge, session.answers)[0]!;
    const asked = asking(session, next);
    return { session: asked, replies: [...replies, questionReply(knowledge, asked, rec, next)] };
  }

  /** A session change that shows the recommendation again (phase `result`). */
  function showResult(before: Session, draft: Session, replies: Reply[]): StepResult {
    const session: Session = { ...draft, phase: 'result', current: null, version: before.version + 1 };
    return { session, replies: [...replies, recommendationReply(session, evaluate(session))] };
  }

  /** After the result, answers changed (`draft`): the full result when the winner changes, else a short update. */
  function updateResult(before: Session, draft: Session, replies: Reply[]): StepResult {
    const was = evaluate(before);
    const now = evaluate(draft);
    if (was.winner !== now.winner) return showResult(before, draft, replies);
    const updated: Session = { ...draft, phase: 'result', current: null, version: before.version + 1 };
    return { session: updated, replies: [...replies, resultUpdate(knowledge, updated, was, now)] };
  }

  function unchanged(session: Session, replies: Reply[]): StepResult {
    return { session, replies };
  }

  function isStale(session: Session, version: number | undefined): boolean {
    return version !== undefined && version !== session.version;
  }

  function staleNotice(session: Session): StepResult {
    return unchanged(session, [notice('stale', 'That button is from an earlier step, so nothing changed.'), ...restate(session)]);
  }

  function begin(session: Session): Session {
    return { ...session, phase: 'asking', current: null, answers: {}, history: [], refining: false, turns: [], shown: null, questions: [] };
  }

  /**
   * Records answers and continues: in `result`, a short update when the verdict stays (the full
   * result when it changes); otherwise asks on. `question`: a question the same message asked,
   * answered from the knowledge base before the interview goes on.
   */
  function applyAnswers(session: Session, matches: readonly TextMatch[], typed: boolean, question?: string): StepResult {
    const started = session.phase === 'new' || session.phase === 'cancelled' ? begin(session) : session;
    const draft = recordTurn(started, matches);
    const replies = recordedReplies(knowledge, started, matches, typed);
    if (question !== undefined) replies.push({ kind: 'ask', answer: askKnowledge(knowledge, question) });
    const turned = verdictTurned(knowledge, started, matches, evaluate(started), evaluate(draft));
    if (turned) replies.push(notice('verdict_changed', turned));
    if (session.phase !== 'result') return advance(session, draft, replies);
    return updateResult(session, draft, replies);
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
    return { ...result, replies: [changedNotice(knowledge, criterion, session.answers[criterion]!, option), ...result.replies] };
  }

  function notStarted(session: Session): StepResult {
    return unchanged(session, [notice('not_applicable', notStartedText(session.phase === 'cancelled'))]);
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
    // Skipping a revisited question replaces its answer with "Don't know": said, as any change is.
    const was = session.answers[current];
    const changed = was !== undefined && was !== SKIP ? [changedNotice(knowledge, current, was, SKIP)] : [];
    return advance(session, recordTurn(session, [{ criterion: current, option: SKIP }]), [...changed, answeredReply(knowledge, current, SKIP)]);
  }

  /**
   * Undoes exactly what the last message or click recorded (an answer it added goes away, one it
   * replaced comes back), says so, and returns to where that message came: the question that was
   * open then (with its number), the offer, or the result.
   */
  function onBack(session: Session, version: number | undefined): StepResult {
    const turns = session.turns ?? [];
    const turn = turns.at(-1);
    const uncancel = session.phase === 'cancelled' && turn?.kind === 'cancel' && !isStale(session, version);
    if (session.phase === 'new' || (session.phase === 'cancelled' && !uncancel)) return notStarted(session);
    if (isStale(session, version)) return staleNotice(session);
    if (!turn) return backWithoutTurns(session);
    // A stored turn may name a criterion the pack no longer has: only known ones are restored.
    const known = { ...turn, changes: turn.changes.filter((c) => knowledge.criterionById.has(c.criterion)) };
    const draft: Session = { ...session, ...undoTurn(session, known), turns: turns.slice(0, -1), shown: turn.shown };
    const replies: Reply[] = [
      uncancel ? notice('resumed', 'The interview is back, as you left it.')
      : turn.kind === 'revisit' ? notice('undone', leftAsItWasText(knowledge, session))
      : notice('undone', undoneText(knowledge, session.answers, known.changes)),
    ];
    const target = turn.asked !== null && knowledge.criterionById.has(turn.asked) ? turn.asked : null;
    if (target !== null) {
      const back = asking({ ...draft, version: session.version + 1, shown: turn.shown }, target);
      return { session: back, replies: [...replies, questionReply(knowledge, back, evaluate(back), target)] };
    }
    if (turn.phase === 'result' && (session.phase === 'result' || turn.kind === 'revisit')) return updateResult(session, draft, replies);
    if (uncancel && turn.phase === 'result') return showResult(session, draft, replies);
    return advance(session, draft, replies);
  }

  /** Sessions stored before turns existed (or past `MAX_TURNS`): undo the last answer in `history`. */
  function backWithoutTurns(session: Session): StepResult {
    const last = session.history.at(-1);
    if (last === undefined || !knowledge.criterionById.has(last)) {
      return unchanged(session, [notice('nothing_to_undo', 'There is nothing to undo yet.'), ...restate(session)]);
    }
    const answers = { ...session.answers };
    delete answers[last];
    const undone = undoneText(knowledge, session.answers, [{ criterion: last, before: null, position: -1 }]);
    const draft: Session = { ...session, version: session.version + 1, answers, history: session.history.slice(0, -1), turns: [], shown: null };
    const back = asking(draft, last);
    return { session: back, replies: [notice('undone', undone), questionReply(knowledge, back, evaluate(back), last)] };
  }

  function onChange(session: Session, criterion: string, version: number | undefined): StepResult {
    if (session.phase === 'new' || session.phase === 'cancelled') return notStarted(session);
    if (!knowledge.criterionById.has(criterion)) {
      const titles = knowledge.criteria.map((c) => c.title.toLowerCase()).join(', ');
      return unchanged(session, [notice('unknown_criterion', `I don't know that topic. You can change: ${titles}.`), ...restate(session)]);
    }
    if (isStale(session, version)) return staleNotice(session);
    if (session.phase === 'asking' && session.current === criterion) return unchanged(session, restate(session));
    // A turn of its own, so `back` leaves the answer as it was and returns to where the interview was.
    const changing = asking({ ...withMoveTurn(session, 'revisit'), version: session.version + 1 }, criterion);
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
    if (session.phase === 'result') return unchanged(session, [recommendationReply(session, evaluate(session))]);
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
    // Refining only means something once the result is offered; before that, "continue" just asks on.
    return advance(session, { ...session, refining: canStopAsking(evaluate(session)) }, []);
  }

  function onRestart(session: Session, version: number | undefined): StepResult {
    if (isStale(session, version)) return staleNotice(session);
    return advance(session, begin(session), [notice('restarted', 'Starting over with no answers.')]);
  }

  /** Ends the interview, as one more turn: "stop" or "never mind" typed by mistake is undone by `back`. */
  function onCancel(session: Session, version: number | undefined): StepResult {
    if (session.phase === 'cancelled' || session.phase === 'new') return notStarted(session);
    if (isStale(session, version)) return staleNotice(session);
    const cancelled: Session = { ...withMoveTurn(session, 'cancel'), version: session.version + 1, phase: 'cancelled', current: null };
    return { session: cancelled, replies: [notice('cancelled', cancelledText(Object.keys(session.answers).length))] };
  }

  /** Starts an interview; picks up an unfinished one (saying so), but never a finished one: after its result a new one begins. */
  function onStart(session: Session): StepResult {
    if (session.phase === 'new' || session.phase === 'cancelled') return advance(session, begin(session), []);
    const answered = Object.keys(session.answers).length;
    // A result seen early, which more answers could still change, is an interview to pick up (asking on), not one that ended.
    const rec = session.phase === 'result' ? evaluate(session) : undefined;
    if (rec && resultIsFinal(rec)) return advance(session, begin(session), [notice('restarted', 'Your last interview ended with its result, so a new one begins.')]);
    if (rec) return advance(session, { ...session, refining: canStopAsking(rec) }, [notice('resumed', resumedText(answered, true))]);
    return unchanged(session, [notice('resumed', resumedText(answered, false)), ...restate(session, undefined, true)]);
  }

  /** Everything behind the result so far (every reason, caveat and change, with sources); changes nothing. */
  function onDetails(session: Session, version: number | undefined): StepResult {
    if (session.phase === 'new' || session.phase === 'cancelled') return notStarted(session);
    if (isStale(session, version)) return staleNotice(session);
    if (Object.keys(session.answers).length === 0) {
      return unchanged(session, [notice('not_applicable', 'Answer at least one question first; there are no details yet.'), ...restate(session)]);
    }
    return unchanged(session, [...detailsReplies(knowledge, evaluate(session)), ...(session.phase === 'asking' ? restate(session) : [])]);
  }

  function onCommand(session: Session, command: TypedCommand): StepResult {
    if (command.type === 'change') return onChange(session, command.criterion, undefined);
    if (command.type === 'skip') return onSkip(session, undefined, undefined);
    if (command.type === 'why') return onWhy(session, undefined);
    if (command.type === 'ask') return unchanged(session, [{ kind: 'ask', answer: askKnowledge(knowledge, command.question) }]);
    return step(session, { type: command.type });
  }

  function onText(session: Session, text: string): StepResult {
    // With no question asked, a short reply is never an answer: "yes" to the offer shows the result, "no" asks on,
    // a "thanks" changes nothing (nor does an "ok" start an interview that is not running).
    const reply = session.phase === 'asking' ? null : offerReply(text);
    if (reply !== null) {
      if (session.phase === 'new' || session.phase === 'cancelled') return notStarted(session);
      if (session.phase === 'result') return unchanged(session, [notice('result_hint', resultHint(session))]);
      return reply === 'accept' ? onResult(session, undefined) : reply === 'decline' ? onRefine(session, undefined) : unchanged(session, [notice('offer_hint', OFFER_HINT)]);
    }
    const parsed = parseText(knowledge, text, session.current);
    switch (parsed.kind) {
      case 'command':
        return onCommand(session, parsed.command);
      case 'answers': {
        const applied = applyAnswers(session, parsed.matches, true, parsed.question);
        return { ...applied, replies: withOpenAmbiguity(knowledge, text, session, parsed.matches, applied.replies) };
      }
      case 'question':
        return onQuestion(session, parsed.question, parsed.why);
      case 'topics':
        return onTopics(session, parsed);
      case 'unknown':
        return notUnderstood(session, parsed.reason, parsed.number, text);
    }
  }

  /** A question about a topic is answered (why, or the knowledge base) and never recorded; the open question is asked again. */
  function onQuestion(session: Session, question: string, why: string | null): StepResult {
    const answer: Reply = why !== null ? whyReply(knowledge, session.answers, why) : { kind: 'ask', answer: askKnowledge(knowledge, question) };
    return unchanged(session, [answer, ...(session.phase === 'asking' ? restate(session) : [])]);
  }

  /** "change team": say which topics the words could mean. */
  function onTopics(session: Session, parsed: Extract<ParsedText, { kind: 'topics' }>): StepResult {
    return unchanged(session, [notice('ambiguous_topic', topicsText(knowledge, parsed)), ...(session.phase === 'asking' ? restate(session) : [])]);
  }

  function notUnderstood(session: Session, reason: UnknownReason, number: number | undefined, typed: string): StepResult {
    // Ambiguous about the open question's options: say which; about another question: name it and how to answer it.
    const ambiguous = reason === 'ambiguous' && session.phase !== 'new' ? ambiguityReply(knowledge, typed, session.phase === 'asking' ? session.current : null) : null;
    if (ambiguous?.hint !== undefined) return unchanged(session, restate(session, ambiguous.hint));
    if (ambiguous?.notice !== undefined) return unchanged(session, [notice('not_understood', ambiguous.notice), ...restate(session)]);
    const options = session.current === null ? 0 : (knowledge.criterionById.get(session.current)?.options.length ?? 0);
    if (session.phase === 'asking') return unchanged(session, restate(session, notUnderstoodHint(reason, number, options)));
    const text = NOT_UNDERSTOOD[reason];
    const code = reason === 'too_long' ? 'input_too_long' : 'not_understood';
    if (session.phase === 'result') return unchanged(session, [notice(reason === 'too_long' ? code : 'result_hint', `${text} ${resultHint(session)}`)]);
    return unchanged(session, [notice(code, `${text} Type help to see what I understand.`), ...restate(session)]);
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
      case 'details':
        return onDetails(session, event.version);
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
