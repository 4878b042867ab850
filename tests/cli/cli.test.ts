/**
 * The `advisor` CLI, spawned as a user would run it (`node bin/advisor.js ...`
 * from the repo root), good input and bad. Each spawn costs about a second, so
 * each test spawns once and checks everything about that run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recommend } from '../../src/engine/recommend.ts';
import { chanceWords } from '../../src/conversation/views.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import { copyRealPack, editYaml, emptyTempDir, removeTempPacks, writeText } from '../knowledge/packs-on-disk.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const knowledge = loadKnowledge();
const criterionIds = knowledge.criteria.map((c) => c.id);

afterAll(removeTempPacks);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function advisor(args: readonly string[], input?: string): Run {
  const result = spawnSync(process.execPath, ['bin/advisor.js', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    input: input ?? '',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** What `recommend --json` must print for these answers: the engine's result, through JSON. */
function expectedRecommendation(answers: Record<string, string>): unknown {
  return JSON.parse(JSON.stringify(recommend(knowledge, answers)));
}

describe('advisor criteria --json', () => {
  it('prints exactly {criteria:[{id,question,options:[{id,label}]}], frameworks:[{id,name}]}', () => {
    const run = advisor(['criteria', '--json']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as {
      criteria: { id: string; question: string; options: { id: string; label: string }[] }[];
      frameworks: { id: string; name: string }[];
    };
    expect(Object.keys(out).sort()).toEqual(['criteria', 'frameworks']);
    for (const c of out.criteria) {
      expect(Object.keys(c).sort()).toEqual(['id', 'options', 'question']);
      for (const o of c.options) expect(Object.keys(o).sort()).toEqual(['id', 'label']);
    }
    for (const f of out.frameworks) expect(Object.keys(f).sort()).toEqual(['id', 'name']);
    expect(out.frameworks).toEqual([
      { id: 'django', name: 'Django' },
      { id: 'flask', name: 'Flask' },
    ]);
    expect(out.criteria).toEqual(
      knowledge.criteria.map((c) => ({ id: c.id, question: c.question, options: c.options.map((o) => ({ id: o.id, label: o.label })) })),
    );
    expect(out.criteria.find((c) => c.id === 'admin_panel')!.options.map((o) => o.id)).toEqual(['yes', 'later', 'no']);
  });
});

describe('advisor recommend', () => {
  it('--answer ... --json prints the full result: winner, scores, margin, confidence, decided, next_question, reasons, caveats, flips', () => {
    const answers = { project_type: 'api', scale: 'small', time_to_market: 'urgent' };
    const run = advisor(['recommend', '--answer', 'project_type=api', '-a', 'scale=small', '--answer', 'time_to_market=urgent', '--json']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const key of ['winner', 'scores', 'margin', 'confidence', 'decided', 'next_question', 'reasons', 'caveats', 'flips']) {
      expect(out, key).toHaveProperty(key);
    }
    expect(out).toEqual(expectedRecommendation(answers));
    // Anchors independent of the engine call above.
    expect(out['winner']).toBe('flask');
    expect(out['scores']).toEqual({ django: 2, flask: 6 });
    expect(out['margin']).toBe(4);
    expect(out['decided']).toBe(false);
    // chance_of_change: a number from 0 to 1, exact (the engine's own property tests check it against brute force).
    expect(typeof out['chance_of_change']).toBe('number');
    expect(out['chance_of_change']).toBeGreaterThan(0);
    expect(out['chance_of_change']).toBeLessThan(1);
    expect(criterionIds).toContain(out['next_question']);
    expect(Object.keys(answers)).not.toContain(out['next_question']);
    expect(['low', 'medium', 'high']).toContain(out['confidence']);
    const reasons = out['reasons'] as Record<string, unknown>[];
    expect(reasons.map((r) => [r['criterion'], r['answer'], r['favours']])).toEqual([
      ['project_type', 'api', 'flask'],
      ['scale', 'small', 'flask'],
      ['time_to_market', 'urgent', 'django'],
    ]);
    for (const r of reasons) {
      for (const key of ['criterion', 'answer', 'favours', 'contribution', 'sources']) expect(r, key).toHaveProperty(key);
      expect((r['sources'] as string[]).length).toBeGreaterThan(0);
      for (const s of r['sources'] as string[]) expect(knowledge.sourceById.has(s), s).toBe(true);
    }
    // time_to_market=urgent rests on the disputed MVP-speed claims, so the caveat is there.
    expect((out['caveats'] as { kind: string; id: string }[]).some((c) => c.kind === 'dispute' && c.id === 'mvp_speed')).toBe(true);
    expect(Array.isArray(out['flips'])).toBe(true);
  });

  it('readable output by default: headline, scores, "Why" with sources, next question', () => {
    const run = advisor(['recommend', '--answer', 'project_type=content_site', '--answer', 'admin_panel=yes']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Django leads so far');
    expect(lines[1]).toMatch(/^Confidence: (Low|Medium|High)/);
    expect(run.stdout).toMatch(/Django\s+\S+\s+6 points/);
    expect(run.stdout).toMatch(/\nFor Django(?: \(\d+ of \d+ reasons\))?:\n/);
    expect(run.stdout).toContain('Content site / CMS');
    expect(run.stdout).toContain('USSLLC: Choosing Your Python Web Framework');
    expect(run.stdout).toMatch(/\nMost useful next question: .+\(--answer [a-z_]+=\.\.\.\)/);
    // The chance of change in words, with the number of questions left.
    const chance = chanceWords(recommend(knowledge, { project_type: 'content_site', admin_panel: 'yes' }).chance_of_change);
    expect(chance).toMatch(/^about an? [\d.]+% chance$/);
    expect(run.stdout).toContain(`even if you answered the ${criterionIds.length - 2} remaining questions, there is ${chance} the verdict would change.`);
    expect(run.stdout).not.toContain('{');
  });

  it('--batch FILE --json: one line out per line in, in order; bad lines name their line number; exit non-zero', () => {
    const dir = emptyTempDir();
    const file = join(dir, 'batch.jsonl');
    writeText(
      dir,
      'batch.jsonl',
      [
        JSON.stringify({ answers: { project_type: 'api', architecture: 'microservices' } }),
        '{"answers": {"project_type": "api",',
        JSON.stringify({ answers: { colour: 'blue' } }),
        JSON.stringify({ answers: { scale: 'huge' } }),
        JSON.stringify({ answers: { project_type: 'content_site', admin_panel: 'yes' } }),
        JSON.stringify({ answers: [] }),
      ].join('\n') + '\n',
    );
    const run = advisor(['recommend', '--batch', file, '--json']);
    expect(run.status).not.toBe(0);
    expect(run.status).toBe(1);
    const out = jsonLines(run.stdout) as Record<string, unknown>[];
    expect(out).toHaveLength(6);
    expect(out[0]).toEqual(expectedRecommendation({ project_type: 'api', architecture: 'microservices' }));
    expect(out[0]!['winner']).toBe('flask');
    expect(out[4]).toEqual(expectedRecommendation({ project_type: 'content_site', admin_panel: 'yes' }));
    expect(out[4]!['winner']).toBe('django');

    const errors = [1, 2, 3, 5].map((i) => (out[i] as { error: { line: number; code: string; message: string } }).error);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 6]);
    expect(errors.map((e) => e.code)).toEqual(['USAGE', 'UNKNOWN_CRITERION', 'UNKNOWN_OPTION', 'USAGE']);
    errors.forEach((e) => expect(e.message).toMatch(new RegExp(`^line ${e.line}: `)));
    expect(errors[1]!.message).toContain('"colour"');
    for (const id of criterionIds) expect(errors[1]!.message).toContain(id);
    expect(errors[2]!.message).toContain('small, growing, large, skip');
    expect(run.stderr).toContain('4 of 6 lines had errors');
  });

  it('--batch - reads stdin (CRLF line endings too); all good lines exit 0', () => {
    const input = [
      JSON.stringify({ answers: { scale: 'large', security: 'critical' } }),
      JSON.stringify({ answers: { flexibility: 'high', database: 'skip' } }),
      JSON.stringify({ answers: {} }),
    ].join('\r\n');
    const run = advisor(['recommend', '--batch', '-', '--json'], input);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(jsonLines(run.stdout)).toEqual([
      expectedRecommendation({ scale: 'large', security: 'critical' }),
      expectedRecommendation({ flexibility: 'high', database: 'skip' }),
      expectedRecommendation({}),
    ]);
  });

  it('unknown criterion: exit 2, listing the valid criteria', () => {
    const run = advisor(['recommend', '--answer', 'budget=low', '--json']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Unknown criterion "budget"');
    for (const id of criterionIds) expect(run.stderr).toContain(id);
  });

  it('unknown option: exit 2, listing the valid options of that criterion (skip included)', () => {
    const run = advisor(['recommend', '--answer', 'scale=small', '--answer', 'admin_panel=maybe']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Unknown option "maybe" for criterion "admin_panel"');
    expect(run.stderr).toContain('yes, later, no, skip');
  });
});

describe('advisor ask', () => {
  it('"does flask have an ORM?" answers from the claims and cites sources', () => {
    const run = advisor(['ask', 'does flask have an ORM?']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('What the sources say about orm:');
    const flaskOrm = knowledge.claimById.get('flask_no_builtin_orm')!;
    const labels = flaskOrm.sources.map((id) => knowledge.sourceById.get(id)!.label);
    expect(lines[1]).toBe(`  • ${flaskOrm.text} [${labels.join('; ')}]`);
    const items = lines.filter((l) => l.startsWith('  • '));
    expect(items.length).toBeGreaterThanOrEqual(2);
    for (const item of items) expect(item).toMatch(/ \[[^\]]+\]$/);
  });

  it('"what about graphql" says plainly that there is nothing', () => {
    const run = advisor(['ask', 'what', 'about', 'graphql']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^The knowledge base has nothing on "graphql"\. /);
    expect(run.stdout).not.toContain('•');
  });
});

describe('advisor knowledge check', () => {
  it('prints the summary counts of the real pack and exits 0', () => {
    const run = advisor(['knowledge', 'check']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const optionCount = knowledge.criteria.reduce((n, c) => n + c.options.length, 0);
    const articles = knowledge.sources.filter((s) => s.kind === 'article').length;
    const docs = knowledge.sources.filter((s) => s.kind === 'official_docs').length;
    expect(run.stdout).toContain('Knowledge base is valid.');
    expect(run.stdout).toContain('frameworks: 2 (Django, Flask)');
    expect(run.stdout).toMatch(new RegExp(`\\bcriteria: ${knowledge.criteria.length}\\n`));
    expect(run.stdout).toMatch(new RegExp(`\\boptions: ${optionCount} `));
    expect(run.stdout).toMatch(new RegExp(`\\bclaims: ${knowledge.claims.length}\\n`));
    expect(run.stdout).toContain(`sources: ${knowledge.sources.length} (${articles} articles, ${docs} official docs)`);
    expect(run.stdout).toContain(`disputed claims: ${knowledge.disputesByClaim.size} in ${knowledge.disputes.length} disputes`);
    expect(knowledge.disputes.length).toBeGreaterThanOrEqual(3);
  });

  it('--dir with a broken pack exits 1 naming the file, the path and the problem', () => {
    const dir = copyRealPack();
    editYaml(dir, 'claims.yaml', (d) => {
      d['claims'][0].sources = ['wikipedia'];
    });
    editYaml(dir, 'disputes.yaml', (d) => {
      d['disputes'][0].sides[0].claims = ['ghost_claim'];
    });
    const run = advisor(['knowledge', 'check', '--dir', dir]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^The knowledge base is invalid \(2 problems\):\n/);
    expect(run.stderr).toContain('claims.yaml: claims[0].sources[0]: unknown source "wikipedia"');
    expect(run.stderr).toContain('disputes.yaml: disputes[0].sides[0].claims[0]: unknown claim "ghost_claim"');
    expect(run.stderr).not.toContain('Knowledge base is valid');
  });
});

describe('usage errors', () => {
  it('unknown command: exit 2 with the usage', () => {
    const run = advisor(['recomend', '--answer', 'scale=small']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown command "recomend"');
    expect(run.stderr).toContain('Usage:');
    expect(run.stdout).toBe('');
  });

  it('no arguments: the usage and exit 2', () => {
    const run = advisor([]);
    expect(run.status).toBe(2);
    const output = run.stdout + run.stderr;
    expect(output).toContain('Usage:');
    for (const command of ['advisor criteria', 'advisor recommend', 'advisor ask', 'advisor knowledge check']) expect(output).toContain(command);
  });
});

describe('a reader that stops early', () => {
  it('`advisor recommend --batch - --json | head -c 20`: the output just ends, exit 0 and no stack trace', () => {
    // 300 recommendations are far more than a pipe holds, so the advisor is still writing when head has gone.
    // PIPESTATUS[0] is the advisor's own status; its stderr is the shell's.
    const command = 'node bin/advisor.js recommend --batch - --json | head -c 20 >/dev/null; echo "status=${PIPESTATUS[0]}"';
    const input = '{"answers":{}}\n'.repeat(300);
    const result = spawnSync('bash', ['-c', command], { cwd: repoRoot, encoding: 'utf8', input, timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(result.stdout.trim()).toBe('status=0');
    expect(result.stderr).toBe('');
  });
});
