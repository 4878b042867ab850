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
import { deferPicks } from './deferral.ts';
import { leadingYesNo, negatedListPicks, negatedSubjects, applyModifier, cueAfter, cueBefore, floatingCuePicks, mentionNegationPicks, readNegationPhrases, type Modifier } from './negation.ts';
import { rateRegions } from './durations.ts';
import { quantityCandidates } from './quantities.ts';
import { findMentions, findUnsureCues, markUsed, phraseCandidates, pickOf, selectSpans, type Message, type Pick, type Span } from './spans.ts';
import type { TextMatch } from './types.ts';
import { NEGATION_CUES, NO_PHRASES, REPLY_FOLLOWERS } from './grammar.ts';
import { answerOption, type MatchToken, type Reading, type Vocabulary } from './vocabulary.ts';

export function readMessage(knowledge: Knowledge, vocab: Vocabulary, tokens: MatchToken[], norm: string, current: string | null): Message {
  // Amounts are chosen apart from phrases, so "3 django developers" is both a team size and an experience.
  // A phrase about an amount inside an amount ("a year" in "within a year") gives way to it: the amount read in context decides.
  const amounts = selectSpans(quantityCandidates(vocab, tokens, current));
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
  const spans = decideSizes(vocab, tokens, [...phrases, ...amounts])
    .filter((s) => s.readings.length > 0)
    .sort((a, b) => a.start - b.start);
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

/** Words that single out the amount that counts: "200 engineers, but only 2 on this project". */
const SINGLING_OUT: ReadonlySet<string> = new Set(['only', 'just']);
/** Words of sizes over time: with one in the sentence and a larger size after, "only" means "merely" ("only 500 users at first, then 100k"). */
const OVER_TIME: ReadonlySet<string> = new Set('then later eventually someday afterwards future next first initially grow grows growing years'.split(' '));

/**
 * Several sizes of one ranged criterion in a message (amounts, or phrases of its ranged options such as
 * "millions"): the peak decides ("50 requests a day normally, then 100k per minute", "500 users at launch and
 * millions later"), unless "only" or "just" singles one out in a sentence that is not about time. A phrase under a negation ("not large") is no size.
 * Only that criterion's readings of the other spans go; their readings of other criteria stay.
 */
function decideSizes(vocab: Vocabulary, tokens: readonly MatchToken[], spans: readonly Span[]): Span[] {
  const rankOf = (r: Reading): number | undefined => {
    for (const list of vocab.ranges.values()) {
      const options = list.find((l) => l.criterion === r.criterion)?.options;
      const option = options?.find((o) => o.option === r.option);
      if (option) return option.min;
    }
    return undefined;
  };
  const before = (span: Span, words: ReadonlySet<string>, reach: number): boolean =>
    tokens.slice(Math.max(0, span.start - reach), span.start).some((t) => t.clause === tokens[span.start]!.clause && words.has(t.key));
  // A phrase that could answer several criteria ("small": the team or the traffic) is settled later, not sized here.
  const sized = (span: Span): boolean => span.amount !== undefined || new Set(span.readings.map((r) => r.criterion)).size === 1;
  const sizes = spans.filter(sized).flatMap((span) =>
    span.readings.flatMap((r) => {
      const rank = rankOf(r);
      if (rank === undefined || (span.amount === undefined && before(span, NEGATION_CUES, 4))) return [];
      return [{ span, criterion: r.criterion, rank: span.amount ?? rank, singled: before(span, SINGLING_OUT, 2) }];
    }),
  );
  const keep = new Map<string, Set<Span>>();
  for (const criterion of new Set(sizes.map((s) => s.criterion))) {
    const mine = sizes.filter((s) => s.criterion === criterion);
    // "only 500 users at first, then 100k": a larger size later in a sentence about time makes "only" mean "merely".
    const sentenceOf = (s: (typeof mine)[number]): number => tokens[s.span.start]!.sentence;
    const overTime = (sentence: number): boolean => tokens.some((t) => t.sentence === sentence && OVER_TIME.has(t.key));
    const outgrown = (s: (typeof mine)[number]): boolean =>
      overTime(sentenceOf(s)) && mine.some((o) => o.span.start > s.span.start && o.rank > s.rank && sentenceOf(o) === sentenceOf(s));
    const singled = mine.filter((s) => s.singled && !outgrown(s));
    const contenders = singled.length > 0 ? singled : mine;
    const peak = Math.max(...contenders.map((s) => s.rank));
    keep.set(criterion, new Set(contenders.filter((s) => s.rank >= peak).map((s) => s.span)));
  }
  return spans.map((span) =>
    sized(span) ? { ...span, readings: span.readings.filter((r) => !keep.has(r.criterion) || rankOf(r) === undefined || keep.get(r.criterion)!.has(span)) } : span,
  );
}

/**
 * "no its german", "no it's english, maybe french later" at a yes/no question: an opening reply "no" (a pronoun, a
 * comma or nothing after it) is the answer; a content word read as "yes" (one language named) does not overturn it.
 */
function openingNoWins(m: Message, picks: Pick[]): void {
  if (m.current === null) return;
  const [yes, no] = [answerOption(m.knowledge, m.current, 'yes_option'), answerOption(m.knowledge, m.current, 'no_option')];
  const yesPicks = picks.filter((p) => p.criterion === m.current && p.option === yes);
  // Several things named ("english and french") is a yes of its own.
  if (yes === undefined || no === undefined || yesPicks.length === 0 || yesPicks.some((p) => /\b(?:and|plus)\b/.test(p.evidence))) return;
  const reply = NO_PHRASES.map((p) => p.split(' ')).find((words) => words.every((w, k) => m.tokens[k]?.key === w));
  const next = reply ? m.tokens[reply.length] : undefined;
  if (!reply || (next !== undefined && next.clause === m.tokens[0]!.clause && !REPLY_FOLLOWERS.has(next.key))) return;
  for (let i = picks.length - 1; i >= 0; i--) if (picks[i]!.criterion === m.current) picks.splice(i, 1);
  picks.push(pickOf(m, { criterion: m.current, option: no }, 0, reply.length, true, reply.length));
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
  const cues: { start: number; end: number }[] = [];
  const picksOf = new Map<Span, Pick[]>();
  for (const span of m.spans) {
    if (negations.consumed.has(span)) continue;
    const read = readSpan(m, span, negations.negatedBy.get(span));
    if (read.negation) {
      cues.push(read.negation);
      picks.push(...negatedListPicks(m, span, read.negation));
    }
    const chosen = chooseCriterion(m, read.readings, span);
    if (chosen === 'deferred') deferred.push(read);
    else {
      const own = chosen.map((r) => pickOf(m, r, read.start, read.end, read.real, read.words));
      picksOf.set(span, own);
      picks.push(...own);
    }
  }
  // A phrase that served as another's negation ("none of us" in "none of us knows flask") answers nothing itself.
  for (const [span, own] of picksOf) {
    if (!cues.some((cue) => cue.start <= span.start && span.end <= cue.end)) continue;
    for (const pick of own) picks.splice(picks.indexOf(pick), 1);
  }
  const ambiguousSpans = resolveDeferred(m, deferred, picks);
  picks.push(...mentionNegationPicks(m, negations.negatedBy), ...floatingCuePicks(m, negations.negatedBy));
  if (m.current !== null && !picks.some((p) => p.criterion === m.current)) {
    const yesNo = leadingYesNo(m);
    if (yesNo) picks.push(yesNo);
  }
  openingNoWins(m, picks);
  const resolved = resolvePicks(m.knowledge, deferPicks(m, picks));
  return { matches: resolved.matches, ambiguous: ambiguousSpans || resolved.ambiguous };
}

function readSpan(m: Message, span: Span, negation: Span | undefined): ReadSpan {
  const modifier: Modifier = negation ? { kind: 'negate', cue: { start: negation.start, end: negation.end } } : (cueBefore(m, span) ?? cueAfter(m, span));
  if (modifier) markUsed(m, modifier.cue);
  if (modifier?.kind === 'negate') m.negated.add(span);
  return {
    readings: applyModifier(m, span, modifier),
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
    // A phrase said of something else does not settle its criterion: in "a CMS with an API", "cms" is the project type.
    const determined = new Set(picks.filter((p) => !p.attached).map((p) => p.criterion));
    let open = uniqueCriteria(item.readings).filter((c) => !determined.has(c));
    const attachedTo = open.filter((c) => picks.some((p) => p.attached && p.criterion === c));
    if (open.length > 1 && attachedTo.length === 1) open = attachedTo;
    if (open.length === 1) {
      for (const r of item.readings.filter((x) => x.criterion === open[0])) picks.push(pickOf(m, r, item.start, item.end, item.real, item.words));
    } else if (open.length > 1) ambiguous = true;
  }
  return ambiguous;
}

/** One match per criterion: a real option before a skip, then one not said of something else, then the longer phrase; a tie leaves it out. */
function resolvePicks(knowledge: Knowledge, picks: readonly Pick[]): { matches: TextMatch[]; ambiguous: boolean } {
  const matches: TextMatch[] = [];
  let ambiguous = false;
  for (const criterion of knowledge.criteria) {
    const mine = picks
      .filter((p) => p.criterion === criterion.id)
      .sort((a, b) => Number(b.real) - Number(a.real) || Number(a.attached) - Number(b.attached) || b.words - a.words);
    const best = mine[0];
    if (!best) continue;
    const rivals = mine.filter((p) => p.real === best.real && p.attached === best.attached && p.words === best.words && p.option !== best.option);
    if (rivals.length > 0) ambiguous = true;
    else matches.push({ criterion: criterion.id, option: best.option, evidence: best.evidence });
  }
  return { matches, ambiguous };
}
