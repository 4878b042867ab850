/**
 * Numbers in typed text: digits ("8", "10,000", "1.5k", "50k"), words ("three",
 * "twenty five", "a dozen", "a few thousand", "hundreds of thousands"), bounds
 * ("more than 5", "under 100", "10+") and ranges ("2-3", "5 to 8"). Pure grammar:
 * what a number counts is decided elsewhere.
 */
import type { Token } from './normalise.ts';

export interface NumberRead {
  value: number;
  /** Token range of the number, bounds and range words included. */
  start: number;
  end: number;
  /** Written as digits alone ("3"), not words ("three") or with a scale. */
  digits: boolean;
}

const SMALL: ReadonlyMap<string, number> = new Map(
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen'
    .split(' ')
    .map((w, i) => [w, i] as const),
);
const TENS: ReadonlyMap<string, number> = new Map(
  'twenty thirty forty fifty sixty seventy eighty ninety'.split(' ').map((w, i) => [w, (i + 2) * 10] as const),
);
/** Vague amounts, read as a typical value. */
const VAGUE: ReadonlyMap<string, number> = new Map([
  ['couple', 2],
  ['few', 3],
  ['handful', 4],
  ['several', 4],
  ['dozen', 12],
  ['dozens', 24],
  ['tens', 20],
  ['hundreds', 200],
  ['thousands', 2000],
  ['millions', 2_000_000],
  ['billions', 2_000_000_000],
]);
/** Words that multiply what comes before: "three thousand", "a few hundred", "50 k". */
const SCALES: ReadonlyMap<string, number> = new Map([
  ['hundred', 100],
  ['thousand', 1000],
  ['k', 1000],
  ['grand', 1000],
  ['million', 1_000_000],
  ['mil', 1_000_000],
  ['mio', 1_000_000],
  ['mln', 1_000_000],
  ['billion', 1_000_000_000],
  ['bn', 1_000_000_000],
]);
const SUFFIX_SCALES: Readonly<Record<string, number>> = { k: 1000, m: 1_000_000, mm: 1_000_000, mn: 1_000_000, b: 1_000_000_000, bn: 1_000_000_000 };

/** Ordinals name option positions: "the second one". */
export const ORDINALS: ReadonlyMap<string, number> = new Map(
  'first second third fourth fifth sixth seventh eighth ninth tenth'.split(' ').map((w, i) => [w, i + 1] as const),
);

/** The value of a digit token: "8", "10,000", "1.5", "50k", "1.5m"; null otherwise. */
export function digitValue(key: string): number | null {
  const m = /^(\d{1,15}(?:,\d{3})*|\d{1,15}(?:\.\d{1,6})?)(k|m|mm|mn|b|bn)?$/.exec(key);
  if (!m) return null;
  const base = Number(m[1]!.replace(/,/g, ''));
  if (!Number.isFinite(base)) return null;
  return m[2] ? base * SUFFIX_SCALES[m[2]]! : base;
}

/** A plain number of one word: digits or a number word; null for anything else. */
export function simpleNumber(key: string | undefined): number | null {
  if (key === undefined) return null;
  return digitValue(key) ?? SMALL.get(key) ?? TENS.get(key) ?? null;
}

/** Reads the number starting exactly at token `i` (an "a"/"an" before a vague amount or scale included). */
export function readNumberAt(tokens: readonly Token[], i: number): NumberRead | null {
  const first = readBare(tokens, i);
  if (!first) return null;
  const range = readRangeEnd(tokens, first);
  return range ?? first;
}

