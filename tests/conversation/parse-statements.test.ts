/**
 * Issue "Understanding, part 2": statements read as questions, users counted as developers, rates
 * read as durations, sizes of the project read as scale, weak words filling other questions, and
 * phrasings not understood. The stories' phrasings and others of the same classes, on the real pack.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseText, type ParsedText } from '../../src/conversation/parse.ts';
import { answers, anyCurrent, criteria, noMatch, question, real, table } from './parse-table.ts';
import { labelVariants } from '../../src/conversation/parsing/vocabulary.ts';
import { keysOf } from '../../src/conversation/parsing/normalise.ts';


/** The criteria a parse filled. */
function filled(parsed: ParsedText): string[] {
  return parsed.kind === 'answers' ? parsed.matches.map((m) => m.criterion) : [];
}


describe('a statement is no question because of a contraction', () => {
  table([
    ["we're a team of five building a json api", 'project_type', answers(['project_type', 'api', 'json api'], ['team_size', 'small', 'team of five'])],
    ["we're a small nonprofit", 'flexibility', noMatch],
    ["we're building an online shop", 'project_type', answers(['project_type', 'ecommerce', 'online shop'])],
    ["they're a big company, we're just 3 devs", 'team_size', answers(['team_size', 'small', '3 devs'])],
    ["you're right, we're 3 developers", 'scale', answers(['team_size', 'small', '3 developers'])],
    ["it's a json api for our mobile app", 'project_type', answers(['project_type', 'api', 'json api'])],
    // Real questions still ask; their contractions are spelled out for the search (no stray "s").
    ["what's the difference between monolith and microservices", 'architecture', question('what is the difference between monolith and microservices')],
    ["who's using flask?", 'scale', question('who is using flask?')],
    ["what's django's admin like?", 'admin_panel', question('what is django admin like?')],
    ['were you happy with it?', 'scale', question('were you happy with it?')],
  ]);

  it('never takes a pronoun with its verb for a question word (property)', () => {
    const lead = fc.constantFrom("we're", "they're", "you're", "it's", "i'm", "we've", "we'll", "we'd", "that's");
    const words = real.criteria.flatMap((c) => c.options.flatMap((o) => [o.label, ...o.synonyms]));
    const rest = fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(lead, rest, anyCurrent, (l, r, current) => {
        const parsed = parseText(real, `${l} ${r}`, current);
        expect(parsed.kind, `${l} ${r} -> ${JSON.stringify(parsed)}`).not.toBe('question');
      }),
      { numRuns: 300 },
    );
  });
});

