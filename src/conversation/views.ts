/**
 * Builds the platform-neutral view models from engine results. All the words
 * users read are decided here, once, for every platform.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP, type Criterion } from '../knowledge/schema.ts';
import { optionImpacts, recommend } from '../engine/recommend.ts';
import type { Answers, Caveat, ClaimRef, Confidence, Flip, Recommendation, Reason } from '../engine/types.ts';
import type {
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
  WhyReply,
} from './types.ts';

export const SKIP_LABEL = "Don't know";
const BAR_WIDTH = 10;
/** How many flips a recommendation lists: enough to show the pivots, few enough to read. */
const MAX_FLIPS = 5;

export function criterionOf(knowledge: Knowledge, id: string): Criterion {
  const criterion = knowledge.criterionById.get(id);
  if (!criterion) throw new Error(`unknown criterion ${id}`);
  return criterion;
}

export function optionLabel(knowledge: Knowledge, criterionId: string, optionId: string): string {
  if (optionId === SKIP) return SKIP_LABEL;
  return criterionOf(knowledge, criterionId).options.find((o) => o.id === optionId)?.label ?? optionId;
}

export function optionView(knowledge: Knowledge, criterionId: string, optionId: string): OptionView {
  return { id: optionId, label: optionLabel(knowledge, criterionId, optionId) };
}

export function frameworkName(knowledge: Knowledge, id: string | null): string | null {
  return id === null ? null : (knowledge.frameworkById.get(id)?.name ?? id);
}

