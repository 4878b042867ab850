/**
 * Negation and uncertainty around option phrases: "we don't need an admin panel",
 * "admin panel is not needed", "i18n: no", "not sure about the database", a bare
 * "yes"/"nope". Which option a negation, "yes" or "no" picks is the pack's
 * `negative_option`, `yes_option` and `no_option`; without one, a negated phrase
 * is dropped, never guessed.
 */
import { SKIP } from '../../knowledge/schema.ts';
import { IMPORTANCE_FILLERS, NEGATION_CANCELLERS, IMPORTANCE_WORDS, NEGATED_SUBJECTS, NEITHER_WORD, NEED_WORDS, NEGATION_CUES, NEGATION_PHRASE_WORDS, NO_PHRASES, REPLY_FOLLOWERS, TRAILING_NEGATIONS, YES_PHRASES } from './grammar.ts';
import { hasReading, markUsed, pickOf, type Cue, type Mention, type Message, type Pick, type Span } from './spans.ts';
import { keysOf } from './normalise.ts';
import { answerOption, type Reading } from './vocabulary.ts';

/** How many words before an option phrase a negation cue may stand ("don't really need an admin panel"). */
const NEGATION_WINDOW = 4;
/** Uncertainty reaches further: "not sure if we need an admin panel". */
export const UNSURE_WINDOW = 6;
/** A negated subject governs its whole clause's verb phrase: "nobody on the team has really used flask". */
const SUBJECT_WINDOW = 8;
/** How many words after an option phrase a trailing cue may stand ("admin panel is not needed"). */
const TRAILING_WINDOW = 3;

/** `affirm`: a negation spent on "mind" or "hurt" ("wouldn't mind an admin panel"): the phrase stands, and nothing after it negates it. */
export type Modifier = { kind: 'negate' | 'unsure' | 'affirm'; cue: Cue } | null;

export function negativeOption(m: Message, criterion: string): string | undefined {
  return answerOption(m.knowledge, criterion, 'negative_option');
}

/**
 * The option a negated phrase of `option` picks: the negative option, except where the options are
 * alternatives ("we don't use MongoDB" rules NoSQL out; it does not say "no database").
 */
function negatedOption(m: Message, criterion: string, option: string, governs: boolean): string | undefined {
  const negative = negativeOption(m, criterion);
  const c = m.knowledge.criterionById.get(criterion);
  if (negative === undefined || c?.options_are_alternatives) return negative === option ? negative : undefined;
  if (negative !== option) return negative;
  // Of two options, not wanting the negative one is wanting the other ("we don't want conventions" is maximum freedom),
  // but only where the negation plainly governs the phrase; otherwise nothing is guessed.
  return governs && c && c.options.length === 2 ? c.options.find((o) => o.id !== option)?.id : negative;
}

/** Words that may stand between a negation and the phrase it governs: "don't want to follow conventions", "won't be english only". */
const GOVERNED_VIA: ReadonlySet<string> = new Set(
  'want wants wanted need needs like care about for any a an the our really have to be been being keep keeping follow following stay staying stick stuck with use using remain strict rigid fixed clear'.split(' '),
);

/** Whether a negation cue plainly governs the span: only words like these between them, and the phrase not itself a negation ("no rush"). */
function governs(m: Message, cue: Cue, span: Span): boolean {
  if (NEGATION_CUES.has(m.tokens[span.start]!.key)) return false;
  return m.tokens.slice(cue.end, span.start).every((t) => GOVERNED_VIA.has(t.key));
}

/** Words that make a phrase an answer of its own, so an opening "no" before it is a reply: "no same team", "no english only". */
const RESTRICTIVE_WORDS: ReadonlySet<string> = new Set(['only', 'just', 'same']);

/**
 * Whether token `j` ends a reply word that opens its sentence ("no", "nope", "not really") and answers the question
 * rather than negating what follows: a pronoun or "just" comes next, or the phrase is an answer of its own.
 */
