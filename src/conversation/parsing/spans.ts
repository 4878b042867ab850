/**
 * Where a message says something about a criterion: phrase spans from the pack
 * vocabulary (exact words first, then stems), criterion mentions, uncertainty
 * cues, and the choice between overlapping spans.
 */
import type { Knowledge } from '../../knowledge/load.ts';
import { AUDIENCE_NOUNS, COMPARISON_FRAME, DEGREE_VERBS, DETERMINERS, FILLERS, INNER_WORDS, NEGATION_CUES, SELF_NOUNS, UNSURE_CUES } from './grammar.ts';
import { isAttached } from './attachment.ts';
import type { MatchToken, Reading, VocabEntry, Vocabulary } from './vocabulary.ts';

export interface Span {
  start: number;
  /** Exclusive token index. */
  end: number;
  readings: Reading[];
  /** Characters covered: between overlapping candidates, the tie-break after word count. */
  chars: number;
  /** For an amount: its value ("100k" is 100000). */
  amount?: number;
  /** A duration telling when something else happens ("maybe in a year"): no phrase inside it answers. */
  horizon?: boolean;
}

export interface Cue {
  start: number;
  end: number;
}

export interface Mention {
  start: number;
  criterion: string;
}

/** What the parser works on for one message. */
export interface Message {
  knowledge: Knowledge;
  vocab: Vocabulary;
  tokens: MatchToken[];
  norm: string;
  /** The criterion being asked, or null. */
  current: string | null;
  spans: Span[];
  /** Token index -> the span covering it. */
  spanAt: (Span | undefined)[];
  unsure: Cue[];
  /** Cue tokens already used by some span, so they are not reused. */
  used: Set<number>;
  mentions: Mention[];
  /** Spans read as negated so far (in message order). */
  negated: Set<Span>;
}

export function hasReading(list: readonly Reading[], r: Reading): boolean {
  return list.some((x) => x.criterion === r.criterion && x.option === r.option);
}

/** Does the clause of token `i` name criterion `criterion` (a title or id word)? */
function clauseNames(vocab: Vocabulary, tokens: readonly MatchToken[], i: number, criterion: string): boolean {
  const clause = tokens[i]!.clause;
  return tokens.some((t) => t.clause === clause && (vocab.mentionWords.get(t.word) === criterion || vocab.criterionNames.get(t.word) === criterion));
}

/** Tokens that are the middle of "as long as", "as soon as": no answer on their own. */
function comparisonMiddles(tokens: readonly MatchToken[]): Set<number> {
  const middles = new Set<number>();
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [a, b, c] = [tokens[i]!, tokens[i + 1]!, tokens[i + 2]!];
    if (a.key === COMPARISON_FRAME && c.key === COMPARISON_FRAME && a.clause === c.clause && b.clause === a.clause) middles.add(i + 1);
  }
  return middles;
}

