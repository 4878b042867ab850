/**
 * The scoring engine: pure and deterministic. This module assembles a
 * recommendation; the parts live beside it:
 * - `scoring.ts`: scores, the winner (a tie has none) and the exact `decided` test;
 * - `chance.ts`: `chance_of_change`, computed exactly by convolution;
 * - `next-question.ts`: which unanswered criterion to ask next;
 * - `confidence.ts`: the confidence level and the facts behind it.
 *
 * Scoring. Each answer adds its option's points (0-3, from the knowledge pack) to
 * each framework. A framework's score is the sum over answered criteria; `skip`
 * adds nothing. The winner is the unique top score.
 */
import { deepFreeze } from '../deep-freeze.ts';
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import { chanceOfChange } from './chance.ts';
import { confidenceBasis, confidenceOf } from './confidence.ts';
import { modelOf, pointsFor, type CriterionModel, type Model } from './model.ts';
import { rankOpen, type NextQuestionRule } from './next-question.ts';
import { isDecided, ranking, scoreVector, unansweredCriteria, winnerIndex } from './scoring.ts';
import type {
  Answers,
  Caveat,
  ClaimRef,
  CorrectionCaveat,
  DisputeCaveat,
  Flip,
  OptionImpact,
  Reason,
  Recommendation,
} from './types.ts';

/** Unanswered criteria, most useful first (by the engine's rule, or another for comparison). */
export function rankQuestions(knowledge: Knowledge, answers: Answers, rule?: NextQuestionRule): string[] {
  const model = modelOf(knowledge);
  const scores = scoreVector(model, answers);
  const open = unansweredCriteria(model, answers);
  return rankOpen(model, scores, open, winnerIndex(scores), rule).map((cm) => cm.criterion.id);
}

function claimRef(knowledge: Knowledge, claimId: string): ClaimRef {
  const claim = knowledge.claimById.get(claimId);
  if (!claim) throw new Error(`unknown claim ${claimId}`);
  return {
    id: claim.id,
    text: claim.text,
    sources: [...claim.sources],
    disputed: knowledge.disputesByClaim.has(claim.id),
    ...(claim.correction ? { correction: { text: claim.correction.text, sources: [...claim.correction.sources] } } : {}),
  };
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

/**
 * An option's claims and their sources are the same in every recommendation, so
 * they are worked out once per option and shared, frozen like the opening
 * recommendation (conversation/step.ts), so no reader can change them for the next.
 */
const evidenceByCriterion = new WeakMap<CriterionModel, Map<string, { claims: readonly ClaimRef[]; sources: readonly string[] }>>();

function optionEvidence(knowledge: Knowledge, cm: CriterionModel, optionId: string): { claims: readonly ClaimRef[]; sources: readonly string[] } {
  let byOption = evidenceByCriterion.get(cm);
  if (!byOption) {
    byOption = new Map();
    evidenceByCriterion.set(cm, byOption);
  }
  let evidence = byOption.get(optionId);
  if (!evidence) {
    const claims = optionClaims(knowledge, cm, optionId);
    evidence = deepFreeze({ claims, sources: uniqueSources(claims) });
    byOption.set(optionId, evidence);
  }
  return evidence;
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
    const { claims, sources } = optionEvidence(knowledge, cm, answer);
    reasons.push({
      criterion: cm.criterion.id,
      answer,
      favours: favoured(model, row),
      contribution: asRecord(model, row),
      claims,
      sources,
    });
  }

  const flips = computeFlips(model, answers, scores, w);
  const chance = decided ? 0 : chanceOfChange(model, scores, open);
  const basis = confidenceBasis(knowledge, model, answers, {
    w,
    decided,
    chanceOfChange: chance,
    oneAnswerCouldFlip: flips.some((f) => f.from === null),
    unknownCouldFlip: flips.some((f) => f.from === SKIP),
  });
  const next = decided || open.length === 0 ? null : rankOpen(model, scores, open, w)[0]!.criterion.id;

  return {
    winner: w < 0 ? null : model.frameworkIds[w]!,
    scores: asRecord(model, scores),
    ranking: order.map((i) => model.frameworkIds[i]!),
    margin,
    confidence: confidenceOf(basis),
    confidence_basis: basis,
    decided,
    chance_of_change: chance,
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