function isLeadingReply(m: Message, j: number, span: Span): boolean {
  let first = j;
  while (first > 0 && m.tokens[first - 1]!.sentence === m.tokens[j]!.sentence) first--;
  if (!NO_PHRASES.includes(m.tokens.slice(first, j + 1).map((t) => t.key).join(' '))) return false;
  const next = m.tokens[j + 1];
  // A restrictive word in the phrase, or an "only" closing its clause right after it ("proven tech only"); not the
  // "just" that opens what comes next ("no admin, just the api", "no admin just the api").
  const after = m.tokens[span.end];
  const last = span.end + 1 >= m.tokens.length || m.tokens[span.end + 1]!.clause !== after?.clause;
  const closingOnly = after !== undefined && after.clause === m.tokens[span.start]!.clause && after.key === 'only' && last;
  // At either end of the phrase ("same team", "english only"), not between two named things ("spanish just english").
  const [opening, closing] = [m.tokens[span.start]!, m.tokens[span.end - 1]!];
  return (next !== undefined && REPLY_FOLLOWERS.has(next.key)) || closingOnly || RESTRICTIVE_WORDS.has(opening.key) || RESTRICTIVE_WORDS.has(closing.key);
}

/**
 * The option a bare "not needed" / "we don't need one" picks at the asked question: its negative
 * option only when that means doing without something (the "no" option, or a label that says
 * "No database"), not a position such as "Happy with conventions".
 */
function absenceOption(m: Message, criterion: string): string | undefined {
  const negative = negativeOption(m, criterion);
  if (negative === undefined || negative === answerOption(m.knowledge, criterion, 'no_option')) return negative;
  const label = m.knowledge.criterionById.get(criterion)?.options.find((o) => o.id === negative)?.label ?? '';
  return keysOf(label).some((k) => NEGATION_CUES.has(k) || NO_PHRASES.includes(k)) ? negative : undefined;
}

/** A pack phrase that only says "not needed" ("not required", "unnecessary", "not critical"). */
export function isNegationPhrase(m: Message, span: Span): boolean {
  const keys = m.tokens.slice(span.start, span.end).map((t) => t.key);
  return keys.every((k) => NEGATION_PHRASE_WORDS.has(k)) && keys.some((k) => NEGATION_CUES.has(k) || TRAILING_NEGATIONS.has(k));
}

/** A negation or uncertainty cue in front of the span, nearest first, within its clause. */
export function cueBefore(m: Message, span: Span): Modifier {
  const clause = m.tokens[span.start]!.clause;
  for (let j = span.start - 1; j >= 0 && j >= span.start - SUBJECT_WINDOW; j--) {
    if (m.tokens[j]!.clause !== clause) return null;
    const subject = negatedSubjectEndingAt(m, j);
    if (subject) return { kind: 'negate', cue: subject };
    if (j < span.start - UNSURE_WINDOW) continue;
    const before = m.spanAt[j];
    if (before) return sharesNegation(m, before, span) ? { kind: 'negate', cue: { start: span.start, end: span.start } } : null;
    const unsure = m.unsure.find((c) => c.start <= j && j < c.end);
    if (unsure) return { kind: 'unsure', cue: unsure };
    // "no there's no rush", "no same team": a reply word that opens the sentence answers the question; the phrase stands.
    if (isLeadingReply(m, j, span)) return null;
    if (span.start - j <= NEGATION_WINDOW && NEGATION_CUES.has(m.tokens[j]!.key) && !m.used.has(j)) {
      // "wouldn't mind an admin panel" wants one: the negation is spent on "mind".
      return cancelsNegation(m, j) ? { kind: 'affirm', cue: { start: j, end: j + 2 } } : { kind: 'negate', cue: { start: j, end: j + 1 } };
    }
  }
  return null;
}

function cancelsNegation(m: Message, cue: number): boolean {
  const next = m.tokens[cue + 1];
  // "never mind the admin panel" dismisses it.
  return next !== undefined && next.clause === m.tokens[cue]!.clause && NEGATION_CANCELLERS.has(next.key) && m.tokens[cue]!.key !== 'never';
}

/** Token ranges of negated subjects ("none of us", "no one"): a word inside one ("none") answers nothing alone. */
export function negatedSubjects(tokens: readonly { key: string; clause: number }[]): Cue[] {
  const found: Cue[] = [];
  for (let i = 0; i < tokens.length; i++) {
    for (const subject of NEGATED_SUBJECTS) {
      if (subject.every((w, k) => tokens[i + k]?.key === w && tokens[i + k]!.clause === tokens[i]!.clause)) found.push({ start: i, end: i + subject.length });
    }
  }
  return found;
}

