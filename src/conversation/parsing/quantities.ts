/**
 * Amounts in a message and the options they pick through the pack's ranges:
 * head counts ("3 of us", "a team of six", "2 founders", "we're 4"), user counts
 * ("a few thousand users", "about 50k readers a month", "20 people in ops will
 * use it"), and the durations durations.ts reads (deadlines and lifetimes).
 * Which criterion counts what is the pack's business (option `range`); this
 * file knows the English around numbers.
 */
import type { QuantityKind } from '../../knowledge/schema.ts';
import { durationsAt, HORIZON_LEAD_INS, rateRegions, UNITS, withoutHorizons, type Amount } from './durations.ts';
import { Words } from './normalise.ts';
import { applyBound, isYear, readNumberAt, type NumberRead } from './numbers.ts';
import type { Span } from './spans.ts';
import { optionForAmount, type MatchToken, type Reading, type Vocabulary } from './vocabulary.ts';

const TEAM_NOUNS = new Set(
  ('dev devs developer developers engineer engineers programmer programmers coder coders founder founders cofounder cofounders ' +
    'contributor contributors maintainers maintainer teammates teammate hackers')
    .split(' '),
);
const USER_NOUNS = new Set(
  ('user users visitor visitors reader readers customer customers subscriber subscribers player players student students patient patients ' +
    'shopper shoppers buyer buyers viewer viewers listener listeners learner learners clients visits pageviews views hits signups downloads installs mau dau ' +
    'requests sessions orders transactions queries citizens residents taxpayers voters tenants patrons donors applicants attendees guests ' +
    'passengers travellers travelers fans followers households families')
    .split(' '),
);
/** People who may be the team or the users: the sentence decides. */
const GENERIC_PEOPLE = new Set(
  'people person persons folks guys men man heads members employees staff colleagues humans volunteers volunteer interns intern freelancers researchers friends buddies mates'.split(' '),
);
/** Words that make "people" users of the product: "20 people in ops will use it". */
const USAGE_WORDS = new Set(
  'use uses using used visit visits visiting access accessing read reading browse browsing signup sign login log buy order audience traffic serve serving'.split(' '),
);
/** Words that make the people counted the team: "8 phd students will build it", "4 volunteers building a site". */
const BUILD_WORDS = new Set(
  ('build builds building built develop develops developing developed code codes coding coded program programming write writing ' +
    'maintain maintains maintaining implement implementing work working make making create creating')
    .split(' '),
);
/** Words just before a number that make it the team: "we're 3 people", "us 4 folks". */
const TEAM_LEAD_INS = new Set(['we', 'were', 'us', 'our', 'team']);
/** Words that cannot sit between a number and its noun ("2 of the developers" is not a head count). */
const NOT_BETWEEN = new Set('of the a an and or for in on with to at by from than per'.split(' '));

/** Quantity spans with the readings the pack's ranges give them. */
export function quantityCandidates(vocab: Vocabulary, tokens: readonly MatchToken[], current: string | null): Span[] {
  const w = new Words(tokens);
  const currentKinds = new Set([...vocab.ranges].filter(([, list]) => list.some((c) => c.criterion === current)).map(([kind]) => kind));
  const amounts: Amount[] = [];
  const rates = rateRegions(tokens);
  const uncounted: NumberRead[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!rates.some((r) => r.start <= i && i < r.end)) amounts.push(...durationsAt(w, i, currentKinds));
    const read = readNumberAt(tokens, i);
    if (!read) continue;
    const bounded = applyBound(tokens, read);
    const counted = countsAt(w, bounded, currentKinds);
    amounts.push(...counted);
    if (counted.length === 0) uncounted.push(bounded);
    i = read.end - 1;
  }
  amounts.push(...elidedCounts(w, uncounted, amounts));
  amounts.push(...pairsWithMe(w));
  const spans: Span[] = [];
  const kept = withoutHorizons(w, amounts);
  for (const amount of amounts) {
    const readings: Reading[] = [];
    // A horizon stays a span without readings, so the duration phrases inside it ("a year") read nothing either.
    if (!kept.includes(amount)) {
      // With its preposition and hedge: "maybe in a year" answers nothing else either.
      let start = amount.start;
      while (start > 0 && w.sameClause(start - 1, amount.start) && HORIZON_LEAD_INS.has(w.key(start - 1)!)) start--;
      spans.push({ start, end: amount.end, readings, chars: tokens[amount.end - 1]!.end - tokens[start]!.start, horizon: true });
      continue;
    }
    for (const { criterion, options } of vocab.ranges.get(amount.kind) ?? []) {
      const option = optionForAmount(options, amount.value);
      if (option !== undefined) readings.push({ criterion, option });
    }
    if (readings.length > 0) spans.push({ start: amount.start, end: amount.end, readings, chars: tokens[amount.end - 1]!.end - tokens[amount.start]!.start, amount: amount.value });
  }
  return spans;
}

