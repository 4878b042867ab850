/**
 * Understanding, round 3: negations that mean yes ("wouldn't mind"), negating one of two options,
 * a negated subject that serves another phrase, and a negation of the asked question's own option
 * that another criterion's phrase spells the same way. The phrasings of a new user's trial and a review.
 */
import { describe } from 'vitest';
import { answers, noMatch, table } from './parse-table.ts';

describe('"wouldn\'t mind" and "wouldn\'t hurt" say yes', () => {
  table([
    ["we wouldn't mind an admin panel", 'admin_panel', answers(['admin_panel', 'yes', "wouldn't mind an admin panel"])],
    ["an admin panel wouldn't hurt", 'admin_panel', answers(['admin_panel', 'yes', 'admin panel'])],
    ["we don't mind conventions", 'flexibility', answers(['flexibility', 'low', "don't mind conventions"])],
    // "never mind" dismisses.
    ['never mind the admin panel', 'admin_panel', answers(['admin_panel', 'no', 'never mind the admin panel'])],
    // The negation spent on "mind" negates nothing after it; a later one still does.
    [
      "we wouldn't mind an admin panel and we don't care about conventions",
      null,
      answers(['admin_panel', 'yes', "wouldn't mind an admin panel"], ['flexibility', 'high', "don't care about conventions"]),
    ],
  ]);
});

describe('of two options, not the negative one is the other', () => {
  table([
    ["we don't want conventions", 'flexibility', answers(['flexibility', 'high', "don't want conventions"])],
    // "no" before a noun negates it; a reply "no" (a pronoun or "just" next, or an answer of its own) does not.
    ['no conventions please', 'flexibility', answers(['flexibility', 'high', 'no conventions'])],
    ['no strict conventions please', 'flexibility', answers(['flexibility', 'high', 'no strict conventions'])],
    ['no fixed requirements', 'requirements', answers(['requirements', 'evolving', 'no fixed'])],
    ['no same team', 'hiring', answers(['hiring', 'no', 'same team'])],
    ['no proven tech only', 'emerging_tech', answers(['emerging_tech', 'no', 'proven tech'])],
    ['no just english', 'i18n', answers(['i18n', 'no', 'just english'])],
    ['no real rush', 'time_to_market', answers(['time_to_market', 'normal', 'no real rush'])],
    ['no highly sensitive data', 'security', answers(['security', 'standard', 'no highly sensitive data'])],
    ['no need for an admin panel', 'admin_panel', answers(['admin_panel', 'no', 'no need for an admin panel'])],
    ['no plans to hire', 'hiring', answers(['hiring', 'no', 'no plans to hire'])],
    // Verbs of keeping and following carry the negation to the phrase.
    ["we won't keep the same team", 'hiring', answers(['hiring', 'yes', "won't keep the same team"])],
    ["it won't be english only", 'i18n', answers(['i18n', 'yes', "won't be english only"])],
    ["i'd rather not be stuck with conventions", 'flexibility', answers(['flexibility', 'high', 'not be stuck with conventions'])],
    ["no there's no rush", 'time_to_market', answers(['time_to_market', 'normal', 'no rush'])],
    ['no we have several months', 'time_to_market', answers(['time_to_market', 'normal', 'several months'])],
    ["no we're happy with conventions", 'flexibility', answers(['flexibility', 'low', 'happy with conventions'])],
    ["no they're well defined", 'requirements', answers(['requirements', 'stable', 'well defined'])],
    ["not really it's fine", 'performance', answers(['performance', 'normal', 'fine'])],
    // Only a negation that plainly governs the phrase picks the other option.
    ['nothing special just standard security', 'security', noMatch],
    ['not well defined yet', 'requirements', answers(['requirements', 'evolving', 'not well defined'])],
    ['not just english', 'i18n', answers(['i18n', 'yes', 'not just english'])],
    // The negative option itself, negated elsewhere, is unchanged.
    ["we don't need freedom", 'flexibility', answers(['flexibility', 'low', "don't need freedom"])],
    ["we're not in a hurry", 'time_to_market', answers(['time_to_market', 'normal', 'not in a hurry'])],
    // Alternatives are not opposites: not MongoDB is not "no database".
    ["we don't use mongodb", 'database', noMatch],
  ]);
});