/** "none of us", "nobody", "no one" ending at token `j`, not used yet. */
function negatedSubjectEndingAt(m: Message, j: number): Cue | null {
  for (const subject of NEGATED_SUBJECTS) {
    const start = j - subject.length + 1;
    if (start < 0 || m.used.has(j)) continue;
    if (subject.every((w, k) => m.tokens[start + k]!.key === w && m.tokens[start + k]!.clause === m.tokens[j]!.clause)) return { start, end: j + 1 };
  }
  return null;
}

const LIST_JOINERS = new Set(['or', 'nor', 'and']);

/**
 * "none of us know django or flask", "we've never used flask nor django": a negation over a list
 * of two or more options of one criterion that has no negative option is "neither": the option the
 * pack's own word "neither" names for that criterion.
 */
export function negatedListPicks(m: Message, span: Span, cue: Cue): Pick[] {
  const options = new Map<string, Set<string>>();
  const add = (readings: readonly Reading[]): void => {
    for (const r of readings) options.set(r.criterion, new Set([...(options.get(r.criterion) ?? []), r.option]));
  };
  add(span.readings);
  // A pack phrase that is itself a list ("flask and django") names its members too.
  for (let k = span.start; k < span.end; k++) add((m.vocab.exact.get(m.tokens[k]!.word) ?? []).map(({ criterion, option }) => ({ criterion, option })));
  let end = span.end;
  while (end < m.tokens.length) {
    const joiner = m.tokens[end]!;
    const comma = /^\s*,\s*$/.test(joiner.gap);
    const next = LIST_JOINERS.has(joiner.key) ? end + 1 : comma ? end : -1;
    if (next < 0 || next >= m.tokens.length) break;
    const item = optionWordsAt(m, next);
    if (!item) break;
    add(item.readings);
    end = item.end;
  }
  const picks: Pick[] = [];
  for (const [criterion, chosen] of options) {
    if (chosen.size < 2 || negativeOption(m, criterion) !== undefined) continue;
    const neither = neitherOption(m, criterion);
    if (neither) picks.push(pickOf(m, { criterion, option: neither }, Math.min(cue.start, span.start), end, true, end - Math.min(cue.start, span.start)));
  }
  return picks;
}

/** The option the pack's own word "neither" names for a criterion, if any. */
function neitherOption(m: Message, criterion: string): string | undefined {
  return (m.vocab.exact.get(NEITHER_WORD) ?? []).find((e) => e.criterion === criterion)?.option;
}

/** Any pack phrase (of any strength) of up to three words starting at `at`, in its clause. */
function optionWordsAt(m: Message, at: number): { readings: Reading[]; end: number } | null {
  const span = m.spanAt[at];
  if (span && span.start === at) return { readings: span.readings, end: span.end };
  let joined = '';
  let found: { readings: Reading[]; end: number } | null = null;
  for (let j = at; j < Math.min(m.tokens.length, at + 3) && m.tokens[j]!.clause === m.tokens[at]!.clause; j++) {
    joined += m.tokens[j]!.word;
    const entries = m.vocab.exact.get(joined);
    if (entries) found = { readings: entries.map(({ criterion, option }) => ({ criterion, option })), end: j + 1 };
  }
  return found;
}

/** "no admin panel or i18n": a negation carries over an "or"/"nor" to the next phrase. */
function sharesNegation(m: Message, before: Span, span: Span): boolean {
  const between = m.tokens.slice(before.end, span.start).map((t) => t.key);
  return m.negated.has(before) && between.length === 1 && (between[0] === 'or' || between[0] === 'nor');
}

/** "admin panel is not needed", "i18n: no", "database, not sure" (same clause, a few words after). */
export function cueAfter(m: Message, span: Span): Modifier {
  const clause = m.tokens[span.start]!.clause;
  for (let j = span.end; j < m.tokens.length && j < span.end + TRAILING_WINDOW; j++) {
    const token = m.tokens[j]!;
    if (token.clause !== clause || m.spanAt[j]) return null;
    const unsure = m.unsure.find((c) => c.start === j);
    if (unsure) return { kind: 'unsure', cue: unsure };
    if (TRAILING_NEGATIONS.has(token.key)) return { kind: 'negate', cue: { start: j, end: j + 1 } };
    const need = needWordAfter(m, j);
    if (NEGATION_CUES.has(token.key) && need !== null) return { kind: 'negate', cue: { start: j, end: need + 1 } };
    const lastInClause = j + 1 === m.tokens.length || m.tokens[j + 1]!.clause !== clause;
    if (j === span.end && lastInClause && NO_PHRASES.includes(token.key)) return { kind: 'negate', cue: { start: j, end: j + 1 } };
  }
  return null;
}

