/**
 * Which unanswered criterion to ask next. Three rules are implemented so the bench
 * can measure them side by side (`npm run bench`, "interviews");
 * `NEXT_QUESTION_RULE` is the one the engine uses, chosen because it made
 * interviews shortest. Under every rule, ties keep the knowledge pack's order.
 *
 * The contest: the leader against the challenger with the least slack (lead minus
 * what it can still gain); on a tie, the top two.
 *
 * - `movement` (the earlier rule): the criterion whose options move the contest's
 *   difference the most (best case for one side minus best case for the other);
 *   then the widest such movement between any two frameworks.
 * - `chance_lookahead`: the criterion that lowers the expected chance of change
 *   the most, one answer ahead: the average over its options (equally likely) of
 *   the chance of change once that option is given.
 * - `stop_lookahead`: the criterion most likely to let the interview offer the
 *   result right after it: the share of its options after which the verdict is
 *   decided or its chance of change is at most 5%. Then the largest variance of
 *   the contest's difference over its options (equally likely): the question that
 *   can open the widest lead, which is what makes a later stop possible. Once the
 *   result can be offered already (someone refining), only the variance counts, so
 *   the questions that could still move the verdict come first.
 *
 * The lookahead rules compare exact ratios of whole numbers (see `lookahead`).
 */
import { lookahead, STOP_CHANCE } from './chance.ts';
import type { CriterionModel, Model } from './model.ts';
import { ranking, slack } from './scoring.ts';

export type NextQuestionRule = 'movement' | 'chance_lookahead' | 'stop_lookahead';

export const NEXT_QUESTION_RULES: readonly NextQuestionRule[] = ['movement', 'chance_lookahead', 'stop_lookahead'];

/** The rule the engine asks by (see the bench figures in the README). */
export const NEXT_QUESTION_RULE: NextQuestionRule = 'stop_lookahead';

/** How far one criterion can move the difference between frameworks a and b (`skip` included). */
function movement(cm: CriterionModel, a: number, b: number): number {
  let high = -Infinity;
  let low = Infinity;
  for (const row of cm.points) {
    const d = row[a]! - row[b]!;
    high = Math.max(high, d);
    low = Math.min(low, d);
  }
  return high - low;
}

/** The pair of frameworks whose contest is most open. */
function openContest(scores: readonly number[], open: readonly CriterionModel[], w: number): [number, number] {
  const order = ranking(scores);
  if (w < 0) return [order[0]!, order[1]!];
  let challenger = -1;
  let least = Infinity;
  for (const x of order) {
    if (x === w) continue;
    const s = slack(scores, open, w, x);
    if (s < least) {
      least = s;
      challenger = x;
    }
  }
  return [w, challenger];
}

/** Sorts by `compare`, ties in pack order (the order of `open`). */
function ranked<T extends { order: number; cm: CriterionModel }>(keyed: T[], compare: (p: T, q: T) => number): CriterionModel[] {
  return keyed.sort((p, q) => compare(p, q) || p.order - q.order).map((k) => k.cm);
}

function byMovement(model: Model, scores: readonly number[], open: readonly CriterionModel[], w: number): CriterionModel[] {
  const [a, b] = openContest(scores, open, w);
  const spread = (cm: CriterionModel): number => {
    let widest = 0;
    for (let x = 0; x < model.frameworkIds.length; x++) {
      for (let y = x + 1; y < model.frameworkIds.length; y++) widest = Math.max(widest, movement(cm, x, y));
    }
    return widest;
  };
  const keyed = open.map((cm, order) => ({ cm, order, primary: movement(cm, a, b), secondary: spread(cm) }));
  return ranked(keyed, (p, q) => q.primary - p.primary || q.secondary - p.secondary);
}

function byChanceLookahead(model: Model, scores: readonly number[], open: readonly CriterionModel[]): CriterionModel[] {
  // Every criterion's total has the same denominator (all completions of `open`), so the sums compare exactly.
  const keyed = lookahead(model, scores, open).answers.map((l, order) => ({
    cm: l.criterion,
    order,
    changed: l.changed.reduce((sum, c) => sum + c, 0),
  }));
  return ranked(keyed, (p, q) => p.changed - q.changed);
}

/** k^2 times the variance of the a-b difference over the options (equally likely, `skip` left out). */
function scaledVariance(cm: CriterionModel, a: number, b: number): { value: number; scale: number } {
  const rows = cm.answerPoints;
  let sum = 0;
  let squares = 0;
  for (const row of rows) {
    sum += row[a]! - row[b]!;
    squares += (row[a]! - row[b]!) ** 2;
  }
  return { value: rows.length * squares - sum * sum, scale: rows.length * rows.length };
}

function byStopLookahead(model: Model, scores: readonly number[], open: readonly CriterionModel[], w: number): CriterionModel[] {
  const [a, b] = openContest(scores, open, w);
  const { chance, answers } = lookahead(model, scores, open);
  if (chance <= STOP_CHANCE) {
    // The result can be offered already (people who go on are refining): ask what could still move the verdict most.
    const keyed = open.map((cm, order) => ({ cm, order, variance: scaledVariance(cm, a, b) }));
    return ranked(keyed, (p, q) => q.variance.value * p.variance.scale - p.variance.value * q.variance.scale);
  }
  const keyed = answers.map((l, order) => {
    // Decided implies no completion changes the outcome, so a chance of change of at most 5% covers both.
    const stopping = l.changed.filter((changed) => changed / l.completions <= STOP_CHANCE).length;
    return { cm: l.criterion, order, stopping, options: l.changed.length, variance: scaledVariance(l.criterion, a, b) };
  });
  // Fractions compared by cross-multiplying whole numbers: exact.
  return ranked(
    keyed,
    (p, q) => q.stopping * p.options - p.stopping * q.options || q.variance.value * p.variance.scale - p.variance.value * q.variance.scale,
  );
}

/** The open criteria, the one to ask first at the front. `w` is the current winner index (-1 on a tie). */
export function rankOpen(
  model: Model,
  scores: readonly number[],
  open: readonly CriterionModel[],
  w: number,
  rule: NextQuestionRule = NEXT_QUESTION_RULE,
): CriterionModel[] {
  if (open.length <= 1 || model.frameworkIds.length < 2) return [...open];
  switch (rule) {
    case 'movement':
      return byMovement(model, scores, open, w);
    case 'chance_lookahead':
      return byChanceLookahead(model, scores, open);
    case 'stop_lookahead':
      return byStopLookahead(model, scores, open, w);
  }
}
