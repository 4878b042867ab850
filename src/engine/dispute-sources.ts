/**
 * Who stands behind a recorded disagreement. Most disputes set articles against
 * each other, but some record one article contradicting itself; saying "sources
 * disagree" there would suggest two authors where there is one.
 */
import type { Knowledge } from '../knowledge/load.ts';
import type { Dispute } from '../knowledge/schema.ts';

/** The articles behind each side of a dispute, from its claims. */
export function disputeSideSources(knowledge: Knowledge, dispute: Dispute): string[][] {
  return dispute.sides.map((side) => [...new Set(side.claims.flatMap((id) => knowledge.claimById.get(id)?.sources ?? []))]);
}

/** The one article every side rests on when the dispute is that article contradicting itself; else undefined. */
export function soleSource(sides: readonly (readonly string[])[]): string | undefined {
  const all = new Set(sides.flat());
  return all.size === 1 ? [...all][0] : undefined;
}

/**
 * The heading of a disagreement, "Sources disagree" or, for one article at odds with itself,
 * "<article> contradicts itself"; `label` names an article.
 */
export function disputeHeading(sides: readonly (readonly string[])[], label: (source: string) => string): string {
  const sole = soleSource(sides);
  return sole === undefined ? 'Sources disagree' : `${label(sole)} contradicts itself`;
}
