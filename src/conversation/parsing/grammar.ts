/**
 * The parser's own small grammar: English words that carry no pack vocabulary
 * (fillers, yes/no, negation and uncertainty cues, intensifiers). Everything a
 * knowledge pack knows about its criteria lives in the pack, not here.
 */

/** Words ignored when a whole message is compared with a command phrase. */
export const FILLERS: ReadonlySet<string> = new Set(
  ('please pls plz thanks thank you thx ty ok okay hey hi hello um uh uhm hmm hm well so just now lets let can could would ' +
    'i im id we were are am is it to the a me us like want wanna bot advisor honestly really actually yet then maybe sorry oh ah')
    .split(' '),
);

export const YES_PHRASES = ['yes', 'yeah', 'yea', 'yep', 'yup', 'ya', 'y', 'sure', 'definitely', 'absolutely', 'certainly', 'correct', 'indeed', 'affirmative', 'of course'];
/** Words after which an opening "no" is a reply, not a determiner: "no we have months", "no there's no rush", "no just english". */
export const REPLY_FOLLOWERS: ReadonlySet<string> = new Set('we were weve i im ive it its there theres they theyre thats that this just only you our the'.split(' '));
export const NO_PHRASES = ['no', 'nope', 'nah', 'n', 'negative', 'not really', 'no thanks', 'not at all', 'probably not', 'dont think so', 'i dont think so', 'i doubt it', 'doubt it', 'unlikely'];

/** Whole-message replies to the offer of the result (see offer-replies.ts): take it, decline it, or only acknowledge. */
export const OFFER_ACCEPT_PHRASES = [...YES_PHRASES, 'ok', 'okay', 'please', 'show me', 'show it', 'go ahead', 'do it'];
export const OFFER_DECLINE_PHRASES = [...NO_PHRASES, 'not yet', 'keep refining'];
export const ACKNOWLEDGEMENTS = ['thanks', 'thank you', 'thx', 'ty', 'cool', 'great', 'nice', 'got it', 'fine', 'perfect', 'awesome', 'then', 'so'];

/** Words that negate an option phrase a few words later: "no admin", "we don't need i18n". */
export const NEGATION_CUES: ReadonlySet<string> = new Set(
  'no not dont doesnt didnt wont without never nor isnt arent nothing cant wouldnt shouldnt hardly zero non nobody havent hasnt hadnt'.split(' '),
);
/** Words that turn the negation just before them into a yes: "we wouldn't mind an admin panel", "it wouldn't hurt to have i18n". */
export const NEGATION_CANCELLERS: ReadonlySet<string> = new Set(['mind', 'hurt']);
/** Subjects that negate what they say: "none of us know django or flask", "no one here has used it". */
export const NEGATED_SUBJECTS: readonly (readonly string[])[] = [
  'none of us', 'none of them', 'none of the', 'none of our', 'nobody', 'no one', 'noone', 'neither of us', 'neither of them', 'not one of us',
].map((p) => p.split(' '));

/** The word for "not any of them": the option the pack's vocabulary gives it is what a negated list picks. */
export const NEITHER_WORD = 'neither';

/** After a negation: "not needed", "don't need it", "isn't important". */
export const NEED_WORDS: ReadonlySet<string> = new Set(
  'need needed needs require required requirement necessary important priority concern matter matters relevant care want wanted crucial essential must'.split(' '),
);
/** After a negation, words that deny importance: "security is not a big deal", "performance isn't a concern". */
export const IMPORTANCE_WORDS: ReadonlySet<string> = new Set(
  'important priority concern concerns deal issue worry problem focus critical matter matters biggie relevant factor consideration'.split(' '),
);
/** Words between the negation and the importance word: "not a big deal", "isn't much of a concern". */
export const IMPORTANCE_FILLERS: ReadonlySet<string> = new Set('a an big huge major real much of too very particularly that so main top high'.split(' '));

