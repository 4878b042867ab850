/**
 * Loading the knowledge pack: the real pack loads, and every kind of broken
 * file stops loading with a problem naming the file, the path inside it and
 * what is wrong. Broken packs are temp copies of the real folder, edited.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdvisorError } from '../../src/errors.ts';
import { buildKnowledge, DEFAULT_KNOWLEDGE_DIR, KnowledgeError, loadKnowledge, parsePackFile } from '../../src/knowledge/load.ts';
import {
  copyRealPack,
  editYaml,
  emptyTempDir,
  indexOfId,
  knowledgeErrorOf,
  problemsOf,
  readText,
  readYaml,
  REAL_KNOWLEDGE_DIR,
  removeTempPacks,
  writeText,
} from './packs-on-disk.ts';

afterAll(removeTempPacks);

const REAL_FILES = ['claims.yaml', 'criteria.yaml', 'disputes.yaml', 'frameworks.yaml', 'sources.yaml', 'vocabulary.yaml'];

/** Ids of the real claims, in file order (claims.yaml). */
const realClaims = readYaml(REAL_KNOWLEDGE_DIR, 'claims.yaml')['claims'] as { id: string; sources: string[]; correction?: unknown }[];

describe('the real knowledge pack', () => {
  it('is the folder the loader uses by default and holds the expected files', () => {
    expect(DEFAULT_KNOWLEDGE_DIR.replace(/\/$/, '')).toBe(REAL_KNOWLEDGE_DIR.replace(/\/$/, ''));
    expect(readdirSync(REAL_KNOWLEDGE_DIR).filter((n) => n.endsWith('.yaml')).sort()).toEqual(REAL_FILES);
  });

  it('loads, with every cross reference resolved', () => {
    const k = loadKnowledge();
    expect(k.frameworks.map((f) => f.id)).toEqual(['django', 'flask']);
    expect(k.criteria.length).toBeGreaterThanOrEqual(14);
    expect(k.claims.length).toBe(realClaims.length);
    for (const claim of k.claims) {
      for (const s of claim.sources) expect(k.sourceById.has(s), `${claim.id} -> ${s}`).toBe(true);
      for (const f of claim.about) expect(k.frameworkById.has(f), `${claim.id} about ${f}`).toBe(true);
    }
    for (const criterion of k.criteria) {
      for (const option of criterion.options) {
        for (const effect of option.effects) {
          expect(k.frameworkById.has(effect.framework)).toBe(true);
          for (const c of effect.claims) expect(k.claimById.has(c), `${criterion.id}.${option.id} -> ${c}`).toBe(true);
        }
      }
    }
    // Every disputed claim is indexed under each dispute it takes part in.
    for (const dispute of k.disputes) {
      for (const side of dispute.sides) for (const c of side.claims) expect(k.disputesByClaim.get(c)).toContain(dispute);
    }
  });

  it('parses each real file on its own without problems', () => {
    for (const file of REAL_FILES) {
      expect(parsePackFile(file, readText(REAL_KNOWLEDGE_DIR, file)).problems, file).toEqual([]);
    }
  });

  it('loads from an unmodified temp copy exactly as from the real folder (the test helper is sound)', () => {
    const dir = copyRealPack();
    expect(readdirSync(dir).sort()).toEqual(readdirSync(REAL_KNOWLEDGE_DIR).sort());
    const copy = loadKnowledge(dir);
    const real = loadKnowledge(REAL_KNOWLEDGE_DIR);
    expect(copy.claims).toEqual(real.claims);
    expect(copy.criteria).toEqual(real.criteria);
  });

  it('round-trips through the yaml package without changing meaning (yes/no ids stay strings)', () => {
    const dir = copyRealPack();
    for (const file of REAL_FILES) editYaml(dir, file, () => {});
    const k = loadKnowledge(dir);
    expect(k.criterionById.get('admin_panel')!.options.map((o) => o.id)).toEqual(['yes', 'later', 'no']);
    expect(k.criteria).toEqual(loadKnowledge().criteria);
  });
});

