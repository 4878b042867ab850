import { readdirSync, readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { buildKnowledge, loadKnowledge, type Knowledge } from '../../src/knowledge/load.ts';
import type { PackFile } from '../../src/knowledge/schema.ts';
import { randomPack } from '../support/packs.ts';
import { MAX_TEXT_LENGTH, normaliseText, parseText, type ParsedText, type TextMatch, type UnknownReason } from '../../src/conversation/parse.ts';

// ---------------------------------------------------------------------------
// A small pack with its own wording, so these tests do not depend on the real pack.

type Criterion = NonNullable<PackFile['criteria']>[number];
type OptionInput = { id: string; label: string; synonyms?: string[]; synonyms_when_asked?: string[]; range?: Criterion['options'][number]['range'] };
type CriterionInput = { id: string; title: string; options: OptionInput[] } & Pick<Criterion, 'negative_option' | 'yes_option' | 'no_option'>;

function criterion({ id, title, options, ...answers }: CriterionInput): Criterion {
  return {
    id,
    title,
    question: `${title}?`,
    why: `Because of ${title}.`,
    options: options.map(({ synonyms, ...o }) => ({ ...o, synonyms: synonyms ?? [], effects: [] })),
    ...answers,
  };
}

const testPack: PackFile = {
  sources: [{ id: 'src', kind: 'article', publisher: 'Pub', title: 'T', label: 'Pub: T' }],
  frameworks: [
    { id: 'django', name: 'Django', summary: 'A framework.', claims: [] },
    { id: 'flask', name: 'Flask', summary: 'A framework.', claims: [] },
  ],
  claims: [],
  criteria: [
    criterion({
      id: 'project_type',
      title: 'Project type',
      options: [
        { id: 'web_app', label: 'Web app' },
        { id: 'ecommerce', label: 'E-commerce / shop', synonyms: ['online store'] },
        { id: 'api', label: 'API', synonyms: ['rest api', 'rest service'] },
      ],
    }),
    criterion({
      id: 'scale',
      title: 'Expected scale',
      options: [
        // Like the real pack, "small" is a synonym: a label word another criterion also uses is weak.
        { id: 'small', label: 'Small (few users)', synonyms: ['tiny', 'small'] },
        { id: 'growing', label: 'Growing' },
        { id: 'large', label: 'Large', synonyms: ['huge', 'millions of users'] },
      ],
    }),
    criterion({
      id: 'team_size',
      title: 'Team size',
      options: [
        {
          id: 'solo',
          label: 'One developer',
          synonyms: ['solo', 'solo dev', 'just me', 'alone', "i'm alone", 'by myself'],
          range: { quantity: 'people', max: 1 },
        },
        { id: 'small', label: 'Small team (2-5)', synonyms: ['small', 'startup team'], range: { quantity: 'people', min: 2, max: 5 } },
        { id: 'large', label: 'Large team (6+)', range: { quantity: 'people', min: 6 } },
      ],
    }),
    criterion({
      id: 'team_experience',
      title: 'Team experience',
      options: [
        { id: 'django', label: 'We know Django' },
        { id: 'flask', label: 'We know Flask' },
        { id: 'both', label: 'Both' },
        { id: 'neither', label: 'Neither' },
      ],
    }),
    criterion({
      id: 'admin_panel',
      title: 'Admin panel',
      negative_option: 'no',
      yes_option: 'yes',
      no_option: 'no',
      options: [
        { id: 'yes', label: 'Yes', synonyms: ['admin panel', 'admin', 'back office'] },
        { id: 'later', label: 'Later' },
        { id: 'no', label: 'No admin needed', synonyms: ['not required'] },
      ],
    }),
    criterion({
      id: 'security',
      title: 'Security',
      negative_option: 'standard',
      options: [
        { id: 'critical', label: 'Critical', synonyms: ['sensitive data', 'payments'] },
        { id: 'standard', label: 'Standard' },
      ],
    }),
    criterion({
      id: 'performance',
      title: 'Raw performance',
      negative_option: 'normal',
      options: [
        { id: 'critical', label: 'Critical', synonyms: ['fast', 'low latency'] },
        { id: 'normal', label: 'Normal' },
      ],
    }),
    criterion({
      id: 'architecture',
      title: 'Architecture',
      options: [
        { id: 'monolith', label: 'Monolith' },
        { id: 'microservices', label: 'Microservices' },
      ],
    }),
    criterion({
      id: 'database',
      title: 'Database',
      negative_option: 'none',
      options: [
        { id: 'relational', label: 'Relational', synonyms: ['postgres', 'sql database'] },
        { id: 'nosql', label: 'NoSQL', synonyms: ['mongodb'] },
        { id: 'none', label: 'No database' },
      ],
    }),
    criterion({
      id: 'i18n',
      title: 'Multiple languages',
      negative_option: 'no',
      yes_option: 'yes',
      no_option: 'no',
      options: [
        { id: 'yes', label: 'Multilingual', synonyms: ['i18n', 'translations'] },
        { id: 'no', label: 'One language', synonyms: ['english only'] },
      ],
    }),
  ],
};

const k: Knowledge = buildKnowledge([{ file: 'test.yaml', pack: testPack }]);

const cmd = (type: string, criterion?: string): ParsedText =>
  ({ kind: 'command', command: criterion ? { type, criterion } : { type } }) as ParsedText;
const answers = (...matches: [string, string, string][]): ParsedText => ({
  kind: 'answers',
  matches: matches.map(([criterion, option, evidence]): TextMatch => ({ criterion, option, evidence })),
});
const unknown = (reason: Exclude<UnknownReason, 'out_of_range'>): ParsedText => ({ kind: 'unknown', reason });
const outOfRange = (number: number): ParsedText => ({ kind: 'unknown', reason: 'out_of_range', number });
const topics = (verb: 'change' | 'skip' | 'why', words: string, ...candidates: string[]): ParsedText => ({ kind: 'topics', verb, words, candidates });
const question = (text: string, why: string | null = null): ParsedText => ({ kind: 'question', question: text, why });
const noted = (criterion: string, option: string, evidence: string, note: string): ParsedText => ({
  kind: 'answers',
  matches: [{ criterion, option, evidence, note }],
});

type Row = [text: string, current: string | null, expected: ParsedText];

function table(knowledge: Knowledge, rows: readonly Row[]): void {
  it.each(rows.map(([text, current, expected]) => ({ text, current, expected })))('$text (asking $current)', ({ text, current, expected }) => {
    expect(parseText(knowledge, text, current)).toEqual(expected);
  });
}

describe('normaliseText', () => {
  it('strips controls, zero-width and bidi marks, markup and applies NFKC + lower case', () => {
    expect(normaliseText('\u200f*Ｙｅｓ*\u0000 <@U123|bob>  `web_app`\u200b  <http://x.io|Online  Store> _x_ ~y~')).toBe('yes web_app online store x y');
  });
  it('decodes Slack entities after dropping real markup and keeps line breaks as clause ends', () => {
    expect(normaliseText('&lt;b&gt; &amp; <!here>\r\n\r\nnext :thumbsup: line')).toBe('<b> &\nnext line');
  });
});

describe('parseText on a small test pack', () => {
  describe('limits and empty input', () => {
    table(k, [
      ['', null, unknown('empty')],
      ['   \n\t ', 'scale', unknown('empty')],
      ['\u200b\u200e\u200f\ufeff', 'scale', unknown('empty')],
      ['<!channel> <@U0123> <#C1|general>', 'scale', unknown('empty')],
      ['!!! ... ', 'scale', unknown('no_match')],
      ['🎉🚀', 'scale', unknown('no_match')],
      ['x'.repeat(MAX_TEXT_LENGTH + 1), 'scale', unknown('too_long')],
    ]);
    it('reads a message of exactly the maximum length', () => {
      expect(parseText(k, 'tiny' + ' '.repeat(MAX_TEXT_LENGTH - 4), null)).toEqual(answers(['scale', 'small', 'tiny']));
    });
  });

  describe('commands (whole message only)', () => {
    table(k, [
      ['back', 'scale', cmd('back')],
      ['Go back, please!', 'scale', cmd('back')],
      ['undo', 'scale', cmd('back')],
      ['skip', 'scale', cmd('skip')],
      ["I don't know.", 'scale', cmd('skip')],
      ['dont know', 'scale', cmd('skip')],
      ['not sure yet', 'scale', cmd('skip')],
      ['idk', null, cmd('skip')],
      ['why?', 'scale', cmd('why')],
      ['why does this matter', 'scale', cmd('why')],
      ['explain', 'scale', cmd('why')],
      ['show me the results please', 'scale', cmd('result')],
      ['verdict', 'scale', cmd('result')],
      ["we're done", 'scale', cmd('result')],
      ['keep going', null, cmd('refine')],
      ['more questions', null, cmd('refine')],
      ['start over', 'scale', cmd('restart')],
      ['reset', 'scale', cmd('restart')],
      ['quit', 'scale', cmd('cancel')],
      ['Stop.', 'scale', cmd('cancel')],
      ['?', 'scale', cmd('help')],
      ['help', 'scale', cmd('help')],
      ['commands', 'scale', cmd('help')],
      ['change team size', 'scale', cmd('change', 'team_size')],
      ['change admin_panel', 'scale', cmd('change', 'admin_panel')],
      ['edit database', 'scale', cmd('change', 'database')],
      ['change my answer for the architecture', 'scale', cmd('change', 'architecture')],
      ['go back to the database question', 'scale', cmd('change', 'database')],
      ['change experience', 'scale', cmd('change', 'team_experience')],
      // Not every word names a criterion: read as an answer instead.
      ['change team size to 8', 'scale', answers(['team_size', 'large', 'team size to 8'])],
      // "team" names two criteria: both are offered.
      ['change team', 'scale', topics('change', 'team', 'team_size', 'team_experience')],
      ['why team', 'scale', topics('why', 'team', 'team_size', 'team_experience')],
      ['skip the database question', 'scale', answers(['database', 'skip', 'skip the database question'])],
    ]);
  });

  describe('option answers', () => {
    table(k, [
      ['2', 'scale', answers(['scale', 'growing', '2'])],
      ['option 3 please', 'scale', answers(['scale', 'large', 'option 3 please'])],
      ['4', 'scale', outOfRange(4)],
      ['0', 'scale', outOfRange(0)],
      // Signs are dropped by the tokens, not by the reading: "-1" is no option, nor a head count.
      ['-1', 'scale', outOfRange(-1)],
      ['option -2', 'scale', outOfRange(-2)],
      ['\u22123', 'team_size', outOfRange(-3)],
      ['1-2', 'scale', unknown('no_match')],
      ['\u20142', 'scale', outOfRange(-2)],
      ['ok - 2', 'scale', answers(['scale', 'growing', 'ok - 2'])],
      // A command word with nothing to apply to is told what is missing; "change" can still answer where it is an answer.
      ['ask', 'scale', unknown('ask_without_question')],
      ['Ask?', null, unknown('ask_without_question')],
      ['change', 'scale', unknown('change_without_topic')],
      ['edit banana', 'scale', unknown('change_without_topic')],
      ['option 9', 'scale', outOfRange(9)],
      ['the second one', 'scale', answers(['scale', 'growing', 'the second one'])],
      // A number picks an option of the open question only; with none open, it says so.
      ['2', null, unknown('no_open_question')],
      ['Huge', null, answers(['scale', 'large', 'huge'])],
      // Label head before "(": "Small (few users)" answers to "small".
      ['small', 'scale', answers(['scale', 'small', 'small'])],
      ['small', 'team_size', answers(['team_size', 'small', 'small'])],
      // Neither criterion is asked: "small" is scale's and team size's vocabulary.
      ['small', null, unknown('ambiguous')],
      ['small team', null, answers(['team_size', 'small', 'small team'])],
      ['e-commerce', null, answers(['project_type', 'ecommerce', 'e-commerce'])],
      ['ecommerce', null, answers(['project_type', 'ecommerce', 'ecommerce'])],
      ['e commerce', null, answers(['project_type', 'ecommerce', 'e commerce'])],
      ['web_app', null, answers(['project_type', 'web_app', 'web_app'])],
      ['webapp', null, answers(['project_type', 'web_app', 'webapp'])],
      ['shop', null, answers(['project_type', 'ecommerce', 'shop'])],
      ['we build a REST API', null, answers(['project_type', 'api', 'rest api'])],
      // Bare single-word ids count for the asked criterion or as the whole message only.
      ['django', 'team_experience', answers(['team_experience', 'django', 'django'])],
      ['django', null, answers(['team_experience', 'django', 'django'])],
      ['we will use django for it', null, unknown('no_match')],
      ['django or flask, no idea', 'team_experience', unknown('ambiguous')],
      // One phrase for two criteria: the asked one wins.
      ['critical', 'security', answers(['security', 'critical', 'critical'])],
      ['critical', 'performance', answers(['performance', 'critical', 'critical'])],
      ['critical', null, unknown('ambiguous')],
      // ... or the one named in the same clause.
      ['security is critical', null, answers(['security', 'critical', 'critical'])],
      ['performance is critical', null, answers(['performance', 'critical', 'critical'])],
      ['monolith or microservices', 'architecture', unknown('ambiguous')],
      ['monolith, definitely not microservices', 'architecture', answers(['architecture', 'monolith', 'monolith'])],
      ['lorem ipsum dolor', 'scale', unknown('no_match')],
    ]);
  });

  describe('numbers of people', () => {
    table(k, [
      ['just me', null, answers(['team_size', 'solo', 'just me'])],
      ["I'm alone on this", null, answers(['team_size', 'solo', "i'm alone"])],
      ['solo dev', null, answers(['team_size', 'solo', 'solo dev'])],
      ['one-person team', null, answers(['team_size', 'solo', 'one-person'])],
      ['1 developer', null, answers(['team_size', 'solo', '1 developer'])],
      ['3 of us', null, answers(['team_size', 'small', '3 of us'])],
      ['two devs', null, answers(['team_size', 'small', 'two devs'])],
      ['a team of 5', null, answers(['team_size', 'small', 'team of 5'])],
      ['a team of six', null, answers(['team_size', 'large', 'team of six'])],
      ['8 developers', null, answers(['team_size', 'large', '8 developers'])],
      ['we are twelve engineers', null, answers(['team_size', 'large', 'twelve engineers'])],
      ["we're 4", null, answers(['team_size', 'small', "we're 4"])],
      ['we are 4 weeks from launch', null, unknown('no_match')],
      ['team size is 7', null, answers(['team_size', 'large', 'team size is 7'])],
      ['a couple of developers', null, answers(['team_size', 'small', 'a couple of developers'])],
      ['5-person team', null, answers(['team_size', 'small', '5-person'])],
      ['me and two other devs', null, answers(['team_size', 'small', 'me and two other devs'])],
      ['me and five other devs', null, answers(['team_size', 'large', 'me and five other devs'])],
      ['3 senior python developers', null, answers(['team_size', 'small', '3 senior python developers'])],
      // The head count is more specific than "small team" and lies over it.
      ['a small team of 8', null, answers(['team_size', 'large', 'team of 8'])],
      ['2 of the developers know flask', null, unknown('no_match')],
      ['we ship in 2 weeks', null, unknown('no_match')],
      // Where the options count people, a bare number is a head count; "option 3" is still the third option.
      ['3', 'team_size', noted('team_size', 'small', '3', 'Read "3" as 3 people; to pick option 3, say "option 3".')],
      // Where both readings agree there is nothing to say.
      ['1', 'team_size', answers(['team_size', 'solo', '1'])],
      ['2', 'team_size', answers(['team_size', 'small', '2'])],
      ['4', 'team_size', answers(['team_size', 'small', '4'])],
      ['6', 'team_size', answers(['team_size', 'large', '6'])],
      ['three', 'team_size', answers(['team_size', 'small', 'three'])],
      ['option 3', 'team_size', answers(['team_size', 'large', 'option 3'])],
      ['#1', 'team_size', answers(['team_size', 'solo', '#1'])],
      ['option 7', 'team_size', outOfRange(7)],
    ]);
    it('uses the ranges of the pack', () => {
      expect(parseText(k, '1 person', null)).toEqual(answers(['team_size', 'solo', '1 person']));
      expect(parseText(k, '5 people', null)).toEqual(answers(['team_size', 'small', '5 people']));
      expect(parseText(k, '6 people', null)).toEqual(answers(['team_size', 'large', '6 people']));
    });
  });

  describe('negation, yes/no and "don\'t know"', () => {
    table(k, [
      ["we don't need an admin panel", null, answers(['admin_panel', 'no', "don't need an admin panel"])],
      ['no admin', null, answers(['admin_panel', 'no', 'no admin'])],
      ['without an admin interface', null, answers(['admin_panel', 'no', 'without an admin'])],
      ['admin panel is not needed', null, answers(['admin_panel', 'no', 'admin panel is not needed'])],
      ['admin: no', null, answers(['admin_panel', 'no', 'admin: no'])],
      ['not needed', 'admin_panel', answers(['admin_panel', 'no', 'not needed'])],
      ['no i18n', null, answers(['i18n', 'no', 'no i18n'])],
      ['not multilingual', null, answers(['i18n', 'no', 'not multilingual'])],
      ["doesn't need to be fast", null, answers(['performance', 'normal', "doesn't need to be fast"])],
      ['no database', null, answers(['database', 'none', 'no database'])],
      ["we don't need a database", 'admin_panel', answers(['database', 'none', "don't need a database"])],
      ['no sensitive data', null, answers(['security', 'standard', 'no sensitive data'])],
      // A pack phrase that only says "not required" negates what it follows.
      ['i18n not required', null, answers(['i18n', 'no', 'i18n not required'])],
      ['not required', null, answers(['admin_panel', 'no', 'not required'])],
      ['not required', 'i18n', answers(['i18n', 'no', 'not required'])],
      // No negative option: the negated phrase is dropped, never inverted into a guess.
      ['not a monolith', null, unknown('no_match')],
      ['no admin panel or i18n', null, answers(['admin_panel', 'no', 'no admin panel'], ['i18n', 'no', 'i18n'])],
      ['no admin panel, but i18n', null, answers(['admin_panel', 'no', 'no admin panel'], ['i18n', 'yes', 'i18n'])],
      ['yes', 'admin_panel', answers(['admin_panel', 'yes', 'yes'])],
      ['Yeah!', 'i18n', answers(['i18n', 'yes', 'yeah'])],
      ['sure', 'admin_panel', answers(['admin_panel', 'yes', 'sure'])],
      ['nope', 'admin_panel', answers(['admin_panel', 'no', 'nope'])],
      ['no', 'i18n', answers(['i18n', 'no', 'no'])],
      ['yes', 'scale', unknown('no_match')],
      ['no', 'database', unknown('no_match')],
      ['yes', null, unknown('no_match')],
      ['no, not needed', 'database', answers(['database', 'none', 'not needed'])],
      ['yes, and 3 of us', 'admin_panel', answers(['team_size', 'small', '3 of us'], ['admin_panel', 'yes', 'yes'])],
      // A leading "no" that negates a phrase is not also an answer to the asked question.
      ['no admin', 'i18n', answers(['admin_panel', 'no', 'no admin'])],
      ["we don't know yet about the database", 'admin_panel', answers(['database', 'skip', "don't know yet about the database"])],
      ['not sure about the architecture', null, answers(['architecture', 'skip', 'not sure about the architecture'])],
      ['not sure we need an admin', null, answers(['admin_panel', 'skip', 'not sure we need an admin'])],
      ["honestly we don't know, maybe later", 'admin_panel', answers(['admin_panel', 'later', 'later'])],
      // Fillers aside, the whole message is "don't know": the skip command.
      ["we really don't know", 'scale', cmd('skip')],
      // Not a whole-message command: skip for the asked criterion, if any.
      ["we don't know that yet", 'scale', answers(['scale', 'skip', "don't know"])],
      ["we don't know that yet", null, unknown('no_match')],
    ]);
  });

  describe('several criteria in one message', () => {
    table(k, [
      [
        'solo dev building a small REST API',
        null,
        answers(['project_type', 'api', 'rest api'], ['scale', 'small', 'small'], ['team_size', 'solo', 'solo dev']),
      ],
      [
        "We're 3 people making an online store with an admin back office, with translations",
        null,
        answers(['project_type', 'ecommerce', 'online store'], ['team_size', 'small', '3 people'], ['admin_panel', 'yes', 'back office'], ['i18n', 'yes', 'translations']),
      ],
      [
        'Postgres, no admin, english only. 8 devs.',
        'database',
        answers(['team_size', 'large', '8 devs'], ['admin_panel', 'no', 'no admin'], ['database', 'relational', 'postgres'], ['i18n', 'no', 'english only']),
      ],
      // The asked criterion takes "small"; the rest is read as usual.
      ['small, with huge traffic', 'team_size', answers(['scale', 'large', 'huge'], ['team_size', 'small', 'small'])],
      ['huge, small team', null, answers(['scale', 'large', 'huge'], ['team_size', 'small', 'small team'])],
    ]);
  });

  describe('chat markup and hostile input', () => {
    table(k, [
      ['<@U024BE7LH> *yes*', 'admin_panel', answers(['admin_panel', 'yes', 'yes'])],
      ['<@123456789012345678> `mongodb`', null, answers(['database', 'nosql', 'mongodb'])],
      ['<https://shop.example.com|online store> ~maybe~', null, answers(['project_type', 'ecommerce', 'online store'])],
      ['<!here> skip', 'scale', cmd('skip')],
      ['<!channel>', 'scale', unknown('empty')],
      ['_tiny_ :rocket:', null, answers(['scale', 'small', 'tiny'])],
      ['\u202eyes\u202c', 'admin_panel', answers(['admin_panel', 'yes', 'yes'])],
      ['ye\u0000s', 'admin_panel', unknown('no_match')],
      ['yes\u0000', 'admin_panel', answers(['admin_panel', 'yes', 'yes'])],
      ['ＭｏｎｇｏＤＢ', null, answers(['database', 'nosql', 'mongodb'])],
      ['Datenbank: 😀 مرحبا 你好', null, unknown('no_match')],
      ['"; DROP TABLE answers; --', null, unknown('no_match')],
      ['\ud800 tiny \udfff', null, answers(['scale', 'small', 'tiny'])],
      ['a'.repeat(10_000), null, unknown('too_long')],
      [`${'blah '.repeat(395)}huge`, null, answers(['scale', 'large', 'huge'])],
      // Two options of one criterion from equally long phrases: left out.
      [`${'tiny '.repeat(399)}huge`, null, unknown('ambiguous')],
    ]);
  });

  it('treats an unknown current criterion as none being asked', () => {
    expect(parseText(k, '2', 'nonexistent')).toEqual(unknown('no_open_question'));
    expect(parseText(k, 'small', 'nonexistent')).toEqual(unknown('ambiguous'));
  });
});

// ---------------------------------------------------------------------------
// The real pack, with realistic sentences.

describe('parseText on the real knowledge pack', () => {
  const real = loadKnowledge();
  table(real, [
    ['solo dev building a small REST API', null, answers(['project_type', 'api', 'rest api'], ['scale', 'small', 'small'], ['team_size', 'solo', 'solo dev'])],
    // "change" is an answer where the asked question's options say so; elsewhere it asks which topic.
    ['change', 'requirements', answers(['requirements', 'evolving', 'change'])],
    ['change', 'scale', unknown('change_without_topic')],
    ['change', null, unknown('change_without_topic')],
    ['change it', null, unknown('change_without_topic')],
    ['i pick -1', 'project_type', outOfRange(-1)],
    ['(-2)', 'project_type', outOfRange(-2)],
    ['2-3 devs', 'team_size', answers(['team_size', 'small', '2-3 devs'])],
    [
      "We're 3 people making an online shop with an admin back office",
      null,
      answers(['project_type', 'ecommerce', 'online shop'], ['team_size', 'small', '3 people'], ['admin_panel', 'yes', 'back office']),
    ],
    ['We are building a blog for our marketing team', null, answers(['project_type', 'content_site', 'blog'])],
    ['an internal dashboard with charts', null, answers(['project_type', 'dashboard', 'dashboard'])],
    ['just a quick prototype for a hackathon', null, answers(['project_type', 'prototype', 'prototype'])],
    ['a mobile backend with a GraphQL API', null, answers(['project_type', 'api', 'mobile backend'])],
    ['we expect millions of users', null, answers(['scale', 'large', 'millions of users'])],
    ['2', 'scale', answers(['scale', 'growing', '2'])],
    ['small', 'team_size', answers(['team_size', 'small', 'small'])],
    ['small', 'scale', answers(['scale', 'small', 'small'])],
    ['it will be maintained for years', null, answers(['lifetime', 'long', 'maintained for years'])],
    ['a team of 5', null, answers(['team_size', 'small', 'team of 5'])],
    ['8 developers', null, answers(['team_size', 'large', '8 developers'])],
    ['we are twelve engineers', null, answers(['team_size', 'large', 'twelve engineers'])],
    ['just me', null, answers(['team_size', 'solo', 'just me'])],
    ['we know django', null, answers(['team_experience', 'django', 'we know django'])],
    ['none of them, we are still learning', null, answers(['team_experience', 'neither', 'none of them'])],
    ["we don't need an admin panel", null, answers(['admin_panel', 'no', "don't need an admin panel"])],
    ['no admin', null, answers(['admin_panel', 'no', 'no admin'])],
    ['not needed', 'admin_panel', answers(['admin_panel', 'no', 'not needed'])],
    ['maybe later', 'admin_panel', answers(['admin_panel', 'later', 'maybe later'])],
    ['yes', 'admin_panel', answers(['admin_panel', 'yes', 'yes'])],
    ['we handle payments and medical records', null, answers(['security', 'critical', 'medical records'])],
    ['nothing sensitive', null, answers(['security', 'standard', 'nothing sensitive'])],
    ['security is not critical', null, answers(['security', 'standard', 'security is not critical'])],
    ['no rush', null, answers(['time_to_market', 'normal', 'no rush'])],
    ['we have a tight deadline', null, answers(['time_to_market', 'urgent', 'tight deadline'])],
    ["doesn't need to be fast", 'performance', answers(['performance', 'normal', "doesn't need to be fast"])],
    ['low latency is a must', null, answers(['performance', 'critical', 'low latency'])],
    ['microservices on kubernetes', null, answers(['architecture', 'microservices', 'microservices'])],
    ['one codebase, a monolith', null, answers(['architecture', 'monolith', 'one codebase'])],
    ['we want full control over our stack', null, answers(['flexibility', 'high', 'full control'])],
    ['batteries included please', null, answers(['flexibility', 'low', 'batteries included'])],
    ['Postgres', null, answers(['database', 'relational', 'postgres'])],
    ['no database', null, answers(['database', 'none', 'no database'])],
    ['no-sql', null, answers(['database', 'nosql', 'no-sql'])],
    ["we don't know yet about the database", 'admin_panel', answers(['database', 'skip', "don't know yet about the database"])],
    ['requirements will change a lot', null, answers(['requirements', 'evolving', 'will change'])],
    ['no i18n', null, answers(['i18n', 'no', 'no i18n'])],
    ['not multilingual', null, answers(['i18n', 'no', 'not multilingual'])],
    ['english only', null, answers(['i18n', 'no', 'english only'])],
    ['change team size', 'scale', cmd('change', 'team_size')],
    ['change admin_panel', 'scale', cmd('change', 'admin_panel')],
    ['edit database', 'scale', cmd('change', 'database')],
    ["I don't know", 'scale', cmd('skip')],
    ['show me the recommendation', 'scale', cmd('result')],
    ['<@U024BE7LH> *no idea*', 'scale', cmd('skip')],
    [
      'We are 4 devs who know flask, building a REST API with mongodb, no admin, ship asap',
      null,
      answers(
        ['project_type', 'api', 'rest api'],
        ['team_size', 'small', '4 devs'],
        ['team_experience', 'flask', 'know flask'],
        ['admin_panel', 'no', 'no admin'],
        ['time_to_market', 'urgent', 'asap'],
        ['database', 'nosql', 'mongodb'],
      ),
    ],
  ]);
});

// ---------------------------------------------------------------------------
// Issue 9, "Understanding": the cases a new user met, and their classes, on the real pack.

describe('understanding (issue 9) on the real knowledge pack', () => {
  const real = loadKnowledge();

  describe('a question about a topic is answered, never recorded', () => {
    table(real, [
      ['what is an admin panel?', 'admin_panel', question('what is an admin panel?')],
      ['what is an admin panel', 'scale', question('what is an admin panel')],
      // Contractions are spelled out for the search ("what's" is no "what" and "s").
      ["what's a monolith?", 'architecture', question('what is a monolith?')],
      ['how does flask handle async?', 'scale', question('how does flask handle async?')],
      ['how about postgres?', 'database', question('how about postgres?')],
      ['can flask scale to millions of users?', 'scale', question('can flask scale to millions of users?')],
      ['can django do microservices', 'architecture', question('can django do microservices')],
      ['does django have an admin?', 'admin_panel', question('does django have an admin?')],
      ['do we need an admin panel?', 'admin_panel', question('do we need an admin panel?')],
      ['is it fast?', 'performance', question('is it fast?')],
      ['should we use postgres', 'database', question('should we use postgres')],
      ['which database is better for django?', 'database', question('which database is better for django?')],
      ['when will the admin be ready?', 'admin_panel', question('when will the admin be ready?')],
      ['ok so what is i18n?', 'i18n', question('ok so what is i18n?')],
      // A question next to an answer: the answer counts (real options only), the question is answered too.
      [
        'we build an api. what is a microservice?',
        'project_type',
        { kind: 'answers', matches: [{ criterion: 'project_type', option: 'api', evidence: 'api' }], question: 'what is a microservice?' },
      ],
      [
        'how many users? maybe a few hundred a month',
        'scale',
        { kind: 'answers', matches: [{ criterion: 'scale', option: 'small', evidence: 'a few hundred' }], question: 'how many users?' },
      ],
      ['what is an admin panel? no idea', 'admin_panel', question('what is an admin panel? no idea')],
      ['tell me about the admin panel', 'scale', question('tell me about the admin panel')],
      // "why <topic>": the why of that criterion, whatever is asked.
      ['why admin panel', null, question('why admin panel', 'admin_panel')],
      ['why database', 'scale', question('why database', 'database')],
      ['Why does the admin panel matter?', 'scale', question('why does the admin panel matter?', 'admin_panel')],
      ['why do you ask about the database?', 'database', question('why do you ask about the database?', 'database')],
      ['why databse', 'scale', question('why databse', 'database')],
      ['explain team size', 'scale', question('explain team size', 'team_size')],
      // "why" about something that is no topic goes to the knowledge base.
      ['why is flask faster?', 'performance', question('why is flask faster?')],
      // Not questions: answers and commands that start like one.
      ['do not need an admin panel', 'admin_panel', answers(['admin_panel', 'no', 'not need an admin panel'])],
      ["don't need an admin panel", 'admin_panel', answers(['admin_panel', 'no', "don't need an admin panel"])],
      ['will be maintained for years', 'lifetime', answers(['lifetime', 'long', 'maintained for years'])],
      ['maybe later?', 'admin_panel', answers(['admin_panel', 'later', 'maybe later'])],
      ['postgres?', 'database', answers(['database', 'relational', 'postgres'])],
      ['what we need is an admin panel', 'admin_panel', answers(['admin_panel', 'yes', 'admin panel'])],
      ['what do we need an admin panel for?', 'admin_panel', question('what do we need an admin panel for?')],
      ['why', 'scale', cmd('why')],
      ['what do you recommend', 'scale', cmd('result')],
      // Asking for the verdict so far is the result command, not a question for the knowledge base.
      ['what do you recommend so far?', 'scale', cmd('result')],
      ["What's your recommendation?", 'scale', cmd('result')],
      ['results so far', 'scale', cmd('result')],
      ['where do we stand?', 'scale', cmd('result')],
      ['how does this work', 'scale', cmd('help')],
    ]);
  });

  describe('free text answers the current question first', () => {
    table(real, [
      // Users of the product are not developers on the team.
      ['only about 20 people in ops will use it', 'scale', answers(['scale', 'small', '20 people'])],
      ['around 300 employees will use it', 'scale', answers(['scale', 'small', '300 employees'])],
      ['20 people', 'scale', answers(['scale', 'small', '20 people'])],
      ['20 people', 'team_size', answers(['team_size', 'large', '20 people'])],
      ["we're 3 people and about 2000 customers", 'scale', answers(['scale', 'growing', '2000 customers'], ['team_size', 'small', '3 people'])],
      // "as long as" is no lifetime; "no idea" skips the question being asked.
      ['no idea, as long as I care', 'lifetime', answers(['lifetime', 'skip', 'no idea'])],
      ['as long as it works', 'lifetime', unknown('no_match')],
      ['as soon as possible', 'time_to_market', answers(['time_to_market', 'urgent', 'as soon as possible'])],
      // Everyday words fill the asked criterion, or one named with them, but no other.
      ['long', 'lifetime', answers(['lifetime', 'long', 'long'])],
      ['long', 'scale', unknown('no_match')],
      ['a long lifetime', 'scale', answers(['lifetime', 'long', 'long'])],
      ['secure', 'security', answers(['security', 'critical', 'secure'])],
      ['secure', 'database', unknown('no_match')],
      ['tiny', 'team_size', answers(['team_size', 'small', 'tiny'])],
      ['tiny', 'scale', answers(['scale', 'small', 'tiny'])],
      ['huge', 'team_size', answers(['team_size', 'large', 'huge'])],
      ['fast', 'time_to_market', answers(['time_to_market', 'urgent', 'fast'])],
      ['fast', 'performance', answers(['performance', 'critical', 'fast'])],
      // Named unmistakably: filled, whatever is asked.
      ['postgres', 'scale', answers(['database', 'relational', 'postgres'])],
      ['8 developers', 'scale', answers(['team_size', 'large', '8 developers'])],
    ]);
  });

  describe('misspellings and near-misses', () => {
    table(real, [
      ['postgress', 'database', answers(['database', 'relational', 'postgress'])],
      ['postgress', null, answers(['database', 'relational', 'postgress'])],
      ['relatonal', 'database', answers(['database', 'relational', 'relatonal'])],
      ['growng', 'scale', answers(['scale', 'growing', 'growng'])],
      ['sql', 'database', answers(['database', 'relational', 'sql'])],
      ['mongodb', null, answers(['database', 'nosql', 'mongodb'])],
      ['mongdb', null, answers(['database', 'nosql', 'mongdb'])],
      ['microservces', 'architecture', answers(['architecture', 'microservices', 'microservces'])],
      ['dashbord', 'project_type', answers(['project_type', 'dashboard', 'dashbord'])],
      ['ecomerce site', 'project_type', answers(['project_type', 'ecommerce', 'ecomerce'])],
      // An English word is never corrected into another: "layer" is not "later".
      ['layer', 'admin_panel', unknown('no_match')],
      ['vast', 'performance', unknown('no_match')],
    ]);
  });

  describe('word numbers, head counts, durations and user counts', () => {
    table(real, [
      ['three developers', null, answers(['team_size', 'small', 'three developers'])],
      ['a dozen engineers', null, answers(['team_size', 'large', 'a dozen engineers'])],
      ['twenty five devs', null, answers(['team_size', 'large', 'twenty five devs'])],
      ['2 founders', null, answers(['team_size', 'small', '2 founders'])],
      ['just the two of us', null, answers(['team_size', 'small', 'two of us'])],
      ['2-3 devs', null, answers(['team_size', 'small', '2-3 devs'])],
      ['5 to 8 developers', null, answers(['team_size', 'large', '5 to 8 developers'])],
      ['more than 5 devs', null, answers(['team_size', 'large', 'more than 5 devs'])],
      ['3', 'team_size', noted('team_size', 'small', '3', 'Read "3" as 3 people; to pick option 3, say "option 3".')],
      ['4', 'team_size', answers(['team_size', 'small', '4'])],
      ['6', 'team_size', answers(['team_size', 'large', '6'])],
      ['option 3', 'team_size', answers(['team_size', 'large', 'option 3'])],
      ['9', 'architecture', outOfRange(9)],
      ['option 4', 'security', outOfRange(4)],
      ['ship in three weeks', null, answers(['time_to_market', 'urgent', 'three weeks'])],
      ['we launch in 2 months', null, answers(['time_to_market', 'urgent', '2 months'])],
      ['we need to ship in 6 months', null, answers(['time_to_market', 'normal', '6 months'])],
      ['within a year', 'time_to_market', answers(['time_to_market', 'normal', 'a year'])],
      ['for the next decade', null, answers(['lifetime', 'long', 'next decade'])],
      ['10+ years', null, answers(['lifetime', 'long', '10+ years'])],
      ['5 years', null, answers(['lifetime', 'long', '5 years'])],
      ['about 18 months', null, answers(['lifetime', 'medium', '18 months'])],
      ['a couple of months', 'lifetime', answers(['lifetime', 'short', 'a couple of months'])],
      ['3 months', 'time_to_market', answers(['time_to_market', 'urgent', '3 months'])],
      ['3 months', 'lifetime', answers(['lifetime', 'short', '3 months'])],
      ['we have 10 years of experience', null, unknown('no_match')],
      ['a few thousand users maybe', 'scale', answers(['scale', 'growing', 'a few thousand users'])],
      ['about 50k readers a month', null, answers(['scale', 'growing', '50k readers'])],
      ['1.5m visitors a day', null, answers(['scale', 'large', '1.5m visitors'])],
      ['10,000 users', null, answers(['scale', 'growing', '10,000 users'])],
      ['hundreds of thousands of users', null, answers(['scale', 'growing', 'hundreds of thousands of users'])],
      ['under 100 users', null, answers(['scale', 'small', 'under 100 users'])],
      ['50000', 'scale', answers(['scale', 'growing', '50000'])],
      // A count with no noun answers the asked question when its options count users or people.
      ['maybe 300 a month', 'scale', answers(['scale', 'small', '300'])],
      ['expect about 2 million', 'scale', answers(['scale', 'large', '2 million'])],
      ['we will be 4', 'team_size', answers(['team_size', 'small', '4'])],
      ['maybe 300 a month', 'database', unknown('no_match')],
      ['we use python 3', 'scale', unknown('no_match')],
      ['2', 'scale', answers(['scale', 'growing', '2'])],
    ]);
  });

  describe('everyday phrasings from the issue', () => {
    table(real, [
      ['single app', 'architecture', answers(['architecture', 'monolith', 'single app'])],
      ['a single application', null, answers(['architecture', 'monolith', 'single application'])],
      ['english', 'i18n', answers(['i18n', 'no', 'english'])],
      ['nothing too sensitive', 'security', answers(['security', 'standard', 'nothing too sensitive'])],
      ['nothing very sensitive', null, answers(['security', 'standard', 'nothing very sensitive'])],
      ['we like to pick our own libs', 'flexibility', answers(['flexibility', 'high', 'pick our own libs'])],
      ['we choose our own packages', null, answers(['flexibility', 'high', 'choose our own packages'])],
      ['only knows flask', null, answers(['team_experience', 'flask', 'knows flask'])],
      ['need it fast', null, answers(['time_to_market', 'urgent', 'need it fast'])],
      [
        '2 founders, one only knows flask, we need it fast and it should live 10+ years',
        'project_type',
        answers(['lifetime', 'long', '10+ years'], ['team_size', 'small', '2 founders'], ['team_experience', 'flask', 'knows flask'], ['time_to_market', 'urgent', 'need it fast']),
      ],
      [
        'startup MVP, urgent, growing',
        'project_type',
        answers(['project_type', 'prototype', 'mvp'], ['scale', 'growing', 'growing'], ['time_to_market', 'urgent', 'urgent']),
      ],
    ]);
  });
});

// ---------------------------------------------------------------------------
// The parser holds no pack vocabulary: no criterion id and no multi-word option id in its code.

describe('the parser code holds no criterion or option ids', () => {
  it('mentions none of the real pack ids as a string literal', () => {
    const real = loadKnowledge();
    const dir = new URL('../../src/conversation/', import.meta.url);
    const files = ['parse.ts', ...readdirSync(new URL('parsing/', dir)).map((f) => `parsing/${f}`)];
    const ids = new Set(real.criteria.flatMap((c) => [c.id, ...c.options.map((o) => o.id)]));
    for (const file of files) {
      const code = readFileSync(new URL(file, dir), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const literals = [...code.matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`\n]*)`/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
      // Grammar lists are English words ("no", "yes"), not ids: only multi-word ids and criterion ids count there.
      const grammar = file.endsWith('grammar.ts');
      for (const literal of literals) {
        if (!ids.has(literal)) continue;
        const isCriterion = real.criterionById.has(literal);
        expect(grammar && !isCriterion && !literal.includes('_'), `${file}: '${literal}'`).toBe(true);
      }
    }
  });
});

// ---------------------------------------------------------------------------
// Properties: any input gives a valid result and never throws.

const COMMAND_TYPES = ['back', 'skip', 'why', 'result', 'refine', 'restart', 'cancel', 'help', 'change', 'start', 'ask'];

function assertValid(knowledge: Knowledge, parsed: ParsedText): void {
  switch (parsed.kind) {
    case 'unknown':
      expect(['empty', 'too_long', 'no_match', 'ambiguous', 'out_of_range', 'no_open_question', 'ask_without_question', 'change_without_topic']).toContain(parsed.reason);
      if (parsed.reason === 'out_of_range') expect(parsed.number).toBeTypeOf('number');
      return;
    case 'question':
      expect(parsed.question.length).toBeGreaterThan(0);
      if (parsed.why !== null) expect(knowledge.criterionById.has(parsed.why)).toBe(true);
      return;
    case 'topics':
      expect(parsed.candidates.length).toBeGreaterThan(1);
      for (const c of parsed.candidates) expect(knowledge.criterionById.has(c)).toBe(true);
      return;
    case 'command':
      expect(COMMAND_TYPES).toContain(parsed.command.type);
      if (parsed.command.type === 'change') expect(knowledge.criterionById.has(parsed.command.criterion)).toBe(true);
      return;
    case 'answers': {
      expect(parsed.matches.length).toBeGreaterThan(0);
      const order = knowledge.criteria.map((c) => c.id);
      const indexes = parsed.matches.map((m) => order.indexOf(m.criterion));
      expect(indexes.every((i) => i >= 0)).toBe(true);
      // Strictly increasing: pack order, at most one match per criterion.
      expect(indexes.every((i, n) => n === 0 || i > indexes[n - 1]!)).toBe(true);
      for (const m of parsed.matches) {
        const valid = [...knowledge.criterionById.get(m.criterion)!.options.map((o) => o.id), 'skip'];
        expect(valid).toContain(m.option);
        expect(typeof m.evidence).toBe('string');
        expect(m.evidence.length).toBeGreaterThan(0);
      }
      return;
    }
  }
}

describe('parseText properties', () => {
  const real = loadKnowledge();
  const currents = fc.constantFrom<string | null>(null, 'nonexistent', ...real.criteria.map((c) => c.id));
  const vocabulary = [
    ...real.criteria.flatMap((c) => [c.title, c.id, ...c.options.flatMap((o) => [o.id, o.label, ...o.synonyms])]),
    ...['no', 'not', "don't", 'need', 'not sure', 'yes', 'nope', 'of us', 'developers', '3', 'twelve', 'team of', 'change', 'skip', 'or', 'but', ',', '.', '<@U1>', '*', '_', '\u0000', '\u200f'],
  ];
  const sentence = fc.array(fc.constantFrom(...vocabulary), { maxLength: 25 }).map((words) => words.join(' '));

  it('never throws on arbitrary strings and returns a valid result', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary-ascii' })), currents, (text, current) => {
        assertValid(real, parseText(real, text, current));
      }),
      { numRuns: 500 },
    );
  });

  it('gives valid, one-per-criterion matches for sentences made of pack vocabulary', () => {
    fc.assert(
      fc.property(sentence, currents, (text, current) => {
        assertValid(real, parseText(real, text, current));
      }),
      { numRuns: 1000 },
    );
  });

  it('is deterministic and refuses anything longer than the limit', () => {
    fc.assert(
      fc.property(fc.string({ minLength: MAX_TEXT_LENGTH + 1, maxLength: MAX_TEXT_LENGTH + 50 }), currents, (text, current) => {
        expect(parseText(real, text, current)).toEqual(unknown('too_long'));
      }),
      { numRuns: 20 },
    );
    fc.assert(
      fc.property(sentence, currents, (text, current) => {
        expect(parseText(real, text, current)).toEqual(parseText(real, text, current));
      }),
      { numRuns: 200 },
    );
  });
});

