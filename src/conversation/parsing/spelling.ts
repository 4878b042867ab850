/**
 * Misspellings and near-misses ("postgress", "relatonal", "growng"): a word the
 * pack does not know is replaced by the pack word closest to it in Levenshtein
 * distance (the `leven` library), when exactly one is close enough and the typed
 * word is not itself an English word ("layer" is never read as "later").
 */
import { createRequire } from 'node:module';
import leven from 'leven';

/** Shorter words are too easily confused to correct. */
const MIN_LENGTH = 4;
/** Words this long may be two edits off; shorter ones one edit. */
const TWO_EDITS_FROM = 8;
/** Corrections remembered per word list (typed words repeat a lot). */
const CACHE_LIMIT = 5000;

let english: ReadonlySet<string> | undefined;

/** The English word list (an-array-of-english-words), loaded on first need. */
function isEnglishWord(word: string): boolean {
  if (!english) {
    const data: unknown = createRequire(import.meta.url)('an-array-of-english-words');
    english = new Set(Array.isArray(data) ? data.filter((w): w is string => typeof w === 'string') : []);
  }
  return english.has(word);
}

export class Speller {
  /** Known words by first letter, then length. */
  private readonly index = new Map<string, Map<number, string[]>>();
  private readonly known: ReadonlySet<string>;
  private readonly cache = new Map<string, string | null>();

  constructor(words: Iterable<string>) {
    const known = new Set<string>();
    for (const word of words) {
      if (!/^\p{L}+$/u.test(word) || known.has(word)) continue;
      known.add(word);
      const first = word[0]!;
      const byLength = this.index.get(first) ?? new Map<number, string[]>();
      const list = byLength.get(word.length) ?? [];
      list.push(word);
      byLength.set(word.length, list);
      this.index.set(first, byLength);
    }
    this.known = known;
  }

  /** The known word a typed word was meant to be, or null when it is fine as it is or too far from all. */
  correct(word: string): string | null {
    if (word.length < MIN_LENGTH || this.known.has(word) || !/^\p{L}+$/u.test(word)) return null;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const found = this.closest(word);
    const result = found !== null && !isEnglishWord(word) ? found : null;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, result);
    return result;
  }

  /** The single nearest known word within the allowed distance (same first letter); null on none or a tie. */
  private closest(word: string): string | null {
    const allowed = word.length >= TWO_EDITS_FROM ? 2 : 1;
    const byLength = this.index.get(word[0]!);
    if (!byLength) return null;
    let best: string | null = null;
    let bestDistance = allowed + 1;
    let tie = false;
    for (let length = word.length - allowed; length <= word.length + allowed; length++) {
      for (const candidate of byLength.get(length) ?? []) {
        if (candidate.length < MIN_LENGTH) continue;
        const distance = isTransposition(word, candidate) ? 1 : leven(word, candidate, { maxDistance: allowed + 1 });
        if (distance < bestDistance) {
          best = candidate;
          bestDistance = distance;
          tie = false;
        } else if (distance === bestDistance) tie = tie || candidate !== best;
      }
    }
    return best !== null && !tie ? best : null;
  }
}

/** Two neighbouring letters swapped ("djnago" for "django"): one slip of the fingers, though Levenshtein counts two. */
function isTransposition(typed: string, known: string): boolean {
  if (typed.length !== known.length) return false;
  let first = -1;
  for (let i = 0; i < typed.length; i++) {
    if (typed[i] === known[i]) continue;
    if (first >= 0) return i === first + 1 && typed[i] === known[first] && typed[first] === known[i] && typed.slice(i + 1) === known.slice(i + 1);
    first = i;
  }
  return false;
}