describe('a broken knowledge file names the file, the path inside it and the problem', () => {
  it('invalid YAML syntax: the file and the line number', () => {
    const dir = copyRealPack();
    const lines = readText(dir, 'frameworks.yaml').split('\n');
    const flaskLine = lines.indexOf('  - id: flask'); // 0-based
    expect(flaskLine).toBeGreaterThan(0);
    lines.splice(flaskLine + 1, 0, '  - id: flask: again');
    writeText(dir, 'frameworks.yaml', lines.join('\n'));
    const badLine = flaskLine + 2; // 1-based number of the inserted line

    const error = knowledgeErrorOf(() => loadKnowledge(dir));
    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems.every((p) => p.file === 'frameworks.yaml')).toBe(true);
    expect(error.problems[0]).toEqual({ file: 'frameworks.yaml', path: `line ${badLine}`, message: expect.stringMatching(/^not valid YAML: /) });
    expect(error.message).toContain(`frameworks.yaml: line ${badLine}: not valid YAML`);
  });

  it('a key given twice in one file is a YAML error, not a silent overwrite', () => {
    const dir = copyRealPack();
    writeText(dir, 'sources.yaml', readText(dir, 'sources.yaml') + '\nsources: []\n');
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems).toContainEqual({ file: 'sources.yaml', path: expect.any(String), message: expect.stringMatching(/not valid YAML: .*unique/) });
  });

  it('unknown top-level key', () => {
    const dir = copyRealPack();
    editYaml(dir, 'sources.yaml', (d) => {
      d['publishers'] = [];
    });
    const error = knowledgeErrorOf(() => loadKnowledge(dir));
    expect(error.problems).toEqual([{ file: 'sources.yaml', path: '', message: expect.stringContaining('"publishers"') }]);
    expect(error.problems[0]!.message).toMatch(/unrecognized key/i);
    expect(error.message).toContain('sources.yaml: (top level): ');
  });

  it('unknown key inside an item (a typo of a field name)', () => {
    const dir = copyRealPack();
    editYaml(dir, 'claims.yaml', (d) => {
      d['claims'][2].weight = 3;
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'claims.yaml', path: 'claims[2]', message: expect.stringMatching(/unrecognized key.*"weight"/i) },
    ]);
  });

  it('unknown source in a claim', () => {
    const dir = copyRealPack();
    const index = realClaims[0]!.sources.length;
    editYaml(dir, 'claims.yaml', (d) => {
      d['claims'][0].sources.push('wikipedia');
    });
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems).toEqual([{ file: 'claims.yaml', path: `claims[0].sources[${index}]`, message: expect.stringContaining('unknown source "wikipedia"') }]);
    // It lists the sources that do exist.
    expect(problems[0]!.message).toContain('ussllc');
    expect(problems[0]!.message).toContain('django_docs_async');
  });

  it('effect on an unknown framework', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][0].options[0].effects[0].framework = 'pyramid';
    });
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems).toEqual([
      { file: 'criteria.yaml', path: 'criteria[0].options[0].effects[0].framework', message: expect.stringContaining('unknown framework "pyramid"') },
    ]);
    expect(problems[0]!.message).toContain('django, flask');
  });

  it('claim about an unknown framework', () => {
    const dir = copyRealPack();
    editYaml(dir, 'claims.yaml', (d) => {
      d['claims'][1].about = ['fastapi'];
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'claims.yaml', path: 'claims[1].about[0]', message: expect.stringContaining('unknown framework "fastapi"') },
    ]);
  });

  it('option without a label', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      delete d['criteria'][1].options[0].label;
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'criteria.yaml', path: 'criteria[1].options[0].label', message: expect.stringMatching(/expected string|required/i) },
    ]);
  });

  it('empty (blank) label', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][1].options[2].label = '   ';
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'criteria.yaml', path: 'criteria[1].options[2].label', message: 'must not be empty' },
    ]);
  });

  it('duplicate criterion id', () => {
    const dir = copyRealPack();
    const criteria = readYaml(dir, 'criteria.yaml')['criteria'] as { id: string }[];
    const scaleIndex = indexOfId(criteria, 'scale');
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][scaleIndex + 1].id = 'scale';
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      {
        file: 'criteria.yaml',
        path: `criteria[${scaleIndex + 1}].id`,
        message: `duplicate criterion id "scale" (first defined in criteria.yaml at criteria[${scaleIndex}])`,
      },
    ]);
  });

  it('duplicate claim id across two files: the message names both places', () => {
    const dir = copyRealPack();
    const first = indexOfId(realClaims, 'django_orm');
    writeText(
      dir,
      'more-claims.yaml',
      'claims:\n  - id: flask_sqlalchemy\n    text: Flask projects often use SQLAlchemy.\n    sources: [ussllc]\n    about: [flask]\n' +
        '  - id: django_orm\n    text: Django ships an ORM.\n    sources: [ussllc]\n    about: [django]\n',
    );
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems).toEqual([
      {
        file: 'more-claims.yaml',
        path: 'claims[1].id',
        message: `duplicate claim id "django_orm" (first defined in claims.yaml at claims[${first}])`,
      },
    ]);
  });

  it('duplicate option id within a criterion', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][0].options[3].id = 'web_app';
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'criteria.yaml', path: 'criteria[0].options[3].id', message: 'duplicate option id "web_app" in criterion "project_type"' },
    ]);
  });

  it('an option with the reserved id "skip"', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][2].options[1].id = 'skip';
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'criteria.yaml', path: 'criteria[2].options[1].id', message: expect.stringMatching(/"skip" is reserved/) },
    ]);
  });

  it('points out of range: 4, -1 and 1.5 are each reported at their own path', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][0].options[1].effects[0].points = 4;
      d['criteria'][0].options[2].effects[0].points = -1;
      d['criteria'][0].options[3].effects[0].points = 1.5;
    });
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems).toEqual([
      { file: 'criteria.yaml', path: 'criteria[0].options[1].effects[0].points', message: expect.stringMatching(/<=\s*3/) },
      { file: 'criteria.yaml', path: 'criteria[0].options[2].effects[0].points', message: expect.stringMatching(/>=\s*0/) },
      { file: 'criteria.yaml', path: 'criteria[0].options[3].effects[0].points', message: expect.stringMatching(/int/) },
    ]);
  });

  it('an effect that gives points without naming claims (empty list or no list)', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][0].options[0].effects[0].claims = [];
      delete d['criteria'][0].options[1].effects[0].claims;
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'criteria.yaml', path: 'criteria[0].options[0].effects[0].claims', message: 'an effect that gives points must name the claims behind it' },
      { file: 'criteria.yaml', path: 'criteria[0].options[1].effects[0].claims', message: 'an effect that gives points must name the claims behind it' },
    ]);
  });

  it('an effect with 0 points needs no claims (not over-strict)', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][0].options[0].effects[0] = { framework: 'django', points: 0 };
    });
    const k = loadKnowledge(dir);
    expect(k.criteria[0]!.options[0]!.effects[0]).toEqual({ framework: 'django', points: 0, claims: [] });
  });

  it('claim without sources (empty list, and no list at all)', () => {
    const dir = copyRealPack();
    editYaml(dir, 'claims.yaml', (d) => {
      d['claims'][0].sources = [];
      delete d['claims'][1].sources;
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'claims.yaml', path: 'claims[0].sources', message: 'a claim must name at least one source' },
      { file: 'claims.yaml', path: 'claims[1].sources', message: expect.stringMatching(/expected array|required/i) },
    ]);
  });

  it('a correction citing an article instead of official docs', () => {
    const dir = copyRealPack();
    const index = indexOfId(realClaims, 'django_no_builtin_async');
    expect(realClaims[index]!.correction).toBeDefined();
    editYaml(dir, 'claims.yaml', (d) => {
      d['claims'][index].correction.sources = ['django_docs_async', 'stx_next'];
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      {
        file: 'claims.yaml',
        path: `claims[${index}].correction.sources[1]`,
        message: 'a correction must cite official documentation, but "stx_next" is an article',
      },
    ]);
  });

  it('a correction citing an unknown source', () => {
    const dir = copyRealPack();
    const index = indexOfId(realClaims, 'django_no_api_support');
    editYaml(dir, 'claims.yaml', (d) => {
      d['claims'][index].correction.sources = ['django_rest_framework_docs'];
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'claims.yaml', path: `claims[${index}].correction.sources[0]`, message: expect.stringContaining('unknown source "django_rest_framework_docs"') },
    ]);
  });

  it('a dispute with only one side', () => {
    const dir = copyRealPack();
    editYaml(dir, 'disputes.yaml', (d) => {
      d['disputes'][1].sides = d['disputes'][1].sides.slice(0, 1);
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'disputes.yaml', path: 'disputes[1].sides', message: 'a dispute needs at least two sides' },
    ]);
  });

  it('a dispute side citing an unknown claim', () => {
    const dir = copyRealPack();
    const sideClaims = (readYaml(dir, 'disputes.yaml')['disputes'] as { sides: { claims: string[] }[] }[])[0]!.sides[1]!.claims;
    editYaml(dir, 'disputes.yaml', (d) => {
      d['disputes'][0].sides[1].claims.push('django_is_always_faster');
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'disputes.yaml', path: `disputes[0].sides[1].claims[${sideClaims.length}]`, message: 'unknown claim "django_is_always_faster"' },
    ]);
  });

  it('a framework summary resting on an unknown claim', () => {
    const dir = copyRealPack();
    editYaml(dir, 'frameworks.yaml', (d) => {
      d['frameworks'][1].claims[0] = 'flask_is_magic';
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'frameworks.yaml', path: 'frameworks[1].claims[0]', message: 'unknown claim "flask_is_magic"' },
    ]);
  });

  it('invalid id formats (upper case, hyphen, leading digit)', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][0].id = 'Project_Type';
      d['criteria'][0].options[0].id = 'web-app';
      d['criteria'][1].options[0].id = '2small';
    });
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems.map((p) => [p.file, p.path])).toEqual([
      ['criteria.yaml', 'criteria[0].id'],
      ['criteria.yaml', 'criteria[0].options[0].id'],
      ['criteria.yaml', 'criteria[1].options[0].id'],
    ]);
    for (const p of problems) expect(p.message).toMatch(/must be a lower-case id/);
  });

  it('a file whose top level is a list instead of sections', () => {
    const dir = copyRealPack();
    writeText(dir, 'extra.yaml', '- id: django\n- id: flask\n');
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([{ file: 'extra.yaml', path: '', message: expect.stringMatching(/expected object/) }]);
  });

  it('an empty folder', () => {
    const dir = emptyTempDir();
    writeText(dir, 'README.md', '# not knowledge\n');
    const error = knowledgeErrorOf(() => loadKnowledge(dir));
    expect(error.problems).toEqual([{ file: dir, path: '', message: 'no .yaml files in the knowledge folder' }]);
  });

  it('a .yaml entry that cannot be read as a file (a folder named old.yaml) is skipped or reported, never a raw crash', () => {
    const dir = copyRealPack();
    mkdirSync(join(dir, 'old.yaml'));
    let thrown: unknown;
    try {
      loadKnowledge(dir);
    } catch (error) {
      thrown = error;
    }
    if (thrown !== undefined) {
      expect(thrown).toBeInstanceOf(KnowledgeError);
      expect((thrown as KnowledgeError).problems).toEqual([{ file: 'old.yaml', path: '', message: expect.any(String) }]);
    }
  });

  it('a missing folder', () => {
    const dir = join(emptyTempDir(), 'does-not-exist');
    const error = knowledgeErrorOf(() => loadKnowledge(dir));
    expect(error.problems).toEqual([{ file: dir, path: '', message: expect.stringMatching(/^cannot read the knowledge folder: .*ENOENT/) }]);
  });

  it('fewer than two frameworks (flask removed from the real pack)', () => {
    const dir = copyRealPack();
    editYaml(dir, 'frameworks.yaml', (d) => {
      d['frameworks'] = d['frameworks'].filter((f: { id: string }) => f.id !== 'flask');
    });
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems).toContainEqual({ file: expect.any(String), path: 'frameworks', message: 'a knowledge pack needs at least two frameworks to compare' });
    // Everything that still points at flask is reported too, in the same error.
    expect(problems).toContainEqual({ file: 'criteria.yaml', path: expect.stringMatching(/\.effects\[\d+\]\.framework$/), message: expect.stringContaining('unknown framework "flask"') });
  });

  it('fewer than two frameworks: the problem names the file that defines the frameworks', () => {
    // A minimal, otherwise valid pack with one framework, split the way the real pack is.
    const dir = emptyTempDir();
    writeText(dir, 'sources.yaml', 'sources:\n  - {id: src, kind: article, publisher: P, title: T, label: "P: T"}\n');
    writeText(dir, 'frameworks.yaml', 'frameworks:\n  - {id: django, name: Django, summary: A framework.}\n');
    writeText(dir, 'claims.yaml', 'claims:\n  - {id: c1, text: A claim., sources: [src], about: [django]}\n');
    writeText(
      dir,
      'criteria.yaml',
      'criteria:\n  - id: scale\n    title: Scale\n    question: How big?\n    why: Because.\n    options:\n' +
        '      - {id: small, label: Small}\n      - {id: large, label: Large, effects: [{framework: django, points: 2, claims: [c1]}]}\n',
    );
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'frameworks.yaml', path: 'frameworks', message: 'a knowledge pack needs at least two frameworks to compare' },
    ]);
  });

  it('several problems in several files are all reported at once', () => {
    const dir = copyRealPack();
    editYaml(dir, 'sources.yaml', (d) => {
      d['sources'][0].kind = 'blog';
    });
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][3].options[0].label = '';
    });
    editYaml(dir, 'disputes.yaml', (d) => {
      d['disputes'][2].sides = [d['disputes'][2].sides[0]];
    });
    writeText(dir, 'zz-notes.yaml', 'claims: [unclosed\n');
    const error = knowledgeErrorOf(() => loadKnowledge(dir));
    expect(error.problems.map((p) => [p.file, p.path])).toEqual([
      ['criteria.yaml', 'criteria[3].options[0].label'],
      ['disputes.yaml', 'disputes[2].sides'],
      ['sources.yaml', 'sources[0].kind'],
      ...error.problems.filter((p) => p.file === 'zz-notes.yaml').map((p) => ['zz-notes.yaml', p.path]),
    ]);
    expect(error.problems.filter((p) => p.file === 'zz-notes.yaml').length).toBeGreaterThan(0);
    expect(error.problems.find((p) => p.file === 'sources.yaml')!.message).toMatch(/article.*official_docs/);
    expect(error.message).toMatch(new RegExp(`^The knowledge base is invalid \\(${error.problems.length} problems\\):`));
    for (const p of error.problems) expect(error.message).toContain(`  ${p.file}: ${p.path || '(top level)'}: ${p.message}`);
  });

  it('several cross-reference problems in one load are all reported at once', () => {
    const dir = copyRealPack();
    editYaml(dir, 'claims.yaml', (d) => {
      d['claims'][0].sources = ['nobody'];
    });
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][0].options[0].effects[0].framework = 'bottle';
      d['criteria'][1].options[1].id = d['criteria'][1].options[0].id;
    });
    editYaml(dir, 'disputes.yaml', (d) => {
      d['disputes'][0].sides[0].claims = ['ghost_claim'];
    });
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems.map((p) => `${p.file} ${p.path}`).sort()).toEqual(
      [
        'claims.yaml claims[0].sources[0]',
        'criteria.yaml criteria[0].options[0].effects[0].framework',
        'criteria.yaml criteria[1].options[1].id',
        'disputes.yaml disputes[0].sides[0].claims[0]',
      ].sort(),
    );
  });

  it('is a coded AdvisorError carrying the problems in its details', () => {
    const error = knowledgeErrorOf(() => loadKnowledge(join(emptyTempDir(), 'missing')));
    expect(error).toBeInstanceOf(AdvisorError);
    expect(error).toBeInstanceOf(KnowledgeError);
    expect(error.code).toBe('KNOWLEDGE_INVALID');
    expect(error.details['problems']).toEqual(error.problems);
    expect(error.message).toMatch(/^The knowledge base is invalid \(1 problem\):\n {2}\S/);
  });
});