/** Every vocabulary phrase in the message, with the readings that may count here. */
export function phraseCandidates(vocab: Vocabulary, tokens: readonly MatchToken[], current: string | null): Span[] {
  const content = tokens.map((t) => !FILLERS.has(t.key));
  const wholeMessage = (s: number, e: number): boolean => content.every((isContent, i) => !isContent || (i >= s && i < e));
  const middles = comparisonMiddles(tokens);
  const spans: Span[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.intensifier) continue;
    let raw = '';
    let rawStems = '';
    let trimmed = '';
    let trimmedStems = '';
    for (let j = i; j < tokens.length && j < i + vocab.maxWords + 2 && tokens[j]!.clause === tokens[i]!.clause; j++) {
      const t = tokens[j]!;
      raw += t.word;
      rawStems += t.stem;
      // Inside a phrase, a possessive or article says nothing: "edit their own pages" reads as "edit pages".
      const inner = j > i && INNER_WORDS.has(t.key);
      if (!t.intensifier && !inner) {
        trimmed += t.word;
        trimmedStems += t.stem;
      }
      if (t.intensifier || inner || (j === i && middles.has(i))) continue;
      const exact = vocab.exact.get(raw) ?? vocab.exact.get(trimmed);
      const found = exact ?? vocab.stems.get(rawStems) ?? vocab.stems.get(trimmedStems);
      if (!found) continue;
      // One word found only through its stem in another form than the pack's (not a mere plural) is another word:
      // a past tense tells what happened ("we hired three more"), a noun names something else than its
      // activity ("food banks" is no "banking"). Weak: it answers only its own question.
      const derived = !exact && j === i && !pluralOfPackWord(vocab, t.word) && (PAST_TENSE.test(t.key) || nounOfActivity(vocab, t));
      // Another word heading a compound after "for" ("a site for food banks") names whom the product is for,
      // and says nothing of its data, even at its own question.
      if (derived && compoundAfterFor(tokens, i)) continue;
      if (found.every((e) => e.strength !== 'strong') && saysHowMuch(tokens, i, j)) continue;
      const entries = derived || (j === i && modifiesPeople(tokens, i)) ? found.map((e) => ({ ...e, strength: weaker(e.strength) })) : found;
      const readings = withoutSizeOfSelf(vocab, tokens, i, j, current, spanReadings(vocab, tokens, entries, current, i, () => wholeMessage(i, j + 1)));
      if (readings.length > 0) spans.push({ start: i, end: j + 1, readings, chars: t.end - tokens[i]!.start });
    }
  }
  return [...withoutNegatedAsked(spans, tokens, current), ...kindSpans(vocab, tokens)];
}

/**
 * At the asked question, a negation and one of its options ("not critical" at the security question) is that
 * option negated, not another criterion's phrase of the same words (performance's "not critical"), when nothing
 * but fillers comes before it in its clause ("it's not critical"); "speed is not critical" keeps the other topic.
 */
function withoutNegatedAsked(spans: readonly Span[], tokens: readonly MatchToken[], current: string | null): Span[] {
  if (current === null) return [...spans];
  const readsAsked = (start: number, end: number): boolean => spans.some((o) => o.start === start && o.end === end && o.readings.some((r) => r.criterion === current));
  const filler = (key: string): boolean => FILLERS.has(key) || ['its', 'thats', 'that', 'this'].includes(key);
  const opensClause = (s: Span): boolean => tokens.slice(0, s.start).every((t) => t.clause !== tokens[s.start]!.clause || filler(t.key));
  return spans.filter((s) => !(NEGATION_CUES.has(tokens[s.start]!.key) && !s.readings.some((r) => r.criterion === current) && readsAsked(s.start + 1, s.end) && opensClause(s)));
}

/** "latency matters a lot", "we care a lot about speed": right after a verb of caring, a when-asked phrase says how much. */
function saysHowMuch(tokens: readonly MatchToken[], i: number, j: number): boolean {
  let b = i - 1;
  while (b >= 0 && ['a', 'an', 'very', 'so', 'really'].includes(tokens[b]!.key)) b--;
  const [before, after] = [tokens[b], tokens[j + 1]];
  if (!before || before.clause !== tokens[i]!.clause || !DEGREE_VERBS.has(before.key)) return false;
  return !after || after.clause !== tokens[j]!.clause || ['about', 'for', 'to', 'that'].includes(after.key);
}

/** "for healthcare workers", "banking customers": a domain word describing people, not the product. */
function modifiesPeople(tokens: readonly MatchToken[], i: number): boolean {
  const next = tokens[i + 1];
  return next !== undefined && next.clause === tokens[i]!.clause && AUDIENCE_NOUNS.has(next.key);
}

/** "for food banks", "for the city's blood bank": the word heads a compound noun that "for" governs. */
function compoundAfterFor(tokens: readonly MatchToken[], i: number): boolean {
  const clause = tokens[i]!.clause;
  let j = i - 1;
  let modifiers = 0;
  while (j >= 0 && j >= i - 4 && tokens[j]!.clause === clause && tokens[j]!.key !== 'for') {
    if (!DETERMINERS.has(tokens[j]!.key)) modifiers++;
    j--;
  }
  return j >= 0 && tokens[j]!.key === 'for' && tokens[j]!.clause === clause && modifiers > 0;
}