/** Single words that negate what stands before them: "i18n is unnecessary". */
export const TRAILING_NEGATIONS: ReadonlySet<string> = new Set(['unnecessary', 'unneeded', 'irrelevant']);
/** Words allowed in a pack phrase that only says "not needed" ("not required", "no need for one"). */
export const NEGATION_PHRASE_WORDS: ReadonlySet<string> = new Set([
  ...NEGATION_CUES,
  ...NEED_WORDS,
  ...TRAILING_NEGATIONS,
  ...'none critical for one it a an the is at all really so that this'.split(' '),
]);
/** "I don't know", "not sure", ... anywhere in a sentence. */
export const UNSURE_CUES: readonly (readonly string[])[] = [
  'dont know',
  'do not know',
  'dont really know',
  'not sure',
  'not certain',
  'unsure',
  'no idea',
  'no clue',
  'idk',
  'dunno',
  'hard to say',
  'cant say',
].map((p) => p.split(' '));

/** Words that never stand alone as option vocabulary: the grammar above owns them. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(
  [...YES_PHRASES, ...NO_PHRASES, ...NEGATION_CUES].filter((p) => !p.includes(' ')),
);

/** Intensifiers a phrase may carry inside it: "nothing too sensitive" reads as "nothing sensitive". */
export const INTENSIFIERS: ReadonlySet<string> = new Set(
  'too very really so super quite pretty particularly especially extremely overly terribly that all'.split(' '),
);

/** Words between a verb and a topic: "change my answer for the team size". */
export const REFERENCE_FILLERS: ReadonlySet<string> = new Set([
  'my', 'our', 'answer', 'answers', 'for', 'about', 'on', 'of', 'question', 'criterion', 'that', 'this', 'setting', 'the', 'topic',
]);

/** Words that name no criterion on their own in a sentence: too common. */
export const MENTION_STOP: ReadonlySet<string> = new Set(
  'and the for with just need needs type expected time data multiple technology tech project team raw size level'.split(' '),
);

/** "as long as", "as soon as", "as well as": comparisons whose middle word answers nothing. */
export const COMPARISON_FRAME = 'as';

/** Nouns for the thing built or the organisation building it: a size word before them ("a small microservice") counts no users. */
export const SELF_NOUNS: ReadonlySet<string> = new Set(
  ('service services microservice microservices app apps application applications project projects tool tools script scripts codebase ' +
    'module modules library program nonprofit charity company business startup organisation organization org agency firm lab')
    .split(' '),
);

/** Words that put something off to a later time: "an admin would be nice later", "maybe eventually". */
export const LATER_WORDS: ReadonlySet<string> = new Set('later eventually someday sometime afterwards'.split(' '));

/** People a product may serve: a domain word right before one names them, not the product ("for healthcare workers"). */
export const AUDIENCE_NOUNS: ReadonlySet<string> = new Set(
  ('people folks workers worker staff volunteers volunteer customers customer clients client users user members member patients students ' +
    'families kids children teams employees nurses doctors teachers parents professionals companies firms groups communities')
    .split(' '),
);
/** Words a pack phrase may carry inside it: "edit their own pages" reads as "edit pages", "edit the records" as "edit records". */
/** Verbs after which "a lot", "very much" say how much, not how many: "latency matters a lot", "we care a lot about speed". */
export const DEGREE_VERBS: ReadonlySet<string> = new Set(
  'matter matters mattered count counts care cares cared like likes liked love loves help helps appreciate worry worries'.split(' '),
);
export const INNER_WORDS: ReadonlySet<string> = new Set('the their our its his her my your own'.split(' '));

/** Words between "for" and the noun it governs that say nothing of that noun: "for the local food banks" keeps "local". */
export const DETERMINERS: ReadonlySet<string> = new Set('the a an our their my your his her its some all any local'.split(' '));

/** "not for now", "no admin yet": a negation with one of these defers the answer (the pack's `later_option`). */
export const DEFERRAL_CUES: readonly (readonly string[])[] = [
  'for now',
  'now',
  'yet',
  'right now',
  'just now',
  'at the moment',
  'for the moment',
  'at first',
  'initially',
  'to start with',
  'to begin with',
  'for the time being',
  'at this point',
  'at this stage',
  'at launch',
].map((p) => p.split(' '));
