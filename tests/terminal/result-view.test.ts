/**
 * The result in the terminal: wrapped to 80 columns when piped, a full
 * 16-answer interview's result in at most 25 lines showing each framework's
 * strongest reason, `details` printing everything, a short hint (not the whole
 * result) after words it cannot read, and piped input that resumes an
 * unfinished interview (saying so) but never a finished one. In process
 * (runTerminal on PassThrough streams) and spawned (`node bin/start.js`, as the
 * README's `printf '1\n2\nresult\n' | npm start`).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTerminal } from '../../adapters/terminal/terminal.ts';
import { effectiveReasons, favouring } from '../../src/conversation/result-view.ts';
import { rankQuestions, recommend } from '../../src/engine/recommend.ts';
import { silentLogger } from '../../src/logger.ts';
import { visibleLength, wholePercents, wrapText } from '../../src/render/text.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { realKnowledge, tempDir } from '../support/conversation.ts';
import { repoRoot } from './driver.ts';

const knowledge = realKnowledge();
const RESULT_HINT = /^ {2}details · (continue · )?change <topic> · restart · quit$/m;

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('advisor-result-view-');
});
afterEach(() => dir.cleanup());

describe('wholePercents', () => {
  it('gives whole percents that add up to 100, the largest remainders rounded up', () => {
    expect(wholePercents([7 / 8, 1 / 8])).toEqual([88, 12]);
    expect(wholePercents([1 / 3, 1 / 3, 1 / 3])).toEqual([34, 33, 33]);
    expect(wholePercents([2 / 3, 1 / 3])).toEqual([67, 33]);
    expect(wholePercents([1, 0])).toEqual([100, 0]);
    expect(wholePercents([0.5, 0.5])).toEqual([50, 50]);
  });

  it('leaves shares that are all zero at 0%', () => {
    expect(wholePercents([0, 0])).toEqual([0, 0]);
  });
});

describe('wrapText', () => {
  it('wraps at spaces to the width, indenting a list item under its text', () => {
    const text = `  • ${'word '.repeat(40).trim()}\nshort line\n  ! ${'caveat '.repeat(20).trim()}`;
    const wrapped = wrapText(text, 40).split('\n');
    for (const line of wrapped) expect(visibleLength(line)).toBeLessThanOrEqual(40);
    expect(wrapped[0]!.startsWith('  • word')).toBe(true);
    expect(wrapped[1]!.startsWith('    word')).toBe(true);
    expect(wrapped).toContain('short line');
    expect(wrapped.find((l) => l.startsWith('  ! '))).toBeDefined();
    expect(wrapped.at(-1)!.startsWith('    caveat')).toBe(true);
    // Nothing is lost: the same words, in order.
    expect(wrapped.join(' ').split(/\s+/).filter(Boolean)).toEqual(text.split(/\s+/).filter(Boolean));
  });

  it('ignores colour codes when measuring, and cuts a word longer than a line', () => {
    const bold = `\u001b[1m${'x'.repeat(30)} ${'y'.repeat(30)}\u001b[22m`;
    expect(wrapText(bold, 40).split('\n')).toHaveLength(2);
    expect(wrapText('z'.repeat(100), 40).split('\n').map((l) => l.length)).toEqual([40, 40, 20]);
    expect(wrapText('fits', 80)).toBe('fits');
  });
});

/** A terminal run in process on a SQLite file, typed into line by line like a pipe (plain text, 80 columns). */
class InProcessTerminal {
  text = '';
  private cursor = 0;
  private readonly input = new PassThrough();
  private readonly output = new PassThrough();
  readonly done: Promise<void>;

  constructor(store: SqliteSessionStore) {
    this.output.setEncoding('utf8');
    this.output.on('data', (chunk: string) => (this.text += chunk));
    this.done = runTerminal({ store, knowledge, logger: silentLogger(), ttlMs: 24 * 3_600_000, input: this.input, output: this.output, interactive: false, user: 'result-view' });
  }

  send(line: string): void {
    this.input.write(`${line}\n`);
  }

  async end(): Promise<string> {
    this.input.end();
    await this.done;
    return this.text;
  }

