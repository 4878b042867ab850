/**
 * What a session remembers of its turns, so `back` can undo a whole message:
 * recording the answers of one turn, undoing one, and remembering the question
 * on screen. Pure helpers of the state machine (step.ts).
 */
import { MAX_TURNS, type AnswerChange, type Session, type ShownQuestion, type Turn } from './types.ts';

/**
 * The question on screen after asking `criterion`, numbered answers + 1 (as `progressOf` shows
 * it); revisiting an answered one leaves it alone, so the interrupted question can be resumed.
 */
export function shownAfterAsking(session: Session, criterion: string): ShownQuestion | null {
  if (session.answers[criterion] !== undefined) return session.shown ?? null;
  return { criterion, number: Object.keys(session.answers).length + 1 };
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
  const turn: Turn = { asked: session.phase === 'asking' ? session.current : null, shown: session.shown ?? null, changes };
  return { ...session, answers: next, history, turns: [...(session.turns ?? []), turn].slice(-MAX_TURNS) };
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
