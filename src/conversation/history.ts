/**
 * What a session remembers of its turns, so `back` can undo a whole message:
 * recording the answers of one turn, undoing one, and remembering the question
 * on screen. Pure helpers of the state machine (step.ts).
 */
import { MAX_TURNS, type AnswerChange, type Session, type Turn } from './types.ts';

/** The questions put to the person so far; a session stored before they were kept counts its answered ones. */
export function questionsAsked(session: Session): readonly string[] {
  return session.questions ?? session.history;
}

/**
 * "Question N" for `criterion`: its place among the distinct questions put to the person so
 * far, or the next number for one not asked yet.
 */
export function questionNumber(session: Session, criterion: string): number {
  const asked = questionsAsked(session);
  const at = asked.indexOf(criterion);
  return (at < 0 ? asked.length : at) + 1;
}

/**
 * The session asking `criterion` (phase `asking`): an unanswered question joins the questions
 * put to the person (keeping its number if it was asked before) and becomes the one on screen;
 * revisiting an answered one leaves both alone, so the interrupted question can be resumed.
 */
export function asking(session: Session, criterion: string): Session {
  const next: Session = { ...session, phase: 'asking', current: criterion };
  if (session.answers[criterion] !== undefined) return { ...next, shown: session.shown ?? null };
  const asked = questionsAsked(session);
  const questions = asked.includes(criterion) ? [...asked] : [...asked, criterion];
  return { ...next, questions, shown: { criterion, number: questions.indexOf(criterion) + 1 } };
}

/** Records answers as one turn, so that `back` undoes all of them and restores what they replaced. */
export function recordTurn(session: Session, answers: readonly { criterion: string; option: string }[]): Session {
  const next = { ...session.answers };
  let history = [...session.history];
  const changes: AnswerChange[] = [];
  for (const { criterion, option } of answers) {
    changes.push({ criterion, before: next[criterion] ?? null, position: history.indexOf(criterion) });
    next[criterion] = option;
    history = [...history.filter((c) => c !== criterion), criterion];
  }
  const turn: Turn = { asked: session.phase === 'asking' ? session.current : null, shown: session.shown ?? null, changes, phase: session.phase };
  return { ...session, answers: next, history, turns: [...(session.turns ?? []), turn].slice(-MAX_TURNS) };
}

/** `session` with a turn that records no answer but can be undone: a cancel, or the opening of an earlier question. */
export function withMoveTurn(session: Session, kind: NonNullable<Turn['kind']>): Session {
  const turn: Turn = { asked: session.phase === 'asking' ? session.current : null, shown: session.shown ?? null, changes: [], phase: session.phase, kind };
  return { ...session, turns: [...(session.turns ?? []), turn].slice(-MAX_TURNS) };
}

/** The answers and history before `turn`: its changes undone in reverse order. */
export function undoTurn(session: Session, turn: Turn): Pick<Session, 'answers' | 'history'> {
  const answers = { ...session.answers };
  const history = [...session.history];
  for (const change of [...turn.changes].reverse()) {
    const at = history.indexOf(change.criterion);
    if (at >= 0) history.splice(at, 1);
    if (change.before === null) {
      delete answers[change.criterion];
      continue;
    }
    answers[change.criterion] = change.before;
    history.splice(change.position < 0 ? history.length : Math.min(change.position, history.length), 0, change.criterion);
  }
  return { answers, history };
}
