/**
 * A message read as answers: spans with their cues, each given to one criterion,
 * then one answer per criterion.
 *
 * - A phrase that could mean options of several criteria goes to the criterion being
 *   asked; else to a criterion named in the same clause ("security is critical"); else to
 *   the only one not already answered by another phrase of the message; else it is left out.
 * - Words too common to fill another criterion (the pack's `synonyms_when_asked`, bare
 *   option ids) count only for the asked one or one named in the clause, so free text
 *   answers the current question first.
 * - Two different options of one criterion: the longer phrase wins; a tie leaves the
 *   criterion out. A real option always beats a skip.
 */
import type { Knowledge } from '../../knowledge/load.ts';
import { deferPicks, leadingYesNo, negatedListPicks, negatedSubjects, applyModifier, cueAfter, cueBefore, floatingCuePicks, mentionNegationPicks, readNegationPhrases, type Modifier } from './negation.ts';
import { quantityCandidates, rateRegions } from './quantities.ts';
import { findMentions, findUnsureCues, markUsed, phraseCandidates, pickOf, selectSpans, type Message, type Pick, type Span } from './spans.ts';
import type { TextMatch } from './types.ts';
import type { MatchToken, Reading, Vocabulary } from './vocabulary.ts';

export function readMessage(knowledge: Knowledge, vocab: Vocabulary, tokens: MatchToken[], norm: string, current: string | null): Message {
  // Amounts are chosen apart from phrases, so "3 django developers" is both a team size and an experience.
  // A phrase about an amount inside an amount ("a year" in "within a year") gives way to it: the amount read in context decides.
  const amounts = peakAmounts(selectSpans(quantityCandidates(vocab, tokens, current)));
  const ranged = new Set([...vocab.ranges.values()].flatMap((list) => list.map((c) => c.criterion)));
  // So do phrases inside a rate ("a year" in "200000 customers a year"): no duration there.
  const contexts = [...amounts, ...rateRegions(tokens)];
  const subjects = negatedSubjects(tokens);
  const phrases = selectSpans(phraseCandidates(vocab, tokens, current)).filter(
    (p) =>
      !(p.readings.every((r) => ranged.has(r.criterion)) && contexts.some((q) => q.start <= p.start && p.end <= q.end)) &&
      !amounts.some((q) => q.horizon && q.start <= p.start && p.end <= q.end) &&
      !subjects.some((q) => q.start <= p.start && p.end <= q.end && p.end - p.start < q.end - q.start),
  );
  const spans = [...phrases, ...amounts.filter((a) => a.readings.length > 0)].sort((a, b) => a.start - b.start);
  const spanAt: (Span | undefined)[] = tokens.map((_, i) => spans.find((s) => s.start <= i && i < s.end));
  return {
    knowledge,
    vocab,
    tokens,
    norm,
    current,
    spans,
    spanAt,
    // "we don't know flask and django": knowing is the topic ("know flask" is a pack phrase), so it is a negation, not doubt.
    unsure: findUnsureCues(tokens, spanAt).filter((c) => !(c.end < tokens.length && vocab.exact.has(tokens[c.end - 1]!.word + tokens[c.end]!.word))),
    used: new Set(),
    negated: new Set(),
    mentions: findMentions(vocab, tokens, spanAt),
  };
}

/**
 * "50 requests a day normally, then 100k per minute": several amounts for one criterion in a message,
 * the largest (the peak) decides; the others keep their readings of other criteria only.
 */
function peakAmounts(amounts: readonly Span[]): Span[] {
  const peak = new Map<string, number>();
  for (const a of amounts) for (const r of a.readings) peak.set(r.criterion, Math.max(peak.get(r.criterion) ?? -Infinity, a.amount ?? -Infinity));
  return amounts.map((a) => ({ ...a, readings: a.readings.filter((r) => a.amount === undefined || a.amount >= peak.get(r.criterion)!) }));
}

/** A span read with its cue, before its criterion is settled. */
interface ReadSpan {
  readings: Reading[];
  start: number;
  end: number;
  words: number;
  real: boolean;
  /** The cue of a negation, when the span is negated. */
  negation?: { start: number; end: number };
}

