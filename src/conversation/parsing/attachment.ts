/**
 * A phrase said of something else, not of the project: "a CMS with an API" is a content site that has an
 * API; "postgres with redis for caching" is a relational database. Such a phrase gives way to the phrase
 * of the same criterion it belongs to. "replace our monolith with microservices" turns it round: the
 * phrase replaced gives way to its replacement. A verb before "with" ("go with postgres", "fine with
 * conventions") attaches nothing.
 */
import type { Message } from './spans.ts';

const ATTACHING_WORDS: ReadonlySet<string> = new Set(['with', 'including', 'plus', 'featuring']);
const ARTICLES: ReadonlySet<string> = new Set(['a', 'an', 'the', 'some', 'its', 'their', 'our', 'my']);
/** Words that end the search for a replacing verb: "switched to postgres", "moved from mongo". */
const STOPPERS: ReadonlySet<string> = new Set(['to', 'from', 'with', 'and', 'or', 'into']);
const REPLACING_VERBS: ReadonlySet<string> = new Set(
  'replace replaces replacing replaced swap swaps swapping swapped switch switching switched substitute substituting substituted'.split(' '),
);

/** Whether a phrase of `criterion` covers token `at` and ends (`edge` 'end') or starts (`edge` 'start') there. */
function phraseOf(m: Message, at: number, criterion: string, edge: 'start' | 'end'): boolean {
  const span = m.spanAt[at];
  if (!span || !span.readings.some((r) => r.criterion === criterion)) return false;
  return edge === 'end' ? span.end === at + 1 : span.start === at;
}

export function isAttached(m: Message, criterion: string, start: number, end: number): boolean {
  const first = m.tokens[start];
  if (!first) return false;
  const inClause = (k: number): boolean => m.tokens[k]?.clause === first.clause;
  let joiner = start - 1;
  while (joiner >= 0 && ARTICLES.has(m.tokens[joiner]!.key)) joiner--;
  if (joiner > 0 && inClause(joiner) && ATTACHING_WORDS.has(m.tokens[joiner]!.key) && phraseOf(m, joiner - 1, criterion, 'end')) {
    return !replaced(m, m.spanAt[joiner - 1]!.start);
  }
  if (m.tokens[end]?.key !== 'with' || !inClause(end)) return false;
  let next = end + 1;
  while (next < m.tokens.length && ARTICLES.has(m.tokens[next]!.key)) next++;
  return inClause(next) && phraseOf(m, next, criterion, 'start') && replaced(m, start);
}

/**
 * "replace our monolith", "replacing our wordpress blog": a replacing verb just before the phrase (articles and up
 * to two other words between); "switched to postgres" replaces nothing it names.
 */
function replaced(m: Message, phraseStart: number): boolean {
  let others = 0;
  for (let k = phraseStart - 1; k >= 0 && m.tokens[k]!.clause === m.tokens[phraseStart]!.clause; k--) {
    const key = m.tokens[k]!.key;
    if (REPLACING_VERBS.has(key)) return true;
    if (ARTICLES.has(key)) continue;
    if (STOPPERS.has(key) || ++others > 2) return false;
  }
  return false;
}
