/**
 * The wording of what a message did to the answers, for the state machine (step.ts):
 * the answers a typed message recorded (each said once), an update after the result,
 * and why a message was not understood. Pure; all words people read, every platform.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { canStopAsking } from '../engine/chance.ts';
import type { Confidence, Recommendation } from '../engine/types.ts';
import type { ParsedText, TextMatch, UnknownReason } from './parse.ts';
import type { AnswerChange, NoticeReply, Reply, Session, SettledReply } from './types.ts';
import { criterionOf, frameworkName, optionLabel, orList, plural } from './labels.ts';
import { answeredReply, notice } from './views.ts';

export const NOT_UNDERSTOOD: Record<UnknownReason, string> = {
  empty: 'That message was empty.',
  too_long: 'That message is too long for me to read; a short answer works best.',
  no_match: "I didn't catch that.",
  ambiguous: 'That could mean more than one option.',
  out_of_range: 'There is no option with that number.',
  no_open_question: 'No question is open, so a number picks nothing.',
  ask_without_question: 'Ask what? Put your question after ask, for example: ask does flask have an ORM?',
  change_without_topic: 'Change which answer? Name its topic, for example: change team size.',
};

/** A cancel is one more turn: undo (back) brings the interview back, so a "stop" typed by mistake loses nothing. */
export function cancelledText(answers: number): string {
  if (answers === 0) return 'Interview cancelled. Say start whenever you want to begin again (or undo to bring it back).';
  return `Interview cancelled. Say undo to bring it back with your ${plural(answers, 'answer')}, or start to begin a new one.`;
}

/** `start` picking up an unfinished interview; `early`: one whose result was looked at before it ended. */
export function resumedText(answered: number, early: boolean): string {
  if (early) return `Picking up your unfinished interview (${plural(answered, 'answer')} so far, and a look at its result); say result to see it again, or restart to start over.`;
  const sofar = answered === 0 ? 'no answers yet' : `${plural(answered, 'answer')} so far`;
  return `Picking up your unfinished interview (${sofar}); type restart to start over.`;
}

/** An event that needs a running interview, when none is. */
export function notStartedText(cancelled: boolean): string {
  return cancelled ? 'This interview was cancelled. Start a new one (say start) whenever you like.' : 'No interview is running here yet. Say start to begin.';
}

/** At the offer, after a reply that neither takes nor declines it ("thanks"). */
export const OFFER_HINT = 'Say yes (or result) to see the result now, or no (or continue) to keep refining.';

/** What to say after the result instead of showing it again; `more`: questions are left to answer. */
export function resultHintText(more: boolean): string {
  return `The result is above: say details for everything behind it, change <topic> to revise an answer${more ? ', continue to answer more' : ''}, restart or help.`;
}

/** The hint over a question asked again after words it could not read; `options`: how many the open question has. */
export function notUnderstoodHint(reason: UnknownReason, number: number | undefined, options: number): string {
  if (reason === 'out_of_range' && options > 0) {
    const which = number === undefined ? 'with that number' : String(number);
    return `There is no option ${which} here: pick 1 to ${options}, answer in your own words, or say skip, back, why or help.`;
  }
  return `${NOT_UNDERSTOOD[reason]} Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.`;
}

/** "change team": `"team" could mean Team size or Team experience. Say "change team size" or "change team experience".` */
export function topicsText(knowledge: Knowledge, parsed: Extract<ParsedText, { kind: 'topics' }>): string {
  const titles = parsed.candidates.map((c) => criterionOf(knowledge, c).title);
  return `"${parsed.words}" could mean ${orList(titles)}. Say ${orList(titles.map((t) => `"${parsed.verb} ${t.toLowerCase()}"`))}.`;
}