/** The answers a message gives, one per criterion in pack order; `ambiguous` when some phrase was left out as unclear. */
export function answersOf(m: Message): { matches: TextMatch[]; ambiguous: boolean } {
  const negations = readNegationPhrases(m);
  const picks = [...negations.picks];
  const deferred: ReadSpan[] = [];
  for (const span of m.spans) {
    if (negations.consumed.has(span)) continue;
    const read = readSpan(m, span, negations.negatedBy.get(span));
    if (read.negation) picks.push(...negatedListPicks(m, span, read.negation));
    const chosen = chooseCriterion(m, read.readings, span);
    if (chosen === 'deferred') deferred.push(read);
    else for (const r of chosen) picks.push(pickOf(m, r, read.start, read.end, read.real, read.words));
  }
  const ambiguousSpans = resolveDeferred(m, deferred, picks);
  picks.push(...mentionNegationPicks(m, negations.negatedBy), ...floatingCuePicks(m, negations.negatedBy));
  if (m.current !== null && !picks.some((p) => p.criterion === m.current)) {
    const yesNo = leadingYesNo(m);
    if (yesNo) picks.push(yesNo);
  }
  const resolved = resolvePicks(m.knowledge, deferPicks(m, picks));
  return { matches: resolved.matches, ambiguous: ambiguousSpans || resolved.ambiguous };
}

function readSpan(m: Message, span: Span, negation: Span | undefined): ReadSpan {
  const modifier: Modifier = negation ? { kind: 'negate', cue: { start: negation.start, end: negation.end } } : (cueBefore(m, span) ?? cueAfter(m, span));
  if (modifier) markUsed(m, modifier.cue);
  if (modifier?.kind === 'negate') m.negated.add(span);
  return {
    readings: applyModifier(m, span.readings, modifier),
    start: Math.min(span.start, modifier?.cue.start ?? span.start),
    end: Math.max(span.end, modifier?.cue.end ?? span.end),
    words: span.end - span.start,
    real: modifier?.kind !== 'unsure',
    ...(modifier?.kind === 'negate' ? { negation: modifier.cue } : {}),
  };
}

function uniqueCriteria(readings: readonly Reading[]): string[] {
  return [...new Set(readings.map((r) => r.criterion))];
}

/** The readings of the one criterion a span is about, or 'deferred' when several remain. */
function chooseCriterion(m: Message, readings: readonly Reading[], span: Span): Reading[] | 'deferred' {
  const criteria = uniqueCriteria(readings);
  if (criteria.length <= 1) return [...readings];
  if (m.current !== null && criteria.includes(m.current)) return readings.filter((r) => r.criterion === m.current);
  const clause = m.tokens[span.start]!.clause;
  const named = criteria.filter((c) => m.mentions.some((x) => x.criterion === c && m.tokens[x.start]!.clause === clause));
  if (named.length === 1) return readings.filter((r) => r.criterion === named[0]);
  return 'deferred';
}

/** Phrases of several criteria go to the only one no other phrase answered; returns whether any stayed ambiguous. */
function resolveDeferred(m: Message, deferred: readonly ReadSpan[], picks: Pick[]): boolean {
  let ambiguous = false;
  for (const item of deferred) {
    const determined = new Set(picks.map((p) => p.criterion));
    const open = uniqueCriteria(item.readings).filter((c) => !determined.has(c));
    if (open.length === 1) {
      for (const r of item.readings.filter((x) => x.criterion === open[0])) picks.push(pickOf(m, r, item.start, item.end, item.real, item.words));
    } else if (open.length > 1) ambiguous = true;
  }
  return ambiguous;
}

/** One match per criterion: a real option before a skip, then the longer phrase; a tie leaves it out. */
function resolvePicks(knowledge: Knowledge, picks: readonly Pick[]): { matches: TextMatch[]; ambiguous: boolean } {
  const matches: TextMatch[] = [];
  let ambiguous = false;
  for (const criterion of knowledge.criteria) {
    const mine = picks
      .filter((p) => p.criterion === criterion.id)
      .sort((a, b) => Number(b.real) - Number(a.real) || b.words - a.words);
    const best = mine[0];
    if (!best) continue;
    const rivals = mine.filter((p) => p.real === best.real && p.words === best.words && p.option !== best.option);
    if (rivals.length > 0) ambiguous = true;
    else matches.push({ criterion: criterion.id, option: best.option, evidence: best.evidence });
  }
  return { matches, ambiguous };
}