const PAST_TENSE = /\p{L}{2,}ed$/u;

/** The pack names an activity ("banking") and the word is a thing of its stem ("banks", "bank"): another meaning. */
function nounOfActivity(vocab: Vocabulary, t: MatchToken): boolean {
  if (t.word.endsWith('ing')) return false;
  return [t.stem + 'ing', t.stem + t.stem.slice(-1) + 'ing', t.stem.replace(/e$/, '') + 'ing'].some((form) => vocab.exact.has(form));
}

/** Is the word a singular or plural of a one-word pack phrase ("payment" for "payments")? */
function pluralOfPackWord(vocab: Vocabulary, word: string): boolean {
  const forms = [word + 's', word + 'es', word.replace(/s$/, ''), word.replace(/es$/, ''), word.replace(/ies$/, 'y'), word.replace(/y$/, 'ies')];
  return forms.some((f) => f !== word && vocab.exact.has(f));
}

function weaker(strength: VocabEntry['strength']): VocabEntry['strength'] {
  return strength === 'strong' ? 'weak' : strength;
}

/**
 * "a small microservice", "a small nonprofit": a size word describing the thing built or the
 * organisation is no amount of users; it counts only while that question is asked.
 */
function withoutSizeOfSelf(vocab: Vocabulary, tokens: readonly MatchToken[], i: number, j: number, current: string | null, readings: Reading[]): Reading[] {
  if (j !== i) return readings;
  const described = [tokens[i + 1], tokens[i + 2]].some((t) => t !== undefined && t.clause === tokens[i]!.clause && (SELF_NOUNS.has(t.key) || SELF_NOUNS.has(t.word)));
  if (!described) return readings;
  const counted = new Set((vocab.ranges.get('users') ?? []).map((c) => c.criterion));
  return readings.filter((r) => r.criterion === current || !counted.has(r.criterion));
}

/** "english and welsh", "french, german and spanish": two or more words of one pack kind, read as "several <kind>". */
function kindSpans(vocab: Vocabulary, tokens: readonly MatchToken[]): Span[] {
  const spans: Span[] = [];
  const bySentence = new Map<string, number[]>();
  tokens.forEach((t, i) => {
    const kind = vocab.kinds.get(t.word);
    if (!kind) return;
    const key = `${t.sentence}:${kind.kind}`;
    bySentence.set(key, [...(bySentence.get(key) ?? []), i]);
  });
  for (const positions of bySentence.values()) {
    const first = positions[0]!;
    const last = positions.at(-1)!;
    const kind = vocab.kinds.get(tokens[first]!.word)!;
    if (new Set(positions.map((p) => tokens[p]!.word)).size >= 2) {
      spans.push({ start: first, end: last + 1, readings: [...kind.readings], chars: tokens[last]!.end - tokens[first]!.start });
      continue;
    }
    // "german only", "just welsh": one of the kind, as "one <kind>" reads.
    const only = [first - 1, first + 1].find((k) => tokens[k] !== undefined && tokens[k]!.clause === tokens[first]!.clause && ONLY_WORDS.has(tokens[k]!.key));
    if (only === undefined || kind.single.length === 0) continue;
    const [start, end] = [Math.min(first, only), Math.max(first, only) + 1];
    spans.push({ start, end, readings: [...kind.single], chars: tokens[end - 1]!.end - tokens[start]!.start });
  }
  return spans;
}

const ONLY_WORDS = new Set(['only', 'just', 'solely', 'purely', 'exclusively']);

/**
 * Strong readings always; bare-id readings for the asked criterion, or as the whole message when
 * nothing stronger reads it ("small" alone is the scale, whose vocabulary says "small", not the team
 * size, whose id merely is `small`); when-asked readings for the asked criterion or one named in the clause.
 */