  /** Waits for `regex` after the cursor; returns the text from the cursor to the end of the match. */
  async waitFor(regex: RegExp): Promise<string> {
    for (let waited = 0; waited < 30_000; waited += 10) {
      const rest = this.text.slice(this.cursor);
      const match = regex.exec(rest);
      if (match) {
        this.cursor += match.index + match[0].length;
        return rest.slice(0, match.index + match[0].length);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no ${regex} in:\n${this.text.slice(this.cursor)}`);
  }
}

const QUESTION_END = /^ {2}type a number or your own words · skip · back · why · result · help\n/m;
const SETTLED_END = /^ {2}type result to see it, or continue to keep refining\n/m;

/** Answers every question with `pick` (continuing past the offer) and returns the result as printed, with the answers given. */
async function answerEverything(t: InProcessTerminal, pick: (criterion: string) => number): Promise<{ result: string; answers: Record<string, string> }> {
  const answers: Record<string, string> = {};
  for (let turn = 0; turn < 40; turn++) {
    const shown = await t.waitFor(new RegExp(`${QUESTION_END.source}|${SETTLED_END.source}|${RESULT_HINT.source}\\n`, 'm'));
    if (SETTLED_END.test(shown)) {
      t.send('continue');
      continue;
    }
    if (RESULT_HINT.test(shown)) {
      // The result is the message after the last blank line (the compact result has none inside).
      return { result: shown.slice(shown.lastIndexOf('\n\n') + 2).replace(/\n$/, ''), answers };
    }
    const criterion = rankQuestions(knowledge, answers)[0]!;
    const c = knowledge.criterionById.get(criterion)!;
    expect(shown).toContain(c.question.split(' ')[0]!);
    const index = pick(criterion) % c.options.length;
    answers[criterion] = c.options[index]!.id;
    t.send(String(index + 1));
  }
  throw new Error('the interview did not end');
}

/** The line a compact result shows for a reason: "  • Title: Answer (+3 Django)". */
function reasonLine(criterion: string, answers: Record<string, string>): string {
  const c = knowledge.criterionById.get(criterion)!;
  return `  • ${c.title}: ${c.options.find((o) => o.id === answers[criterion])!.label}`;
}

describe('the result of a full interview at 80 columns', { timeout: 120_000 }, () => {
  const profiles: [string, (criterion: string) => number][] = [
    ['first options', () => 0],
    ['last options', () => 7],
    ['mixed', (criterion) => criterion.length],
  ];

  it.each(profiles)('%s: at most 25 lines, none over 80 columns, each framework with its strongest reason', async (_name, pick) => {
    const store = SqliteSessionStore.open(join(dir.path, 'sessions.db'));
    try {
      const t = new InProcessTerminal(store);
      const { result, answers } = await answerEverything(t, pick);
      expect(Object.keys(answers)).toHaveLength(knowledge.criteria.length);
      const lines = result.split('\n');
      expect(lines.length, result).toBeLessThanOrEqual(25);
      for (const line of lines) expect(visibleLength(line), line).toBeLessThanOrEqual(80);
      const rec = recommend(knowledge, answers);
      expect(lines[0]).toMatch(/ is the better fit for this project$| are tied so far$/);
      expect(result).toMatch(/Based on 16 answers/);
      expect(result).not.toMatch(/\b1 points\b|\b1 smaller reasons\b|\bpts\b/);
      // Every framework that has a reason shows its strongest one.
      for (const framework of rec.ranking) {
        const mine = effectiveReasons(rec.reasons).filter((r) => favouring(r)?.framework === framework);
        if (mine.length === 0) continue;
        const name = knowledge.frameworkById.get(framework)!.name;
        expect(result).toMatch(new RegExp(`\\nFor ${name}(?: \\(\\d+ of \\d+ reasons\\))?:\\n`));
        const strongest = Math.max(...mine.map((r) => favouring(r)!.by));
        const shown = mine.filter((r) => wrapText(result, 10_000).includes(reasonLine(r.criterion, answers)));
        expect(shown.some((r) => favouring(r)!.by === strongest), `${name}'s strongest reason in:\n${result}`).toBe(true);
      }

      // Words it cannot read: a short hint, not the result again.
      t.send('blah blah');
      const hint = await t.waitFor(/restart or help\.\n/);
      expect(hint).toBe(`\n${wrapText("I didn't catch that. The result is above: say details for everything behind it, change <topic> to revise an answer, restart or help.", 80)}\n`);

      // details: every page, every line within 80 columns, ending with the sources.
      t.send('details');
      const details = await t.waitFor(/\nSources:\n(?: {2}• .+\n)+/);
      expect(details).toMatch(/^\nEverything behind the result/);
      for (const line of details.split('\n')) expect(visibleLength(line)).toBeLessThanOrEqual(80);
      for (const reason of effectiveReasons(rec.reasons)) expect(wrapText(details, 10_000)).toContain(`${reasonLine(reason.criterion, answers)} (`);
      await t.end();
    } finally {
      await store.close();
    }
  });
});