/** The index of a need-word within two words after a negation cue at `j`, else null. */
export function needWordAfter(m: Message, j: number): number | null {
  for (let k = j + 1; k <= j + 2 && k < m.tokens.length; k++) {
    if (m.tokens[k]!.clause !== m.tokens[j]!.clause || m.spanAt[k]) return null;
    if (NEED_WORDS.has(m.tokens[k]!.key)) return k;
  }
  return null;
}

export function applyModifier(m: Message, span: Span, modifier: Modifier): Reading[] {
  const readings = span.readings;
  if (!modifier || modifier.kind === 'affirm') return [...readings];
  if (modifier.kind === 'unsure') return uniqueReadings(readings.map((r) => ({ criterion: r.criterion, option: SKIP })));
  const out: Reading[] = [];
  const governed = governs(m, modifier.cue, span);
  for (const r of readings) {
    const negative = negatedOption(m, r.criterion, r.option, governed);
    if (negative && negative !== r.option) out.push({ criterion: r.criterion, option: negative });
    // "we haven't used either": a phrase that already means "neither" (only said under a negation) stays.
    else if (!negative && neitherOption(m, r.criterion) === r.option) out.push(r);
  }
  return uniqueReadings(out);
}

function uniqueReadings(readings: readonly Reading[]): Reading[] {
  const out: Reading[] = [];
  for (const r of readings) if (!hasReading(out, r)) out.push(r);
  return out;
}

/** The target a "not needed" phrase negates: the nearest span or mention before it in its clause. */
function negationTarget(m: Message, span: Span): Span | Mention | null {
  const clause = m.tokens[span.start]!.clause;
  for (let j = span.start - 1; j >= 0 && j >= span.start - 1 - TRAILING_WINDOW; j--) {
    if (m.tokens[j]!.clause !== clause) return null;
    const covering = m.spans.find((s) => s.start <= j && j < s.end);
    if (covering) return covering;
    const mention = m.mentions.find((x) => x.start === j);
    if (mention) return mention;
  }
  return null;
}

export interface NegationPhrases {
  negatedBy: Map<Span | Mention, Span>;
  consumed: Set<Span>;
  picks: Pick[];
}

/**
 * Pack phrases that only say "not needed" negate the span or criterion name just before them;
 * with none there, they answer the asked criterion negatively if its own reading is elsewhere.
 */
export function readNegationPhrases(m: Message): NegationPhrases {
  const negatedBy = new Map<Span | Mention, Span>();
  const consumed = new Set<Span>();
  const picks: Pick[] = [];
  m.tokens.forEach((token, j) => {
    if (!NEGATION_CUES.has(token.key) || m.spanAt[j]) return;
    const denied = importanceDenied(m, j, consumed);
    if (denied) picks.push(denied);
  });
  for (const span of m.spans) {
    if (!isNegationPhrase(m, span)) continue;
    const target = negationTarget(m, span);
    const currentNegative = m.current === null || span.readings.some((r) => r.criterion === m.current) ? undefined : absenceOption(m, m.current);
    if (target) {
      negatedBy.set(target, span);
      consumed.add(span);
    } else if (currentNegative) {
      consumed.add(span);
      picks.push(pickOf(m, { criterion: m.current!, option: currentNegative }, span.start, span.end, true, span.end - span.start));
    }
  }
  return { negatedBy, consumed, picks };
}

/** "security is not critical": a criterion name negated by a "not needed" phrase. */
export function mentionNegationPicks(m: Message, negatedBy: ReadonlyMap<Span | Mention, Span>): Pick[] {
  const picks: Pick[] = [];
  for (const [target, span] of negatedBy) {
    if ('readings' in target) continue;
    const negative = negativeOption(m, target.criterion);
    if (negative) picks.push(pickOf(m, { criterion: target.criterion, option: negative }, target.start, span.end, true, 1));
  }
  return picks;
}

/**
 * Cues no option phrase used: "not sure about the database" (skip database), "no database"
 * (its negative option), "not needed" / "don't know" alone (the asked criterion).
 */
