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
  const replacingBefore = (k: number): boolean => m.tokens.slice(0, k).some((t) => t.clause === first.clause && REPLACING_VERBS.has(t.key));
  let joiner = start - 1;
  while (joiner >= 0 && ARTICLES.has(m.tokens[joiner]!.key)) joiner--;
  if (joiner > 0 && inClause(joiner) && ATTACHING_WORDS.has(m.tokens[joiner]!.key) && phraseOf(m, joiner - 1, criterion, 'end')) {
    return !replacingBefore(joiner);
  }
  if (m.tokens[end]?.key !== 'with' || !inClause(end)) return false;
  let next = end + 1;
  while (next < m.tokens.length && ARTICLES.has(m.tokens[next]!.key)) next++;
  return inClause(next) && phraseOf(m, next, criterion, 'start') && replacingBefore(start);
}
