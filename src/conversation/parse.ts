/**
 * Free-text understanding of typed messages: commands ("back", "why", "change team size"),
 * option answers for one or several criteria ("solo dev building a small REST API"),
 * numbers of people ("a team of 5"), negations ("we don't need an admin panel") and
 * "don't know" (skip). Pure functions, no I/O; never throws on any string.
 *
 * Option vocabulary comes from the knowledge pack (labels, synonyms, ids). The parser
 * itself only knows the small grammar around it: command phrases, numbers, negation and
 * uncertainty cues, and which option of a criterion is its "negative" one.
 *
 * Decisions for the ambiguous cases:
 * - A command is recognised only when it is the whole message (politeness and filler
 *   words aside): "don't know" is a skip command, but "we don't know yet about the
 *   database" is an answer: skip for the criterion it names (database), or for the
 *   criterion being asked when it names none.
 * - "change X" is a command only when every word after the verb names a criterion
 *   (its title, id or a word from them); "change team size to 8" is read as an answer.
 * - Longest phrase first: "small team" beats "small", and a shorter phrase left inside a
 *   longer one that lost to an overlapping match is not reused. Head counts are found apart
 *   from phrases ("3 django developers" gives a team size and an experience) and, being
 *   longer, win within team size ("a small team of 8" is large).
 * - Negation: a cue ("no", "not", "don't", "without", ...) up to 4 words before a phrase, or
 *   "not needed"/"unnecessary"/"no" just after it, selects the criterion's negative option
 *   (NEGATIVE_OPTION, else an option `no`); without one the phrase is dropped, never guessed.
 *   "No"/"yes" alone answer the asked criterion only when it has options `no`/`yes`; "not
 *   needed" alone answers it with its negative option.
 * - A phrase that could mean options of several criteria goes to the criterion being
 *   asked; else to a criterion named in the same clause ("security is critical"); else to
 *   the only one not already answered by another phrase of the message; else it is left out.
 * - Two different options of one criterion: the longer phrase wins; a tie leaves the
 *   criterion out. A real option always beats a skip.
 * - Single-word option ids that are not also labels or synonyms ("django", "small" for
 *   team size) count only for the criterion being asked or as the whole message, since
 *   such words appear in ordinary sentences; multi-word ids ("web_app") count anywhere.
 * - A bare number picks the asked criterion's option by position (1-based), even for
 *   team size: "3" there means the third option, "3 of us" means three people.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP, type Criterion } from '../knowledge/schema.ts';

export type TypedCommand =
  | { type: 'start' }
  | { type: 'back' }
  | { type: 'skip' }
  | { type: 'why' }
  | { type: 'result' }
  | { type: 'refine' }
  | { type: 'restart' }
  | { type: 'cancel' }
  | { type: 'help' }
  | { type: 'change'; criterion: string }
  | { type: 'ask'; question: string };

export interface TextMatch {
  criterion: string;
  option: string;
  /** The words that produced it, for "understood 'x' as ...". */
  evidence: string;
}

export type ParsedText =
  | { kind: 'command'; command: TypedCommand }
  /** At least one match; at most one per criterion, in the pack's criterion order. */
  | { kind: 'answers'; matches: TextMatch[] }
  | { kind: 'unknown'; reason: 'empty' | 'too_long' | 'no_match' | 'ambiguous' };

/** Longer messages (counted before normalising) are refused unread. */
export const MAX_TEXT_LENGTH = 2000;
/** Team size from a number of people: up to this many is `solo`... */
export const SOLO_MAX_PEOPLE = 1;
/** ...up to this many is `small`; more is `large`. */
export const SMALL_TEAM_MAX_PEOPLE = 5;

/** How many words before an option phrase a negation cue may stand ("don't really need an admin panel"). */
const NEGATION_WINDOW = 4;
/** Uncertainty reaches further: "not sure if we need an admin panel". */
const UNSURE_WINDOW = 6;
/** How many words after an option phrase a trailing cue may stand ("admin panel is not needed"). */
const TRAILING_WINDOW = 3;
/** Longest phrase the vocabulary index tries, in words. */
const MAX_PHRASE_WORDS = 12;

/**
 * The option a negation selects, per criterion. Criteria not listed use an option with
 * id `no` when they have one; a negated option of any other criterion is dropped.
 */
const NEGATIVE_OPTION: Readonly<Record<string, string>> = {
  admin_panel: 'no',
  i18n: 'no',
  database: 'none',
  performance: 'normal',
  security: 'standard',
  time_to_market: 'normal',
  flexibility: 'low',
  requirements: 'stable',
};

// ---------------------------------------------------------------------------
// Normalisation and words

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

interface Token {
  /** The word without apostrophes: "don't" -> "dont". */
  key: string;
  /** Character offsets in the normalised text. */
  start: number;
  end: number;
  /** Clause number: punctuation and words like "but" start a new clause; cues never cross clauses. */
  clause: number;
}