describe('a negated subject that negates a phrase answers nothing itself', () => {
  table([
    // "None of us knows Flask" says nothing of Django: asked again, never "Neither".
    ['none of us knows flask', 'team_experience', noMatch],
    ['no one here knows django', 'team_experience', noMatch],
    ['none of us', 'team_experience', answers(['team_experience', 'neither', 'none of us'])],
    ['none of us has used either', 'team_experience', answers(['team_experience', 'neither', 'none of us has used either'])],
  ]);
});

describe("the asked question's own option, negated, before another criterion's phrase of the same words", () => {
  table([
    ['not critical', 'security', answers(['security', 'standard', 'not critical'])],
    ["it's not critical", 'security', answers(['security', 'standard', 'not critical'])],
    ['not critical', 'performance', answers(['performance', 'normal', 'not critical'])],
    ['not critical', null, answers(['performance', 'normal', 'not critical'])],
    ["that's not critical", 'security', answers(['security', 'standard', 'not critical'])],
    // A topic named first keeps its phrase.
    ['performance is not critical', 'security', answers(['performance', 'normal', 'performance is not critical'])],
    ['speed is not critical but security is', 'security', answers(['performance', 'normal', 'not critical'])],
  ]);
});

describe('"with" attaches a phrase to the one of its criterion just before it, not to a verb', () => {
  table([
    ['a CMS with an API', null, answers(['project_type', 'content_site', 'cms'])],
    ['a CMS with an API', 'scale', answers(['project_type', 'content_site', 'cms'])],
    ['an API with a CMS', 'project_type', answers(['project_type', 'api', 'api'])],
    // "replace X with Y": the replacement is the answer.
    ['replace our monolith with microservices', 'architecture', answers(['architecture', 'microservices', 'microservices'])],
    ["we're replacing our wordpress blog with an online shop", 'project_type', answers(['project_type', 'ecommerce', 'online shop'])],
    // A replacing verb counts only right before what it replaces: "switched to postgres" replaces nothing named.
    ['we switched to postgres with redis for caching', 'database', answers(['database', 'relational', 'postgres'])],
    ['replace mongo with postgres', 'database', answers(['database', 'relational', 'postgres'])],
    // A verb before "with" attaches nothing: two options stay unclear.
    ["we'd rather go with a monolith than microservices", 'architecture', { kind: 'unknown', reason: 'ambiguous' }],
    ['we used mongo before, now going with postgres', 'database', { kind: 'unknown', reason: 'ambiguous' }],
    ["full control, but we're fine with sensible defaults", 'flexibility', { kind: 'unknown', reason: 'ambiguous' }],
  ]);
});

describe('a year is no count, and "only" about time is "merely"', () => {
  table([
    ['we are 3 developers, launching in 2025', 'team_size', answers(['team_size', 'small', '3 developers'])],
    ['3 devs, deadline march 2026', 'team_size', answers(['team_size', 'small', '3 devs'])],
    ['500 users, launching in 2025', 'scale', answers(['scale', 'small', '500 users'])],
    // Four digits without a year's lead-in still count.
    ['500 users at launch and 2000 later', 'scale', answers(['scale', 'growing', '2000'])],
    ['only 500 users at first, then 100k', 'scale', answers(['scale', 'growing', '100k'])],
    ['just 500 users at launch but millions later', 'scale', answers(['scale', 'large', 'millions'])],
    ['just 2 of us at first, then 8 developers', 'team_size', answers(['team_size', 'large', '8 developers'])],
    // Without time, "only" still singles out the count that counts; so it does with the larger count before it.
    ['200 engineers, but only 2 on this project', 'team_size', answers(['team_size', 'small', '2'])],
    ['our org has 40 engineers but only 3 on this project next year', 'team_size', answers(['team_size', 'small', '3'])],
    // A size word at first and a count then: the peak.
    ['tiny at first, then 100k', 'scale', answers(['scale', 'growing', '100k'])],
    ['not a lot at first, a million later', 'scale', answers(['scale', 'large', 'a million'])],
  ]);
});

