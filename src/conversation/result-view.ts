/**
 * The compact default result, one view model for every front end: the
 * strongest reasons for every framework, the caveats that bear most on this
 * verdict, and the most actionable changes. `details` (details-view.ts) shows
 * everything.
 *
 * The rules:
 * - Reasons. A reason favours a framework when it gives it more points than any
 *   other; its weight is that difference. Each framework's reasons are shown
 *   strongest first: three for the leader, two for every other framework, and
 *   a third when all three are +3 (so a +3 for a losing framework is never
 *   left out while a weaker reason is shown). A group that leaves some out
 *   counts them in its own heading ("For Django (3 of 8 reasons)"); reasons
 *   that favour no framework are counted in one line after the groups.
 * - Caveats. A caveat bears on the verdict through the answers whose claims it
 *   disputes or corrects; its weight is the largest difference such an answer
 *   makes between the first two frameworks. The dispute that decides the lead
 *   (the confidence basis names it) comes first, then the heaviest; caveats on
 *   answers that do not move the lead are only counted.
 * - Changes. One per criterion, the most actionable first: an answer moved to
 *   a neighbouring option, then a question not answered yet (or answered "don't
 *   know"), then an answer moved further; a new winner before a tie.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import type { Caveat, Flip, Recommendation, Reason } from '../engine/types.ts';
import { criterionOf, disputeHeadingOf, frameworkName, optionLabel, orList, plural, pointsText } from './labels.ts';
import type { ReasonGroup, RecommendationView, ResultSummary } from './types.ts';

/** Reasons shown for the leader, and for every other framework. */
const LEADER_REASONS = 3;
const OTHER_REASONS = 2;
/** A non-leader's reasons of the strongest kind (+3 over every other framework) are shown up to this many. */
const OTHER_REASONS_MAX = 3;
const STRONGEST = 3;
const MAX_CAVEATS = 2;
const MAX_FLIPS = 2;
/** A correction in the compact result: its first sentences, up to about this many characters. */
const SHORT_CORRECTION = 90;

/**
 * A flip in one sentence, saying whether it changes a given answer or answers an open question:
 * `If you changed "Admin panel" from "Yes, from the start" to "No", Flask would lead.`
 */
export function flipText(knowledge: Knowledge, flip: Flip): string {
  return answerFlipsText(knowledge, [flip]);
}

/** Reasons with an effect: answered (not "don't know") and giving some framework points. */
export function effectiveReasons(reasons: readonly Reason[]): Reason[] {
  return reasons.filter((r) => r.answer !== SKIP && Object.values(r.contribution).some((p) => p > 0));
}

/** The framework a reason favours (strictly more points than any other) and by how much; null when none. */
export function favouring(reason: Reason): { framework: string; by: number } | null {
  const entries = Object.entries(reason.contribution).sort((a, b) => b[1] - a[1]);
  const [first, second] = entries;
  if (!first || first[1] <= 0) return null;
  const by = first[1] - (second?.[1] ?? 0);
  return by > 0 ? { framework: first[0], by } : null;
}

interface Ranked {
  reason: Reason;
  by: number;
}

/** The reasons for one framework, strongest first; ties in the pack's criterion order. */
function rankedFor(knowledge: Knowledge, reasons: readonly Reason[], framework: string): Ranked[] {
  const order = (id: string): number => knowledge.criteria.findIndex((c) => c.id === id);
  return reasons
    .flatMap((reason) => {
      const favoured = favouring(reason);
      return favoured?.framework === framework ? [{ reason, by: favoured.by }] : [];
    })
    .sort((a, b) => b.by - a.by || (b.reason.contribution[framework] ?? 0) - (a.reason.contribution[framework] ?? 0) || order(a.reason.criterion) - order(b.reason.criterion));
}