function readBare(tokens: readonly Token[], i: number): NumberRead | null {
  const key = (j: number): string | undefined => (tokens[j] && tokens[j]!.clause === tokens[i]!.clause ? tokens[j]!.key : undefined);
  let j = i;
  let value: number | null = null;
  let digits = false;
  const article = key(j) === 'a' || key(j) === 'an';
  if (article) j++;
  const k = key(j);
  if (k === undefined) return null;
  const d = article ? null : digitValue(k);
  if (d !== null) {
    value = d;
    digits = /^\d+$/.test(k);
    j++;
  } else if (TENS.has(k)) {
    value = TENS.get(k)!;
    j++;
    const unit = SMALL.get(key(j) ?? '');
    if (unit !== undefined && unit > 0 && unit < 10) {
      value += unit;
      j++;
    }
  } else if (!article && SMALL.has(k)) {
    value = SMALL.get(k)!;
    j++;
  } else if (VAGUE.has(k)) {
    value = VAGUE.get(k)!;
    j++;
    // "a couple of", "dozens of", "hundreds of thousands".
    if (key(j) === 'of' && SCALES.has(pluralBase(key(j + 1)))) j++;
  } else if (article && SCALES.has(k)) {
    value = 1;
  } else return null;
  // Scales multiply: "three thousand", "a few hundred", "50 k", "hundreds of thousands".
  while (value !== null) {
    const scale = SCALES.get(key(j) ?? '') ?? SCALES.get(pluralBase(key(j)));
    if (scale === undefined) break;
    value *= scale;
    digits = false;
    j++;
  }
  if (value === null || !Number.isFinite(value)) return null;
  return { value, start: i, end: j, digits: digits && j === i + 1 };
}

/** "thousands" -> "thousand", so "hundreds of thousands" scales. */
function pluralBase(key: string | undefined): string {
  return key !== undefined && key.endsWith('s') ? key.slice(0, -1) : (key ?? '');
}

/** "2-3", "5 to 8", "2 or 3": the rounded-up middle of the two. */
function readRangeEnd(tokens: readonly Token[], first: NumberRead): NumberRead | null {
  const joiner = tokens[first.end];
  const last = tokens[first.end - 1]!;
  if (!joiner || joiner.clause !== last.clause) return null;
  let secondStart: number;
  if (joiner.key === 'to' || joiner.key === 'or') secondStart = first.end + 1;
  else if (/^\d/.test(joiner.key) && /^\s?[-–]\s?$/.test(joiner.gap)) secondStart = first.end;
  else return null;
  const second = tokens[secondStart] ? readBare(tokens, secondStart) : null;
  if (!second || second.value < first.value) return null;
  return { value: Math.ceil((first.value + second.value) / 2), start: first.start, end: second.end, digits: false };
}

/** Bounds before a number: "more than 5" is 6, "under 100" is 99; returns the adjusted value and the new start. */
export function applyBound(tokens: readonly Token[], read: NumberRead): NumberRead {
  const k1 = tokens[read.start - 1]?.key;
  const k2 = tokens[read.start - 2]?.key;
  const step = Number.isInteger(read.value) ? 1 : 0;
  if (k1 === 'than' && (k2 === 'more' || k2 === 'over')) return { ...read, value: read.value + step, start: read.start - 2, digits: false };
  if (k1 === 'than' && (k2 === 'less' || k2 === 'fewer')) return { ...read, value: Math.max(0, read.value - step), start: read.start - 2, digits: false };
  if (k1 === 'over' || k1 === 'above') return { ...read, value: read.value + step, start: read.start - 1, digits: false };
  if (k1 === 'under' || k1 === 'below') return { ...read, value: Math.max(0, read.value - step), start: read.start - 1, digits: false };
  return read;
}

/** Words before a year: "launching in 2025", "by march 2026", "since 2019". */
const YEAR_LEAD_INS: ReadonlySet<string> = new Set(
  ('in by since until till before after from of early late mid end q1 q2 q3 q4 ' +
    'january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec')
    .split(' '),
);

/** "launching in 2025": four digits 19xx or 20xx after a month or "in", "by", ... are a year, not a count ("2000 later" is one). */
export function isYear(tokens: readonly Token[], read: NumberRead): boolean {
  const lead = read.start > 0 ? tokens[read.start - 1]?.key : undefined;
  return read.end - read.start === 1 && /^(19|20)\d\d$/.test(tokens[read.start]?.key ?? '') && lead !== undefined && YEAR_LEAD_INS.has(lead);
}