/** `Team size: Large team (6+)`, `Team size changed from "Just one developer" to "Large team (6+)"`, or `...: X, as before`. */
function recordedText(knowledge: Knowledge, match: TextMatch, before: string | undefined): string {
  const title = criterionOf(knowledge, match.criterion).title;
  const label = optionLabel(knowledge, match.criterion, match.option);
  if (before === undefined) return `${title}: ${label}`;
  if (before === match.option) return `${title}: ${label}, as before`;
  return `${title} changed from "${optionLabel(knowledge, match.criterion, before)}" to "${label}"`;
}

/**
 * What a message recorded, each answer said once: the open question's answer as an `answered`
 * record (adapters turn its message into one), every other answer in one notice, saying what
 * it replaced. `answered` replies come for every match, since adapters only show those of a
 * question message they posted. `session` is the session before the message.
 */
/** "Changed Team size from "Solo" to "Small team"." */
export function changedNotice(knowledge: Knowledge, criterion: string, was: string, now: string): NoticeReply {
  return notice('changed', `Changed ${criterionOf(knowledge, criterion).title} from "${optionLabel(knowledge, criterion, was)}" to "${optionLabel(knowledge, criterion, now)}".`);
}

export function recordedReplies(knowledge: Knowledge, session: Session, matches: readonly TextMatch[], typed: boolean): Reply[] {
  const replies: Reply[] = [];
  const asked = session.phase === 'asking' ? session.current : null;
  for (const match of matches) {
    // The open question asked again to change its answer ("change admin"): say what the answer replaced, as a click does.
    const was = session.answers[match.criterion];
    if (typed && match.criterion === asked && was !== undefined && was !== match.option) replies.push(changedNotice(knowledge, match.criterion, was, match.option));
    replies.push(answeredReply(knowledge, match.criterion, match.option, typed ? match.evidence : undefined));
    if (match.note) replies.push(notice('read_as', match.note));
  }
  if (!typed) return replies;
  // A question still on screen (shown before the offer or an early result, and unanswered) gets its answer as a
  // record in place, like the asked one: a notice would say it twice.
  const shown = session.shown?.criterion;
  const onScreen = asked ?? (shown !== undefined && session.answers[shown] === undefined ? shown : null);
  const others = matches.filter((m) => m.criterion !== onScreen);
  const text = (m: TextMatch): string => recordedText(knowledge, m, session.answers[m.criterion]);
  if (others.length === 1) {
    const m = others[0]!;
    const title = criterionOf(knowledge, m.criterion).title;
    const lead = others.length < matches.length ? 'Also noted' : asked !== null ? 'Noted for another question' : 'Noted';
    replies.push(notice('recorded_other', `${lead}: ${text(m)} (from "${m.evidence}"). Say "change ${title.toLowerCase()}" if I misread it.`));
  } else if (others.length > 1) {
    const lead = others.length < matches.length ? 'Also got from that' : 'Got several answers from that';
    replies.push(notice('recorded_several', `${lead}: ${others.map(text).join('; ')}. Say "change <topic>" if I misread one.`));
  }
  return replies;
}

/**
 * What `back` undid, exactly: an answer the message added is unanswered again, one it replaced
 * is back to what it was; an answer it only repeated stays, and is said to. `answers`: the
 * answers before the undo.
 */
/** `back` while an earlier answer is open again ("change team size"): it keeps its answer. */
export function leftAsItWasText(knowledge: Knowledge, session: Session): string {
  const criterion = session.current;
  const answer = criterion === null ? undefined : session.answers[criterion];
  if (criterion === null || answer === undefined || !knowledge.criterionById.has(criterion)) return 'Left that answer as it was.';
  return `Left ${criterionOf(knowledge, criterion).title} as it was: "${optionLabel(knowledge, criterion, answer)}".`;
}