describe('coming back to the terminal', { timeout: 120_000 }, () => {
  it('an unfinished interview is picked up, saying so and how to start over, also after a look at its result', async () => {
    const path = join(dir.path, 'sessions.db');
    const run = async (lines: string[]): Promise<string> => {
      const store = SqliteSessionStore.open(path);
      try {
        const t = new InProcessTerminal(store);
        await t.waitFor(QUESTION_END);
        for (const line of lines) t.send(line);
        // Wait for every line's reply before ending input.
        await t.waitFor(lines.at(-1) === 'result' ? RESULT_HINT : new RegExp(`(?:${QUESTION_END.source}[\\s\\S]*){${lines.length}}`, 'm'));
        return await t.end();
      } finally {
        await store.close();
      }
    };
    const first = await run(['1']);
    expect(first).not.toMatch(/Picking up/);
    const second = await run(['2', 'result']);
    expect(second).toContain(`\n${wrapText('Picking up your unfinished interview (1 answer so far); type restart to start over.', 80)}\n`);
    expect(second).toMatch(RESULT_HINT);
    const third = await run(['1']);
    expect(third).toContain(`\n${wrapText('Picking up your unfinished interview (2 answers so far, and a look at its result); say result to see it again, or restart to start over.', 80)}\n`);
    expect(third).not.toMatch(/a new one begins/);
    expect(third).toMatch(/\nQuestion 3 · /);
  });
});

/** `printf '<input>' | npm start`: node bin/start.js with everything on stdin at once, then its end. */
function pipedStart(databasePath: string, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/start.js'], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_PATH: databasePath, LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '', DISCORD_TOKEN: '', DISCORD_APPLICATION_ID: '', DISCORD_GUILD_ID: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe("the README's piped example", { timeout: 120_000 }, () => {
  it("printf '1\\n2\\nresult\\n' | npm start answers the first two questions and shows the result; run again, it continues that interview", async () => {
    const path = join(dir.path, 'piped.db');
    const q1 = rankQuestions(knowledge, {})[0]!;
    const o1 = knowledge.criterionById.get(q1)!.options[0]!;
    const q2 = rankQuestions(knowledge, { [q1]: o1.id })[0]!;
    const o2 = knowledge.criterionById.get(q2)!.options[1]!;
    const winner = recommend(knowledge, { [q1]: o1.id, [q2]: o2.id }).winner;

    const q3 = rankQuestions(knowledge, { [q1]: o1.id, [q2]: o2.id })[0]!;
    const o3 = knowledge.criterionById.get(q3)!.options[0]!;
    for (const run of [1, 2]) {
      const { code, stdout, stderr } = await pipedStart(path, '1\n2\nresult\n');
      expect(code, stderr).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).not.toMatch(/\u001b\[|^> /m);
      for (const line of stdout.split('\n')) expect(visibleLength(line), line).toBeLessThanOrEqual(80);
      const flat = wrapText(stdout, 10_000).replace(/\n(?! )/g, ' ');
      if (run === 1) {
        expect(stdout).toContain(`✓ ${knowledge.criterionById.get(q1)!.title}: ${o1.label} (from "1")`);
        expect(stdout).toContain(`✓ ${knowledge.criterionById.get(q2)!.title}: ${o2.label} (from "2")`);
        expect(stdout).toMatch(new RegExp(`\\n${knowledge.frameworkById.get(winner ?? '')?.name ?? 'Django and Flask'} (leads so far|are tied so far)\\n`));
      } else {
        // The first run only looked at its result: this one picks it up, and "1" answers the next question.
        expect(stdout).toContain(`✓ ${knowledge.criterionById.get(q3)!.title}: ${o3.label} (from "1")`);
      }
      expect(stdout).toMatch(RESULT_HINT);
      // Shown once: no repeats of the result.
      expect(stdout.match(new RegExp(RESULT_HINT.source, 'gm'))).toHaveLength(1);
      expect(flat.includes('Picking up your unfinished interview (2 answers so far, and a look at its result)')).toBe(run === 2);
    }
    // One interview, continued: the first run's two answers and the second run's.
    const store = SqliteSessionStore.open(path);
    try {
      const sessions = await store.listByConversation({ platform: 'terminal', workspace: 'local', conversation: 'console' });
      expect(sessions).toHaveLength(1);
      expect(Object.keys(sessions[0]!.session.answers)).toHaveLength(4);
      expect(sessions[0]!.session.answers).toMatchObject({ [q1]: o1.id, [q2]: o2.id, [q3]: o3.id });
    } finally {
      await store.close();
    }
  });
});
