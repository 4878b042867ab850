/**
 * Understanding, round 2: negation across a list, domain words naming the audience, several amounts
 * for one criterion, "me and my buddy", "we'll" statements, durations that are horizons or deferrals,
 * phrasings not understood, and questions about a term. The stories' phrasings and others of the same
 * classes, on the real pack.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseText, type ParsedText } from '../../src/conversation/parse.ts';
import { answers, anyCurrent, criteria, noMatch, question, real, table } from './parse-table.ts';

function picked(parsed: ParsedText): [string, string][] {
  return parsed.kind === 'answers' ? parsed.matches.map((m) => [m.criterion, m.option]) : [];
}


describe('a negated subject negates every option of the list it governs', () => {
  table([
    ['none of us know django or flask yet', null, answers(['team_experience', 'neither', 'none of us know django or flask'])],
    ['none of us know django or flask yet', 'flexibility', answers(['team_experience', 'neither', 'none of us know django or flask'])],
    ['nobody here knows django or flask', 'scale', answers(['team_experience', 'neither', 'nobody here knows django or flask'])],
    ["we've never used django or flask", null, answers(['team_experience', 'neither', 'never used django or flask'])],
    ['no one on the team has used flask or django', 'project_type', answers(['team_experience', 'neither', 'no one on the team has used flask or django'])],
    ["we haven't used flask nor django", null, answers(['team_experience', 'neither', "haven't used flask nor django"])],
    // A negation with a negative option keeps it; one option negated alone is no guess.
    ["we don't need an admin panel or i18n", null, answers(['admin_panel', 'no', "don't need an admin panel"], ['i18n', 'no', 'i18n'])],
    ["we don't know django", null, noMatch],
  ]);

  it('reads any negated subject over both frameworks as "neither" (property)', () => {
    const subject = fc.constantFrom('none of us', 'nobody', 'no one here', 'we dont', "we've never", "we haven't", 'none of the team', 'nobody on the team really');
    const verb = fc.constantFrom('know', 'knows', 'used', 'have used', 'are familiar with');
    const joiner = fc.constantFrom(' or ', ' nor ', ' and ');
    fc.assert(
      fc.property(subject, verb, fc.boolean(), joiner, anyCurrent, (s, v, djangoFirst, j, current) => {
        const list = djangoFirst ? `django${j}flask` : `flask${j}django`;
        const text = `${s} ${v} ${list}`;
        expect(picked(parseText(real, text, current)), `${text} at ${current}`).toEqual([['team_experience', 'neither']]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a domain word naming whom the product is for says nothing of its data', () => {
  table([
    [
      'we are a nonprofit, 2 volunteers coding on weekends, building a volunteer signup site for food banks in our city',
      'flexibility',
      answers(['team_size', 'small', '2 volunteers']),
    ],
    ['a signup site for food banks', 'security', noMatch],
    ['a booking tool for blood banks', null, noMatch],
    ['a rota app for healthcare workers', 'project_type', noMatch],
    ['a newsletter for fintech customers', 'scale', noMatch],
    // Describing the product's own data or business, it still counts.
    ['an app for online banking', null, answers(['security', 'critical', 'banking'])],
    ['we take payments', 'scale', answers(['security', 'critical', 'payments'])],
    ['a rota app for healthcare workers', 'security', answers(['security', 'critical', 'healthcare'])],
    // An activity from a pack noun keeps its meaning ("shopping" is "shop"); only the noun of a pack activity changes it.
    ['a shopping site', null, answers(['project_type', 'ecommerce', 'shopping'])],
    ['we are prototyping something', null, answers(['project_type', 'prototype', 'prototyping'])],
    ['we work with banks', null, noMatch],
  ]);

  it('never fills the security from a critical word that describes the people served, elsewhere (property)', () => {
    const security = real.criterionById.get('security')!;
    const words = security.options.find((o) => o.id === 'critical')!.synonyms.filter((s) => !s.includes(' '));
    const audience = fc.constantFrom('workers', 'customers', 'clients', 'volunteers', 'staff', 'students');
    const current = fc.constantFrom<string | null>(null, ...criteria.filter((c) => c !== 'security'));
    fc.assert(
      fc.property(fc.constantFrom(...words), audience, current, (w, a, c) => {
        const text = `a scheduling app for ${w} ${a}`;
        expect(picked(parseText(real, text, c)).map(([x]) => x), text).not.toContain('security');
      }),
      { numRuns: 200 },
    );
  });
});

describe('several amounts for one criterion: the peak decides', () => {
  table([
    [
      'IoT backend for smart thermostats. Traffic is spiky: 50 requests a day normally, then 100k per minute when firmware updates go out',
      'flexibility',
      answers(['scale', 'growing', '100k']),
    ],
    ['usually 200 users, peaks of 5000 users', 'scale', answers(['scale', 'growing', '5000 users'])],
    ['normally 300 visitors a day but 2 million on black friday', 'scale', answers(['scale', 'large', '2 million'])],
    ['about 500 users, maybe 20k at peak', 'project_type', answers(['scale', 'growing', '20k'])],
    ['2 devs at first, then 7 developers', 'team_size', answers(['team_size', 'large', '7 developers'])],
    // A count with its noun left out counts what the sentence's other count does.
    ['500 users at launch and millions later', 'scale', answers(['scale', 'large', 'millions'])],
    ['500 users now, 2 million eventually', 'project_type', answers(['scale', 'large', '2 million'])],
    // A phrase of a size takes part too.
    ['about 500 users, heavy traffic later', 'scale', answers(['scale', 'large', 'heavy traffic'])],
  ]);
});

describe('what comes after "with" is a part of what was named before it', () => {
  table([
    ['a CMS with an API', 'project_type', answers(['project_type', 'content_site', 'cms'])],
    ['an API with a CMS', 'project_type', answers(['project_type', 'api', 'api'])],
    ['a blog with an online store', 'scale', answers(['project_type', 'content_site', 'blog'])],
    ['postgres with redis for caching', 'database', answers(['database', 'relational', 'postgres'])],
    // Two things side by side are still unclear.
    ['postgres and redis', 'database', { kind: 'unknown', reason: 'ambiguous' }],
  ]);
});

describe('"only" or "just" singles out the count that counts', () => {
  table([
    ['200 engineers, but only 2 on this project', 'team_size', answers(['team_size', 'small', '2'])],
    ['we have 200 engineers but only 2 work on this', 'scale', answers(['team_size', 'small', '2'])],
    ['40 developers in the company, just 3 developers on this app', 'team_size', answers(['team_size', 'small', '3 developers'])],
    // Without it, the peak.
    ['3 devs now, 10 later', 'team_size', answers(['team_size', 'large', '10'])],
  ]);

  it('picks the option of the largest user count, in either order (property)', () => {
    const scale = real.criterionById.get('scale')!;
    const optionOf = (n: number): string => scale.options.find((o) => o.range && n >= (o.range.min ?? 0) && n <= (o.range.max ?? Infinity))!.id;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5_000_000 }), fc.integer({ min: 2, max: 5_000_000 }), anyCurrent, (a, b, current) => {
        const text = `${a} users usually, ${b} users at peak`;
        expect(picked(parseText(real, text, current)), text).toEqual([['scale', optionOf(Math.max(a, b))]]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('"me and my buddy" is two people', () => {
  table([
    ['its just me and my buddy', 'team_size', answers(['team_size', 'small', 'just me and my buddy'])],
    [
      'its just me and my buddy making a little site for our D&D group, like 6 players',
      'flexibility',
      answers(['scale', 'small', '6 players'], ['team_size', 'small', 'just me and my buddy']),
    ],
    ['my cofounder and I are building a booking system', 'project_type', answers(['project_type', 'web_app', 'booking system'], ['team_size', 'small', 'my cofounder and i'])],
    ['me plus one other dev', 'team_size', answers(['team_size', 'small', 'me plus one other dev'])],
    ['myself and a friend', 'team_size', answers(['team_size', 'small', 'myself and a friend'])],
    ['me and two friends', 'team_size', answers(['team_size', 'small', 'me and two friends'])],
    ['just me', 'team_size', answers(['team_size', 'solo', 'just me'])],
  ]);

  it('counts "me and my <person>" and "my <person> and i" as a small team (property)', () => {
    const person = fc.constantFrom('buddy', 'friend', 'partner', 'cofounder', 'colleague', 'brother', 'wife', 'coworker');
    fc.assert(
      fc.property(person, fc.boolean(), fc.constantFrom('', 'its just ', 'only '), anyCurrent, (p, meFirst, lead, current) => {
        const text = meFirst ? `${lead}me and my ${p}` : `my ${p} and i`;
        expect(picked(parseText(real, text, current)), text).toEqual([['team_size', 'small']]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('"we\'ll ..." states; only a real question asks', () => {
  table([
    ["we'll have a couple million users in the next two years", 'flexibility', answers(['scale', 'large', 'a couple million users'])],
    ["we'll have a team of five", 'project_type', answers(['team_size', 'small', 'team of five'])],
    ["we'll do a json api", 'scale', answers(['project_type', 'api', 'json api'])],
    ["we'll need an admin eventually", 'flexibility', answers(['admin_panel', 'later', 'admin eventually'])],
    ['a couple of million users', null, answers(['scale', 'large', 'a couple of million users'])],
    // Real questions still ask.
    ['will flask handle a million users', 'scale', question('will flask handle a million users')],
    ["we'll be fine, won't we?", 'scale', question("we will be fine, won't we?")],
  ]);

  it('never reads "<pronoun>\'ll/\'d <auxiliary> ..." as a question without a "?" (property)', () => {
    const lead = fc.constantFrom("we'll", "i'll", "they'll", "we'd", "you'll", "she'll");
    const aux = fc.constantFrom('have a', 'have the', 'do a', 'have our', 'need a', 'be a');
    const words = real.criteria.flatMap((c) => c.options.flatMap((o) => o.synonyms));
    fc.assert(
      fc.property(lead, aux, fc.constantFrom(...words), anyCurrent, (l, a, w, current) => {
        const text = `${l} ${a} ${w}`;
        expect(parseText(real, text, current).kind, text).not.toBe('question');
      }),
      { numRuns: 300 },
    );
  });
});

describe('a duration telling when something else happens is no deadline', () => {
  table([
    ['no admin needed for now, maybe in a year', 'flexibility', answers(['admin_panel', 'later', 'no admin needed for now'])],
    ['no admin needed for now, maybe in a year', 'admin_panel', answers(['admin_panel', 'later', 'no admin needed for now'])],
    ['we dont need an admin yet, maybe in 6 months', 'project_type', answers(['admin_panel', 'later', 'dont need an admin yet'])],
    ['about 5000 users within a year', 'scale', answers(['scale', 'growing', '5000 users'])],
    ['an admin would be nice later', 'admin_panel', answers(['admin_panel', 'later', 'admin would be nice later'])],
    [
      "we're 3 devs building an online shop for our bakery, an admin would be nice later, and it should run for years",
      'flexibility',
      answers(['project_type', 'ecommerce', 'online shop'], ['lifetime', 'long', 'for years'], ['team_size', 'small', '3 devs'], ['admin_panel', 'later', 'admin would be nice later']),
    ],
    // Durations with their own ship or maintain words stay.
    ['we need to launch in 3 months', 'time_to_market', answers(['time_to_market', 'urgent', '3 months'])],
    ['we need it now, in 2 weeks', 'time_to_market', answers(['time_to_market', 'urgent', '2 weeks'])],
    ['within a year', 'time_to_market', answers(['time_to_market', 'normal', 'a year'])],
  ]);

  it('reads "no <admin> for now, maybe in <duration>" as the later option and no timeline (property)', () => {
    const admin = fc.constantFrom('no admin needed', 'no admin panel', "we don't need a back office", 'no admin');
    const cue = fc.constantFrom('for now', 'yet', 'at first', 'for the time being');
    const when = fc.constantFrom('maybe in a year', 'perhaps in 6 months', 'in two years or so', 'maybe later', 'eventually');
    fc.assert(
      fc.property(admin, cue, when, anyCurrent, (a, c, w, current) => {
        const text = `${a} ${c}, ${w}`;
        expect(picked(parseText(real, text, current)), text).toEqual([['admin_panel', 'later']]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('everyday phrasings, round 2', () => {
  table([
    ['yes we need a place where the lab manager can edit records', 'admin_panel', answers(['admin_panel', 'yes', 'edit records'])],
    ['clients need to edit their own pages', 'admin_panel', answers(['admin_panel', 'yes', 'edit their own pages'])],
    ['staff update the content', 'admin_panel', answers(['admin_panel', 'yes', 'update the content'])],
    ['clients need to edit their own pages', 'scale', noMatch],
    ["I'm the only developer, it's a REST API for a client's mobile app", 'flexibility', answers(['project_type', 'api', 'rest api'], ['team_size', 'solo', 'the only developer'])],
    ['i am the sole dev', 'team_size', answers(['team_size', 'solo', 'sole dev'])],
    ["I'm the only one coding", 'project_type', answers(['team_size', 'solo', 'the only one coding'])],
    ['200k citizens per year', 'scale', answers(['scale', 'growing', '200k citizens'])],
    ['about 200k citizens per year will use it', 'flexibility', answers(['scale', 'growing', '200k citizens'])],
    ['maybe 3000 residents a month', 'scale', answers(['scale', 'growing', '3000 residents'])],
    ['security is not a big deal', null, answers(['security', 'standard', 'security is not a big deal'])],
    ['security is not a big deal for us', 'scale', answers(['security', 'standard', 'security is not a big deal'])],
    ["performance isn't a concern for us", 'scale', answers(['performance', 'normal', "performance isn't a concern"])],
    ["it's not much of a concern", 'security', answers(['security', 'standard', 'not much of a concern'])],
    // Where the negative option does without something, "not a big deal" is no answer.
    ["it's not a big deal", 'admin_panel', noMatch],
  ]);
});

describe('a question about a term is the why of the criterion it names', () => {
  table([
    ['what does "time to market" mean here?', 'flexibility', question('what does "time to market" mean here?', 'time_to_market')],
    ['"locales" mean?', 'i18n', question('"locales" mean?', 'i18n')],
    ['what does "locales" mean?', 'scale', question('what does "locales" mean?', 'i18n')],
    ['what do you mean by expected scale', 'scale', question('what do you mean by expected scale', 'scale')],
    ['meaning of monolith?', 'scale', question('meaning of monolith?', 'architecture')],
    // A term the pack does not know: a search for the term alone.
    ['what does "sharding" mean?', 'scale', question('sharding')],
    ['what does orm mean', null, question('orm')],
    // "what I mean is ..." states.
    ['what I mean is we need an admin', 'admin_panel', answers(['admin_panel', 'yes', 'admin'])],
    ['what we mean is about 500 users', 'scale', answers(['scale', 'small', '500 users'])],
    // The interview's own question stays the asked one's why.
    ['what does this question mean?', 'flexibility', question('what does this question mean?', 'flexibility')],
  ]);

  it('answers "what does <criterion title> mean" with that criterion\'s why (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...real.criteria), fc.constantFrom('what does "%" mean?', '% mean?', 'what is meant by %', 'what does % mean here'), anyCurrent, (c, frame, current) => {
        const text = frame.replace('%', c.title.toLowerCase());
        expect(parseText(real, text, current), text).toMatchObject({ kind: 'question', why: c.id });
      }),
      { numRuns: 200 },
    );
  });
});