const WORD = /[\p{L}\p{N}\p{M}]+(?:'[\p{L}\p{N}\p{M}]+)*/gu;
const CLAUSE_PUNCTUATION = /[,.;!?\n()[\]{}"]/;
const CLAUSE_WORDS = new Set(['but', 'however', 'although', 'though', 'whereas', 'except', 'otherwise']);

function tokenize(norm: string): Token[] {
  const tokens: Token[] = [];
  let clause = 0;
  let previousEnd = 0;
  for (const m of norm.matchAll(WORD)) {
    const start = m.index ?? 0;
    const key = m[0].replace(/'/g, '');
    if (tokens.length > 0 && (CLAUSE_PUNCTUATION.test(norm.slice(previousEnd, start)) || CLAUSE_WORDS.has(key))) clause++;
    tokens.push({ key, start, end: start + m[0].length, clause });
    previousEnd = start + m[0].length;
  }
  return tokens;
}

function keysOf(text: string): string[] {
  return tokenize(normaliseText(text)).map((t) => t.key);
}

// ---------------------------------------------------------------------------
// Fixed grammar: fillers, yes/no, cues

/** Words ignored when a whole message is compared with a command phrase. */
const FILLERS = new Set(
  ('please pls plz thanks thank you thx ty ok okay hey hi hello um uh uhm hmm hm well so just now lets let can could would ' +
    'i im id we were are am is it to the a me us like want wanna bot advisor honestly really actually yet then maybe sorry oh ah')
    .split(' '),
);

const YES_PHRASES = ['yes', 'yeah', 'yea', 'yep', 'yup', 'ya', 'y', 'sure', 'definitely', 'absolutely', 'certainly', 'correct', 'indeed', 'affirmative', 'of course'];
const NO_PHRASES = ['no', 'nope', 'nah', 'n', 'negative', 'not really', 'no thanks', 'not at all'];

/** Words that negate an option phrase a few words later: "no admin", "we don't need i18n". */
const NEGATION_CUES = new Set(
  'no not dont doesnt didnt wont without never nor isnt arent nothing cant wouldnt shouldnt hardly zero non nobody'.split(' '),
);
/** After a negation: "not needed", "don't need it", "isn't important". */
const NEED_WORDS = new Set(
  'need needed needs require required requirement necessary important priority concern matter matters relevant care want wanted crucial essential must'.split(' '),
);
/** Single words that negate what stands before them: "i18n is unnecessary". */
const TRAILING_NEGATIONS = new Set(['unnecessary', 'unneeded', 'irrelevant']);
/** Words allowed in a pack phrase that only says "not needed" ("not required", "no need for one"). */
const NEGATION_PHRASE_WORDS = new Set([
  ...NEGATION_CUES,
  ...NEED_WORDS,
  ...TRAILING_NEGATIONS,
  ...'none critical for one it a an the is at all really so that this'.split(' '),
]);
/** "I don't know", "not sure", ... anywhere in a sentence. */
const UNSURE_CUES = ['dont know', 'do not know', 'dont really know', 'not sure', 'not certain', 'unsure', 'no idea', 'no clue', 'idk', 'dunno'].map((p) =>
  p.split(' '),
);

/** Words that never stand alone as option vocabulary: the grammar above owns them. */
const RESERVED_WORDS = new Set([...YES_PHRASES, ...NO_PHRASES, ...NEGATION_CUES].filter((p) => !p.includes(' ')));

// ---------------------------------------------------------------------------
// Commands

type SimpleCommand = Exclude<TypedCommand['type'], 'change' | 'ask'>;

const COMMAND_PHRASES: ReadonlyArray<readonly [SimpleCommand, readonly string[]]> = [
  ['back', ['back', 'go back', 'previous', 'previous question', 'undo', 'undo that', 'back up', 'last question', 'go back one']],
  [
    'skip',
    ['skip', 'skip this', 'skip question', 'skip this question', 'next', "don't know", 'dont know', 'do not know', 'not sure', 'no idea', 'idk',
      'pass', 'dunno', 'no clue', 'unsure', 'no preference', "doesn't matter", 'dont care', "don't care", 'no opinion', 'whatever', 'i have no idea'],
  ],
  ['why', ['why', 'why does this matter', 'why does it matter', 'why is this important', 'why do you ask', 'why this question', 'why ask', 'explain', 'explain this', 'explain why', 'what does this mean']],
  [
    'result',
    ['result', 'results', 'show result', 'show results', 'show me the result', 'show me the results', 'recommendation', 'show recommendation',
      'give me the recommendation', 'verdict', 'show verdict', 'done', 'finish', 'finished', "i'm done", 'we are done', "that's all", 'what do you recommend',
      'tell me', 'final answer', 'see result', 'see results', 'get result', 'recommend'],
  ],
  ['refine', ['continue', 'keep going', 'refine', 'more questions', 'ask more', 'ask me more', 'go on', 'keep asking', 'carry on', 'more']],
  ['start', ['start', 'begin', 'start interview', 'start the interview', "let's start", 'lets start', "let's go", 'lets go', 'resume']],
  ['restart', ['restart', 'start over', 'reset', 'start again', 'begin again', 'from scratch', 'start from scratch', 'new session']],
  ['cancel', ['cancel', 'quit', 'stop', 'exit', 'abort', 'never mind', 'nevermind', 'bye', 'goodbye']],
  ['help', ['help', 'commands', 'what commands', 'show commands', 'what can i say', 'what can i do', 'how does this work', 'menu', 'help me', 'usage']],
];

/** Message words without fillers, as compared with command phrases. */
function commandWords(keys: readonly string[]): string[] {
  return keys.filter((k) => !FILLERS.has(k));
}

const COMMANDS: ReadonlyMap<string, SimpleCommand> = new Map(
  COMMAND_PHRASES.flatMap(([type, phrases]) => phrases.map((p) => [commandWords(keysOf(p)).join(' '), type] as const)),
);

/** Verbs (fillers removed) that start "change <criterion>": "go back to the database" -> "go back database". */
const CHANGE_VERBS = ['change', 'edit', 'modify', 'update', 'revise', 'revisit', 'reconsider', 'redo', 'fix', 'correct', 'go back', 'back', 'return'].map((v) =>
  v.split(' '),
);
/** Words between the verb and the criterion: "change my answer for the team size". */
const REFERENCE_FILLERS = new Set(['my', 'our', 'answer', 'answers', 'for', 'about', 'on', 'of', 'question', 'criterion', 'that', 'this', 'setting']);

function startsWith(words: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= words.length && prefix.every((w, i) => words[i] === w);
}

function parseCommand(vocab: Vocabulary, keys: readonly string[], norm: string): ParsedText | null {
  if (keys.length === 0) return /^[\s?.!]*\?[\s?.!]*$/.test(norm) ? command({ type: 'help' }) : null;
  const words = commandWords(keys);
  if (words.length === 0) return null;
  const simple = COMMANDS.get(words.join(' '));
  if (simple) return command({ type: simple } as TypedCommand);
  for (const verb of [...CHANGE_VERBS, ['skip']]) {
    if (!startsWith(words, verb)) continue;
    const rest = words.slice(verb.length).filter((w) => !REFERENCE_FILLERS.has(w));
    if (rest.length === 0) continue;
    const criterion = resolveCriterionReference(vocab, rest);
    if (criterion === 'ambiguous') return { kind: 'unknown', reason: 'ambiguous' };
    if (criterion === null) continue;
    if (verb[0] === 'skip') return { kind: 'answers', matches: [{ criterion, option: SKIP, evidence: norm }] };
    return command({ type: 'change', criterion });
  }
  return null;
}

function command(cmd: TypedCommand): ParsedText {
  return { kind: 'command', command: cmd };
}

/** The criterion that every word names (full title or id, or words from them); null when some word names none. */
function resolveCriterionReference(vocab: Vocabulary, words: readonly string[]): string | 'ambiguous' | null {
  const exact = vocab.criterionNames.get(words.join(''));
  if (exact) return exact;
  const hits = new Map<string, number>();
  for (const word of words) {
    const criteria = vocab.referenceWords.get(word);
    if (!criteria) return null;
    for (const c of criteria) hits.set(c, (hits.get(c) ?? 0) + 1);
  }
  const best = Math.max(...hits.values());
  const top = [...hits].filter(([, n]) => n === best).map(([c]) => c);
  return top.length === 1 ? top[0]! : 'ambiguous';
}

// ---------------------------------------------------------------------------
// Vocabulary index (built once per Knowledge)

interface Reading {
  criterion: string;
  option: string;
}

interface VocabEntry extends Reading {
  /** A bare single-word option id: only for the asked criterion or as the whole message. */
  weak: boolean;
}

interface Vocabulary {
  /** Phrase words joined without spaces ("e-commerce", "e commerce", "ecommerce" alike) -> options. */
  phrases: Map<string, VocabEntry[]>;
  maxWords: number;
  /** Full criterion title or id, joined -> criterion. */
  criterionNames: Map<string, string>;
  /** Any word of a title or id -> criteria ("change team" is ambiguous). */
  referenceWords: Map<string, Set<string>>;
  /** Words that name exactly one criterion in a sentence ("not sure about the database"). */
  mentionWords: Map<string, string>;
}

/** Words that name no criterion on their own: too common in ordinary sentences. */
const MENTION_STOP = new Set(
  'and the for with just need needs type expected time data multiple technology tech project team raw size level'.split(' '),
);

/** "solo", "just me", ... the small built-in table behind the people-count logic. */
const SOLO_PHRASES = ['solo', 'solo dev', 'solo developer', 'just me', 'only me', 'me alone', 'im alone', 'i am alone', 'alone', 'by myself', 'on my own',
  'just myself', 'one man band', 'one man show', 'lone developer', 'lone dev', 'single developer', 'indie dev', 'indie developer'];

const vocabularies = new WeakMap<Knowledge, Vocabulary>();

function vocabularyOf(knowledge: Knowledge): Vocabulary {
  let vocab = vocabularies.get(knowledge);
  if (!vocab) {
    vocab = buildVocabulary(knowledge);
    vocabularies.set(knowledge, vocab);
  }
  return vocab;
}

/** A label "Content site / CMS" or "Small (few users)" also answers to "content site", "cms", "small". */
function labelVariants(label: string): string[] {
  const head = label.split(/[(:,]/)[0] ?? '';
  return [label, ...head.split(/\s[/–—-]\s|\s\/|\/\s/)];
}

function buildVocabulary(knowledge: Knowledge): Vocabulary {
  const vocab: Vocabulary = {
    phrases: new Map(),
    maxWords: 1,
    criterionNames: new Map(),
    referenceWords: new Map(),
    mentionWords: new Map(),
  };
  const add = (text: string, reading: Reading, weak: boolean): void => {
    const keys = keysOf(text).slice(0, MAX_PHRASE_WORDS);
    if (keys.length === 0 || (keys.length === 1 && RESERVED_WORDS.has(keys[0]!))) return;
    const joined = keys.join('');
    const entries = vocab.phrases.get(joined) ?? [];
    const same = entries.find((e) => e.criterion === reading.criterion && e.option === reading.option);
    if (same) same.weak &&= weak;
    else entries.push({ ...reading, weak });
    vocab.phrases.set(joined, entries);
    vocab.maxWords = Math.max(vocab.maxWords, keys.length);
  };
  for (const criterion of knowledge.criteria) {
    for (const option of criterion.options) {
      const reading = { criterion: criterion.id, option: option.id };
      for (const text of [...labelVariants(option.label), ...option.synonyms]) add(text, reading, false);
      add(option.id, reading, !option.id.includes('_'));
    }
    addCriterionNames(vocab, criterion);
  }
  const teamSize = knowledge.criterionById.get('team_size');
  if (teamSize?.options.some((o) => o.id === 'solo')) {
    for (const text of SOLO_PHRASES) add(text, { criterion: 'team_size', option: 'solo' }, false);
  }
  finishMentionWords(vocab);
  return vocab;
}

function addCriterionNames(vocab: Vocabulary, criterion: Criterion): void {
  for (const name of [criterion.title, criterion.id, ...labelVariants(criterion.title).slice(1)]) {
    const keys = keysOf(name);
    if (keys.length === 0) continue;
    vocab.criterionNames.set(keys.join(''), criterion.id);
    for (const key of keys) {
      if (REFERENCE_FILLERS.has(key) || FILLERS.has(key) || key === 'and') continue;
      const set = vocab.referenceWords.get(key) ?? new Set<string>();
      set.add(criterion.id);
      vocab.referenceWords.set(key, set);
    }
  }
}

/** Sentence mentions: words of exactly one criterion, at least 4 letters, not too common. */
function finishMentionWords(vocab: Vocabulary): void {
  for (const [word, criteria] of vocab.referenceWords) {
    if (criteria.size === 1 && word.length >= 4 && !MENTION_STOP.has(word)) vocab.mentionWords.set(word, [...criteria][0]!);
  }
}

// ---------------------------------------------------------------------------
// Spans: where the message says something about a criterion

interface Span {
  start: number;
  /** Exclusive token index. */
  end: number;
  readings: Reading[];
  /** Characters covered: between overlapping candidates, the tie-break after word count. */
  chars: number;
}

function spanText(tokens: readonly Token[], norm: string, start: number, end: number): string {
  return norm.slice(tokens[start]!.start, tokens[end - 1]!.end);
}

function phraseCandidates(vocab: Vocabulary, tokens: readonly Token[], current: string | null, wholeMessage: (s: number, e: number) => boolean): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let joined = '';
    for (let j = i; j < tokens.length && j < i + vocab.maxWords && tokens[j]!.clause === tokens[i]!.clause; j++) {
      joined += tokens[j]!.key;
      const entries = vocab.phrases.get(joined);
      if (!entries) continue;
      const readings = spanReadings(entries, current, () => wholeMessage(i, j + 1));
      if (readings.length > 0) spans.push({ start: i, end: j + 1, readings, chars: tokens[j]!.end - tokens[i]!.start });
    }
  }
  return spans;
}

/**
 * Vocabulary readings, plus bare-id readings for the asked criterion; other bare-id readings
 * only when the id is the whole message and no vocabulary reading exists ("small" alone is
 * the scale, whose vocabulary says "small", not the team size, whose id merely is `small`).
 */
function spanReadings(entries: readonly VocabEntry[], current: string | null, isWholeMessage: () => boolean): Reading[] {
  const strong = entries.filter((e) => !e.weak || e.criterion === current);
  const chosen = strong.length > 0 ? strong : isWholeMessage() ? entries : [];
  return chosen.map(({ criterion, option }) => ({ criterion, option }));
}

// --- numbers of people

const NUMBER_WORDS: ReadonlyMap<string, number> = new Map([
  ...'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'
    .split(' ')
    .map((word, i) => [word, i + 1] as const),
  ['couple', 2],
  ['dozen', 12],
]);
const PEOPLE_NOUNS = new Set(
  ('people person persons dev devs developer developers engineer engineers programmer programmers coder coders member members folks guys ' +
    'teammates colleagues men man heads')
    .split(' '),
);
/** Words that cannot sit between a number and its noun ("2 of the developers" is not a head count). */
const NOT_BETWEEN = new Set('of the a an and or for in on with to at by from than per'.split(' '));

function numberAt(tokens: readonly Token[], i: number): number | null {
  const key = tokens[i]?.key;
  if (key === undefined) return null;
  if (/^[0-9]{1,6}$/.test(key)) return Number(key);
  return NUMBER_WORDS.get(key) ?? null;
}

function teamSizeOption(count: number): string {
  if (count <= SOLO_MAX_PEOPLE) return 'solo';
  return count <= SMALL_TEAM_MAX_PEOPLE ? 'small' : 'large';
}

/** A head count found in the message: token range and number of people. */
type HeadCount = [start: number, end: number, people: number];

/** Token access for the head-count patterns; out-of-range positions read as undefined. */
class Words {
  readonly tokens: readonly Token[];
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
}

/** "3 of us", "8 developers", "two devs", "3 senior python developers", "me and two other devs". */
function countWithNoun(w: Words, i: number, n: number): HeadCount | null {
  if (w.key(i + 1) === 'of' && w.key(i + 2) === 'us' && w.sameClause(i, i + 2)) return [i, i + 3, n];
  for (let j = i + 1; j <= i + 3 && w.sameClause(i, j); j++) {
    const key = w.key(j)!;
    if (PEOPLE_NOUNS.has(key)) {
      // "me and two other devs" counts the writer too.
      const withMe = w.key(i - 1) === 'and' && (w.key(i - 2) === 'me' || w.key(i - 2) === 'myself');
      const other = w.tokens.slice(i + 1, j).some((t) => t.key === 'other' || t.key === 'more');
      return withMe && other ? [i - 2, j + 1, n + 1] : [i, j + 1, n];
    }
    const couplingOf = key === 'of' && j === i + 1 && (w.key(i) === 'couple' || w.key(i) === 'dozen');
    if (!couplingOf && (NOT_BETWEEN.has(key) || numberAt(w.tokens, j) !== null)) return null;
  }
  return null;
}

/** "a team of 5", "group of six", "team size 7", "team size is 7". */
function countAfterTeam(w: Words, i: number, n: number): HeadCount | null {
  const before = [w.key(i - 3), w.key(i - 2), w.key(i - 1)];
  if ((before[1] === 'team' || before[1] === 'group') && before[2] === 'of' && w.sameClause(i - 2, i)) return [i - 2, i + 1, n];
  if (before[1] === 'team' && before[2] === 'size' && w.sameClause(i - 2, i)) return [i - 2, i + 1, n];
  const linked = before[2] === 'of' || before[2] === 'is' || before[2] === 'to';
  if (before[0] === 'team' && before[1] === 'size' && linked && w.sameClause(i - 3, i)) return [i - 3, i + 1, n];
  return null;
}

/** "we're 4", "we are 4" closing a clause (not "we are 4 weeks late"). */
function countAfterWeAre(w: Words, i: number, n: number): HeadCount | null {
  const endsClause = i + 1 === w.tokens.length || !w.sameClause(i, i + 1);
  if (!endsClause || !w.sameClause(i - 1, i)) return null;
  if (w.key(i - 1) === 'were') return [i - 1, i + 1, n];
  if (w.key(i - 1) === 'are' && w.key(i - 2) === 'we' && w.sameClause(i - 2, i)) return [i - 2, i + 1, n];
  return null;
}

/** Team-size candidates from head counts; none when the pack's team size lacks solo/small/large. */
function peopleCandidates(knowledge: Knowledge, tokens: readonly Token[]): Span[] {
  const teamSize = knowledge.criterionById.get('team_size');
  if (!teamSize || !['solo', 'small', 'large'].every((id) => teamSize.options.some((o) => o.id === id))) return [];
  const w = new Words(tokens);
  const spans: Span[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const n = numberAt(tokens, i);
    if (n === null || n < 1) continue;
    for (const found of [countWithNoun(w, i, n), countAfterTeam(w, i, n), countAfterWeAre(w, i, n)]) {
      if (!found) continue;
      const [start, end, people] = found;
      spans.push({ start, end, readings: [{ criterion: 'team_size', option: teamSizeOption(people) }], chars: tokens[end - 1]!.end - tokens[start]!.start });
    }
  }
  return spans;
}

/**
 * Longest first; a candidate overlapping an accepted span is dropped, and so is one lying
 * inside a dropped longer candidate (its words already had a longer meaning).
 */
function selectSpans(candidates: Span[]): Span[] {
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

function hasReading(list: readonly Reading[], r: Reading): boolean {
  return list.some((x) => x.criterion === r.criterion && x.option === r.option);
}

// ---------------------------------------------------------------------------
// Understanding a message as answers

interface Pick extends Reading {
  /** A real option beats a skip. */
  real: boolean;
  /** Words of the phrase behind it: the longer phrase wins within a criterion. */
  words: number;
  evidence: string;
}

interface Cue {
  start: number;
  end: number;
}

/** What the parser works on for one message. */
interface Message {
  knowledge: Knowledge;
  vocab: Vocabulary;
  tokens: Token[];
  norm: string;
  current: string | null;
  spans: Span[];
  /** Token index -> the span covering it. */
  spanAt: (Span | undefined)[];
  unsure: Cue[];
  /** Cue tokens already used by some span, so they are not reused. */
  used: Set<number>;
  mentions: { start: number; criterion: string }[];
  /** Spans read as negated so far (in message order). */
  negated: Set<Span>;
}

function negativeOption(knowledge: Knowledge, criterionId: string): string | undefined {
  const criterion = knowledge.criterionById.get(criterionId);
  if (!criterion) return undefined;
  const explicit = NEGATIVE_OPTION[criterionId];
  if (explicit && criterion.options.some((o) => o.id === explicit)) return explicit;
  return criterion.options.some((o) => o.id === 'no') ? 'no' : undefined;
}

function findUnsureCues(tokens: readonly Token[], spanAt: readonly (Span | undefined)[]): Cue[] {
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

function findMentions(vocab: Vocabulary, tokens: readonly Token[], spanAt: readonly (Span | undefined)[]): Message['mentions'] {
  const mentions: Message['mentions'] = [];
  tokens.forEach((t, i) => {
    const criterion = vocab.mentionWords.get(t.key) ?? vocab.criterionNames.get(t.key);
    if (criterion && !spanAt[i]) mentions.push({ start: i, criterion });
  });
  // Multi-word titles and ids ("time to market", "admin_panel").
  for (let i = 0; i < tokens.length; i++) {
    let joined = tokens[i]!.key;
    for (let j = i + 1; j < Math.min(tokens.length, i + 5) && !spanAt[j] && !spanAt[i]; j++) {
      joined += tokens[j]!.key;
      const criterion = vocab.criterionNames.get(joined);
      if (criterion) mentions.push({ start: i, criterion });
    }
  }
  return mentions;
}

/** A pack phrase that only says "not needed" ("not required", "unnecessary", "not critical"). */
function isNegationPhrase(m: Message, span: Span): boolean {
  const keys = m.tokens.slice(span.start, span.end).map((t) => t.key);
  return keys.every((k) => NEGATION_PHRASE_WORDS.has(k)) && keys.some((k) => NEGATION_CUES.has(k) || TRAILING_NEGATIONS.has(k));
}

type Modifier = { kind: 'negate' | 'unsure'; cue: Cue } | null;

/** A negation or uncertainty cue in front of the span, nearest first, within its clause. */
function cueBefore(m: Message, span: Span): Modifier {
  const clause = m.tokens[span.start]!.clause;
  for (let j = span.start - 1; j >= 0 && j >= span.start - UNSURE_WINDOW; j--) {
    if (m.tokens[j]!.clause !== clause) return null;
    const before = m.spanAt[j];
    if (before) return sharesNegation(m, before, span) ? { kind: 'negate', cue: { start: span.start, end: span.start } } : null;
    const unsure = m.unsure.find((c) => c.start <= j && j < c.end);
    if (unsure) return { kind: 'unsure', cue: unsure };
    if (span.start - j <= NEGATION_WINDOW && NEGATION_CUES.has(m.tokens[j]!.key) && !m.used.has(j)) return { kind: 'negate', cue: { start: j, end: j + 1 } };
  }
  return null;
}

/** "no admin panel or i18n": a negation carries over an "or"/"nor" to the next phrase. */
function sharesNegation(m: Message, before: Span, span: Span): boolean {
  const between = m.tokens.slice(before.end, span.start).map((t) => t.key);
  return m.negated.has(before) && between.length === 1 && (between[0] === 'or' || between[0] === 'nor');
}

/** "admin panel is not needed", "i18n: no", "database, not sure" (same clause, a few words after). */
function cueAfter(m: Message, span: Span): Modifier {
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
function needWordAfter(m: Message, j: number): number | null {
  for (let k = j + 1; k <= j + 2 && k < m.tokens.length; k++) {
    if (m.tokens[k]!.clause !== m.tokens[j]!.clause || m.spanAt[k]) return null;
    if (NEED_WORDS.has(m.tokens[k]!.key)) return k;
  }
  return null;
}

function applyModifier(m: Message, readings: readonly Reading[], modifier: Modifier): Reading[] {
  if (!modifier) return [...readings];
  if (modifier.kind === 'unsure') return uniqueReadings(readings.map((r) => ({ criterion: r.criterion, option: SKIP })));
  const out: Reading[] = [];
  for (const r of readings) {
    const negative = negativeOption(m.knowledge, r.criterion);
    if (negative && negative !== r.option) out.push({ criterion: r.criterion, option: negative });
  }
  return uniqueReadings(out);
}

function uniqueReadings(readings: readonly Reading[]): Reading[] {
  const out: Reading[] = [];
  for (const r of readings) if (!hasReading(out, r)) out.push(r);
  return out;
}

/** The target a "not needed" phrase negates: the nearest span or mention before it in its clause. */
function negationTarget(m: Message, span: Span, spans: readonly Span[]): Span | Message['mentions'][number] | null {
  const clause = m.tokens[span.start]!.clause;
  for (let j = span.start - 1; j >= 0 && j >= span.start - 1 - TRAILING_WINDOW; j--) {
    if (m.tokens[j]!.clause !== clause) return null;
    const covering = spans.find((s) => s.start <= j && j < s.end);
    if (covering) return covering;
    const mention = m.mentions.find((x) => x.start === j);
    if (mention) return mention;
  }
  return null;
}

interface Understanding {
  picks: Pick[];
  /** Phrases left out because they could mean several criteria or options. */
  ambiguous: boolean;
}

function pickOf(m: Message, reading: Reading, start: number, end: number, real: boolean, words: number): Pick {
  return { ...reading, real, words, evidence: spanText(m.tokens, m.norm, start, end) };
}

type Mention = Message['mentions'][number];

/** A span read with its cue, before its criterion is settled. */
interface ReadSpan {
  readings: Reading[];
  start: number;
  end: number;
  words: number;
  real: boolean;
}

function understand(m: Message): Understanding {
  const negations = readNegationPhrases(m);
  const picks = [...negations.picks];
  const deferred: ReadSpan[] = [];
  for (const span of m.spans) {
    if (negations.consumed.has(span)) continue;
    const read = readSpan(m, span, negations.negatedBy.get(span));
    const chosen = chooseCriterion(m, read.readings, span);
    if (chosen === 'deferred') deferred.push(read);
    else for (const r of chosen) picks.push(pickOf(m, r, read.start, read.end, read.real, read.words));
  }
  const ambiguous = resolveDeferred(m, deferred, picks);
  picks.push(...mentionNegationPicks(m, negations.negatedBy), ...floatingCuePicks(m, negations.negatedBy));
  return { picks, ambiguous };
}

/**
 * Pack phrases that only say "not needed" negate the span or criterion name just before them;
 * with none there, they answer the asked criterion negatively if its own reading is elsewhere.
 */
function readNegationPhrases(m: Message): { negatedBy: Map<Span | Mention, Span>; consumed: Set<Span>; picks: Pick[] } {
  const negatedBy = new Map<Span | Mention, Span>();
  const consumed = new Set<Span>();
  const picks: Pick[] = [];
  for (const span of m.spans) {
    if (!isNegationPhrase(m, span)) continue;
    const target = negationTarget(m, span, m.spans);
    const currentNegative = m.current === null || span.readings.some((r) => r.criterion === m.current) ? undefined : negativeOption(m.knowledge, m.current);
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

function readSpan(m: Message, span: Span, negation: Span | undefined): ReadSpan {
  const modifier: Modifier = negation ? { kind: 'negate', cue: { start: negation.start, end: negation.end } } : (cueBefore(m, span) ?? cueAfter(m, span));
  if (modifier) markUsed(m, modifier.cue);
  if (modifier?.kind === 'negate') m.negated.add(span);
  return {
    readings: applyModifier(m, span.readings, modifier),
    start: Math.min(span.start, modifier?.cue.start ?? span.start),
    end: Math.max(span.end, modifier?.cue.end ?? span.end),
    words: span.end - span.start,
    real: modifier?.kind !== 'unsure',
  };
}

/** Phrases of several criteria go to the only one no other phrase answered; returns whether any stayed ambiguous. */
function resolveDeferred(m: Message, deferred: readonly ReadSpan[], picks: Pick[]): boolean {
  let ambiguous = false;
  for (const item of deferred) {
    const determined = new Set(picks.map((p) => p.criterion));
    const open = uniqueCriteria(item.readings).filter((c) => !determined.has(c));
    if (open.length === 1) {
      for (const r of item.readings.filter((x) => x.criterion === open[0])) picks.push(pickOf(m, r, item.start, item.end, item.real, item.words));
    } else if (open.length > 1) ambiguous = true;
  }
  return ambiguous;
}

/** "security is not critical": a criterion name negated by a "not needed" phrase. */
function mentionNegationPicks(m: Message, negatedBy: ReadonlyMap<Span | Mention, Span>): Pick[] {
  const picks: Pick[] = [];
  for (const [target, span] of negatedBy) {
    if ('readings' in target) continue;
    const negative = negativeOption(m.knowledge, target.criterion);
    if (negative) picks.push(pickOf(m, { criterion: target.criterion, option: negative }, target.start, span.end, true, 1));
  }
  return picks;
}

function uniqueCriteria(readings: readonly Reading[]): string[] {
  return [...new Set(readings.map((r) => r.criterion))];
}

/** The readings of the one criterion a span is about, or 'deferred' when several remain. */
function chooseCriterion(m: Message, readings: readonly Reading[], span: Span): Reading[] | 'deferred' {
  const criteria = uniqueCriteria(readings);
  if (criteria.length <= 1) return [...readings];
  if (m.current !== null && criteria.includes(m.current)) return readings.filter((r) => r.criterion === m.current);
  const clause = m.tokens[span.start]!.clause;
  const named = criteria.filter((c) => m.mentions.some((x) => x.criterion === c && m.tokens[x.start]!.clause === clause));
  if (named.length === 1) return readings.filter((r) => r.criterion === named[0]);
  return 'deferred';
}

/**
 * Cues no option phrase used: "not sure about the database" (skip database), "no database"
 * (its negative option), "not needed" / "don't know" alone (the asked criterion).
 */
function floatingCuePicks(m: Message, negatedBy: ReadonlyMap<Span | Mention, Span>): Pick[] {
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
    const negative = criterion ? negativeOption(m.knowledge, criterion) : undefined;
    if (!criterion || !negative) return;
    const end = mention ? mention.start + 1 : need! + 1;
    markUsed(m, { start: j, end });
    picks.push(pickOf(m, { criterion, option: negative }, j, end, true, 1));
  });
  return picks;
}

function markUsed(m: Message, cue: Cue): void {
  for (let k = cue.start; k < cue.end; k++) m.used.add(k);
}

/** "yes", "nope, ..." at the start of the message answers the asked yes/no criterion. */
function leadingYesNo(m: Message): Pick | null {
  if (m.current === null) return null;
  const criterion = m.knowledge.criterionById.get(m.current);
  for (const [phrases, option] of [[YES_PHRASES, 'yes'], [NO_PHRASES, 'no']] as const) {
    if (!criterion?.options.some((o) => o.id === option)) continue;
    for (const phrase of phrases) {
      const words = phrase.split(' ');
      const fits = words.every((w, k) => m.tokens[k]?.key === w && !m.spanAt[k] && !m.used.has(k));
      if (fits) return pickOf(m, { criterion: m.current, option }, 0, words.length, true, words.length);
    }
  }
  return null;
}

/** One match per criterion: a real option before a skip, then the longer phrase; a tie leaves it out. */
function resolvePicks(knowledge: Knowledge, picks: readonly Pick[]): { matches: TextMatch[]; ambiguous: boolean } {
  const matches: TextMatch[] = [];
  let ambiguous = false;
  for (const criterion of knowledge.criteria) {
    const mine = picks
      .filter((p) => p.criterion === criterion.id)
      .sort((a, b) => Number(b.real) - Number(a.real) || b.words - a.words);
    const best = mine[0];
    if (!best) continue;
    const rivals = mine.filter((p) => p.real === best.real && p.words === best.words && p.option !== best.option);
    if (rivals.length > 0) ambiguous = true;
    else matches.push({ criterion: criterion.id, option: best.option, evidence: best.evidence });
  }
  return { matches, ambiguous };
}

// ---------------------------------------------------------------------------
// Entry point

/** Understands one typed message. `current` is the criterion being asked, or null. */
export function parseText(knowledge: Knowledge, text: string, current: string | null): ParsedText {
  if (typeof text !== 'string') return { kind: 'unknown', reason: 'empty' };
  if (text.length > MAX_TEXT_LENGTH) return { kind: 'unknown', reason: 'too_long' };
  const norm = normaliseText(text);
  if (norm === '') return { kind: 'unknown', reason: 'empty' };
  const vocab = vocabularyOf(knowledge);
  const tokens = tokenize(norm);
  const keys = tokens.map((t) => t.key);
  const askedCriterion = current !== null && knowledge.criterionById.has(current) ? current : null;

  const parsedCommand = parseCommand(vocab, keys, norm);
  if (parsedCommand) return parsedCommand;
  // "ask <question>" goes to the knowledge base ("ask more" was a command above).
  const askedQuestion = /^\s*ask\s+(\S[\s\S]*)$/i.exec(text);
  if (askedQuestion) return command({ type: 'ask', question: askedQuestion[1]!.trim() });
  const byNumber = optionByNumber(knowledge, keys, askedCriterion, norm);
  if (byNumber) return byNumber;
  if (tokens.length === 0) return { kind: 'unknown', reason: 'no_match' };

  const m = readMessage(knowledge, vocab, tokens, norm, askedCriterion);
  const { picks, ambiguous } = understand(m);
  if (askedCriterion !== null && !picks.some((p) => p.criterion === askedCriterion)) {
    const yesNo = leadingYesNo(m);
    if (yesNo) picks.push(yesNo);
  }
  const resolved = resolvePicks(knowledge, picks);
  if (resolved.matches.length > 0) return { kind: 'answers', matches: resolved.matches };
  return { kind: 'unknown', reason: ambiguous || resolved.ambiguous ? 'ambiguous' : 'no_match' };
}

const NUMBER_FILLERS = new Set(['option', 'number', 'choice', 'answer', 'please', 'pls', 'plz', 'thanks', 'ok', 'okay', 'the', 'is']);

/** "2", "option 2", "#2 please": the asked criterion's option at that position (1-based). */
function optionByNumber(knowledge: Knowledge, keys: readonly string[], current: string | null, norm: string): ParsedText | null {
  const words = keys.filter((w) => !NUMBER_FILLERS.has(w));
  if (words.length !== 1 || !/^[0-9]{1,3}$/.test(words[0]!)) return null;
  const option = current === null ? undefined : knowledge.criterionById.get(current)?.options[Number(words[0]) - 1];
  if (!option || current === null) return { kind: 'unknown', reason: 'no_match' };
  return { kind: 'answers', matches: [{ criterion: current, option: option.id, evidence: norm }] };
}

function readMessage(knowledge: Knowledge, vocab: Vocabulary, tokens: Token[], norm: string, current: string | null): Message {
  const content = tokens.map((t) => !FILLERS.has(t.key));
  const wholeMessage = (s: number, e: number): boolean => content.every((isContent, i) => !isContent || (i >= s && i < e));
  // Head counts are chosen apart from phrases, so "3 django developers" is both a team size and an experience.
  const spans = [...selectSpans(phraseCandidates(vocab, tokens, current, wholeMessage)), ...selectSpans(peopleCandidates(knowledge, tokens))].sort(
    (a, b) => a.start - b.start,
  );
  const spanAt: (Span | undefined)[] = tokens.map((_, i) => spans.find((s) => s.start <= i && i < s.end));
  return {
    knowledge,
    vocab,
    tokens,
    norm,
    current,
    spans,
    spanAt,
    unsure: findUnsureCues(tokens, spanAt),
    used: new Set(),
    negated: new Set(),
    mentions: findMentions(vocab, tokens, spanAt),
  };
}