export function undoneText(knowledge: Knowledge, answers: Readonly<Record<string, string>>, changes: readonly AnswerChange[]): string {
  const title = (c: AnswerChange): string => criterionOf(knowledge, c.criterion).title;
  const label = (c: AnswerChange, option: string): string => `"${optionLabel(knowledge, c.criterion, option)}"`;
  const changed = changes.filter((c) => answers[c.criterion] !== undefined && answers[c.criterion] !== c.before);
  const repeated = changes.filter((c) => c.before !== null && answers[c.criterion] === c.before);
  const stays = repeated.length === 0 ? '' : ` ${repeated.map((c) => `${title(c)} stays ${label(c, c.before!)}`).join('; ')} (that message only repeated ${repeated.length === 1 ? 'it' : 'them'}).`;
  if (changed.length === 0) return `Your last message changed no answer, so there was nothing to undo.${stays}`;
  const after = (c: AnswerChange): string => (c.before === null ? 'is unanswered again' : `is back to ${label(c, c.before)}`);
  if (changed.length === 1) {
    const c = changed[0]!;
    return `Undid ${title(c)}: ${label(c, answers[c.criterion]!)}. It ${after(c)}.${stays}`;
  }
  const parts = changed.map((c) => `${title(c)} ${after(c)} (was ${label(c, answers[c.criterion]!)})`);
  return `Undid the ${changed.length} answers from your last message: ${parts.join('; ')}.${stays}`;
}

const LEVEL: Record<Confidence, string> = { high: 'High', medium: 'Medium', low: 'Low' };

function scoresText(knowledge: Knowledge, order: readonly string[], rec: Recommendation): string {
  return order.map((f) => `${frameworkName(knowledge, f)} ${rec.scores[f] ?? 0}`).join(', ');
}

/**
 * After the result, an answer that keeps the verdict: what changed in a line or two (verdict,
 * scores, confidence) instead of the whole result again. A `settled`-kind reply, so chat
 * platforms get live "See result" and "Keep refining" controls with the current version.
 */
export function resultUpdate(knowledge: Knowledge, session: Session, before: Recommendation, after: Recommendation): SettledReply {
  const winner = frameworkName(knowledge, after.winner);
  const nowSettled = after.decided && !before.decided ? ', and the remaining questions can no longer change that' : '';
  const verdict = winner === null ? 'Still a tie' : `${winner} still leads${nowSettled}`;
  const scores = scoresText(knowledge, after.ranking, after);
  const earlier = scoresText(knowledge, after.ranking, before);
  const points = scores === earlier ? `${scores} (unchanged)` : `${scores} (before: ${earlier})`;
  const level = before.confidence === after.confidence ? `${LEVEL[after.confidence]}, as before` : `${LEVEL[after.confidence]} (was ${LEVEL[before.confidence]})`;
  const answered = after.answered.length;
  const status = after.decided ? 'verdict settled' : canStopAsking(after) ? 'verdict very likely settled' : 'verdict not settled yet';
  return {
    kind: 'settled',
    text: `${verdict}: ${points}; confidence ${level}. Say details for everything behind it.`,
    winnerName: winner,
    progress: { answered, remaining: after.unanswered.length, questionNumber: answered + 1, settled: after.decided, text: `${answered} answered · ${status}` },
    version: session.version,
  };
}

/**
 * The verdict looked very likely settled (the result was offered, and its chance of change was still at most 5%), and
 * an answer to a question not yet answered changed who leads: the chance was never zero, so say so rather than let the
 * new leader slip by. A changed earlier answer is not that chance coming true; its own notice says what changed.
 */
export function verdictTurned(knowledge: Knowledge, before: Session, matches: readonly TextMatch[], was: Recommendation, now: Recommendation): string | null {
  const offered = (before.phase === 'settled' || before.refining) && canStopAsking(was);
  const answersOpenQuestion = matches.some((m) => before.answers[m.criterion] === undefined);
  if (!offered || !answersOpenQuestion || was.decided || was.winner === now.winner || was.winner === null) return null;
  const earlier = frameworkName(knowledge, was.winner);
  const leader = frameworkName(knowledge, now.winner);
  const verdict = leader === null ? `made it a tie (${earlier} led)` : `changed the verdict: ${leader} now leads (it was ${earlier})`;
  return `That answer ${verdict}, although the verdict had looked very likely settled.`;
}
