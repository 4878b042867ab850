/**
 * Builds the platform-neutral view models from engine results. All the words
 * users read are decided here, once, for every platform.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import { canStopAsking, STOP_CHANCE } from '../engine/chance.ts';
import { MEDIUM_CHANCE } from '../engine/confidence.ts';
import { recommend } from '../engine/recommend.ts';
import type { Answers, Caveat, ClaimRef, Confidence, Recommendation, Reason } from '../engine/types.ts';
import type {
  AnsweredReply,
  CaveatView,
  HelpReply,
  NoticeCode,
  NoticeReply,
  OptionView,
  Progress,
  QuestionReply,
  ReasonView,
  RecommendationView,
  ScoreBar,
  Session,
  SettledReply,
} from './types.ts';
import { soleSource } from '../engine/dispute-sources.ts';
import { criterionOf, disputeHeadingOf, frameworkName, optionLabel, optionView, plural, pointsText, sourceLabels } from './labels.ts';
import { flipText, rankFlips, resultSummary } from './result-view.ts';
import { questionNumber as questionNumberOf, questionsAsked } from './history.ts';

export { SKIP_LABEL, criterionOf, frameworkName, optionLabel, optionView, sourceLabels } from './labels.ts';
export { whyReply } from './why-view.ts';

const BAR_WIDTH = 10;

/** The chances the wording must never round onto from above: the stop (5%) and the top of "medium" (20%). */
const CHANCE_THRESHOLDS = [STOP_CHANCE, MEDIUM_CHANCE];

/**
 * The chance of change as a percentage people read: one decimal under 10% ("5.4"), whole
 * numbers above; never a threshold's own figure for a chance above it ("just over 5").
 */
export function chancePercent(chance: number): { text: string; justOver: boolean } {
  const percent = chance * 100;
  const rounded = percent < 10 ? Math.round(percent * 10) / 10 : Math.round(percent);
  const justOver = CHANCE_THRESHOLDS.some((t) => chance > t && rounded === Math.round(t * 1000) / 10);
  return { text: String(rounded), justOver };
}

/** "about a 3% chance", "about a 5.4% chance", "just over a 5% chance", "less than a 1% chance": the chance of change in words. */
export function chanceWords(chance: number): string {
  if (chance === 0) return 'no chance';
  if (chance === 1) return 'every chance';
  if (chance < 0.01) return 'less than a 1% chance';
  const { text, justOver } = chancePercent(chance);
  if (text === '100') return 'more than a 99% chance';
  // "an 8%", "an 8.5%", "an 11%", "an 18%", "an 80%": the article follows the sound of the number.
  const whole = Math.floor(Number(text));
  const article = whole === 8 || whole === 11 || whole === 18 || (whole >= 80 && whole < 90) ? 'an' : 'a';
  return `${justOver ? 'just over' : 'about'} ${article} ${text}% chance`;
}

/**
 * The chance of change in one sentence, the same on every platform, e.g. "Even if you
 * answered the 9 remaining questions, there is about a 3% chance the verdict would
 * change." Null when nothing is left to answer.
 */
export function chanceSentence(rec: Recommendation): string | null {
  const remaining = rec.unanswered.length;
  if (remaining === 0) return null;
  const questions = remaining === 1 ? 'the one remaining question' : `the ${remaining} remaining questions`;
  if (rec.decided) return `None of ${questions} could change the verdict.`;
  return `Even if you answered ${questions}, there is ${chanceWords(rec.chance_of_change)} the verdict would change.`;
}

export function progressOf(session: Session, rec: Recommendation): Progress {
  const answered = rec.answered.length;
  // "Question N": the question's place among the distinct questions put to the person so far, so
  // the same question asked again keeps its number, a new one gets the next, and `back` shows the
  // number the question had.
  const questionNumber = session.current === null ? questionsAsked(session).length + 1 : questionNumberOf(session, session.current);
  const revisiting = session.current !== null && session.answers[session.current] !== undefined;
  const where = revisiting ? `Revisiting an earlier answer (${plural(answered, 'answer')} so far)` : `Question ${questionNumber}`;
  const text = rec.decided
    ? `${where} · the verdict is settled; more answers only add detail`
    : canStopAsking(rec)
      ? `${where} · the verdict is very likely settled; more answers rarely change it`
      : `${where} · verdict not settled yet`;
  return { answered, remaining: rec.unanswered.length, questionNumber, settled: rec.decided, text };
}

