/**
 * Normalising typed text and splitting it into words. Knows nothing about the
 * knowledge pack: chat markup, Unicode, clauses and numbers only.
 */

/** Longer messages (counted before normalising) are refused unread. */
export const MAX_TEXT_LENGTH = 2000;

/** Lower-cased NFKC text without control/format characters and chat markup, whitespace collapsed. */
export function normaliseText(text: string): string {
  let s = text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/[^\P{Cc}\n]/gu, ' ')
    // Zero-width characters, bidi marks, BOM, soft hyphens, lone surrogates, private use.
    .replace(/[\p{Cf}\p{Cs}\p{Co}]/gu, '');
  s = s.normalize('NFKC').toLowerCase();
  s = stripChatMarkup(s);
  s = s.replace(/[\u2018\u2019\u02bc\u2032]/g, "'");
  // Line breaks stay (they end a clause); other whitespace runs become one space.
  return s
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\s]*/g, '\n')
    .trim();
}

function stripChatMarkup(s: string): string {
  return (
    s
      .replace(/<([^<>]*)>/g, (_whole, inner: string) => angleToken(inner))
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#0*39;/g, "'")
      .replace(/&amp;/g, '&')
      // Emoji short codes such as :thumbsup: or :+1:.
      .replace(/:(?![0-9]+:)[a-z0-9_+-]{2,}:/g, ' ')
      // *bold*, **bold**, `code`, ```block```, ~strike~, ||spoiler||.
      .replace(/[*`~|]+/g, ' ')
      // _italic_: underscores at a word's edge (inner ones, as in web_app, stay).
      .replace(/(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}])/gu, ' ')
  );
}

/** Slack `<url|label>` keeps the label; mentions, channels, emoji and timestamps go. */
function angleToken(inner: string): string {
  const bar = inner.indexOf('|');
  if (/^(?:https?|mailto|tel|ftp):/.test(inner)) return bar >= 0 ? ` ${inner.slice(bar + 1)} ` : ' ';
  if (/^(?:[@#!:]|a:|t:|id:)/.test(inner)) return ' ';
  return ` ${inner} `;
}

export interface Token {
  /** The word without apostrophes: "don't" -> "dont"; numbers keep their digits, separators and suffix ("10,000", "1.5k"). */
  key: string;
  /** Character offsets in the normalised text. */
  start: number;
  end: number;
  /** Clause number: punctuation and words like "but" start a new clause; cues never cross clauses. */
  clause: number;
  /** Sentence number: `.`, `!`, `?` and line breaks start a new sentence. */
  sentence: number;
  /** A "+" right after the word ("10+ years"). */
  plus: boolean;
  /** The characters between the previous word and this one ("-" in "one-person", " " usually). */
  gap: string;
  /** Written with an apostrophe ("we're", "what's", "don't"): "we're" is "were" as a key, but no auxiliary. */
  apostrophe: boolean;
}

/** A number with thousands separators or decimals ("10,000", "1.5k") is one word; so is any run of letters and digits. */
const WORD = /\p{N}+(?:[.,]\p{N}+)+\p{L}*|[\p{L}\p{N}\p{M}]+(?:'[\p{L}\p{N}\p{M}]+)*/gu;
const CLAUSE_PUNCTUATION = /[,.;!?\n()[\]{}"]/;
const SENTENCE_PUNCTUATION = /[.;!?\n]/;
const CLAUSE_WORDS = new Set(['but', 'however', 'although', 'though', 'whereas', 'except', 'otherwise']);

export function tokenize(norm: string): Token[] {
  const tokens: Token[] = [];
  let clause = 0;
  let sentence = 0;
  let previousEnd = 0;
  for (const m of norm.matchAll(WORD)) {
    const start = m.index ?? 0;
    const key = m[0].replace(/'/g, '');
    const gap = norm.slice(previousEnd, start);
    if (tokens.length > 0 && (CLAUSE_PUNCTUATION.test(gap) || CLAUSE_WORDS.has(key))) clause++;
    // An ellipsis ("MongoDB, Redis, ...") continues the sentence.
    if (tokens.length > 0 && SENTENCE_PUNCTUATION.test(gap.replace(/\.{2,}|…/g, ''))) sentence++;
    const end = start + m[0].length;
    tokens.push({ key, start, end, clause, sentence, plus: norm[end] === '+', gap: tokens.length === 0 ? '' : gap, apostrophe: key !== m[0] });
    previousEnd = end;
  }
  return tokens;
}

/** Words whose "'s" is "is" ("what's", "it's"); after any other word it is a possessive ("django's admin"). */
const IS_CONTRACTIONS = new Set('what that it there here who where how when why which he she let'.split(' '));
const CONTRACTION_ENDINGS: Readonly<Record<string, string>> = { re: ' are', ve: ' have', ll: ' will', d: ' would', m: ' am' };

/**
 * A question with its contractions spelled out, for searching: "what's the difference" is "what is
 * the difference", not "what", "s", ...; "django's admin" is "django admin".
 */
export function expandContractions(text: string): string {
  return text
    .replace(/([\p{L}]+)'s\b/gu, (_w, word: string) => (IS_CONTRACTIONS.has(word) ? `${word} is` : word))
    .replace(/([\p{L}]+)'(re|ve|ll|d|m)\b/gu, (_w, word: string, ending: string) => word + CONTRACTION_ENDINGS[ending]!);
}

/** The words of a text, as the parser compares them. */
export function keysOf(text: string): string[] {
  return tokenize(normaliseText(text)).map((t) => t.key);
}

/** The normalised text that tokens `start` to `end - 1` cover. */
export function spanText(tokens: readonly Token[], norm: string, start: number, end: number): string {
  const first = tokens[start];
  const last = tokens[end - 1];
  if (!first || !last) return '';
  return norm.slice(first.start, last.end + (last.plus ? 1 : 0));
}

/** Token access for grammar patterns; out-of-range positions read as undefined. */
export class Words {
  readonly tokens: readonly Token[];
  private readonly clauses = new Map<number, string[]>();
  constructor(tokens: readonly Token[]) {
    this.tokens = tokens;
  }
  key(i: number): string | undefined {
    return this.tokens[i]?.key;
  }
  sameClause(a: number, b: number): boolean {
    const x = this.tokens[a];
    const y = this.tokens[b];
    return x !== undefined && y !== undefined && x.clause === y.clause;
  }
  /** Keys of the clause that token `i` is in. */
  clauseKeys(i: number): readonly string[] {
    const clause = this.tokens[i]?.clause;
    if (clause === undefined) return [];
    let keys = this.clauses.get(clause);
    if (!keys) {
      keys = this.tokens.filter((t) => t.clause === clause).map((t) => t.key);
      this.clauses.set(clause, keys);
    }
    return keys;
  }
}
