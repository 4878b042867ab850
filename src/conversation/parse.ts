/**
 * Free-text understanding of typed messages: commands ("back", "why", "change team size"),
 * questions about a topic ("what is an admin panel?", "why database"), which are answered and
 * never recorded, option answers for one or several criteria ("solo dev building a small REST
 * API"), amounts ("a team of 5", "50k readers a month", "ship in three weeks"), negations ("we
 * don't need an admin panel"), misspellings ("postgress") and "don't know" (skip). Pure
 * functions, no I/O; never throws on any string.
 *
 * The vocabulary is the knowledge pack's: labels, synonyms, `synonyms_when_asked`, `same_words`,
 * the options a negation, "yes" or "no" picks, and the ranges of amounts. The code under
 * `parsing/` holds only English grammar, split by concern:
 * - `normalise.ts`: Unicode, chat markup, words, clauses and sentences;
 * - `commands.ts`: commands, commands about a topic, questions, option numbers;
 * - `numbers.ts` and `quantities.ts`: numbers in words and digits, and the amounts they count;
 * - `negation.ts`: negation, uncertainty, yes and no;
 * - `vocabulary.ts`, `spelling.ts` and `spans.ts`: matching the pack's phrases (stems, same words,
 *   fuzzy spelling through `leven`);
 * - `understand.ts`: choosing one answer per criterion.
 *
 * Decisions for the ambiguous cases:
 * - A command is recognised only when it is the whole message (politeness and filler
 *   words aside): "don't know" is a skip command, but "we don't know yet about the
 *   database" is an answer: skip for the criterion it names, or for the one being asked.
 * - "change X", "skip X" and "why X" are about a topic only when every word after the verb
 *   names a criterion; words naming several ("change team") list the candidates.
 * - A sentence that asks ("what ...", "how ...", "can flask ...", "is it ...?") is never read
 *   for answers; it is answered. Other sentences of the message still answer, with real
 *   options only ("how many users? maybe a few hundred a month").
 * - A bare number picks the asked criterion's option by position, except where the options
 *   count people: there "3" is three people and "option 3" the third option.
 * - "we're ..." states (a pronoun with its verb is no leading auxiliary); a question about the
 *   interview itself ("what does this question mean?", "option 1 or 2?") is the asked one's why.
 * - People counted are users when a use verb follows ("20 people will use it"), the team when a
 *   build verb does ("8 students will build it"); else the noun, "we are N", then the question.
 *   "a year" after an amount is a rate ("200000 customers a year"), never a duration.
 * - Weak words fill only the asked question (or one named with them): a label word other
 *   criteria use too ("normal", "standard"), a past tense found through its stem ("hired"), a
 *   size describing the project or organisation ("a small microservice" is no scale).
 * - A no deferred by "for now", "yet", "at first" is the pack's `later_option`; a bare "not
 *   needed" answers only a question whose negative option does without something.
 * - Two or more words of a pack `kind` ("english and welsh") read as "several <kind>".
 * - A negated subject ("none of us", "nobody", "we never") negates every option of the list it
 *   governs; two or more options of a criterion without a negative option negated together are
 *   the option the pack's word "neither" names ("none of us know django or flask").
 * - A noun of a pack activity ("banks" for "banking") is weak, and nothing at all when it heads a
 *   compound after "for" ("a site for food banks"); a domain word before a people noun ("for
 *   healthcare workers") is weak.
 * - Several amounts for one criterion: the largest (the peak) decides; a rate with its noun left out
 *   ("then 100k per minute") counts what the sentence's user count counts. "me and my buddy" is two.
 * - A duration without its own ship or maintain word is a horizon, not a deadline or lifetime, in a
 *   clause that counts users ("2 million users in two years") or a sentence that defers ("for now,
 *   maybe in a year"). A no deferred, or a yes with "later"/"eventually" in its clause, is the
 *   criterion's `later_option`, whichever question is asked.
 * - "X is not a big deal / a concern / a priority": X's negative option; at the asked question only
 *   where that option is a lower level, not doing without something.
 * - "what does X mean", "X mean?": the why of the criterion X names (a title, id or option phrase);
 *   else a knowledge search for X alone.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import { asksAboutInterview, command, meaningQuestion, optionByNumber, parseCommand, questionSentences } from './parsing/commands.ts';
import { expandContractions, MAX_TEXT_LENGTH, normaliseText, tokenize } from './parsing/normalise.ts';
import type { ParsedText, UnknownReason } from './parsing/types.ts';
import { answersOf, readMessage } from './parsing/understand.ts';
import { matchTokens, vocabularyOf, type MatchToken, type Vocabulary } from './parsing/vocabulary.ts';

export { MAX_TEXT_LENGTH, normaliseText } from './parsing/normalise.ts';
export type { ParsedText, TextMatch, TypedCommand, UnknownReason } from './parsing/types.ts';

/** Understands one typed message. `current` is the criterion being asked, or null. */
export function parseText(knowledge: Knowledge, text: string, current: string | null): ParsedText {
  if (typeof text !== 'string') return { kind: 'unknown', reason: 'empty' };
  if (text.length > MAX_TEXT_LENGTH) return { kind: 'unknown', reason: 'too_long' };
  const norm = normaliseText(text);
  if (norm === '') return { kind: 'unknown', reason: 'empty' };
  const vocab = vocabularyOf(knowledge);
  const tokens = matchTokens(vocab, tokenize(norm));
  const asked = current !== null && knowledge.criterionById.has(current) ? current : null;

  const parsedCommand = parseCommand(vocab, tokens, norm);
  if (parsedCommand) return parsedCommand;
  // "ask <question>" goes to the knowledge base ("ask more" was a command above).
  const askedQuestion = /^\s*ask\s+(\S[\s\S]*)$/i.exec(text);
  if (askedQuestion) return command({ type: 'ask', question: askedQuestion[1]!.trim() });
  const meaning = meaningQuestion(knowledge, vocab, tokens, norm);
  if (meaning) return meaning;
  const asking = questionSentences(knowledge, tokens, norm);
  if (asking.size > 0) return withQuestion(knowledge, vocab, tokens, norm, asked, asking);
  const byNumber = optionByNumber(knowledge, vocab, tokens, asked, norm);
  if (byNumber) return byNumber;
  if (tokens.length === 0) return { kind: 'unknown', reason: noMatchReason(text, tokens) };
  // With no question asked, "change …" that names no topic is the command missing its topic, not an answer.
  if (asked === null && tokens[0] !== undefined && CHANGE_WORDS.has(tokens[0].key)) return { kind: 'unknown', reason: 'change_without_topic' };

  const { matches, ambiguous } = answersOf(readMessage(knowledge, vocab, tokens, norm, asked));
  if (matches.length > 0) return { kind: 'answers', matches };
  return { kind: 'unknown', reason: ambiguous ? 'ambiguous' : noMatchReason(text, tokens) };
}