/**
 * The offer to see the result: when the verdict is decided (exactly: no answers can change
 * it), or when its chance of change is at most 5% (then it says how likely a change is).
 * `reminder`: the offer was made already (the person keeps answering instead), so one line;
 * `wasDecided` says whether it was decided then.
 */
export function settledReply(knowledge: Knowledge, session: Session, rec: Recommendation, reminder?: { wasDecided: boolean }): SettledReply {
  const winner = frameworkName(knowledge, rec.winner);
  const offer = 'See the result now, or keep refining to add detail.';
  const stays = winner === null ? 'the frameworks stay tied' : `${winner} stays ahead`;
  const likely = winner === null ? 'The frameworks will very likely stay tied' : `${winner} will very likely stay ahead`;
  const stillLikely = winner === null ? 'The frameworks will still very likely stay tied' : `${winner} will still very likely stay ahead`;
  const text = reminder
    ? rec.decided
      ? `${reminder.wasDecided ? 'Still settled' : 'Now settled, whatever the remaining answers'}: ${stays}.`
      : `${stillLikely} (${chanceWords(rec.chance_of_change)} of a change).`
    : rec.decided
      ? `The remaining questions can no longer change this: ${stays}. ${offer}`
      : `${likely}. ${chanceSentence(rec)} ${offer}`;
  return {
    kind: 'settled',
    text,
    winnerName: winner,
    progress: {
      answered: rec.answered.length,
      remaining: rec.unanswered.length,
      questionNumber: rec.answered.length + 1,
      settled: rec.decided,
      text: `${rec.answered.length} answered · ${rec.decided ? 'verdict settled' : 'verdict very likely settled'}`,
    },
    version: session.version,
  };
}