// ---------------------------------------------------------------------------
// People and users

function countsAt(w: Words, read: NumberRead, currentKinds: ReadonlySet<QuantityKind>): Amount[] {
  if (read.value < 1) return [];
  const found = [countWithNoun(w, read, currentKinds), countAfterTeam(w, read), countAfterWeAre(w, read)].filter((a): a is Amount => a !== null);
  return found.length > 0 ? found : bareCount(w, read, currentKinds);
}

/** Words that may follow a count with no noun: "maybe 300 a month", "about 50k or so", "4 at most". */
const AFTER_BARE_COUNT = new Set('a an per each every monthly daily weekly or maybe roughly total tops at max now today currently altogether later eventually soon by within'.split(' '));
/** Words that may stand before it ("python 3" and "version 2" are no counts). */
const BEFORE_BARE_COUNT = new Set(
  'about around maybe roughly approximately only just like say be are were is expect expecting perhaps probably some over under than least most to of up then for but and'.split(' '),
);

/** A count with no noun answers the asked question when its options count people or users: "a few hundred a month" at the traffic question. */
function bareCount(w: Words, read: NumberRead, currentKinds: ReadonlySet<QuantityKind>): Amount[] {
  const kind = (['people', 'users'] as const).find((k) => currentKinds.has(k));
  const next = w.key(read.end);
  const previous = w.sameClause(read.start - 1, read.start) ? w.key(read.start - 1) : undefined;
  // "maybe 200 of them": the people the question counts.
  const ofThem = next === 'of' && (w.key(read.end + 1) === 'them' || w.key(read.end + 1) === 'those');
  const free =
    (previous === undefined || BEFORE_BARE_COUNT.has(previous)) &&
    (next === undefined || !w.sameClause(read.end - 1, read.end) || AFTER_BARE_COUNT.has(next) || ofThem);
  return kind !== undefined && free ? [{ kind, value: read.value, start: read.start, end: read.end + (ofThem ? 2 : 0) }] : [];
}

/** "3 of us", "8 developers", "two devs", "3 senior python developers", "me and two other devs", "50k readers". */
function countWithNoun(w: Words, read: NumberRead, currentKinds: ReadonlySet<QuantityKind>): Amount | null {
  const n = read.value;
  const after = read.end;
  if (w.key(after) === 'of' && w.key(after + 1) === 'us' && w.sameClause(read.start, after + 1)) {
    return { kind: 'people', value: n, start: read.start, end: after + 2 };
  }
  for (let j = after; j <= after + 3 && w.sameClause(read.start, j); j++) {
    const key = w.key(j)!;
    const kind = nounKind(w, key, j, read.start, currentKinds);
    if (kind) {
      // "me and two other devs" counts the writer too.
      const withMe = w.key(read.start - 1) === 'and' && (w.key(read.start - 2) === 'me' || w.key(read.start - 2) === 'myself');
      const other = w.tokens.slice(after, j).some((t) => t.key === 'other' || t.key === 'more');
      if (kind === 'people' && withMe && (other || TEAM_NOUNS.has(key) || GENERIC_PEOPLE.has(key) || PERSON_NOUNS.has(key))) return { kind, value: n + 1, start: read.start - 2, end: j + 1 };
      return { kind, value: n, start: read.start, end: j + 1 };
    }
    const vagueOf = key === 'of' && j === after && !/^\d/.test(w.key(read.start) ?? '');
    if (!vagueOf && (NOT_BETWEEN.has(key) || readNumberAt(w.tokens, j) !== null)) return null;
  }
  return null;
}

