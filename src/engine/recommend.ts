/**
 * The scoring engine: pure and deterministic.
 *
 * Scoring. Each answer adds its option's points (0-3, from the knowledge pack) to
 * each framework. A framework's score is the sum over answered criteria; `skip`
 * adds nothing. The winner is the unique top score (a tie has no winner).
 *
 * Decided. For the leader w and every other framework x, the most x can still
 * gain on w is the sum, over unanswered criteria, of max(0, max over options of
 * points(x) - points(w)). Criteria are independent and additive, so that sum is
 * exactly the worst case: if the lead over every x is strictly larger, no
 * combination of remaining answers can change the winner (`decided`).
 *
 * Next question. The engine picks the contest that is most open: the leader
 * against the challenger with the least slack (lead minus what it can still
 * gain). For that pair, each unanswered criterion's options move the pair's
 * difference by some amount; the criterion with the widest range of movement
 * (best case for one side minus best case for the other) is asked next. It can
 * move the outcome most either way and, once answered, removes the most
 * uncertainty from the decided test. Ties keep the pack's order.
 *
 * Confidence.
 * - high: decided, and the lead does not rest on disputed claims.
 * - medium: not decided, but no single remaining question could flip it;
 *   or decided while the lead rests on disputed claims.
 * - low: a tie, or one remaining question could flip the winner
 *   (or it is medium by the rules above but also rests on disputed claims).
 * "Rests on disputed claims" means: remove every effect whose claims are all
 * disputed, and the winner would no longer lead.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import { modelOf, pointsFor, type CriterionModel, type Model } from './model.ts';
import type {
  Answers,
  Caveat,
  ClaimRef,
  Confidence,
  ConfidenceBasis,
  CorrectionCaveat,
  DisputeCaveat,
  Flip,
  OptionImpact,
  Reason,
  Recommendation,
} from './types.ts';

/** Scores per framework index for a set of answers. */
function scoreVector(model: Model, answers: Answers): number[] {
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
function winnerIndex(scores: readonly number[]): number {
  let best = -1;
  let bestScore = -Infinity;
  let tied = false;
  scores.forEach((score, index) => {
    if (score > bestScore) {
      best = index;
      bestScore = score;
      tied = false;
    } else if (score === bestScore) {
      tied = true;
    }
  });
  return tied ? -1 : best;
}

function ranking(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** The most x can gain on w from one criterion (never negative: `skip` is always possible). */
function maxGain(cm: CriterionModel, x: number, w: number): number {
  let gain = 0;
  for (const row of cm.points) gain = Math.max(gain, row[x]! - row[w]!);
  return gain;
}

function unansweredCriteria(model: Model, answers: Answers): CriterionModel[] {
  return model.criteria.filter((cm) => answers[cm.criterion.id] === undefined);
}

/** Lead of w over x minus the most x can still gain: > 0 means x can never catch up. */
function slack(scores: readonly number[], open: readonly CriterionModel[], w: number, x: number): number {
  let gain = 0;
  for (const cm of open) gain += maxGain(cm, x, w);
  return scores[w]! - scores[x]! - gain;
}

function isDecided(scores: readonly number[], open: readonly CriterionModel[], w: number): boolean {
  if (open.length === 0) return true;
  if (w < 0) {
    // A tie stays a tie only if nothing left can separate any two frameworks.
    return open.every((cm) => cm.points.every((row) => row.every((p) => p === row[0])));
  }
  return scores.every((_, x) => x === w || slack(scores, open, w, x) > 0);
}

/** How far one criterion can move the difference between frameworks a and b. */
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

/** The pair of frameworks whose contest is most open (see the module comment). */
function openContest(scores: readonly number[], open: readonly CriterionModel[], w: number): [number, number] | undefined {
  if (scores.length < 2) return undefined;
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

/** Unanswered criteria, most informative first. */
export function rankQuestions(knowledge: Knowledge, answers: Answers): string[] {
  const model = modelOf(knowledge);
  const scores = scoreVector(model, answers);
  const open = unansweredCriteria(model, answers);
  return rankOpen(model, scores, open, winnerIndex(scores)).map((cm) => cm.criterion.id);
}

function rankOpen(model: Model, scores: readonly number[], open: readonly CriterionModel[], w: number): CriterionModel[] {
  const pair = openContest(scores, open, w);
  const spread = (cm: CriterionModel): number => {
    let widest = 0;
    for (let a = 0; a < model.frameworkIds.length; a++) {
      for (let b = a + 1; b < model.frameworkIds.length; b++) widest = Math.max(widest, movement(cm, a, b));
    }
    return widest;
  };
  const keyed = open.map((cm, order) => ({
    cm,
    order,
    primary: pair ? movement(cm, pair[0], pair[1]) : 0,
    secondary: spread(cm),
  }));
  keyed.sort((p, q) => q.primary - p.primary || q.secondary - p.secondary || p.order - q.order);
  return keyed.map((k) => k.cm);
}

function claimRef(knowledge: Knowledge, claimId: string): ClaimRef {
  const claim = knowledge.claimById.get(claimId);
  if (!claim) throw new Error(`unknown claim ${claimId}`);
  const ref: ClaimRef = {
    id: claim.id,
    text: claim.text,
    sources: [...claim.sources],
    disputed: knowledge.disputesByClaim.has(claim.id),
  };
  if (claim.correction) ref.correction = { text: claim.correction.text, sources: [...claim.correction.sources] };
  return ref;
}

function favoured(model: Model, row: readonly number[]): string | null {
  const w = winnerIndex(row);
  return w < 0 ? null : model.frameworkIds[w]!;
}

/** The claims behind the points an option gives (effects with points > 0), deduplicated. */
function optionClaims(knowledge: Knowledge, cm: CriterionModel, optionId: string): ClaimRef[] {
  const option = cm.optionById.get(optionId);
  if (!option) return [];
  const ids = new Set<string>();
  for (const effect of option.effects) if (effect.points > 0) effect.claims.forEach((id) => ids.add(id));
  return [...ids].map((id) => claimRef(knowledge, id));
}

function uniqueSources(claims: readonly ClaimRef[]): string[] {
  return [...new Set(claims.flatMap((c) => c.sources))];
}

function asRecord(model: Model, values: readonly number[]): Record<string, number> {
  return Object.fromEntries(model.frameworkIds.map((id, i) => [id, values[i]!]));
}

function buildCaveats(knowledge: Knowledge, reasons: readonly Reason[]): Caveat[] {
  const disputes = new Map<string, DisputeCaveat>();
  const corrections = new Map<string, CorrectionCaveat>();
  for (const reason of reasons) {
    for (const claim of reason.claims) {
      for (const dispute of knowledge.disputesByClaim.get(claim.id) ?? []) {
        let caveat = disputes.get(dispute.id);
        if (!caveat) {
          caveat = {
            kind: 'dispute',
            id: dispute.id,
            topic: dispute.topic,
            summary: dispute.summary,
            sides: dispute.sides.map((side) => ({
              position: side.position,
              sources: [...new Set(side.claims.flatMap((id) => knowledge.claimById.get(id)?.sources ?? []))],
            })),
            criteria: [],
          };
          disputes.set(dispute.id, caveat);
        }
        if (!caveat.criteria.includes(reason.criterion)) caveat.criteria.push(reason.criterion);
      }
      if (claim.correction) {
        let caveat = corrections.get(claim.id);
        if (!caveat) {
          caveat = {
            kind: 'correction',
            id: claim.id,
            claim: claim.text,
            claim_sources: claim.sources,
            correction: claim.correction.text,
            correction_sources: claim.correction.sources,
            criteria: [],
          };
          corrections.set(claim.id, caveat);
        }
        if (!caveat.criteria.includes(reason.criterion)) caveat.criteria.push(reason.criterion);
      }
    }
  }
  return [...disputes.values(), ...corrections.values()];
}

/** Scores with every effect removed whose claims are all disputed. */
function undisputedScores(knowledge: Knowledge, model: Model, answers: Answers): number[] {
  const scores = model.frameworkIds.map(() => 0);
  for (const cm of model.criteria) {
    const answer = answers[cm.criterion.id];
    if (answer === undefined || answer === SKIP) continue;
    const option = cm.optionById.get(answer);
    for (const effect of option?.effects ?? []) {
      const allDisputed = effect.claims.length > 0 && effect.claims.every((id) => knowledge.disputesByClaim.has(id));
      if (allDisputed) continue;
      const f = model.frameworkIds.indexOf(effect.framework);
      scores[f]! += effect.points;
    }
  }
  return scores;
}

function computeFlips(model: Model, answers: Answers, scores: readonly number[], w: number): Flip[] {
  const flips: Flip[] = [];
  for (const cm of model.criteria) {
    const current = answers[cm.criterion.id];
    const base = current === undefined ? model.frameworkIds.map(() => 0) : pointsFor(cm, current);
    cm.optionIds.forEach((optionId, o) => {
      if (optionId === current) return;
      const row = cm.points[o]!;
      const next = scores.map((s, f) => s - base[f]! + row[f]!);
      const nw = winnerIndex(next);
      if (nw !== w) {
        flips.push({
          criterion: cm.criterion.id,
          from: current ?? null,
          to: optionId,
          winner: nw < 0 ? null : model.frameworkIds[nw]!,
        });
      }
    });
  }
  return flips;
}

function confidenceOf(
  w: number,
  decided: boolean,
  flips: readonly Flip[],
  restsOnDisputes: boolean,
): Confidence {
  if (w < 0) return 'low';
  const levels: Confidence[] = ['low', 'medium', 'high'];
  const openFlip = flips.some((f) => f.from === null);
  let level = decided ? 2 : openFlip ? 0 : 1;
  if (restsOnDisputes) level = Math.max(0, level - 1);
  return levels[level]!;
}

function confidenceBasis(w: number, decided: boolean, flips: readonly Flip[], restsOnDisputes: boolean): ConfidenceBasis {
  return {
    tied: w < 0,
    settled: decided,
    one_answer_could_flip: flips.some((f) => f.from === null),
    rests_on_disputes: restsOnDisputes,
  };
}

/** The full, explained recommendation for a (possibly partial) set of valid answers. */
export function recommend(knowledge: Knowledge, answers: Answers): Recommendation {
  const model = modelOf(knowledge);
  const scores = scoreVector(model, answers);
  const w = winnerIndex(scores);
  const open = unansweredCriteria(model, answers);
  const decided = isDecided(scores, open, w);
  const order = ranking(scores);
  const margin = w < 0 ? 0 : scores[w]! - scores[order[1] ?? w]!;

  const reasons: Reason[] = [];
  for (const cm of model.criteria) {
    const answer = answers[cm.criterion.id];
    if (answer === undefined) continue;
    const row = pointsFor(cm, answer);
    const claims = optionClaims(knowledge, cm, answer);
    reasons.push({
      criterion: cm.criterion.id,
      answer,
      favours: favoured(model, row),
      contribution: asRecord(model, row),
      claims,
      sources: uniqueSources(claims),
    });
  }

  const flips = computeFlips(model, answers, scores, w);
  const plain = w < 0 ? [] : undisputedScores(knowledge, model, answers);
  const restsOnDisputes = w >= 0 && plain.some((s, f) => f !== w && s >= plain[w]!);
  const next = decided || open.length === 0 ? null : rankOpen(model, scores, open, w)[0]!.criterion.id;

  return {
    winner: w < 0 ? null : model.frameworkIds[w]!,
    scores: asRecord(model, scores),
    ranking: order.map((i) => model.frameworkIds[i]!),
    margin,
    confidence: confidenceOf(w, decided, flips, restsOnDisputes),
    confidence_basis: confidenceBasis(w, decided, flips, restsOnDisputes),
    decided,
    next_question: next,
    reasons,
    caveats: buildCaveats(knowledge, reasons),
    flips,
    answered: reasons.map((r) => r.criterion),
    unanswered: open.map((cm) => cm.criterion.id),
  };
}

/** What each option of one criterion would do, other answers unchanged ("why does this matter?"). */
export function optionImpacts(knowledge: Knowledge, answers: Answers, criterionId: string): OptionImpact[] {
  const model = modelOf(knowledge);
  const index = model.criterionIndex.get(criterionId);
  if (index === undefined) throw new Error(`unknown criterion ${criterionId}`);
  const cm = model.criteria[index]!;
  const without: Record<string, string> = { ...answers };
  delete without[criterionId];
  const base = scoreVector(model, without);
  return cm.optionIds
    .filter((id) => id !== SKIP)
    .map((optionId) => {
      const row = pointsFor(cm, optionId);
      const w = winnerIndex(base.map((s, f) => s + row[f]!));
      return {
        option: optionId,
        label: cm.optionById.get(optionId)!.label,
        contribution: asRecord(model, row),
        favours: favoured(model, row),
        winner: w < 0 ? null : model.frameworkIds[w]!,
        claims: optionClaims(knowledge, cm, optionId),
      };
    });
}