describe('understanding properties', () => {
  const real = loadKnowledge();
  const currents = fc.constantFrom<string | null>(null, ...real.criteria.map((c) => c.id));
  const topicWords = [
    ...real.criteria.flatMap((c) => [c.title, c.id, ...c.options.flatMap((o) => [o.label, ...o.synonyms, ...(o.synonyms_when_asked ?? [])])]),
    ...real.frameworks.map((f) => f.name),
    ...['3 developers', 'a few thousand users', 'three weeks', '10+ years', 'no', 'not', 'yes', 'postgress', 'option 2', '2'],
  ];
  const words = fc.array(fc.constantFrom(...topicWords), { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
  const asking = fc.constantFrom('what', 'what is', "what's", 'what about', 'how', 'how does', 'how about', 'how many', 'why', 'why is', 'why does', 'which', 'who', 'tell me about');
  const inverted = fc.constantFrom('can flask', 'can django', 'does django', 'does flask', 'is it', 'are there', 'do we', 'should we', 'could we', 'would it', 'is there', 'can you');
  const auxiliary = fc.constantFrom('can', 'could', 'does', 'do', 'is', 'are', 'should', 'would', 'will', 'has');
  const lead = fc.constantFrom('', 'so ', 'ok ', 'hey, ', 'and ', 'quick question: ');
  const questions = fc.oneof(
    fc
      .tuple(lead, asking, words, fc.boolean())
      .map(([l, q, w, mark]) => `${l}${q} ${w}${mark ? '?' : ''}`)
      // "what we need is an admin panel" is a statement (a cleft), not a question.
      .filter((text) => !/\b(?:what|how) (?:we|i|they)\b/i.test(text) || text.endsWith('?')),
    fc.tuple(lead, inverted, words, fc.boolean()).map(([l, q, w, mark]) => `${l}${q} ${w}${mark ? '?' : ''}`),
    fc.tuple(lead, auxiliary, words).map(([l, q, w]) => `${l}${q} ${w}?`),
  );
  const mixed = fc.tuple(words, asking, words).map(([a, q, w]) => ({ answer: a, text: `${a}. ${q} ${w}?` }));

  it('never records a question ("what/how/can/why ...?" over the pack vocabulary)', () => {
    fc.assert(
      fc.property(questions, currents, (text, current) => {
        const parsed = parseText(real, text, current);
        expect(parsed.kind, `${text} -> ${JSON.stringify(parsed)}`).not.toBe('answers');
      }),
      { numRuns: 2000 },
    );
  });

  it('reads no answer from the question in a message that also answers', () => {
    fc.assert(
      fc.property(mixed, currents, ({ answer, text }, current) => {
        const parsed = parseText(real, text, current);
        if (parsed.kind !== 'answers') return;
        expect(parsed.question).toBeDefined();
        for (const m of parsed.matches) {
          expect(m.option).not.toBe('skip');
          expect(normaliseText(answer), `${text} -> ${JSON.stringify(m)}`).toContain(m.evidence);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is total on any string up to the length limit (and refuses longer ones unread)', () => {
    const long = fc.oneof(
      fc.string({ maxLength: MAX_TEXT_LENGTH }),
      fc.string({ unit: 'grapheme', maxLength: MAX_TEXT_LENGTH }),
      fc.string({ unit: 'binary', maxLength: MAX_TEXT_LENGTH }),
      fc
        .array(fc.oneof(fc.constantFrom(...topicWords, ',', '.', '?', '\n', '-', '+', '10,000', '1.5k', 'as', 'not sure'), fc.string({ maxLength: 12 })), {
          maxLength: 600,
        })
        .map((parts) => parts.join(' ').slice(0, MAX_TEXT_LENGTH)),
    );
    fc.assert(
      fc.property(long, fc.constantFrom<string | null>(null, 'nonexistent', ...real.criteria.map((c) => c.id)), (text, current) => {
        assertValid(real, parseText(real, text, current));
      }),
      { numRuns: 150 },
    );
  });

  it('is total on random packs: the parser assumes no criterion or option of its own', () => {
    fc.assert(
      fc.property(randomPack, fc.array(fc.constantFrom('o0', 'o1', 'option 1', 'criterion 0', 'change criterion 1', 'why criterion 2', '3', 'not', 'no', 'yes', 'what is o2?', '5 devs', 'a year'), { maxLength: 8 }), (pack, parts) => {
        const text = parts.join(' ');
        for (const current of [null, ...pack.knowledge.criteria.map((c) => c.id)]) assertValid(pack.knowledge, parseText(pack.knowledge, text, current));
      }),
      { numRuns: 150 },
    );
  });
});
