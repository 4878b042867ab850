/**
 * The pack's answer vocabulary, indexed once per Knowledge: option labels,
 * synonyms and ids; criterion names; `same_words` groups; which option a
 * negation, "yes" or "no" picks; the amounts options stand for. Also turns a
 * message's words into matching keys (spelling corrected, same words merged,
 * stemmed with the `stemmer` library).
 */
import { stemmer } from 'stemmer';
import type { Knowledge } from '../../knowledge/load.ts';
import type { Criterion, QuantityKind } from '../../knowledge/schema.ts';
import {
  FILLERS,
  INTENSIFIERS,
  MENTION_STOP,
  NEED_WORDS,
  NEGATION_CUES,
  NO_PHRASES,
  REFERENCE_FILLERS,
  RESERVED_WORDS,
  TRAILING_NEGATIONS,
  UNSURE_CUES,
  YES_PHRASES,
} from './grammar.ts';
import { keysOf, type Token } from './normalise.ts';
import { Speller } from './spelling.ts';

export interface Reading {
  criterion: string;
  option: string;
}

/**
 * How surely a phrase means its option. `strong`: anywhere. `id`: a bare single-word option id
 * ("django"), only for the asked criterion or as the whole message. `asked`: a pack
 * `synonyms_when_asked` word, only for the asked criterion or one named in the same clause.
 * `weak`: a single word that only names an option ("standard", "normal" from a label), or a past
 * tense of a synonym ("hired"): like `asked`, so free text answers the current question first.
 */
export type Strength = 'strong' | 'id' | 'asked' | 'weak';

export interface VocabEntry extends Reading {
  strength: Strength;
}

export interface RangedOption {
  option: string;
  min: number;
  max: number;
}

export interface Vocabulary {
  /** Phrase words (same words merged) joined without spaces -> options: "e-commerce", "e commerce", "ecommerce" alike. */
  exact: Map<string, VocabEntry[]>;
  /** The same phrases stemmed ("knows flask" finds "know flask"). */
  stems: Map<string, VocabEntry[]>;
  maxWords: number;
  /** Full criterion title or id, joined -> criterion. */
  criterionNames: Map<string, string>;
  /** Any word of a title or id -> criteria ("change team" names two). */
  referenceWords: Map<string, Set<string>>;
  /** Words that name exactly one criterion in a sentence ("not sure about the database"). */
  mentionWords: Map<string, string>;
  /** Word -> its group's first word (`same_words`). */
  canonical: Map<string, string>;
  speller: Speller;
  /** Per quantity kind: the criteria whose options have ranges of it. */
  ranges: Map<QuantityKind, { criterion: string; options: RangedOption[] }[]>;
  /** Word of a pack kind ("welsh") -> the kind, what "several <kind>" reads as, and what "one <kind>" does. */
  kinds: Map<string, { kind: string; readings: Reading[]; single: Reading[] }>;
}

/** A message word as the vocabulary compares it. */
export interface MatchToken extends Token {
  /** The word, spelling corrected and merged with its `same_words` group. */
  word: string;
  stem: string;
  /** Spelling was corrected ("postgress" -> "postgres"). */
  corrected: boolean;
  /** An intensifier, allowed inside a phrase ("nothing too sensitive"). */
  intensifier: boolean;
}

/** Longest phrase the vocabulary index tries, in words. */
const MAX_PHRASE_WORDS = 12;

const vocabularies = new WeakMap<Knowledge, Vocabulary>();

export function vocabularyOf(knowledge: Knowledge): Vocabulary {
  let vocab = vocabularies.get(knowledge);
  if (!vocab) {
    vocab = buildVocabulary(knowledge);
    vocabularies.set(knowledge, vocab);
  }
  return vocab;
}

/** A label "Content site / CMS" or "Small (few users)" also answers to "content site", "cms", "small". */
export function labelVariants(label: string): string[] {
  const head = label.split(/[(:,]/)[0] ?? '';
  return [label, ...head.split(/\s[/–—-]\s|\s\/|\/\s/)];
}

/** The words in a label's brackets, when they are a phrase: "Critical (every ms counts)" -> "every ms counts" (not "SQL" or "6+"). */
function labelAside(label: string): string[] {
  const aside = /\(([^)]*)\)/.exec(label)?.[1] ?? '';
  return keysOf(aside).length >= 2 && /\p{L}/u.test(aside) && !aside.includes(',') ? [aside] : [];
}

function canonicalMap(knowledge: Knowledge): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of knowledge.sameWords) for (const word of group) map.set(word, group[0]!);
  return map;
}

