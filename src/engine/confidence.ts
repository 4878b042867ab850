/**
 * Confidence: how far a verdict can be trusted, from facts the engine computes
 * exactly (the README's "Confidence" section says the same).
 *
 * - `high`: the verdict is settled or very likely to hold (decided, or a chance of
 *   change of at most 5%), the lead does not lean on disputed claims, and no question
 *   answered "don't know" could change it (skipping never buys certainty).
 * - `medium`: settled or very likely to hold but leaning on disputed claims, or
 *   resting on a "don't know" that an answer could turn; or not
 *   yet likely to hold, but with a modest chance of change (at most
 *   `MEDIUM_CHANCE`, 20%), no single remaining answer able to flip it, and no
 *   disputed lean.
 * - `low`: a tie; or not yet likely to hold while the chance of change is above
 *   20%, a single remaining answer could flip it, or the lead leans on disputed
 *   claims. (A verdict that would change about half the time is not "medium".)
 *
 * The lead "leans on disputed claims" in either of two ways:
 * - it rests on disputed claims: without the points whose claims are all disputed,
 *   the winner would no longer lead (`rests_on_disputes`);
 * - one disputed topic decides it: without the winner's points that cite a claim
 *   of that one dispute (either side), the winner would no longer lead
 *   (`deciding_dispute`). That is, the verdict holds only if the sources the winner
 *   relies on in that disagreement are right.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP, type Effect } from '../knowledge/schema.ts';
import { STOP_CHANCE } from './chance.ts';
import type { Model } from './model.ts';
import type { Answers, Confidence, ConfidenceBasis } from './types.ts';

/** An undecided verdict is `medium` at best while its chance of change is at most this; above it, `low`. */
export const MEDIUM_CHANCE = 0.2;

/** Scores from the answered effects that `keep` accepts. */
function scoresKeeping(model: Model, answers: Answers, keep: (effect: Effect) => boolean): number[] {
  const scores = model.frameworkIds.map(() => 0);
  for (const cm of model.criteria) {
    const answer = answers[cm.criterion.id];
    if (answer === undefined || answer === SKIP) continue;
    for (const effect of cm.optionById.get(answer)?.effects ?? []) {
      if (!keep(effect)) continue;
      scores[model.frameworkIds.indexOf(effect.framework)]! += effect.points;
    }
  }
  return scores;
}

function stillLeads(scores: readonly number[], w: number): boolean {
  return scores.every((s, f) => f === w || s < scores[w]!);
}

/** Without the effects whose claims are all disputed, would the winner still lead? */
function restsOnDisputes(knowledge: Knowledge, model: Model, answers: Answers, w: number): boolean {
  const disputed = (id: string): boolean => knowledge.disputesByClaim.has(id);
  const plain = scoresKeeping(model, answers, (e) => !(e.claims.length > 0 && e.claims.every(disputed)));
  return !stillLeads(plain, w);
}

const disputeClaims = new WeakMap<Knowledge, { id: string; claims: Set<string> }[]>();

/** Each dispute with the claims on all its sides, computed once per pack. */
function disputesWithClaims(knowledge: Knowledge): { id: string; claims: Set<string> }[] {
  let list = disputeClaims.get(knowledge);
  if (!list) {
    list = knowledge.disputes.map((d) => ({ id: d.id, claims: new Set(d.sides.flatMap((side) => side.claims)) }));
    disputeClaims.set(knowledge, list);
  }
  return list;
}

/** The first dispute (pack order) that alone decides the lead, or null. */
function decidingDispute(knowledge: Knowledge, model: Model, answers: Answers, w: number): string | null {
  const winner = model.frameworkIds[w];
  // Only a dispute that some of the winner's points cite can take its lead away.
  const cited = new Set<string>();
  for (const cm of model.criteria) {
    const answer = answers[cm.criterion.id];
    if (answer === undefined || answer === SKIP) continue;
    for (const effect of cm.optionById.get(answer)?.effects ?? []) {
      if (effect.framework === winner && effect.points > 0) effect.claims.forEach((id) => cited.add(id));
    }
  }
  for (const dispute of disputesWithClaims(knowledge)) {
    if (![...dispute.claims].some((id) => cited.has(id))) continue;
    const without = scoresKeeping(model, answers, (e) => e.framework !== winner || !e.claims.some((id) => dispute.claims.has(id)));
    if (!stillLeads(without, w)) return dispute.id;
  }
  return null;
}

export interface ConfidenceFacts {
  /** Winner index, -1 on a tie. */
  w: number;
  decided: boolean;
  chanceOfChange: number;
  oneAnswerCouldFlip: boolean;
  unknownCouldFlip: boolean;
}

export function confidenceBasis(knowledge: Knowledge, model: Model, answers: Answers, facts: ConfidenceFacts): ConfidenceBasis {
  const tied = facts.w < 0;
  return {
    tied,
    settled: facts.decided,
    unlikely_to_change: facts.chanceOfChange <= STOP_CHANCE,
    modest_chance_of_change: facts.chanceOfChange <= MEDIUM_CHANCE,
    one_answer_could_flip: facts.oneAnswerCouldFlip,
    unknown_could_flip: facts.unknownCouldFlip,
    rests_on_disputes: !tied && restsOnDisputes(knowledge, model, answers, facts.w),
    deciding_dispute: tied ? null : decidingDispute(knowledge, model, answers, facts.w),
  };
}

export function confidenceOf(basis: ConfidenceBasis): Confidence {
  if (basis.tied) return 'low';
  const holds = basis.settled || basis.unlikely_to_change;
  const leansOnDisputes = basis.rests_on_disputes || basis.deciding_dispute !== null;
  if (holds) return leansOnDisputes || basis.unknown_could_flip ? 'medium' : 'high';
  return basis.modest_chance_of_change && !basis.one_answer_could_flip && !leansOnDisputes ? 'medium' : 'low';
}