function reasonLine(knowledge: Knowledge, reason: Reason): { criterion: string; text: string } {
  const title = criterionOf(knowledge, reason.criterion).title;
  return { criterion: reason.criterion, text: `${title}: ${optionLabel(knowledge, reason.criterion, reason.answer)} (${pointsText(knowledge, reason.contribution)})` };
}

/** "For Django", or "For Django (3 of 8 reasons)" when some are left out: each framework's count stays in its own block. */
function groupHeading(name: string, shown: number, all: number): string {
  return shown < all ? `For ${name} (${shown} of ${plural(all, 'reason')})` : `For ${name}`;
}

function reasonGroups(knowledge: Knowledge, rec: Recommendation): { groups: ReasonGroup[]; moreReasons: string | null } {
  const reasons = effectiveReasons(rec.reasons);
  const groups: ReasonGroup[] = [];
  rec.ranking.forEach((framework, index) => {
    const ranked = rankedFor(knowledge, reasons, framework);
    if (ranked.length === 0) return;
    let shown = index === 0 ? LEADER_REASONS : OTHER_REASONS;
    while (index > 0 && shown < Math.min(ranked.length, OTHER_REASONS_MAX) && ranked[shown]!.by === ranked[0]!.by && ranked[0]!.by >= STRONGEST) shown++;
    const kept = ranked.slice(0, shown);
    groups.push({ framework, heading: groupHeading(frameworkName(knowledge, framework)!, kept.length, ranked.length), reasons: kept.map((r) => reasonLine(knowledge, r.reason)) });
  });
  const neutral = reasons.filter((r) => favouring(r) === null).length;
  return { groups, moreReasons: neutralReasonsText(neutral, rec.ranking.length) };
}

/**
 * "…and 2 reasons that favour neither.": the only count after the groups (renderers put it
 * under the last one), so it names no framework and cannot be read as that group's.
 */
function neutralReasonsText(neutral: number, frameworks: number): string | null {
  if (neutral === 0) return null;
  return `…and ${plural(neutral, 'reason')} that ${neutral === 1 ? 'favours' : 'favour'} ${frameworks === 2 ? 'neither framework' : 'no framework'}.`;
}

/** The difference an answer makes between the first two frameworks. */
function answerWeight(rec: Recommendation, criterion: string): number {
  const [first, second] = rec.ranking;
  const reason = rec.reasons.find((r) => r.criterion === criterion);
  if (!reason || first === undefined) return 0;
  return Math.abs((reason.contribution[first] ?? 0) - (second === undefined ? 0 : (reason.contribution[second] ?? 0)));
}

/** The largest difference an answer this caveat touches makes between the first two frameworks. */
function caveatWeight(rec: Recommendation, caveat: Caveat): number {
  return Math.max(0, ...caveat.criteria.map((criterion) => answerWeight(rec, criterion)));
}