/** Tells adapters that a question now has an answer (`understoodFrom`: the words it was read from). */
export function answeredReply(knowledge: Knowledge, criterion: string, option: string, understoodFrom?: string): AnsweredReply {
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

export function questionReply(
  knowledge: Knowledge,
  session: Session,
  rec: Recommendation,
  criterionId: string,
  hint?: string,
): QuestionReply {
  const criterion = criterionOf(knowledge, criterionId);
  const reply: QuestionReply = {
    kind: 'question',
    criterion: criterion.id,
    title: criterion.title,
    question: criterion.question,
    options: criterion.options.map((o) => ({ id: o.id, label: o.label })),
    progress: progressOf(session, rec),
    canGoBack: session.history.length > 0,
    version: session.version,
  };
  const current = session.answers[criterionId];
  if (current !== undefined) reply.currentAnswer = optionView(knowledge, criterionId, current);
  if (hint) reply.hint = hint;
  return reply;
}

function claimSentence(claims: readonly ClaimRef[]): string {
  return claims.map((c) => c.text).join(' ');
}

function scoreBars(knowledge: Knowledge, rec: Recommendation): ScoreBar[] {
  const total = Object.values(rec.scores).reduce((sum, s) => sum + s, 0);
  return rec.ranking.map((framework) => {
    const score = rec.scores[framework] ?? 0;
    const share = total === 0 ? 0 : score / total;
    const filled = Math.round(share * BAR_WIDTH);
    return {
      framework,
      name: frameworkName(knowledge, framework) ?? framework,
      score,
      share,
      bar: '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled),
    };
  });
}

/** How much a reason helps the winner over the best other framework (or its largest gain when tied). */
function netForWinner(reason: Reason, winner: string | null): number {
  const values = Object.entries(reason.contribution);
  if (winner === null) return Math.max(0, ...values.map(([, v]) => v));
  const mine = reason.contribution[winner] ?? 0;
  const others = Math.max(0, ...values.filter(([id]) => id !== winner).map(([, v]) => v));
  return mine - others;
}

function reasonViews(knowledge: Knowledge, rec: Recommendation): ReasonView[] {
  return rec.reasons
    .filter((r) => r.answer !== SKIP && Object.values(r.contribution).some((p) => p > 0))
    .map((r, order) => ({ r, order, net: netForWinner(r, rec.winner) }))
    .sort((a, b) => b.net - a.net || a.order - b.order)
    .map(({ r }) => ({
      criterion: r.criterion,
      title: criterionOf(knowledge, r.criterion).title,
      answer: optionLabel(knowledge, r.criterion, r.answer),
      favours: r.favours,
      favoursName: frameworkName(knowledge, r.favours),
      pointsText: pointsText(knowledge, r.contribution),
      text: claimSentence(r.claims),
      sources: sourceLabels(knowledge, r.sources),
    }));
}

export function caveatView(knowledge: Knowledge, caveat: Caveat): CaveatView {
  if (caveat.kind === 'dispute') {
    const sources = caveat.sides.map((s) => s.sources);
    // One article at odds with itself is named in the title, not again after every side.
    const self = soleSource(sources) !== undefined;
    const sides = caveat.sides.map((s) => (self ? s.position : `${s.position} (${sourceLabels(knowledge, s.sources).join('; ')})`));
    return { kind: 'dispute', title: `${disputeHeadingOf(knowledge, sources)}: ${caveat.topic}`, text: `${caveat.summary} ${sides.join(' Versus: ')}` };
  }
  return {
    kind: 'correction',
    title: 'Correction to a source',
    text:
      `${caveat.claim} (${sourceLabels(knowledge, caveat.claim_sources).join('; ')}). ` +
      `Today: ${caveat.correction} (${sourceLabels(knowledge, caveat.correction_sources).join('; ')}).`,
  };
}

const CONFIDENCE_NAME: Record<Confidence, string> = { high: 'High', medium: 'Medium', low: 'Low' };

/**
 * One line saying what the confidence level rests on, from the engine's basis. It speaks of the
 * unanswered questions only: changing a given answer is what "What would change it" lists.
 */
function confidenceText(knowledge: Knowledge, rec: Recommendation): string {
  const basis = rec.confidence_basis;
  const parts: string[] = [];
  if (basis.tied) parts.push('the frameworks are level');
  else if (basis.settled) parts.push(rec.unanswered.length > 0 ? 'no unanswered question can change the verdict' : 'every question is answered');
  else if (basis.unlikely_to_change) parts.push(`${chanceWords(rec.chance_of_change)} that the unanswered questions would change the verdict`);
  else if (basis.one_answer_could_flip) parts.push('a single unanswered question could still change the verdict');
  else if (basis.modest_chance_of_change) parts.push('no single unanswered question could flip it, though several together could');
  else parts.push(`no single unanswered question could flip it, but together they have ${chanceWords(rec.chance_of_change)} of changing it`);
  const deciding = basis.deciding_dispute === null ? undefined : knowledge.disputes.find((d) => d.id === basis.deciding_dispute);
  if (deciding) parts.push(`the lead hinges on a point the sources dispute (${deciding.topic})`);
  else if (basis.rests_on_disputes) parts.push('the lead rests on claims the sources dispute');
  else if (!basis.tied) parts.push('the lead does not depend on disputed claims');
  if (!basis.tied && basis.unknown_could_flip) {
    const unknown = [...new Set(rec.flips.filter((f) => f.from === SKIP).map((f) => knowledge.criterionById.get(f.criterion)?.title ?? f.criterion))];
    const named = unknown.length > 2 ? `${unknown.slice(0, 2).join(', ')} and ${plural(unknown.length - 2, 'other')}` : unknown.join(' or ');
    parts.push(`a question answered "don't know" (${named}) could still change it`);
  }
  return `${CONFIDENCE_NAME[rec.confidence]}: ${parts.join('; ')}.`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Whether a shown result ends the interview: more answers could not change it, or none are left to give. */
export function resultIsFinal(rec: Recommendation): boolean {
  return rec.decided || rec.unanswered.length === 0;
}

export function recommendationView(knowledge: Knowledge, answers: Answers, rec: Recommendation): RecommendationView {
  const winnerName = frameworkName(knowledge, rec.winner);
  const tiedNames = rec.ranking.filter((f) => rec.scores[f] === rec.scores[rec.ranking[0]!]).map((f) => frameworkName(knowledge, f));
  const headline =
    rec.answered.length === 0
      ? 'No answers yet, so no verdict'
      : winnerName === null
        ? `${tiedNames.join(' and ')} are tied so far`
        : rec.decided
          ? `${winnerName} is the better fit for this project`
          : `${winnerName} leads so far`;
  const skipped = Object.values(answers).filter((a) => a === SKIP).length;
  const reasons = reasonViews(knowledge, rec);
  const keyAnswers = rec.reasons
    .filter((r) => r.answer !== SKIP)
    .map((r) => `${criterionOf(knowledge, r.criterion).title}: ${optionLabel(knowledge, r.criterion, r.answer)}`);
  return {
    winner: rec.winner,
    winnerName,
    headline,
    confidence: rec.confidence,
    confidenceText: confidenceText(knowledge, rec),
    decided: rec.decided,
    bars: scoreBars(knowledge, rec),
    reasons,
    caveats: rec.caveats.map((c) => caveatView(knowledge, c)),
    // Every flip, the most actionable first ("don't know" is not a position anyone argues for, so flips to it are left out).
    flips: rankFlips(knowledge, rec.flips).map((f) => flipText(knowledge, f)),
    basis:
      `Based on ${plural(rec.answered.length, 'answer')}${skipped > 0 ? ` (${skipped} "don't know")` : ''}; ` +
      (rec.unanswered.length === 0
        ? `${plural(0, 'question')} left unanswered.`
        : rec.decided
          ? rec.unanswered.length === 1
            ? '1 question left unanswered; it could not change the verdict.'
            : `${plural(rec.unanswered.length, 'question')} left unanswered, none of which could change the verdict.`
          : lowerFirst(chanceSentence(rec)!)),
    chanceOfChange: rec.chance_of_change,
    chanceText: chanceSentence(rec),
    keyAnswers,
    sources: sourceLabels(knowledge, [...new Set(rec.reasons.flatMap((r) => r.sources))]),
    summary: resultSummary(knowledge, rec),
  };
}

/** The recommendation view for a set of answers: what summaries and result cards show. */
export function recommendationFor(knowledge: Knowledge, answers: Answers): RecommendationView {
  return recommendationView(knowledge, answers, recommend(knowledge, answers));
}

/** Section headings of a recommendation, the same on every platform. */
export const SECTION_HEADINGS = {
  reasons: 'Why',
  caveats: 'Caveats',
  flips: 'What would change it',
  sources: 'Sources',
  keyAnswers: 'Key answers',
} as const;

export function notice(code: NoticeCode, text: string): NoticeReply {
  return { kind: 'notice', code, text };
}

export function expiredNotice(): NoticeReply {
  return notice('expired', 'That interview expired after a long pause, so it was closed and a new one begins.');
}

export const COMMANDS: HelpReply['commands'] = [
  { command: 'start', description: 'start an interview, or pick up an unfinished one' },
  { command: 'a number or words', description: 'answer the question; you can answer several at once, e.g. "3 devs building a REST API"' },
  { command: 'skip', description: "\"don't know\": move on, it counts for no side" },
  { command: 'back', description: 'undo your last answer (every answer, if one message gave several), saying what it undid, and go back to where it was asked' },
  { command: 'change <topic>', description: 'answer an earlier question again, e.g. "change team size"' },
  { command: 'why', description: 'why this question matters, and what each answer would do, with sources' },
  { command: 'why <topic>', description: 'the same for any question, e.g. "why database"' },
  { command: 'result', description: 'see the recommendation now' },
  { command: 'details', description: 'everything behind the result: every reason with its sources, every caveat, every change that would flip it' },
  { command: 'continue', description: 'keep answering after the verdict is settled' },
  { command: 'restart', description: 'start over with no answers' },
  { command: 'ask <question>', description: 'ask the sources about the frameworks, e.g. "ask does flask have an ORM?"' },
  { command: 'cancel', description: 'end the interview (undo brings it back)' },
  { command: 'help', description: 'this list' },
];

export function helpReply(): HelpReply {
  return {
    kind: 'help',
    text: 'I ask one question at a time about your project and recommend a Python web framework, showing every reason and its sources.',
    commands: COMMANDS,
  };
}