describe('phrases that name no topic answer only their own question', () => {
  table([
    // "maybe later" at the languages question is no admin panel.
    ['not now, maybe later', 'i18n', noMatch],
    ['not now, maybe later', 'admin_panel', answers(['admin_panel', 'later', 'maybe later'])],
    // The cues spent on a deferral are positions, not words: the leading "no" still answers the languages question.
    ['no, and no admin for now', 'i18n', answers(['admin_panel', 'later', 'no admin for now'], ['i18n', 'no', 'no'])],
    // "next year" says when, not how long the project lives.
    ['next year', 'emerging_tech', noMatch],
    ['next year', 'lifetime', noMatch],
    ['we ship next year', 'time_to_market', answers(['time_to_market', 'normal', 'next year'])],
    ["we'll maintain it for the next year", 'lifetime', answers(['lifetime', 'medium', 'next year'])],
    ['over the next decade', 'lifetime', answers(['lifetime', 'long', 'next decade'])],
  ]);
});

describe('what a new user typed at the question in front of them', () => {
  table([
    // The words in an option's brackets answer its question.
    ['every ms counts', 'performance', answers(['performance', 'critical', 'every ms counts'])],
    // A head count with a word of when after it.
    ['eight now', 'team_size', answers(['team_size', 'large', 'eight'])],
    ["we're 4 now", 'team_size', answers(['team_size', 'small', "we're 4"])],
    ['actually we are eight now', 'team_size', answers(['team_size', 'large', 'we are eight'])],
    // Two neighbouring letters swapped is one slip.
    ['we know djnago', 'team_experience', answers(['team_experience', 'django', 'we know djnago'])],
  ]);
});

describe('hedged noes and everyday phrasings of a new user', () => {
  table([
    ['probably not', 'admin_panel', answers(['admin_panel', 'no', 'probably not'])],
    ["i don't think so", 'hiring', answers(['hiring', 'no', "i don't think so"])],
    ['i doubt it', 'i18n', answers(['i18n', 'no', 'i doubt it'])],
    // A criterion without a "no" takes no hedged no.
    ['probably not', null, noMatch],
    ["not many, it's internal", 'scale', answers(['scale', 'small', 'not many'])],
    ['forever hopefully', 'lifetime', answers(['lifetime', 'long', 'forever'])],
    ['the client takes it over', 'hiring', answers(['hiring', 'yes', 'takes it over'])],
  ]);
});

describe('"a lot" after a verb of caring says how much, not how many', () => {
  table([
    ['latency matters a lot', 'scale', answers(['performance', 'critical', 'latency'])],
    ['we care a lot about speed', 'scale', noMatch],
    ['a lot', 'scale', answers(['scale', 'large', 'a lot'])],
    ['a lot of users', 'scale', answers(['scale', 'large', 'a lot'])],
  ]);
});

describe('"no X, just Y": the opening "no" negates X; "just" opens what comes next', () => {
  table([
    ['no admin, just the api', 'admin_panel', answers(['project_type', 'api', 'api'], ['admin_panel', 'no', 'no admin'])],
    ['no admin just the api', 'admin_panel', answers(['project_type', 'api', 'api'], ['admin_panel', 'no', 'no admin'])],
    ['no hiring, just us', 'hiring', answers(['hiring', 'no', 'no hiring'])],
    ['no personal data, just public stuff', 'security', answers(['security', 'standard', 'no personal data'])],
    ['no french, only english', 'i18n', answers(['i18n', 'no', 'no french, only english'])],
    ['no mongo, just postgres', 'database', answers(['database', 'relational', 'postgres'])],
    ['not really important, just internal', 'performance', answers(['performance', 'normal', 'not really important'])],
    // Only "take it over" is a handover: "I'll take over maintenance myself" is not.
    ["i'll take over maintenance myself", 'hiring', noMatch],
    // A count after "but" or before "by" takes part in the peak.
    ['not many at launch, but 100k by next year', 'scale', answers(['scale', 'growing', '100k'])],
    ['not much traffic now, but millions later', 'scale', answers(['scale', 'large', 'millions'])],
  ]);
});

describe('at a yes/no question, an opening reply "no" is not overturned by one thing named', () => {
  table([
    ['no its german', 'i18n', answers(['i18n', 'no', 'no'])],
    ["no it's english, maybe french later", 'i18n', answers(['i18n', 'no', 'no'])],
    ["no we're only in germany", 'i18n', answers(['i18n', 'no', 'no'])],
    // Several languages named are a yes of their own; so is a language with no reply before it.
    ['no, english and french', 'i18n', answers(['i18n', 'yes', 'english and french'])],
    ['we need french', 'i18n', answers(['i18n', 'yes', 'french'])],
  ]);
});