describe('the answer vocabulary of the pack (typed answers)', () => {
  const criteria = readYaml(REAL_KNOWLEDGE_DIR, 'criteria.yaml')['criteria'] as { id: string; options: { id: string }[] }[];
  const at = (id: string): number => indexOfId(criteria, id);

  it('loads ranges as numbers (durations in days), the yes/no/negative options and the same-word groups', () => {
    const k = loadKnowledge();
    expect(k.criterionById.get('team_size')!.options.map((o) => o.range)).toEqual([
      { quantity: 'people', max: 1 },
      { quantity: 'people', min: 2, max: 5 },
      { quantity: 'people', min: 6 },
    ]);
    expect(k.criterionById.get('lifetime')!.options[0]!.range).toEqual({ quantity: 'lifespan', max: 9 * (365.25 / 12) });
    expect(k.criterionById.get('admin_panel')).toMatchObject({ negative_option: 'no', yes_option: 'yes', no_option: 'no' });
    expect(k.sameWords).toContainEqual(['application', 'app', 'apps', 'applications']);
    // Every negative/yes/no option and every range belongs to its own criterion.
    for (const c of k.criteria) {
      for (const key of ['negative_option', 'yes_option', 'no_option'] as const) {
        if (c[key] !== undefined) expect(c.options.map((o) => o.id)).toContain(c[key]);
      }
    }
  });

  it('a negative, yes or no option that is not an option of the criterion', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][at('admin_panel')].negative_option = 'never';
      d['criteria'][at('security')].yes_option = 'maximum';
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'criteria.yaml', path: `criteria[${at('admin_panel')}].negative_option`, message: '"never" is not an option of criterion "admin_panel" (options: yes, later, no)' },
      { file: 'criteria.yaml', path: `criteria[${at('security')}].yes_option`, message: '"maximum" is not an option of criterion "security" (options: critical, standard)' },
    ]);
  });

  it('overlapping ranges: an amount must pick one option', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][at('team_size')].options[1].range = { quantity: 'people', min: 2, max: 6 };
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      {
        file: 'criteria.yaml',
        path: `criteria[${at('team_size')}].options[2].range`,
        message: 'overlaps the range of option "small": a people amount must pick one option',
      },
    ]);
  });

  it('ranges of one criterion that count two things', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][at('team_size')].options[2].range = { quantity: 'users', min: 6 };
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'criteria.yaml', path: `criteria[${at('team_size')}].options`, message: 'the ranges of one criterion must count one thing, but they count people and users' },
    ]);
  });

  it('bad bounds: max below min, a duration without a known unit, a head count with a unit, no bound at all, an unknown quantity', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['criteria'][at('scale')].options[1].range = { quantity: 'users', min: 5000, max: 1000 };
      d['criteria'][at('lifetime')].options[0].range = { quantity: 'lifespan', max: '3 fortnights' };
      d['criteria'][at('team_size')].options[0].range = { quantity: 'people', max: '1 week' };
      d['criteria'][at('time_to_market')].options[0].range = { quantity: 'deadline' };
      d['criteria'][at('team_size')].options[1].range = { quantity: 'developers', min: 2 };
    });
    const problems = problemsOf(() => loadKnowledge(dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        { file: 'criteria.yaml', path: `criteria[${at('scale')}].options[1].range.max`, message: 'max (1000) is below min (5000)' },
        {
          file: 'criteria.yaml',
          path: `criteria[${at('lifetime')}].options[0].range.max`,
          message: '"3 fortnights" is not a duration: write a number and a unit, e.g. "3 weeks", "2.5 years" (or a number of days)',
        },
        { file: 'criteria.yaml', path: `criteria[${at('team_size')}].options[0].range.max`, message: 'a people bound must be a number, not "1 week"' },
        { file: 'criteria.yaml', path: `criteria[${at('time_to_market')}].options[0].range`, message: 'a range needs a min, a max or both' },
        { file: 'criteria.yaml', path: `criteria[${at('team_size')}].options[1].range.quantity`, message: 'must be one of: people, users, deadline, lifespan' },
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('same words: a word in two groups (across files), a phrase instead of a word, a group of one', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      d['vocabulary'] = { same_words: [['app', 'program']] };
    });
    editYaml(dir, 'vocabulary.yaml', (d) => {
      d['vocabulary'].same_words.push(['web app', 'site'], ['alone']);
    });
    const problems = problemsOf(() => loadKnowledge(dir));
    const groups = (readYaml(REAL_KNOWLEDGE_DIR, 'vocabulary.yaml')['vocabulary'] as { same_words: string[][] }).same_words.length;
    expect(problems).toEqual([
      { file: 'vocabulary.yaml', path: `vocabulary.same_words[${groups}][0]`, message: 'must be a single word (letters and digits only)' },
      { file: 'vocabulary.yaml', path: `vocabulary.same_words[${groups + 1}]`, message: 'a group needs at least two words' },
    ]);
    // Once each file is valid on its own, the clash between files is reported with both places.
    editYaml(dir, 'vocabulary.yaml', (d) => {
      d['vocabulary'].same_words.splice(groups, 2);
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      {
        file: 'vocabulary.yaml',
        path: 'vocabulary.same_words[0]',
        message: '"app" is already in another group (criteria.yaml at vocabulary.same_words[0]); a word may stand in one group only',
      },
    ]);
  });
});

describe('buildKnowledge on packs built in code', () => {
  it('reports a pack with no criteria', () => {
    const pack = {
      sources: [{ id: 's', kind: 'article' as const, publisher: null, title: null, label: 'S' }],
      frameworks: [
        { id: 'a', name: 'A', summary: 'A.', claims: [] },
        { id: 'b', name: 'B', summary: 'B.', claims: [] },
      ],
    };
    expect(problemsOf(() => buildKnowledge([{ file: 'one.yaml', pack }]))).toEqual([
      { file: 'one.yaml', path: 'criteria', message: 'a knowledge pack needs at least one criterion' },
    ]);
  });

  it('reports the same framework given two effects in one option', () => {
    const dir = copyRealPack();
    editYaml(dir, 'criteria.yaml', (d) => {
      const effects = d['criteria'][0].options[0].effects;
      effects.push({ ...effects[0] });
    });
    expect(problemsOf(() => loadKnowledge(dir))).toEqual([
      { file: 'criteria.yaml', path: 'criteria[0].options[0].effects[1].framework', message: 'framework "django" has two effects in one option' },
    ]);
  });
});