export function sourceLabels(knowledge: Knowledge, ids: readonly string[]): string[] {
  return ids.map((id) => knowledge.sourceById.get(id)?.label ?? id);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function progressOf(session: Session, rec: Recommendation): Progress {
  const answered = rec.answered.length;
  const questionNumber = answered + 1;
  const revisiting = session.current !== null && session.answers[session.current] !== undefined;
  const where = revisiting ? `Revisiting an earlier answer (${plural(answered, 'answer')} so far)` : `Question ${questionNumber}`;
  const text = rec.decided
    ? `${where} · the verdict is settled; more answers only add detail`
    : `${where} · verdict not settled yet`;
  return { answered, remaining: rec.unanswered.length, questionNumber, settled: rec.decided, text };
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

function pointsText(knowledge: Knowledge, contribution: Record<string, number>): string {
  const parts = Object.entries(contribution)
    .filter(([, points]) => points > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([framework, points]) => `+${points} ${frameworkName(knowledge, framework)}`);
  return parts.length > 0 ? parts.join(', ') : 'no effect';
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

function caveatView(knowledge: Knowledge, caveat: Caveat): CaveatView {
  if (caveat.kind === 'dispute') {
    const sides = caveat.sides.map((s) => `${s.position} (${sourceLabels(knowledge, s.sources).join('; ')})`);
    return { kind: 'dispute', title: `Sources disagree: ${caveat.topic}`, text: `${caveat.summary} ${sides.join(' Versus: ')}` };
  }
  return {
    kind: 'correction',
    title: 'Correction to a source',
    text:
      `${caveat.claim} (${sourceLabels(knowledge, caveat.claim_sources).join('; ')}). ` +
      `Today: ${caveat.correction} (${sourceLabels(knowledge, caveat.correction_sources).join('; ')}).`,
  };
}

function flipText(knowledge: Knowledge, flip: Flip): string {
  const title = criterionOf(knowledge, flip.criterion).title;
  const to = optionLabel(knowledge, flip.criterion, flip.to);
  const outcome = flip.winner === null ? 'it would be a tie' : `${frameworkName(knowledge, flip.winner)} would lead`;
  if (flip.from === null) return `If you answered "${title}: ${to}", ${outcome}.`;
  return `If "${title}" were "${to}" instead of "${optionLabel(knowledge, flip.criterion, flip.from)}", ${outcome}.`;
}

const CONFIDENCE_NAME: Record<Confidence, string> = { high: 'High', medium: 'Medium', low: 'Low' };

/** One line saying what the confidence level rests on, from the engine's basis. */
function confidenceText(rec: Recommendation): string {
  const basis = rec.confidence_basis;
  const parts: string[] = [];
  if (basis.tied) parts.push('the frameworks are level');
  else if (basis.settled) parts.push(rec.unanswered.length > 0 ? 'no remaining answer can change the verdict' : 'every question is answered');
  else if (basis.one_answer_could_flip) parts.push('a single remaining answer could still change the verdict');
  else parts.push('no single remaining answer could flip it, though several together could');
  if (basis.rests_on_disputes) parts.push('the lead rests on claims the sources dispute');
  else if (!basis.tied) parts.push('the lead does not depend on disputed claims');
  return `${CONFIDENCE_NAME[rec.confidence]}: ${parts.join('; ')}.`;
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
    confidenceText: confidenceText(rec),
    decided: rec.decided,
    bars: scoreBars(knowledge, rec),
    reasons,
    caveats: rec.caveats.map((c) => caveatView(knowledge, c)),
    // "Don't know" is not a position anyone argues for, so flips to it are left out.
    flips: rec.flips.filter((f) => f.to !== SKIP).slice(0, MAX_FLIPS).map((f) => flipText(knowledge, f)),
    basis:
      `Based on ${plural(rec.answered.length, 'answer')}${skipped > 0 ? ` (${skipped} "don't know")` : ''}; ` +
      `${plural(rec.unanswered.length, 'question')} left unanswered` +
      (rec.decided && rec.unanswered.length > 0 ? ', none of which could change the verdict.' : '.'),
    keyAnswers,
    sources: sourceLabels(knowledge, [...new Set(rec.reasons.flatMap((r) => r.sources))]),
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

export function whyReply(knowledge: Knowledge, answers: Answers, criterionId: string): WhyReply {
  const criterion = criterionOf(knowledge, criterionId);
  const impacts = optionImpacts(knowledge, answers, criterionId);
  const sources = new Set<string>();
  const lines = impacts.map((impact) => {
    impact.claims.forEach((c) => c.sources.forEach((s) => sources.add(s)));
    const outcome = impact.winner === null ? 'a tie so far' : `${frameworkName(knowledge, impact.winner)} would lead`;
    const because = impact.claims.length
      ? ` Because: ${impact.claims.map((c) => `${c.text} (${sourceLabels(knowledge, c.sources).join('; ')})`).join(' ')}`
      : '';
    return `${impact.label}: ${pointsText(knowledge, impact.contribution)}; ${outcome}.${because}`;
  });
  return {
    kind: 'why',
    criterion: criterion.id,
    title: criterion.title,
    why: criterion.why,
    impacts: lines,
    sources: sourceLabels(knowledge, [...sources]),
  };
}

export function notice(code: NoticeCode, text: string): NoticeReply {
  return { kind: 'notice', code, text };
}

export function expiredNotice(): NoticeReply {
  return notice('expired', 'That interview expired after a long pause, so it was closed and a new one begins.');
}

export const COMMANDS: HelpReply['commands'] = [
  { command: 'start', description: 'start an interview (or pick up where you left off)' },
  { command: 'a number or words', description: 'answer the question; you can answer several at once, e.g. "3 devs building a REST API"' },
  { command: 'skip', description: "\"don't know\": move on, it counts for no side" },
  { command: 'back', description: 'undo your last answer and ask it again' },
  { command: 'change <topic>', description: 'answer an earlier question again, e.g. "change team size"' },
  { command: 'why', description: 'why this question matters, and what each answer would do, with sources' },
  { command: 'result', description: 'see the recommendation now' },
  { command: 'continue', description: 'keep answering after the verdict is settled' },
  { command: 'restart', description: 'start over with no answers' },
  { command: 'ask <question>', description: 'ask the sources about the frameworks, e.g. "ask does flask have an ORM?"' },
  { command: 'cancel', description: 'end the interview' },
  { command: 'help', description: 'this list' },
];

export function helpReply(): HelpReply {
  return {
    kind: 'help',
    text: 'I ask one question at a time about your project and recommend a Python web framework, showing every reason and its sources.',
    commands: COMMANDS,
  };
}
