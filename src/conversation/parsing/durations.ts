/**
 * Durations in a message: deadlines ("ship in three weeks", "by next month") and lifetimes ("for the next
 * decade", "10+ years"), told apart by the words around them; rates ("300 a month") and horizons ("a
 * million users in two years") are neither. Split from quantities.ts, which reads counts.
 */
import type { QuantityKind } from '../../knowledge/schema.ts';
import { DAYS_PER_UNIT } from '../../knowledge/schema.ts';
import { DEFERRAL_CUES, LATER_WORDS } from './grammar.ts';
import { readNumberAt } from './numbers.ts';
import type { Token, Words } from './normalise.ts';

export interface Amount {
  kind: QuantityKind;
  value: number;
  start: number;
  end: number;
}

export const UNITS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    day: DAYS_PER_UNIT['day']!,
    week: DAYS_PER_UNIT['week']!,
    wk: DAYS_PER_UNIT['week']!,
    month: DAYS_PER_UNIT['month']!,
    mo: DAYS_PER_UNIT['month']!,
    quarter: DAYS_PER_UNIT['quarter']!,
    year: DAYS_PER_UNIT['year']!,
    yr: DAYS_PER_UNIT['year']!,
    decade: DAYS_PER_UNIT['decade']!,
  }).flatMap(([unit, days]) => [
    [unit, days],
    [`${unit}s`, days],
  ]),
);
const DEADLINE_PREPOSITIONS = new Set(['in', 'within', 'by', 'before', 'until']);
const LIFESPAN_PREPOSITIONS = new Set(['for', 'over']);
const DEADLINE_CUES = new Set(
  'ship ships shipping launch launching launched release releasing released deliver delivered delivery deadline due ready mvp demo deploy deployed finish finished'.split(' '),
);
const LIFESPAN_CUES = new Set(
  'maintain maintained maintaining maintenance support supported supporting last lasts lifetime lifespan lives living around run running keep'.split(' '),
);
/** Durations about something else: "5 years of experience", "2 years ago". */
const DURATION_BLOCKERS = new Set('experience experienced ago old since age'.split(' '));

/** Words before a unit that make it a frequency: "every few years", "per month", "each week". */
const RATE_WORDS = new Set(['per', 'every', 'each']);
/** Words before "a <unit>" that make it a frequency: "twice a year", "3 times a week". */
const RATE_COUNTS = new Set(['once', 'twice', 'thrice', 'times']);

/**
 * Rates, not durations: "200000 customers a year", "300 a month", "every few years", "per month".
 * Token ranges from the rate word to the unit; no duration or duration phrase is read inside them.
 */
export function rateRegions(tokens: readonly Token[]): { start: number; end: number }[] {
  const regions: { start: number; end: number }[] = [];
  const same = (a: number, b: number): boolean => a >= 0 && tokens[a]!.clause === tokens[b]!.clause;
  const numberEndsAt = (end: number): boolean => {
    for (let j = Math.max(0, end - 6); j < end; j++) if (readNumberAt(tokens, j)?.end === end && same(j, end)) return true;
    return false;
  };
  tokens.forEach((t, u) => {
    if (!UNITS.has(t.key)) return;
    const k1 = tokens[u - 1]?.key;
    if (k1 !== undefined && RATE_WORDS.has(k1) && same(u - 1, u)) return regions.push({ start: u - 1, end: u + 1 });
    // "every few years", "every 2 weeks".
    for (let j = u - 2; j >= Math.max(0, u - 4); j--) {
      if (RATE_WORDS.has(tokens[j]!.key) && same(j, u) && readNumberAt(tokens, j + 1)?.end === u) return regions.push({ start: j, end: u + 1 });
    }
    if ((k1 !== 'a' && k1 !== 'an') || !same(u - 1, u)) return;
    // "a <unit>" right after a count, or after a count and its noun.
    const counted = RATE_COUNTS.has(tokens[u - 2]?.key ?? '') || numberEndsAt(u - 1) || (u >= 2 && same(u - 2, u) && numberEndsAt(u - 2));
    if (counted && same(u - 2, u)) regions.push({ start: u - 1, end: u + 1 });
  });
  return regions;
}

