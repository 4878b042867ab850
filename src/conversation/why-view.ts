/**
 * `why`: why a question matters, short enough for one screen, the same on every platform.
 *
 * The rules:
 * - The criterion's one-line explanation, then which answers favour which framework (one line
 *   per framework, options with the same points together), and, when the other answers make a
 *   difference, which framework each answer would put ahead.
 * - At most `WHY_POINTS` cited points, most relevant first: the given answer's claims, then the
 *   claim behind each framework's strongest option in turn.
 * - At most one disagreement between the sources (on a point shown, else on any of the
 *   question's claims).
 * - Whatever is left out is counted, with where to read it (`ask <topic>`, `details`): nothing
 *   is hidden without saying so.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { optionImpacts } from '../engine/recommend.ts';
import type { Answers, ClaimRef, OptionImpact } from '../engine/types.ts';
import { disputeSideSources } from '../engine/dispute-sources.ts';
import { criterionOf, disputeHeadingOf, frameworkName, orList, plural, pointsText, shortSourceName, sourceLabels } from './labels.ts';
import type { WhyReply } from './types.ts';

/** Cited points a `why` shows at most. */
export const WHY_POINTS = 3;

interface Point {
  label: string;
  claim: ClaimRef;
}

/** The short name of a source in a cited point: its label up to a colon ("STX Next"), else the whole label. */
function shortSources(knowledge: Knowledge, ids: readonly string[]): string {
  return ids.map((id) => shortSourceName(knowledge, id)).join(', ');
}

/** How much an option gives `framework` over the best other framework. */
function lead(impact: OptionImpact, framework: string): number {
  const mine = impact.contribution[framework] ?? 0;
  const others = Math.max(0, ...Object.entries(impact.contribution).filter(([f]) => f !== framework).map(([, v]) => v));
  return mine - others;
}

/** "For Django: Content site / CMS, E-commerce / marketplace (+3 Django, +1 Flask); Social network / community (+2 Django)." */
function favourLines(knowledge: Knowledge, impacts: readonly OptionImpact[]): string[] {
  const lines: string[] = [];
  for (const framework of knowledge.frameworks) {
    const mine = impacts.filter((i) => i.favours === framework.id).sort((a, b) => lead(b, framework.id) - lead(a, framework.id));
    if (mine.length === 0) continue;
    const groups = new Map<string, string[]>();
    for (const impact of mine) {
      const points = pointsText(knowledge, impact.contribution);
      groups.set(points, [...(groups.get(points) ?? []), impact.label]);
    }
    lines.push(`For ${framework.name}: ${[...groups].map(([points, labels]) => `${labels.join(', ')} (${points})`).join('; ')}.`);
  }
  const neither = impacts.filter((i) => i.favours === null);
  if (neither.length > 0) lines.push(`For neither: ${neither.map((i) => `${i.label} (${pointsText(knowledge, i.contribution)})`).join('; ')}.`);
  return lines;
}

/**
 * Which framework each answer would put ahead, when the other answers make that differ from what
 * it favours: the outcomes of fewer answers named, the most common one as "any other answer".
 */
function outcomeLine(knowledge: Knowledge, impacts: readonly OptionImpact[]): string | null {
  if (impacts.every((i) => i.winner === i.favours)) return null;
  const byWinner = [...new Set(impacts.map((i) => i.winner))]
    .map((winner) => ({ winner, labels: impacts.filter((i) => i.winner === winner).map((i) => `"${i.label}"`) }))
    .sort((a, b) => a.labels.length - b.labels.length);
  const name = (winner: string | null): string => (winner === null ? 'a tie' : `${frameworkName(knowledge, winner)!} would lead`);
  if (byWinner.length === 1) return `With your other answers, ${name(byWinner[0]!.winner)} whatever you answer here.`;
  const parts = byWinner.map(({ winner, labels }, i) => `${name(winner)} ${i === byWinner.length - 1 ? 'after any other answer' : `after ${orList(labels)}`}`);
  return `With your other answers: ${parts.join('; ')}.`;
}

/** The most relevant cited points: the given answer's first, then each framework's strongest option in turn. */
function rankedPoints(knowledge: Knowledge, impacts: readonly OptionImpact[], answer: string | undefined): Point[] {
  const chosen = impacts.find((i) => i.option === answer);
  const queues = knowledge.frameworks.map((f) =>
    impacts
      .filter((i) => i.favours === f.id && i !== chosen)
      .sort((a, b) => lead(b, f.id) - lead(a, f.id))
      .flatMap((i) => i.claims.map((claim) => ({ label: i.label, claim }))),
  );
  const order: Point[] = chosen ? chosen.claims.map((claim) => ({ label: chosen.label, claim })) : [];
  for (let round = 0; queues.some((q) => q.length > round); round++) for (const q of queues) if (q[round]) order.push(q[round]!);
  for (const i of impacts) for (const claim of i.claims) order.push({ label: i.label, claim });
  const seen = new Set<string>();
  return order.filter((p) => !seen.has(p.claim.id) && seen.add(p.claim.id));
}

export function whyReply(knowledge: Knowledge, answers: Answers, criterionId: string): WhyReply {
  const criterion = criterionOf(knowledge, criterionId);
  const impacts = optionImpacts(knowledge, answers, criterionId);
  const points = rankedPoints(knowledge, impacts, answers[criterionId]);
  const shown = points.slice(0, WHY_POINTS);
  const disputes = [...new Map(points.flatMap((p) => knowledge.disputesByClaim.get(p.claim.id) ?? []).map((d) => [d.id, d])).values()];
  const onShown = new Set(shown.flatMap((p) => (knowledge.disputesByClaim.get(p.claim.id) ?? []).map((d) => d.id)));
  const dispute = disputes.find((d) => onShown.has(d.id)) ?? disputes[0];
  const outcome = outcomeLine(knowledge, impacts);
  const lines = [
    ...favourLines(knowledge, impacts),
    ...(outcome === null ? [] : [outcome]),
    ...shown.map((p) => `${p.label}: ${p.claim.text} (${shortSources(knowledge, p.claim.sources)})`),
    ...(dispute ? [`${disputeHeadingOf(knowledge, disputeSideSources(knowledge, dispute))} on ${dispute.topic}: ${dispute.summary}`] : []),
  ];
  const left = [
    ...(points.length > shown.length ? [plural(points.length - shown.length, 'more cited point')] : []),
    ...(disputes.length > 1 ? [plural(disputes.length - 1, 'more disagreement')] : []),
  ];
  if (left.length > 0) {
    lines.push(`…and ${left.join(' and ')}: ask ${criterion.title.toLowerCase()} for what the sources say, or say details for everything behind your answers.`);
  }
  return {
    kind: 'why',
    criterion: criterion.id,
    title: criterion.title,
    why: criterion.why,
    impacts: lines,
    sources: sourceLabels(knowledge, [...new Set(shown.flatMap((p) => p.claim.sources))]),
  };
}