const CHANGE_WORDS = new Set(['change', 'edit', 'modify', 'revise']);

/** Nothing understood: a bare "ask", or "change" with no topic it knows, gets told what is missing; anything else is no_match. */
function noMatchReason(text: string, tokens: readonly MatchToken[]): UnknownReason {
  if (/^\s*ask\s*[?.!]*\s*$/i.test(text)) return 'ask_without_question';
  if (tokens[0] !== undefined && CHANGE_WORDS.has(tokens[0].key)) return 'change_without_topic';
  return 'no_match';
}

/**
 * A message that asks something: its question sentences are never read as answers. Other
 * sentences still answer ("how many users? maybe a few hundred a month"), with real options
 * only (a "no idea" next to a question waits for the answer to it); the question is answered too.
 */
function withQuestion(
  knowledge: Knowledge,
  vocab: Vocabulary,
  tokens: readonly MatchToken[],
  norm: string,
  asked: string | null,
  asking: ReadonlySet<number>,
): ParsedText {
  const questionTokens = tokens.filter((t) => asking.has(t.sentence));
  const question = expandContractions(
    norm.slice(questionTokens[0]!.start, questionTokens.at(-1)!.end) + (norm.slice(questionTokens.at(-1)!.end).trimStart().startsWith('?') ? '?' : ''),
  );
  // "what does this question mean?", "the difference between option 1 and 2?": the asked question's why.
  const why = asked !== null && asksAboutInterview(questionTokens) ? asked : null;
  const whole: ParsedText = { kind: 'question', question: expandContractions(norm), why };
  const rest = tokens.filter((t) => !asking.has(t.sentence));
  if (rest.length === 0 || why !== null) return whole;
  const matches = answersOf(readMessage(knowledge, vocab, rest, norm, asked)).matches.filter((m) => m.option !== SKIP);
  if (matches.length === 0) return whole;
  return { kind: 'answers', matches, question };
}