/** A duration starting at token `i`: "three weeks", "a year", "10+ years", "next month", "a couple of months". */
export function durationsAt(w: Words, i: number, currentKinds: ReadonlySet<QuantityKind>): Amount[] {
  const key = w.key(i);
  if (key === undefined) return [];
  let count: number;
  let unitAt: number;
  if ((key === 'a' || key === 'an' || key === 'one' || key === 'next') && UNITS.has(w.key(i + 1) ?? '')) {
    count = 1;
    unitAt = i + 1;
  } else {
    const read = readNumberAt(w.tokens, i);
    if (!read || read.start !== i) return [];
    count = read.value;
    unitAt = w.key(read.end) === 'of' || w.key(read.end) === 'more' ? read.end + 1 : read.end;
  }
  const days = UNITS.get(w.key(unitAt) ?? '');
  if (days === undefined || !w.sameClause(i, unitAt)) return [];
  const value = count * days;
  const start = w.key(i - 1) === 'next' && key !== 'next' ? i - 1 : i;
  const kind = durationKind(w, start, unitAt, value, currentKinds);
  return kind ? [{ kind, value, start, end: unitAt + 1 }] : [];
}

export const HORIZON_LEAD_INS = new Set('in within by over maybe perhaps probably possibly the next about around'.split(' '));

/**
 * A duration with no ship or maintain word of its own that tells when something else happens is no
 * deadline or lifetime: the horizon of a count ("a couple million users in the next two years") or
 * when a deferred thing comes ("no admin needed for now, maybe in a year").
 */
export function withoutHorizons(w: Words, amounts: readonly Amount[]): Amount[] {
  const counts = amounts.filter((a) => a.kind === 'users' || a.kind === 'people');
  return amounts.filter((a) => {
    if (a.kind !== 'deadline' && a.kind !== 'lifespan') return true;
    const clause = w.clauseKeys(a.start);
    if (clause.some((k) => DEADLINE_CUES.has(k) || LIFESPAN_CUES.has(k)) || w.tokens[a.start]!.plus) return true;
    if (counts.some((c) => w.sameClause(c.start, a.start) && c.kind === 'users')) return false;
    const sentence = w.tokens[a.start]!.sentence;
    const keys = w.tokens.filter((t) => t.sentence === sentence).map((t) => t.key);
    // A bare "now" says when, not that something waits ("we need it now, in two weeks").
    return !DEFERRAL_CUES.some((cue) => cue.join(' ') !== 'now' && keys.some((_, n) => cue.every((c, k) => keys[n + k] === c))) && !keys.some((k) => LATER_WORDS.has(k));
  });
}

function durationKind(w: Words, start: number, unitAt: number, days: number, currentKinds: ReadonlySet<QuantityKind>): QuantityKind | null {
  const clause = w.clauseKeys(start);
  if (clause.some((k) => DURATION_BLOCKERS.has(k))) return null;
  // The preposition just before: "in three weeks" is a deadline, "for (the next) ten years" a lifetime.
  for (let j = start - 1; j >= Math.max(0, start - 3) && w.sameClause(j, start); j--) {
    const k = w.key(j)!;
    if (DEADLINE_PREPOSITIONS.has(k)) return 'deadline';
    if (LIFESPAN_PREPOSITIONS.has(k)) return 'lifespan';
    if (!['the', 'next', 'least', 'at', 'about', 'around', 'roughly', 'maybe', 'another'].includes(k)) break;
  }
  if (w.tokens[start]?.plus || (unitAt > start && w.tokens[unitAt - 1]?.plus)) return 'lifespan';
  // A bare "next year" says when, not how long: a deadline where the clause or the question is about shipping, else nothing.
  if (w.key(start) === 'next') return clause.some((k) => DEADLINE_CUES.has(k)) || currentKinds.has('deadline') ? 'deadline' : null;
  const goLive = clause.some((k, n) => k === 'live' && clause[n - 1] === 'go');
  const deadline = goLive || clause.some((k) => DEADLINE_CUES.has(k));
  const lifespan = !goLive && clause.some((k) => LIFESPAN_CUES.has(k));
  if (deadline !== lifespan) return deadline ? 'deadline' : 'lifespan';
  const asked = (['deadline', 'lifespan'] as const).filter((k) => currentKinds.has(k));
  if (asked.length === 1) return asked[0]!;
  return days >= DAYS_PER_UNIT['year']! ? 'lifespan' : null;
}