export function floatingCuePicks(m: Message, negatedBy: ReadonlyMap<Span | Mention, Span>): Pick[] {
  const picks: Pick[] = [];
  const mentionAfter = (from: number, window: number): Mention | undefined =>
    m.mentions.find((x) => x.start >= from && x.start < from + window && m.tokens[x.start]!.clause === m.tokens[from - 1]!.clause && !negatedBy.has(x));
  for (const cue of m.unsure) {
    if (m.used.has(cue.start)) continue;
    const mention = mentionAfter(cue.end, UNSURE_WINDOW);
    const criterion = mention?.criterion ?? m.current;
    if (!criterion) continue;
    markUsed(m, cue);
    picks.push(pickOf(m, { criterion, option: SKIP }, cue.start, mention ? mention.start + 1 : cue.end, false, 0));
  }
  m.tokens.forEach((token, j) => {
    if (!NEGATION_CUES.has(token.key) || m.used.has(j) || m.spanAt[j]) return;
    const mention = mentionAfter(j + 1, NEGATION_WINDOW);
    const need = needWordAfter(m, j);
    const criterion = mention?.criterion ?? (need !== null ? m.current : null);
    const negative = !criterion ? undefined : mention ? negativeOption(m, criterion) : absenceOption(m, criterion);
    if (!criterion || !negative) return;
    const end = mention ? mention.start + 1 : need! + 1;
    markUsed(m, { start: j, end });
    picks.push(pickOf(m, { criterion, option: negative }, j, end, true, 1));
  });
  return picks;
}

/**
 * "security is not a big deal", "performance isn't a concern for us", "not a priority": a negation of
 * importance is the negative option of the criterion named before it in the clause, else of the asked
 * one when that option is a lower level, not doing without something ("admin isn't a big deal" is no "no admin").
 */
function importanceDenied(m: Message, j: number, consumed: Set<Span>): Pick | null {
  const clause = m.tokens[j]!.clause;
  let k = j + 1;
  while (k < m.tokens.length && k <= j + 4 && m.tokens[k]!.clause === clause && IMPORTANCE_FILLERS.has(m.tokens[k]!.key)) k++;
  if (k >= m.tokens.length || m.tokens[k]!.clause !== clause || !IMPORTANCE_WORDS.has(m.tokens[k]!.key) || m.spanAt[k]) return null;
  // A filler word read as an option ("big" at the scale question) is part of the phrase.
  for (let f = j + 1; f < k; f++) if (m.spanAt[f] && (m.spanAt[f]!.start <= j || m.spanAt[f]!.end > k)) return null;
  const mention = [...m.mentions].reverse().find((x) => x.start < j && x.start >= j - NEGATION_WINDOW && m.tokens[x.start]!.clause === clause);
  const criterion = mention?.criterion ?? m.current;
  if (!criterion) return null;
  const negative = negativeOption(m, criterion);
  if (negative === undefined || (!mention && absenceOption(m, criterion) !== undefined)) return null;
  const start = mention?.start ?? j;
  markUsed(m, { start: j, end: k + 1 });
  for (let f = j + 1; f < k; f++) if (m.spanAt[f]) consumed.add(m.spanAt[f]!);
  return pickOf(m, { criterion, option: negative }, start, k + 1, true, 1);
}

/** "yes", "nope, ..." at the start of the message answers the asked criterion, through the pack's yes/no options. */
export function leadingYesNo(m: Message): Pick | null {
  if (m.current === null) return null;
  for (const [phrases, which] of [
    [YES_PHRASES, 'yes_option'],
    [NO_PHRASES, 'no_option'],
  ] as const) {
    const option = answerOption(m.knowledge, m.current, which);
    if (option === undefined) continue;
    for (const phrase of phrases) {
      const words = phrase.split(' ');
      const fits = words.every((w, k) => m.tokens[k]?.key === w && !m.spanAt[k] && !m.used.has(k));
      if (fits) return pickOf(m, { criterion: m.current, option }, 0, words.length, true, words.length);
    }
  }
  return null;
}

/**
 * "nah, we don't need one for now", "no admin yet", "no admin needed for now, maybe in a year": a no
 * deferred by a cue in its sentence is the pack's `later_option` for that criterion, when it has one;
 * so is a yes put off by "later" or "eventually" in its clause ("an admin would be nice later").
 */
