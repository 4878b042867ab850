/**
 * Whole-message commands ("back", "show me the results"), commands about a topic
 * ("change team size", "skip the database question", "why admin panel"),
 * questions ("what is an admin panel?", "can flask do async?"), which are answered
 * and never recorded, and option numbers ("2", "option 3", a bare head count).
 */
import type { Knowledge } from '../../knowledge/load.ts';
import { SKIP } from '../../knowledge/schema.ts';
import { FILLERS, REFERENCE_FILLERS } from './grammar.ts';
import { keysOf } from './normalise.ts';
import { ORDINALS, simpleNumber } from './numbers.ts';
import type { ParsedText, TypedCommand } from './types.ts';
import { optionForAmount, type MatchToken, type Vocabulary } from './vocabulary.ts';

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
      'tell me', 'final answer', 'see result', 'see results', 'get result', 'recommend', 'what do you recommend so far', 'result so far',
      'results so far', 'recommendation so far', 'what do you have so far', "what's your recommendation", 'what is your recommendation',
      'where do we stand', 'which one wins', 'who wins', 'current result', 'current recommendation'],
  ],
  [
    'details',
    ['details', 'detail', 'show details', 'see details', 'more details', 'more detail', 'full details', 'all details', 'in detail', 'full result',
      'full results', 'whole result', 'show everything', 'everything', 'all reasons', 'every reason', 'show all', 'all sources', 'sources'],
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

type TopicVerb = 'change' | 'skip' | 'why';
/** Verbs (fillers removed) before a topic: "go back to the database" -> "go back database". */
const TOPIC_VERBS: ReadonlyArray<readonly [TopicVerb, readonly string[]]> = [
  ...['change', 'edit', 'modify', 'update', 'revise', 'revisit', 'reconsider', 'redo', 'fix', 'correct', 'go back', 'back', 'return'].map(
    (v) => ['change', v.split(' ')] as const,
  ),
  ['skip', ['skip']],
  ['why', ['why']],
  ['why', ['explain']],
];
/** Words around the topic of a "why": "why do you ask about the database", "why does the admin panel matter". */
const WHY_FILLERS = new Set(
  'do does did you we i ask asking asked about is it this that matter matters important question need needed care should would for so much how come a an the'.split(' '),
);

export function command(cmd: TypedCommand): ParsedText {
  return { kind: 'command', command: cmd };
}

/** A whole-message command, or a command about a topic; null when the message is neither. */
export function parseCommand(vocab: Vocabulary, tokens: readonly MatchToken[], norm: string): ParsedText | null {
  if (tokens.length === 0) return /^[\s?.!]*\?[\s?.!]*$/.test(norm) ? command({ type: 'help' }) : null;
  const content = tokens.filter((t) => !FILLERS.has(t.key));
  if (content.length === 0) return null;
  const simple = COMMANDS.get(content.map((t) => t.key).join(' '));
  if (simple) return command({ type: simple } as TypedCommand);
  for (const [verb, words] of TOPIC_VERBS) {
    if (!words.every((w, i) => content[i]?.key === w)) continue;
    const fillers = verb === 'why' ? WHY_FILLERS : REFERENCE_FILLERS;
    const rest = content.slice(words.length).filter((t) => !fillers.has(t.key) && !REFERENCE_FILLERS.has(t.key));
    if (rest.length === 0) continue;
    const reference = resolveCriterionReference(vocab, rest.map((t) => t.word));
    if (reference === null) continue;
    const topicWords = rest.map((t) => t.key).join(' ');
    if (typeof reference !== 'string') return { kind: 'topics', verb, words: topicWords, candidates: reference.candidates };
    if (verb === 'skip') return { kind: 'answers', matches: [{ criterion: reference, option: SKIP, evidence: norm }] };
    if (verb === 'why') return { kind: 'question', question: norm, why: reference };
    return command({ type: 'change', criterion: reference });
  }
  return null;
}

/** The criterion that every word names (full title or id, or words from them); null when some word names none. */
function resolveCriterionReference(vocab: Vocabulary, words: readonly string[]): string | { candidates: string[] } | null {
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
  return top.length === 1 ? top[0]! : { candidates: top };
}

// ---------------------------------------------------------------------------
// Questions

const QUESTION_WORDS = new Set('what whats whatre whatll whatd how hows howre howd why whys which who whos whore whom whose'.split(' '));
/** "when it's ready" may be an answer; "when will flask 3 ship?" is a question. */
const QUESTION_WORDS_WITH_MARK = new Set('when whens where wheres'.split(' '));
const AUXILIARIES = new Set(
  'can could does do did is are was were should would will shall may might has have isnt arent doesnt dont didnt cant wont wouldnt shouldnt couldnt'.split(' '),
);
const NEGATED_AUXILIARIES = new Set('isnt arent doesnt dont didnt cant wont wouldnt shouldnt couldnt'.split(' '));
/** Subjects after an auxiliary that make a question without a "?": "can flask ...", "do we ...". */
const SUBJECTS = new Set('i we you it they he she there this that these those my our your their the a an one anyone someone anybody somebody everyone people'.split(' '));
const LEADING = new Set('so ok okay hey hi hello um uh and but also quick question wait hmm well actually sorry btw just one q then'.split(' '));
/** "tell me about X", "i wonder whether ...". */
const QUESTION_OPENERS: readonly (readonly string[])[] = [['tell', 'me', 'about'], ['tell', 'me', 'more'], ['i', 'wonder'], ['wondering'], ['curious']];

const frameworkWords = new WeakMap<Knowledge, ReadonlySet<string>>();

/** Framework ids and name words: "can flask ...", "does django ..." ask about them. */
function frameworkWordsOf(knowledge: Knowledge): ReadonlySet<string> {
  let words = frameworkWords.get(knowledge);
  if (!words) {
    words = new Set(knowledge.frameworks.flatMap((f) => [f.id, ...keysOf(f.name)]));
    frameworkWords.set(knowledge, words);
  }
  return words;
}

/** The sentences of a message that ask something ("what ...", "can flask ...", "is it ...?"): never read as answers. */
export function questionSentences(knowledge: Knowledge, tokens: readonly MatchToken[], norm: string): Set<number> {
  const names = frameworkWordsOf(knowledge);
  const asking = new Set<number>();
  let first = 0;
  while (first < tokens.length) {
    let end = first;
    while (end < tokens.length && tokens[end]!.sentence === tokens[first]!.sentence) end++;
    // The sentence asks when a "?" follows its last word, before the next sentence.
    const marked = norm.slice(tokens[end - 1]!.end, end < tokens.length ? tokens[end]!.start : norm.length).includes('?');
    if (isQuestion(tokens.slice(first, end), marked, names)) asking.add(tokens[first]!.sentence);
    first = end;
  }
  return asking;
}

function isQuestion(words: readonly MatchToken[], marked: boolean, names: ReadonlySet<string>): boolean {
  let i = 0;
  // "we'll" is keyed "well", "we'd" "wed": a pronoun with its verb is never a leading filler.
  while (i < words.length - 1 && LEADING.has(words[i]!.key) && !words[i]!.apostrophe) i++;
  const first = words[i]?.key;
  const next = words[i + 1]?.key;
  if (first === undefined) return false;
  // "we're a team of five" states: a pronoun with its verb ("we're" is keyed "were") is no leading auxiliary.
  // With a "?" it asks all the same: "we'll be fine, won't we?".
  if (words[i]!.apostrophe && !QUESTION_WORDS.has(first) && !NEGATED_AUXILIARIES.has(first)) return marked;
  // "what we need is an admin panel" states; "what do we need?" asks.
  const cleft = (next === 'we' || next === 'i' || next === 'they') && words.slice(i + 2).some((w) => w.key === 'is' || w.key === 'was');
  if ((first === 'what' || first === 'how') && !marked && cleft) return false;
  if (QUESTION_WORDS.has(first)) return true;
  if (QUESTION_WORDS_WITH_MARK.has(first)) return marked;
  if (QUESTION_OPENERS.some((opener) => opener.every((w, k) => words[i + k]?.key === w))) return true;
  if (!AUXILIARIES.has(first) || next === undefined) return false;
  if (marked) return true;
  return !NEGATED_AUXILIARIES.has(first) && (SUBJECTS.has(next) || names.has(next));
}

/** Words that make a question one about the interview itself: "what does this question mean?", "the difference between option 1 and 2?". */
const INTERVIEW_WORDS = new Set('question questions option options choice choices answer answers'.split(' '));
/** Words that may lead into a question without making it about the interview ("quick question: ..."). */
const INTERVIEW_LEADS = new Set(['quick', 'one', 'a', 'q']);

/** Is the question about the interview (its question or options), so its answer is the asked question's why? */
export function asksAboutInterview(words: readonly MatchToken[]): boolean {
  let i = 0;
  while (i < words.length && (LEADING.has(words[i]!.key) || INTERVIEW_LEADS.has(words[i]!.key))) i++;
  return words.slice(i).some((w) => INTERVIEW_WORDS.has(w.key));
}

// ---------------------------------------------------------------------------
// Questions about a word

/** Words around the term of a "what does X mean": "what does "locales" mean here?", "what is meant by X", "X mean?". */
const MEANING_FRAME = new Set('what whats does do did is are the of by you your here exactly mean means meaning meant actually in this context that term word phrase'.split(' '));
const MEANING_WORDS = new Set(['mean', 'means', 'meaning', 'meant']);
const MEANING_SUBJECTS = new Set('i we they he she im were theyre'.split(' '));

/**
 * "what does "time to market" mean here?", ""locales" mean?", "meaning of locales": a question about
 * a term. The term names a criterion (its title, id or an option's words): that criterion's why;
 * else a knowledge search for the term alone. Null when the message asks no such thing.
 */
export function meaningQuestion(knowledge: Knowledge, vocab: Vocabulary, tokens: readonly MatchToken[], norm: string): ParsedText | null {
  if (tokens.length === 0 || tokens.some((t) => t.sentence !== tokens[0]!.sentence)) return null;
  const keys = tokens.map((t) => t.key);
  const meanAt = keys.findIndex((k) => MEANING_WORDS.has(k));
  if (meanAt < 0) return null;
  let i = 0;
  while (i < tokens.length - 1 && LEADING.has(keys[i]!) && !tokens[i]!.apostrophe) i++;
  const asks = keys[i] === 'what' || keys[i] === 'whats' || /\?\s*$/.test(norm) || keys[meanAt] === 'meaning';
  if (!asks) return null;
  // "what do you mean by X", "what is the meaning of X": the term follows; "what does X mean": it stands before.
  const after = tokens.slice(meanAt + 1).filter((t) => !MEANING_FRAME.has(t.key));
  const before = tokens.slice(i, meanAt).filter((t) => !MEANING_FRAME.has(t.key));
  const term = before.length > 0 ? before : after;
  // "what I mean is we need an admin" states; "this question" is the interview's own.
  if (term.length === 0 || term.some((t) => INTERVIEW_WORDS.has(t.key) || MEANING_SUBJECTS.has(t.key))) return null;
  const words = term.map((t) => t.word);
  const text = norm.slice(term[0]!.start, term.at(-1)!.end);
  const named = resolveCriterionReference(vocab, words);
  if (typeof named === 'string') return { kind: 'question', question: norm, why: named };
  const phrase = vocab.exact.get(words.join('')) ?? vocab.stems.get(term.map((t) => t.stem).join(''));
  const criteria = [...new Set((phrase ?? []).map((e) => e.criterion))].filter((c) => knowledge.criterionById.has(c));
  if (criteria.length === 1) return { kind: 'question', question: norm, why: criteria[0]! };
  return { kind: 'question', question: text, why: null };
}

// ---------------------------------------------------------------------------
// Option numbers

const POSITION_WORDS = new Set(['option', 'number', 'choice', 'nr', 'num']);
/** A minus sign (or a dash standing for one) touching the digits and not joining two words or numbers ("covid-19", "2-3 devs"). */
const NEGATIVE_NUMBER = /(?:^|[^\p{L}\p{N}-])[-\u2212\u2013\u2014]\d/u;
const NUMBER_FILLERS = new Set(['answer', 'please', 'pls', 'plz', 'thanks', 'ok', 'okay', 'the', 'is', 'i', 'pick', 'take', 'go', 'with', 'choose', 'its']);

/**
 * "2", "option 2", "#2 please", "the second one": the asked criterion's option at that position.
 * At a question whose options count people, a bare number is a head count ("3" is three people;
 * "option 3" is still the third option), and at one whose options count users, a number past the
 * last option is a user count.
 */
export function optionByNumber(knowledge: Knowledge, vocab: Vocabulary, tokens: readonly MatchToken[], current: string | null, norm: string): ParsedText | null {
  const keys = tokens.map((t) => t.key);
  const hasOrdinal = keys.some((k) => ORDINALS.has(k));
  const positional = hasOrdinal || keys.some((k) => POSITION_WORDS.has(k)) || norm.includes('#');
  const words = keys.filter((w) => !NUMBER_FILLERS.has(w) && !POSITION_WORDS.has(w) && !(hasOrdinal && w === 'one'));
  if (words.length !== 1) return null;
  const word = words[0]!;
  const digits = /^\d{1,9}$/.test(word) ? Number(word) : null;
  const number = simpleNumber(word);
  const position = ORDINALS.get(word) ?? digits ?? (positional ? number : null);
  const count = positional ? null : number;
  if (position === null && count === null) return null;
  const criterion = current === null ? undefined : knowledge.criterionById.get(current);
  if (!criterion || current === null) return position === null ? null : { kind: 'unknown', reason: 'no_open_question' };
  // Tokens drop signs: "-1" (or "option -1") is neither the first option nor a head count; "ok - 2" is still 2.
  if (digits !== null && NEGATIVE_NUMBER.test(norm)) return { kind: 'unknown', reason: 'out_of_range', number: -digits };
  const amount = count !== null && count >= 1 ? countAnswer(vocab, current, criterion.options.length, count) : null;
  if (amount) {
    // Said only where the two readings part ("3" people is option 2, not option 3); "1" or "2" mean the same either way.
    const shown = position !== null && position <= criterion.options.length && criterion.options[position - 1]!.id !== amount.option ? position : null;
    const note = shown === null ? undefined : `Read "${word}" as ${amount.what}; to pick option ${shown}, say "option ${shown}".`;
    return { kind: 'answers', matches: [{ criterion: current, option: amount.option, evidence: norm, ...(note ? { note } : {}) }] };
  }
  if (position === null) return null;
  const option = criterion.options[position - 1];
  if (!option) return { kind: 'unknown', reason: 'out_of_range', number: position };
  return { kind: 'answers', matches: [{ criterion: current, option: option.id, evidence: norm }] };
}

function countAnswer(vocab: Vocabulary, current: string, optionCount: number, count: number): { option: string; what: string } | null {
  const people = vocab.ranges.get('people')?.find((c) => c.criterion === current);
  if (people) {
    const option = optionForAmount(people.options, count);
    return option === undefined ? null : { option, what: `${count} ${count === 1 ? 'person' : 'people'}` };
  }
  const users = vocab.ranges.get('users')?.find((c) => c.criterion === current);
  if (users && count > optionCount) {
    const option = optionForAmount(users.options, count);
    return option === undefined ? null : { option, what: `${count.toLocaleString('en-US')} users` };
  }
  return null;
}