/** The first sentence of a text (two when the first is a word or two, like "Partly."), about `max` characters at most. */
function firstSentences(text: string, max: number): string {
  const sentences = text.split(/(?<=[.!?])\s+(?=[A-Z"“(])/);
  let short = sentences[0] ?? text;
  if (short.length < 30 && sentences[1]) short = `${short} ${sentences[1]}`;
  if (short.length <= max) return short;
  const cut = short.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/u, '')}…`;
}

/**
 * A caveat in one line, for the compact result, with the answers it bears on: "Sources disagree:
 * Scalability (your Expected scale answer)", or a correction's first sentence.
 */
export function shortCaveat(knowledge: Knowledge, rec: Recommendation, caveat: Caveat): string {
  // The answer it bears on that moves the lead most.
  const heaviest = caveat.criteria
    .map((criterion, order) => ({ criterion, order, weight: answerWeight(rec, criterion) }))
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  const first = heaviest[0];
  const answers = first === undefined ? '' : ` (your ${criterionOf(knowledge, first.criterion).title} answer)`;
  if (caveat.kind === 'dispute') return `${disputeHeadingOf(knowledge, caveat.sides.map((s) => s.sources))}: ${caveat.topic}${answers}`;
  return `Correction to a source${answers}: ${firstSentences(caveat.correction, SHORT_CORRECTION)}`;
}

/** The caveats, those that bear most on this verdict first; `bears` is false for those on answers that do not move the lead. */
export function rankCaveats(rec: Recommendation): { caveat: Caveat; bears: boolean }[] {
  const deciding = rec.confidence_basis.deciding_dispute;
  return rec.caveats
    .map((caveat, order) => ({ caveat, order, deciding: caveat.kind === 'dispute' && caveat.id === deciding, weight: caveatWeight(rec, caveat) }))
    .sort((a, b) => Number(b.deciding) - Number(a.deciding) || b.weight - a.weight || a.order - b.order)
    .map((c) => ({ caveat: c.caveat, bears: c.deciding || c.weight > 0 }));
}

function caveatSummary(knowledge: Knowledge, rec: Recommendation): Pick<ResultSummary, 'caveats' | 'moreCaveats'> {
  const shown = rankCaveats(rec)
    .filter((c) => c.bears)
    .slice(0, MAX_CAVEATS);
  const left = rec.caveats.length - shown.length;
  const moreCaveats =
    left === 0 ? null : shown.length === 0 ? `${plural(left, 'caveat')}, none on the answers that decide the lead.` : `…and ${plural(left, 'more caveat')}.`;
  return { caveats: shown.map((c) => shortCaveat(knowledge, rec, c.caveat)), moreCaveats };
}

/**
 * How actionable a change is, smaller first: [0] a neighbouring option, 1 a first answer (or one
 * for "don't know"), 2 a further option; [1] how many points the change moves (the smallest step
 * first), then how far the option is in the list.
 */
function actionability(knowledge: Knowledge, flip: Flip): [number, number, number] {
  if (flip.from === null || flip.from === SKIP) return [1, 0, 0];
  const options = criterionOf(knowledge, flip.criterion).options;
  const position = (id: string): number => options.findIndex((o) => o.id === id);
  const points = (id: string): Map<string, number> => new Map(options[position(id)]?.effects.map((e) => [e.framework, e.points]) ?? []);
  const before = points(flip.from);
  const after = points(flip.to);
  const moved = knowledge.frameworks.reduce((sum, f) => sum + Math.abs((after.get(f.id) ?? 0) - (before.get(f.id) ?? 0)), 0);
  const distance = Math.abs(position(flip.to) - position(flip.from));
  return [distance === 1 ? 0 : 2, moved, distance];
}

/** Every flip but those to "don't know" (a position nobody argues for), the most actionable first. */
export function rankFlips(knowledge: Knowledge, flips: readonly Flip[]): Flip[] {
  const order = (id: string): number => knowledge.criteria.findIndex((c) => c.id === id);
  return flips
    .filter((f) => f.to !== SKIP)
    .map((flip, index) => ({ flip, index, rank: actionability(knowledge, flip) }))
    .sort(
      (a, b) =>
        a.rank[0] - b.rank[0] ||
        a.rank[1] - b.rank[1] ||
        a.rank[2] - b.rank[2] ||
        Number(a.flip.winner === null) - Number(b.flip.winner === null) ||
        order(a.flip.criterion) - order(b.flip.criterion) ||
        a.index - b.index,
    )
    .map((r) => r.flip);
}

/** Options named per outcome in the compact result; the rest are counted (details lists them). */
const FLIP_OPTIONS = 3;

/**
 * Every change of one answer in one sentence, a new winner before a tie, so a tie never hides a lead:
 * `If you changed "Project type" from "Content site / CMS" to "API / backend service" or "A microservice",
 * Flask would lead; to "Dashboard / internal tool", it would be a tie.` One flip reads as `flipText`.
 */
export function answerFlipsText(knowledge: Knowledge, flips: readonly Flip[]): string {
  const { criterion, from } = flips[0]!;
  const title = criterionOf(knowledge, criterion).title;
  const winners = [...new Set(flips.map((f) => f.winner))].sort((a, b) => Number(a === null) - Number(b === null));
  const outcomes = winners.map((winner) => {
    const labels = flips.filter((f) => f.winner === winner).map((f) => `"${optionLabel(knowledge, criterion, f.to)}"`);
    const cut = labels.length - FLIP_OPTIONS;
    const tos = orList(cut > 0 ? [...labels.slice(0, FLIP_OPTIONS - 1), plural(cut + 1, 'other option')] : labels);
    return { tos, outcome: winner === null ? 'it would be a tie' : `${frameworkName(knowledge, winner)} would lead` };
  });
  const [first, ...rest] = outcomes;
  const word = from === null || from === SKIP ? 'with' : 'to';
  const others = rest.map((o) => `; ${word} ${o.tos}, ${o.outcome}`).join('');
  if (from === null) return `If you answered "${title}" (not answered yet) with ${first!.tos}, ${first!.outcome}${others}.`;
  if (from === SKIP) return `If you answered "${title}" with ${first!.tos} instead of "don't know", ${first!.outcome}${others}.`;
  return `If you changed "${title}" from "${optionLabel(knowledge, criterion, from)}" to ${first!.tos}, ${first!.outcome}${others}.`;
}

/** One line per answer that could change the verdict, the most actionable answers first; the rest counted. */
function flipSummary(knowledge: Knowledge, rec: Recommendation): Pick<ResultSummary, 'flips' | 'moreFlips'> {
  const ranked = rankFlips(knowledge, rec.flips);
  const criteria = [...new Set(ranked.map((flip) => flip.criterion))];
  const shown = criteria.slice(0, MAX_FLIPS);
  const flips = shown.map((criterion) => answerFlipsText(knowledge, ranked.filter((flip) => flip.criterion === criterion)));
  const moreFlips = criteria.length > shown.length ? `…and ${plural(criteria.length - shown.length, 'more answer')} could change it (${plural(ranked.length, 'change')} in all).` : null;
  return { flips, moreFlips };
}

/** The compact default result for a recommendation. */
export function resultSummary(knowledge: Knowledge, rec: Recommendation): ResultSummary {
  return { ...reasonGroups(knowledge, rec), ...caveatSummary(knowledge, rec), ...flipSummary(knowledge, rec) };
}

/**
 * A compact result for a view built without one (by hand, or stored before views had one): the
 * leader's first reasons and every other framework's, and the first caveats and changes, counted.
 */
export function summaryFromView(view: RecommendationView): ResultSummary {
  const order = [...new Set([...view.bars.map((b) => b.framework), ...view.reasons.flatMap((r) => (r.favours === null ? [] : [r.favours]))])];
  const groups: ReasonGroup[] = [];
  order.forEach((framework, index) => {
    const reasons = view.reasons.filter((r) => r.favours === framework);
    if (reasons.length === 0) return;
    const shown = Math.min(reasons.length, index === 0 ? LEADER_REASONS : OTHER_REASONS);
    const name = reasons[0]!.favoursName ?? framework;
    groups.push({ framework, heading: groupHeading(name, shown, reasons.length), reasons: reasons.slice(0, shown).map((r) => ({ criterion: r.criterion, text: `${r.title}: ${r.answer} (${r.pointsText})` })) });
  });
  const more = (count: number, noun: string): string | null => (count > 0 ? `…and ${plural(count, noun)}.` : null);
  return {
    groups,
    moreReasons: neutralReasonsText(view.reasons.filter((r) => r.favours === null).length, Math.max(2, view.bars.length)),
    caveats: view.caveats.slice(0, MAX_CAVEATS).map((c) => `${c.title}. ${c.text}`),
    moreCaveats: more(view.caveats.length - MAX_CAVEATS, 'more caveat'),
    flips: view.flips.slice(0, MAX_FLIPS),
    moreFlips: more(view.flips.length - MAX_FLIPS, 'more change'),
  };
}