/**
 * Who a count of people is. A developer noun is the team; otherwise the verb after the noun says it
 * ("20 people will use it", "8 students will build it"), then "we are N ...", then the clause's words,
 * then the question being asked.
 */
function nounKind(w: Words, key: string, at: number, numberStart: number, currentKinds: ReadonlySet<QuantityKind>): QuantityKind | null {
  if (TEAM_NOUNS.has(key)) return 'people';
  if (!USER_NOUNS.has(key) && !GENERIC_PEOPLE.has(key)) return null;
  const verb = verbAfter(w, at) ?? verbBefore(w, numberStart);
  if (verb) return verb;
  if (USER_NOUNS.has(key)) return 'users';
  const before = [w.key(numberStart - 1), w.key(numberStart - 2)];
  const leadIn = before.some((k, n) => k !== undefined && TEAM_LEAD_INS.has(k) && w.sameClause(numberStart - 1 - n, numberStart));
  if (leadIn) return 'people';
  const clause = w.clauseKeys(at);
  if (clause.some((k) => USAGE_WORDS.has(k))) return 'users';
  if (clause.some((k) => k === 'we' || k === 'us' || k === 'our' || k === 'were' || k === 'team')) return 'people';
  return currentKinds.has('users') && !currentKinds.has('people') ? 'users' : 'people';
}

/** The first use or build verb within a few words after the noun, in its clause ("will use it", "who code"). */
function verbAfter(w: Words, at: number): QuantityKind | null {
  for (let j = at + 1; j <= at + 4 && w.sameClause(at, j); j++) {
    const key = w.key(j)!;
    if (USAGE_WORDS.has(key)) return 'users';
    if (BUILD_WORDS.has(key)) return 'people';
  }
  return null;
}

/** "for 500 members" serves users; "built by 4 volunteers", "used by 300 staff": the verb before "by" says. */
function verbBefore(w: Words, numberStart: number): QuantityKind | null {
  let j = numberStart - 1;
  while (j >= 0 && ['about', 'around', 'roughly', 'maybe', 'some', 'up', 'to'].includes(w.key(j)!)) j--;
  if (j < 0 || !w.sameClause(j, numberStart)) return null;
  if (w.key(j) === 'for' || w.key(j) === 'serving' || w.key(j) === 'serve') return 'users';
  if (w.key(j) !== 'by' || !w.sameClause(j - 1, numberStart)) return null;
  const verb = w.key(j - 1)!;
  return USAGE_WORDS.has(verb) ? 'users' : BUILD_WORDS.has(verb) ? 'people' : null;
}

/** "a team of 5", "group of six", "team size 7", "team size is 7". */
function countAfterTeam(w: Words, read: NumberRead): Amount | null {
  const i = read.start;
  const before = [w.key(i - 3), w.key(i - 2), w.key(i - 1)];
  const amount = (start: number): Amount => ({ kind: 'people', value: read.value, start, end: read.end });
  if ((before[1] === 'team' || before[1] === 'group') && before[2] === 'of' && w.sameClause(i - 2, i)) return amount(i - 2);
  if (before[1] === 'team' && before[2] === 'size' && w.sameClause(i - 2, i)) return amount(i - 2);
  const linked = before[2] === 'of' || before[2] === 'is' || before[2] === 'to';
  if (before[0] === 'team' && before[1] === 'size' && linked && w.sameClause(i - 3, i)) return amount(i - 3);
  return null;
}

/** Words after a count whose noun was left out: "2 million on black friday", "100k at peak", "millions later". */
const ELIDED_BEFORE = new Set('on at during when in around at peak tops max or later eventually soon after within next'.split(' '));
/** Units of a rate that are no duration of a project: "100k per minute". */
const RATE_UNITS = new Set('second seconds sec secs minute minutes min mins hour hours hr hrs'.split(' '));

/**
 * "50 requests a day normally, then 100k per minute": a rate with its noun left out counts what the
 * sentence's other user count counts; a count standing alone counts what the sentence's other count
 * does, users or people ("500 users at launch and millions later", "200 engineers, but only 2 on this project").
 */