/** Endings that only inflect a word: "knows", "users", "growing", "scaled". */
const INFLECTIONS = ['', 's', 'es', 'ed', 'd', 'ing', 'e', 'y'];

/**
 * The word's stem (the `stemmer` library, Porter's algorithm) when the word is only an inflection
 * of it ("knows" -> "know", "shopping" -> "shop"); else the word itself, so derivations keep their
 * meaning ("customers" is not "customization", though both stem to "custom").
 */
function stemOf(word: string): string {
  const cached = stems.get(word);
  if (cached !== undefined) return cached;
  let result = word;
  if (/^\p{L}+$/u.test(word)) {
    const stem = stemmer(word);
    const bases = [stem, stem.replace(/e$/, ''), stem.replace(/i$/, ''), stem + stem.slice(-1)];
    if (bases.some((base) => base.length > 0 && word.startsWith(base) && INFLECTIONS.includes(word.slice(base.length)))) result = stem;
  }
  if (stems.size >= STEM_CACHE_LIMIT) stems.clear();
  stems.set(word, result);
  return result;
}

/** Stems of words seen (typed words repeat a lot). */
const stems = new Map<string, string>();
const STEM_CACHE_LIMIT = 20_000;

function buildVocabulary(knowledge: Knowledge): Vocabulary {
  const canonical = canonicalMap(knowledge);
  const known = new Set<string>([...canonical.keys(), ...grammarWords()]);
  const vocab: Omit<Vocabulary, 'speller'> = {
    exact: new Map(),
    stems: new Map(),
    maxWords: 1,
    criterionNames: new Map(),
    referenceWords: new Map(),
    mentionWords: new Map(),
    canonical,
    ranges: new Map(),
    kinds: new Map(),
  };
  const put = (map: Map<string, VocabEntry[]>, key: string, reading: Reading, strength: Strength): void => {
    const entries = map.get(key) ?? [];
    const same = entries.find((e) => e.criterion === reading.criterion && e.option === reading.option);
    if (!same) entries.push({ ...reading, strength });
    else if (rank(strength) > rank(same.strength)) same.strength = strength;
    map.set(key, entries);
  };
  const add = (text: string, reading: Reading, strength: Strength): void => {
    const keys = keysOf(text).slice(0, MAX_PHRASE_WORDS);
    if (keys.length === 0 || (keys.length === 1 && RESERVED_WORDS.has(keys[0]!))) return;
    for (const k of keys) known.add(k);
    const words = keys.map((k) => canonical.get(k) ?? k);
    put(vocab.exact, words.join(''), reading, strength);
    put(vocab.stems, words.map(stemOf).join(''), reading, strength);
    vocab.maxWords = Math.max(vocab.maxWords, keys.length);
  };
  for (const criterion of knowledge.criteria) {
    for (const option of criterion.options) {
      const reading = { criterion: criterion.id, option: option.id };
      // A label's single word ("Standard", "Normal") is weak when another criterion uses it too (see `sharedLabelWords`).
      for (const text of labelVariants(option.label)) add(text, reading, keysOf(text).length === 1 ? 'weak' : 'strong');
      // What the brackets say answers the question they are shown at.
      for (const text of labelAside(option.label)) add(text, reading, 'asked');
      for (const text of option.synonyms) add(text, reading, 'strong');
      for (const text of option.synonyms_when_asked ?? []) add(text, reading, 'asked');
      add(option.id, reading, option.id.includes('_') ? 'strong' : 'id');
    }
    addCriterionNames(vocab, criterion, canonical, known);
    addRanges(vocab, criterion);
  }
  sharedLabelWords(vocab);
  finishMentionWords(vocab);
  addKinds(vocab, knowledge, known);
  return { ...vocab, speller: new Speller(known) };
}

function rank(strength: Strength): number {
  return strength === 'strong' ? 3 : strength === 'asked' ? 2 : strength === 'weak' ? 1 : 0;
}

/** A label's single word stays weak only where it is other criteria's vocabulary too ("normal", "standard", "critical"). */
function sharedLabelWords(vocab: Omit<Vocabulary, 'speller'>): void {
  for (const map of [vocab.exact, vocab.stems]) {
    for (const entries of map.values()) {
      if (new Set(entries.map((e) => e.criterion)).size > 1) continue;
      for (const e of entries) if (e.strength === 'weak') e.strength = 'strong';
    }
  }
}

/** Words that make "two <kind>s": "english and welsh" reads as the pack's "several languages". */
const SEVERAL = ['several', 'multiple', 'two'];