function spanReadings(
  vocab: Vocabulary,
  tokens: readonly MatchToken[],
  entries: readonly VocabEntry[],
  current: string | null,
  start: number,
  isWholeMessage: () => boolean,
): Reading[] {
  const allowed = entries.filter(
    (e) =>
      e.strength === 'strong' ||
      e.criterion === current ||
      ((e.strength === 'asked' || e.strength === 'weak') && (clauseNames(vocab, tokens, start, e.criterion) || (current === null && isWholeMessage()))),
  );
  // A bare id as the whole message fills another criterion only when none is asked ("normal" at the database question is no timeline).
  const chosen = allowed.length > 0 ? allowed : current === null && isWholeMessage() ? entries.filter((e) => e.strength === 'id') : [];
  return chosen.map(({ criterion, option }) => ({ criterion, option }));
}

/**
 * Longest first; a candidate overlapping an accepted span is dropped, and so is one lying
 * inside a dropped longer candidate (its words already had a longer meaning).
 */
export function selectSpans(candidates: readonly Span[]): Span[] {
  const merged = new Map<string, Span>();
  for (const c of candidates) {
    const id = `${c.start}:${c.end}`;
    const existing = merged.get(id);
    if (!existing) merged.set(id, { ...c, readings: [...c.readings] });
    else for (const r of c.readings) if (!hasReading(existing.readings, r)) existing.readings.push(r);
  }
  const ordered = [...merged.values()].sort((a, b) => b.end - b.start - (a.end - a.start) || b.chars - a.chars || a.start - b.start);
  const accepted: Span[] = [];
  const rejected: Span[] = [];
  for (const c of ordered) {
    const overlaps = accepted.some((a) => c.start < a.end && a.start < c.end);
    const inside = rejected.some((r) => r.start <= c.start && c.end <= r.end);
    (overlaps || inside ? rejected : accepted).push(c);
  }
  return accepted.sort((a, b) => a.start - b.start);
}

export function findUnsureCues(tokens: readonly MatchToken[], spanAt: readonly (Span | undefined)[]): Cue[] {
  const cues: Cue[] = [];
  for (let i = 0; i < tokens.length; i++) {
    for (const cue of UNSURE_CUES) {
      const end = i + cue.length;
      const fits = end <= tokens.length && cue.every((w, k) => tokens[i + k]!.key === w && !spanAt[i + k] && tokens[i + k]!.clause === tokens[i]!.clause);
      if (fits) {
        cues.push({ start: i, end });
        i = end - 1;
        break;
      }
    }
  }
  return cues;
}

export function findMentions(vocab: Vocabulary, tokens: readonly MatchToken[], spanAt: readonly (Span | undefined)[]): Mention[] {
  const mentions: Mention[] = [];
  tokens.forEach((t, i) => {
    const criterion = vocab.mentionWords.get(t.word) ?? vocab.criterionNames.get(t.word);
    if (criterion && !spanAt[i]) mentions.push({ start: i, criterion });
  });
  // Multi-word titles and ids ("time to market", "admin_panel").
  for (let i = 0; i < tokens.length; i++) {
    let joined = tokens[i]!.word;
    for (let j = i + 1; j < Math.min(tokens.length, i + 5) && !spanAt[j] && !spanAt[i]; j++) {
      joined += tokens[j]!.word;
      const criterion = vocab.criterionNames.get(joined);
      if (criterion) mentions.push({ start: i, criterion });
    }
  }
  return mentions;
}

/** One possible answer found in a message, before one per criterion is chosen. */
export interface Pick extends Reading {
  /** A real option beats a skip. */
  real: boolean;
  /** Words of the phrase behind it: the longer phrase wins within a criterion. */
  words: number;
  evidence: string;
  /** Said of something else ("a CMS with an API"): it gives way to a phrase of the same criterion that is not. */
  attached: boolean;
}

export function pickOf(m: Message, reading: Reading, start: number, end: number, real: boolean, words: number): Pick {
  const first = m.tokens[start];
  const last = m.tokens[end - 1];
  const evidence = first && last ? m.norm.slice(first.start, last.end + (last.plus ? 1 : 0)) : '';
  return { ...reading, real, words, evidence, attached: isAttached(m, reading.criterion, start, end) };
}

export function markUsed(m: Message, cue: Cue): void {
  for (let k = cue.start; k < cue.end; k++) m.used.add(k);
}
