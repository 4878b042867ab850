/**
 * Score arithmetic shared by the engine's parts: score vectors, the winner,
 * the ranking, and the exact `decided` test.
 *
 * Decided. For the leader w and every other framework x, the most x can still
 * gain on w is the sum, over unanswered criteria, of max(0, max over options of
 * points(x) - points(w)) (`skip` is an option, so a gain is never negative).
 * Criteria are independent and additive, so that sum is exactly the worst case:
 * if the lead over every x is strictly larger, no combination of remaining
 * answers can change the winner.
 */
import type { Answers } from './types.ts';
import { pointsFor, type CriterionModel, type Model } from './model.ts';

/** Scores per framework index for a set of answers. */
export function scoreVector(model: Model, answers: Answers): number[] {
  const scores = model.frameworkIds.map(() => 0);
  for (const cm of model.criteria) {
    const answer = answers[cm.criterion.id];
    if (answer === undefined) continue;
    const row = pointsFor(cm, answer);
    for (let f = 0; f < scores.length; f++) scores[f]! += row[f]!;
  }
  return scores;
}

/** Index of the unique top score, or -1 for a tie. */
export function winnerIndex(scores: readonly number[]): number {
  let best = -1;
  let bestScore = -Infinity;
  let tied = false;
  for (let index = 0; index < scores.length; index++) {
    const score = scores[index]!;
    if (score > bestScore) {
      best = index;
      bestScore = score;
      tied = false;
    } else if (score === bestScore) {
      tied = true;
    }
  }
  return tied ? -1 : best;
}

/** Framework indexes, best first; ties keep the pack's order. */
export function ranking(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

export function unansweredCriteria(model: Model, answers: Answers): CriterionModel[] {
  return model.criteria.filter((cm) => answers[cm.criterion.id] === undefined);
}

/** The most x can gain on w from one criterion (never negative: `skip` is always possible). */
function maxGain(cm: CriterionModel, x: number, w: number): number {
  let gain = 0;
  for (const row of cm.points) gain = Math.max(gain, row[x]! - row[w]!);
  return gain;
}

/** Lead of w over x minus the most x can still gain: > 0 means x can never catch up. */
export function slack(scores: readonly number[], open: readonly CriterionModel[], w: number, x: number): number {
  let gain = 0;
  for (const cm of open) gain += maxGain(cm, x, w);
  return scores[w]! - scores[x]! - gain;
}

/** True only when no combination of answers (skips included) to `open` can change the winner. */
export function isDecided(scores: readonly number[], open: readonly CriterionModel[], w: number): boolean {
  if (open.length === 0) return true;
  if (w < 0) {
    // A tie stays a tie only if nothing left can separate any two frameworks.
    return open.every((cm) => cm.points.every((row) => row.every((p) => p === row[0])));
  }
  return scores.every((_, x) => x === w || slack(scores, open, w, x) > 0);
}