describe('people who use it are the scale, people who build it the team', () => {
  table([
    ['around 20 people will use it', 'team_size', answers(['scale', 'small', '20 people'])],
    ['internal dashbaord for our ops team, around 20 people will use it', 'flexibility', answers(['project_type', 'dashboard', 'dashbaord'], ['scale', 'small', '20 people'])],
    ['8 phd students will build it', 'scale', answers(['team_size', 'large', '8 phd students'])],
    ['8 phd students will build it over time but they rotate every few years', 'flexibility', answers(['team_size', 'large', '8 phd students'])],
    ['about 40 students will use it', 'team_size', answers(['scale', 'small', '40 students'])],
    ['a couple of hundred employees will log in daily', 'team_size', answers(['scale', 'small', 'a couple of hundred employees'])],
    ['6 interns will code it', 'scale', answers(['team_size', 'large', '6 interns'])],
    ['3 researchers will maintain it', 'project_type', answers(['team_size', 'small', '3 researchers'])],
    ['we are 10 people building it', 'scale', answers(['team_size', 'large', '10 people'])],
    ['built by 4 volunteers', 'scale', answers(['team_size', 'small', '4 volunteers'])],
    ['used by 5000 customers', 'team_size', answers(['scale', 'growing', '5000 customers'])],
    ['our 12 engineers will use it internally', 'scale', answers(['team_size', 'large', '12 engineers'])],
    ['3 million requests a day', 'scale', answers(['scale', 'large', '3 million requests'])],
    ['used by 300 staff', 'team_size', answers(['scale', 'small', '300 staff'])],
    ['a team of 3 building it for 500 members', 'scale', answers(['scale', 'small', '500 members'], ['team_size', 'small', 'team of 3'])],
    ["they'll use it daily, maybe 200 of them", 'scale', answers(['scale', 'small', '200 of them'])],
    // Neither verb nor noun says which: the question asked decides.
    ['10 people', 'scale', answers(['scale', 'small', '10 people'])],
    ['10 people', 'team_size', answers(['team_size', 'large', '10 people'])],
  ]);

  it('follows the verb whatever is asked (property)', () => {
    const noun = fc.constantFrom('people', 'folks', 'students', 'employees', 'volunteers', 'staff', 'researchers');
    const use = fc.constantFrom('will use it', 'use it daily', 'will visit it', 'will read it', 'are using it');
    const build = fc.constantFrom('will build it', 'are building it', 'will develop it', 'will code it', 'will maintain it');
    const count = fc.integer({ min: 2, max: 900_000 });
    fc.assert(
      fc.property(count, noun, use, build, anyCurrent, (n, who, used, built, current) => {
        expect(filled(parseText(real, `${n} ${who} ${used}`, current))).toEqual(['scale']);
        expect(filled(parseText(real, `${n} ${who} ${built}`, current))).toEqual(['team_size']);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a rate after an amount is no duration', () => {
  table([
    ['200000 customers a year', 'scale', answers(['scale', 'growing', '200000 customers'])],
    ['we expect maybe 200000 customers a year, black friday spikes', 'flexibility', answers(['scale', 'growing', '200000 customers'])],
    ['5000 visitors per month', 'lifetime', answers(['scale', 'growing', '5000 visitors'])],
    ['50 signups a week', 'lifetime', answers(['scale', 'small', '50 signups'])],
    ['300 a year', 'scale', answers(['scale', 'small', '300'])],
    ['we release every 2 weeks', 'time_to_market', noMatch],
    ['we release twice a year', 'lifetime', noMatch],
    // Durations stay durations.
    ['it should last a year', 'lifetime', answers(['lifetime', 'medium', 'a year'])],
    ['within a year', 'time_to_market', answers(['time_to_market', 'normal', 'a year'])],
    ['3 devs for a year', 'lifetime', answers(['lifetime', 'medium', 'a year'], ['team_size', 'small', '3 devs'])],
  ]);

  it('never reads "<amount> <users> a/per/every <unit>" as a deadline or lifetime (property)', () => {
    const noun = fc.constantFrom('users', 'customers', 'visitors', 'readers', 'orders', 'requests', '');
    const rate = fc.constantFrom('a', 'an', 'per', 'every', 'each');
    const unit = fc.constantFrom('day', 'week', 'month', 'year', 'hour', 'quarter');
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5_000_000 }), noun, rate, unit, anyCurrent, (n, who, r, u, current) => {
        const got = filled(parseText(real, `${n} ${who} ${r} ${u}`.replace(/ +/g, ' '), current));
        expect(got).not.toContain('lifetime');
        expect(got).not.toContain('time_to_market');
      }),
      { numRuns: 300 },
    );
  });
});

describe('the size of the project or organisation is no scale', () => {
  table([
    ['a small microservice', 'project_type', answers(['project_type', 'microservice', 'microservice'])],
    ['a small microservice', 'architecture', noMatch],
    ['a huge app', 'project_type', noMatch],
    ['a large application', 'architecture', noMatch],
    ['a tiny script', 'project_type', noMatch],
    // At the scale question, or with unmistakable scale words, it is the scale.
    ['a tiny script', 'scale', answers(['scale', 'small', 'tiny'])],
    ['small app', 'scale', answers(['scale', 'small', 'small'])],
    ['a small user base', 'project_type', answers(['scale', 'small', 'small user base'])],
    ['low traffic microservice', 'project_type', answers(['project_type', 'microservice', 'microservice'], ['scale', 'small', 'low traffic'])],
  ]);

  it('never fills the scale from "a <size> <project noun>" elsewhere (property)', () => {
    const size = fc.constantFrom('small', 'tiny', 'large', 'huge', 'big', 'massive');
    const noun = fc.constantFrom('microservice', 'service', 'app', 'application', 'project', 'tool', 'script', 'nonprofit', 'company', 'startup');
    const current = fc.constantFrom<string | null>(null, ...criteria.filter((c) => c !== 'scale'));
    fc.assert(
      fc.property(size, noun, current, (s, n, c) => {
        expect(filled(parseText(real, `we are a ${s} ${n}`, c))).not.toContain('scale');
      }),
      { numRuns: 200 },
    );
  });
});

/** Single label words, not synonyms of their own option, that other criteria use too ("normal", "standard", "critical"): weak. */
const sharedLabelWords = [
  ...new Set(
    real.criteria.flatMap((c) =>
      c.options.flatMap((o) =>
        labelVariants(o.label)
          .map((v) => keysOf(v))
          .filter((keys) => keys.length === 1)
          .map((keys) => keys[0]!)
          .filter((word) => !o.synonyms.some((s) => keysOf(s).join(' ') === word))
          .filter((word) =>
            real.criteria.some((other) => other.id !== c.id && other.options.some((x) => [x.id, x.label, ...x.synonyms, ...(x.synonyms_when_asked ?? [])].some((s) => keysOf(s).join(' ') === word))),
          ),
      ),
    ),
  ),
];

describe('free text answers the current question first', () => {
  table([
    ['yes a normal sql one', 'database', answers(['database', 'relational', 'sql'])],
    ['yes postgres, normal setup', 'database', answers(['database', 'relational', 'postgres'])],
    ["we'd go with whatever is standard", 'architecture', noMatch],
    ['whatever is standard', 'flexibility', answers(['flexibility', 'low', 'standard'])],
    ['the usual, standard', 'security', answers(['security', 'standard', 'standard'])],
    ['normal', 'performance', answers(['performance', 'normal', 'normal'])],
    ['normal', 'database', noMatch],
    // A bare id fills another criterion only when no question is asked.
    ['django', 'scale', noMatch],
    ['django', null, answers(['team_experience', 'django', 'django'])],
    ['standard', 'architecture', noMatch],
    ['we use normal hosting', 'project_type', noMatch],
    // A past tense reports what happened: "we hired" is no plan to hire.
    ['we hired three more', 'team_size', noMatch],
    ['we recruited two juniors', 'project_type', noMatch],
    ['we will hire more', 'project_type', answers(['hiring', 'yes', 'hire'])],
    ['we plan on hiring', 'team_size', answers(['hiring', 'yes', 'hiring'])],
  ]);

  it('has weak label words to test', () => {
    expect(sharedLabelWords).toEqual(expect.arrayContaining(['normal', 'standard', 'critical']));
  });

  it('never fills another criterion from a weak label word (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sharedLabelWords), fc.constantFrom('', 'we want ', 'just ', 'whatever is ', 'something '), fc.constantFrom(...criteria), (word, lead, current) => {
        for (const criterion of filled(parseText(real, `${lead}${word}`, current))) expect(criterion).toBe(current);
      }),
      { numRuns: 200 },
    );
  });
});