function addKinds(vocab: Omit<Vocabulary, 'speller'>, knowledge: Knowledge, known: Set<string>): void {
  const strong = (entries: readonly VocabEntry[] | undefined): Reading[] =>
    (entries ?? []).filter((e) => e.strength === 'strong').map(({ criterion, option }) => ({ criterion, option }));
  for (const [kind, words] of knowledge.kinds) {
    const kindWords = keysOf(kind).map((k) => vocab.canonical.get(k) ?? k);
    const readings = strong(SEVERAL.map((w) => vocab.exact.get(w + kindWords.join(''))).find((e) => e !== undefined));
    // "one language" is found through stems ("languages" -> "languag").
    const one = vocab.canonical.get('one') ?? 'one';
    const single = strong(vocab.stems.get(stemOf(one) + kindWords.map(stemOf).join('')));
    for (const word of words) {
      known.add(word);
      if (readings.length > 0) vocab.kinds.set(vocab.canonical.get(word) ?? word, { kind, readings, single });
    }
  }
}

function grammarWords(): string[] {
  const phrases = [...YES_PHRASES, ...NO_PHRASES, ...UNSURE_CUES.map((c) => c.join(' '))];
  return [...FILLERS, ...NEGATION_CUES, ...NEED_WORDS, ...TRAILING_NEGATIONS, ...INTENSIFIERS, ...phrases.flatMap((p) => p.split(' '))];
}

function addCriterionNames(vocab: Omit<Vocabulary, 'speller'>, criterion: Criterion, canonical: Map<string, string>, known: Set<string>): void {
  for (const name of [criterion.title, criterion.id, ...labelVariants(criterion.title).slice(1)]) {
    const keys = keysOf(name);
    if (keys.length === 0) continue;
    for (const k of keys) known.add(k);
    const words = keys.map((k) => canonical.get(k) ?? k);
    vocab.criterionNames.set(words.join(''), criterion.id);
    for (const word of words) {
      if (REFERENCE_FILLERS.has(word) || FILLERS.has(word) || word === 'and') continue;
      const set = vocab.referenceWords.get(word) ?? new Set<string>();
      set.add(criterion.id);
      vocab.referenceWords.set(word, set);
    }
  }
}

function addRanges(vocab: Omit<Vocabulary, 'speller'>, criterion: Criterion): void {
  const options: RangedOption[] = [];
  let kind: QuantityKind | undefined;
  for (const option of criterion.options) {
    if (!option.range) continue;
    kind = option.range.quantity;
    options.push({ option: option.id, min: option.range.min ?? 0, max: option.range.max ?? Number.POSITIVE_INFINITY });
  }
  if (kind === undefined) return;
  const list = vocab.ranges.get(kind) ?? [];
  list.push({ criterion: criterion.id, options });
  vocab.ranges.set(kind, list);
}

/** Sentence mentions: words of exactly one criterion, at least 4 letters, not too common. */
function finishMentionWords(vocab: Omit<Vocabulary, 'speller'>): void {
  for (const [word, criteria] of vocab.referenceWords) {
    if (criteria.size === 1 && word.length >= 4 && !MENTION_STOP.has(word)) vocab.mentionWords.set(word, [...criteria][0]!);
  }
}

/** The message's words as the vocabulary compares them. */
export function matchTokens(vocab: Vocabulary, tokens: readonly Token[]): MatchToken[] {
  return tokens.map((token) => {
    const corrected = vocab.speller.correct(token.key);
    const surface = corrected ?? token.key;
    const word = vocab.canonical.get(surface) ?? surface;
    return {
      key: token.key,
      start: token.start,
      end: token.end,
      clause: token.clause,
      sentence: token.sentence,
      plus: token.plus,
      gap: token.gap,
      apostrophe: token.apostrophe,
      word,
      stem: stemOf(word),
      corrected: corrected !== null,
      intensifier: INTENSIFIERS.has(token.key),
    };
  });
}

/** The option an amount picks: the range containing it, else the nearest (ties: pack order). */
export function optionForAmount(options: readonly RangedOption[], amount: number): string | undefined {
  let best: RangedOption | undefined;
  let bestGap = Number.POSITIVE_INFINITY;
  for (const o of options) {
    const gap = amount < o.min ? o.min - amount : amount > o.max ? amount - o.max : 0;
    if (gap < bestGap) {
      best = o;
      bestGap = gap;
    }
  }
  return best?.option;
}

/** The pack's option for a negation, a bare "yes" or a bare "no" of a criterion. */
export function answerOption(
  knowledge: Knowledge,
  criterionId: string,
  which: 'negative_option' | 'yes_option' | 'no_option' | 'later_option',
): string | undefined {
  return knowledge.criterionById.get(criterionId)?.[which];
}