function elidedCounts(w: Words, reads: readonly NumberRead[], amounts: readonly Amount[]): Amount[] {
  const out: Amount[] = [];
  for (const read of reads) {
    const [rate, unit] = [w.key(read.end), w.key(read.end + 1) ?? ''];
    const isRate = (rate === 'per' || rate === 'a' || rate === 'an' || rate === 'every' || rate === 'each') && (UNITS.has(unit) || RATE_UNITS.has(unit)) && w.sameClause(read.end - 1, read.end + 1);
    // "but 2 million on black friday", "then 100k at peak": the count stands alone before a time.
    const alone = rate === undefined || !w.sameClause(read.end - 1, read.end) || ELIDED_BEFORE.has(rate);
    const sentence = w.tokens[read.start]!.sentence;
    const kinds = new Set(amounts.filter((a) => w.tokens[a.start]!.sentence === sentence && (a.kind === 'users' || a.kind === 'people')).map((a) => a.kind));
    const kind = kinds.size === 1 ? [...kinds][0]! : undefined;
    // "only 2 work on it": people who build, with their noun left out.
    const builds = kind === 'people' && rate !== undefined && BUILD_WORDS.has(rate);
    if ((!isRate && !alone && !builds) || read.value < 1 || isYear(w.tokens, read)) continue;
    if (kind === 'users' || (kind === 'people' && !isRate)) out.push({ kind, value: read.value, start: read.start, end: read.end });
  }
  return out;
}

/** One person, as "me and <a person>" counts them. */
const PERSON_NOUNS = new Set(
  ('buddy friend pal mate partner cofounder co-founder colleague coworker workmate brother sister wife husband girlfriend boyfriend ' +
    'son daughter dad mom mum father mother cousin roommate flatmate classmate teammate dev developer engineer programmer coder founder ' +
    'contributor maintainer hacker person guy intern freelancer volunteer student researcher designer contractor')
    .split(' '),
);
const ME = new Set(['me', 'myself', 'i']);
const PAIR_JOINERS = new Set(['and', 'plus', 'with']);

/** "me and my buddy", "my cofounder and i", "me plus one other dev", "myself and a friend": two people. */
function pairsWithMe(w: Words): Amount[] {
  const amounts: Amount[] = [];
  const person = (from: number): number | null => {
    // Up to two words before the person noun: "my old buddy", "a friend", "another dev".
    for (let j = from; j <= from + 2 && w.sameClause(from, j); j++) {
      const key = w.key(j)!;
      if (PERSON_NOUNS.has(key)) return j;
      if (readNumberAt(w.tokens, j) !== null && !['one', 'a', 'an'].includes(key)) return null;
    }
    return null;
  };
  const lead = (i: number): number => (['just', 'only', 'its', 'it'].includes(w.key(i - 1) ?? '') && w.sameClause(i - 1, i) ? i - 1 : i);
  for (let i = 0; i < w.tokens.length; i++) {
    if (ME.has(w.key(i)!) && w.key(i) !== 'i' && PAIR_JOINERS.has(w.key(i + 1) ?? '') && w.sameClause(i, i + 1)) {
      const end = person(i + 2);
      if (end !== null) amounts.push({ kind: 'people', value: 2, start: lead(i), end: end + 1 });
    }
    if (w.key(i) === 'my' || w.key(i) === 'a' || w.key(i) === 'one') {
      const noun = person(i + 1);
      if (noun !== null && w.key(noun + 1) === 'and' && ME.has(w.key(noun + 2) ?? '') && w.sameClause(i, noun + 2)) {
        amounts.push({ kind: 'people', value: 2, start: i, end: noun + 3 });
      }
    }
  }
  return amounts;
}

/** "we're 4", "we are 4" closing a clause (not "we are 4 weeks late"). */
function countAfterWeAre(w: Words, read: NumberRead): Amount | null {
  const i = read.start;
  const last = read.end - 1;
  // "we are eight now": a word of when may close the clause.
  const closing = w.key(read.end) === 'now' || w.key(read.end) === 'today' ? read.end + 1 : read.end;
  const endsClause = closing === w.tokens.length || !w.sameClause(last, closing);
  if (!endsClause || !w.sameClause(i - 1, i)) return null;
  if (w.key(i - 1) === 'were') return { kind: 'people', value: read.value, start: i - 1, end: read.end };
  if (w.key(i - 1) === 'are' && w.key(i - 2) === 'we' && w.sameClause(i - 2, i)) return { kind: 'people', value: read.value, start: i - 2, end: read.end };
  return null;
}