describe('where the options are alternatives, saying no to one rules it out and picks no other', () => {
  table([
    // Not one kind of store is not "no database".
    ["we don't use mongodb", 'database', noMatch],
    ['no mongo', 'database', noMatch],
    ['mongo is not needed', 'database', noMatch],
    ["we don't use mongodb", 'scale', noMatch],
    // So the kind that is named wins, and no conflict is left.
    ['we use postgres, not mongo', 'database', answers(['database', 'relational', 'postgres'])],
    ['we use postgres, not mongo', 'scale', answers(['database', 'relational', 'postgres'])],
    ['mongo, not postgres', 'database', answers(['database', 'nosql', 'mongo'])],
    // The topic itself negated still does without it.
    ['no database', 'database', answers(['database', 'none', 'no database'])],
    ["we don't need a database", 'scale', answers(['database', 'none', "don't need a database"])],
    // Degrees of one thing keep their negative option: no admin is "no admin needed".
    ["we don't need an admin panel", 'admin_panel', answers(['admin_panel', 'no', "don't need an admin panel"])],
  ]);
});

describe('a "no" deferred by "for now" or "not yet" is the later option', () => {
  table([
    ['nah we dont need one for now', 'admin_panel', answers(['admin_panel', 'later', 'dont need one for now'])],
    ['no admin yet', 'admin_panel', answers(['admin_panel', 'later', 'no admin yet'])],
    ['not yet', 'admin_panel', answers(['admin_panel', 'later', 'not yet'])],
    ['not at first', 'admin_panel', answers(['admin_panel', 'later', 'not at first'])],
    ['not now', 'admin_panel', answers(['admin_panel', 'later', 'not now'])],
    ['nope, not right now', 'admin_panel', answers(['admin_panel', 'later', 'nope, not right now'])],
    ["we won't need it initially", 'admin_panel', answers(['admin_panel', 'later', "won't need it initially"])],
    ['no, later', 'admin_panel', answers(['admin_panel', 'later', 'later'])],
    // Without a later option, or without a deferral, a no stays a no.
    ['nope not needed', 'admin_panel', answers(['admin_panel', 'no', 'not needed'])],
    ['not needed', 'database', answers(['database', 'none', 'not needed'])],
    ['we dont need one', 'hiring', answers(['hiring', 'no', 'dont need'])],
    // A bare "don't need one" does without a thing: no answer where no option means doing without.
    ['nah we dont need one for now', 'flexibility', noMatch],
    ['we dont need it', 'security', noMatch],
    ["we don't need flexibility", 'scale', answers(['flexibility', 'low', "don't need flexibility"])],
    ['we dont need translations for now', 'i18n', answers(['i18n', 'no', 'dont need translations'])],
    ['yes the clinic staff need one from the start', 'admin_panel', answers(['admin_panel', 'yes', 'from the start'])],
    ['yes staff need one from day one', 'admin_panel', answers(['admin_panel', 'yes', 'from day one'])],
    ['yes right away', 'admin_panel', answers(['admin_panel', 'yes', 'right away'])],
  ]);

  it('answers a bare "not needed" only where an option means doing without (property)', () => {
    const positions = real.criteria.filter((c) => {
      const negative = c.options.find((o) => o.id === c.negative_option);
      return negative !== undefined && c.negative_option !== c.no_option && !/\b(?:no|none|not|without)\b/i.test(negative.label);
    });
    expect(positions.length).toBeGreaterThan(0);
    const bare = fc.constantFrom('not needed', "we don't need one", 'we dont need it', 'nah we dont need one for now', 'not required');
    fc.assert(
      fc.property(fc.constantFrom(...positions), bare, (c, text) => {
        expect(filled(parseText(real, text, c.id)), `${text} at ${c.id}`).not.toContain(c.id);
      }),
      { numRuns: 100 },
    );
  });

  it('picks the later option for any no with any deferral (property)', () => {
    const withLater = real.criteria.filter((c) => c.later_option !== undefined);
    expect(withLater.length).toBeGreaterThan(0);
    const no = fc.constantFrom('no', 'nope', 'nah', 'not', 'no,', 'nah, we dont need it');
    const cue = fc.constantFrom('for now', 'yet', 'right now', 'at the moment', 'at first', 'initially', 'for the time being');
    fc.assert(
      fc.property(fc.constantFrom(...withLater), no, cue, (c, n, d) => {
        const parsed = parseText(real, `${n} ${d}`, c.id);
        expect(parsed.kind === 'answers' ? parsed.matches : [], `${n} ${d}`).toEqual([expect.objectContaining({ criterion: c.id, option: c.later_option })]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('two or more languages named are several languages', () => {
  table([
    ['english and welsh', 'i18n', answers(['i18n', 'yes', 'english and welsh'])],
    ['english and welsh', 'project_type', answers(['i18n', 'yes', 'english and welsh'])],
    ['english, french and german', 'project_type', answers(['i18n', 'yes', 'english, french and german'])],
    ['spanish and catalan please', 'i18n', answers(['i18n', 'yes', 'spanish and catalan'])],
    ['just english', 'i18n', answers(['i18n', 'no', 'just english'])],
    // One language with "only" is one language, as the pack's "one language" reads.
    ['german only', 'i18n', answers(['i18n', 'no', 'german only'])],
    ['only welsh', 'project_type', answers(['i18n', 'no', 'only welsh'])],
    ['english and english', 'i18n', answers(['i18n', 'no', 'english'])],
  ]);

  it('reads any two languages as the "several languages" option (property)', () => {
    const several = parseText(real, 'several languages', null);
    const languages = [...(real.kinds.get('languages') ?? [])];
    const pair = fc.uniqueArray(fc.constantFrom(...languages), { minLength: 2, maxLength: 3 });
    fc.assert(
      fc.property(pair, fc.constantFrom(' and ', ', ', ' or '), anyCurrent, (names, joiner, current) => {
        const parsed = parseText(real, `we need ${names.join(joiner)}`, current);
        expect(parsed.kind === 'answers' ? parsed.matches : []).toEqual(several.kind === 'answers' ? [expect.objectContaining({ criterion: several.matches[0]!.criterion, option: several.matches[0]!.option })] : []);
      }),
      { numRuns: 200 },
    );
  });
});

describe('everyday answers at their question', () => {
  table([
    ['no hurry', 'time_to_market', answers(['time_to_market', 'normal', 'no hurry'])],
    ['no hurry at all', 'time_to_market', answers(['time_to_market', 'normal', 'no hurry'])],
    ['not in a rush', 'time_to_market', answers(['time_to_market', 'normal', 'not in a rush'])],
    ['there is no pressure', 'time_to_market', answers(['time_to_market', 'normal', 'no pressure'])],
    ['we are in a hurry', 'time_to_market', answers(['time_to_market', 'urgent', 'in a hurry'])],
    ['mostly node people tbh, none of us has used either', 'team_experience', answers(['team_experience', 'neither', 'none of us has used either'])],
    ["we haven't used either", 'team_experience', answers(['team_experience', 'neither', "haven't used either"])],
    ["we don't know either", 'team_experience', answers(['team_experience', 'neither', "don't know either"])],
    ['we always try the newest async stuff', 'emerging_tech', answers(['emerging_tech', 'yes', 'the newest'])],
    ['we always try the newest async stuff', 'performance', answers(['emerging_tech', 'yes', 'the newest'])],
    ['we always try new things', 'emerging_tech', answers(['emerging_tech', 'yes', 'try new things'])],
    ['we are 4 volunteers building a donation site for our charity', 'team_size', answers(['team_size', 'small', '4 volunteers'])],
    ['we are 4 volunteers building a donation site for our charity', 'flexibility', answers(['team_size', 'small', '4 volunteers'])],
  ]);
});

describe('a question about the interview is the why of the question asked', () => {
  table([
    ['what does this question mean?', 'flexibility', question('what does this question mean?', 'flexibility')],
    ['what is the difference between option 1 and 2?', 'scale', question('what is the difference between option 1 and 2?', 'scale')],
    ['what is the diffrence between option 1 and 2?', 'time_to_market', question('what is the diffrence between option 1 and 2?', 'time_to_market')],
    ["what's the difference between option 1 and option 2", 'lifetime', question('what is the difference between option 1 and option 2', 'lifetime')],
    ['what do the options mean?', 'architecture', question('what do the options mean?', 'architecture')],
    ['can you explain the question?', 'scale', question('can you explain the question?', 'scale')],
    ["what're the options?", 'scale', question('what are the options?', 'scale')],
    // No question asked, or a topic question: the knowledge base.
    ['what does this question mean?', null, question('what does this question mean?')],
    ['quick question: what is an orm?', 'scale', question('quick question: what is an orm?')],
  ]);

  it('answers any "what does this question / do these options mean" with the why of the asked one (property)', () => {
    const ask = fc.constantFrom('what does this question mean', 'what do the options mean', 'which option fits us', "what's the difference between the options", 'what is option 2');
    fc.assert(
      fc.property(ask, fc.boolean(), fc.constantFrom(...criteria), (q, mark, current) => {
        expect(parseText(real, `${q}${mark ? '?' : ''}`, current)).toMatchObject({ kind: 'question', why: current });
      }),
      { numRuns: 100 },
    );
  });
});
