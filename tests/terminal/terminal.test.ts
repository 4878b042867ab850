/**
 * The terminal front end end to end: `node bin/start.js` spawned with no platform
 * settings and stdin a pipe, typed into line by line (each line only after the
 * output it answers), plus one in-process run of the interactive path.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionKey } from '../../src/conversation/types.ts';
import { rankQuestions, recommend } from '../../src/engine/recommend.ts';
import Database from 'better-sqlite3';
import { silentLogger } from '../../src/logger.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { runTerminal } from '../../adapters/terminal/terminal.ts';
import { realKnowledge, tempDir } from '../support/conversation.ts';
import { TerminalDriver, killAllDrivers } from './driver.ts';

const knowledge = realKnowledge();
const CRITERIA = knowledge.criteria.length;
/** The terminal keys its session by the OS user. */
const TERMINAL_KEY: SessionKey = { platform: 'terminal', workspace: 'local', conversation: 'console', user: userInfo().username || 'local' };
const OPTIONS_HINT = '  type a number or your own words · skip · back · why · result · help';
const BANNER = 'The advisor: choose a Python web framework, one question at a time.';
const RESUMED = 'Picking up where you left off.';

let dir: ReturnType<typeof tempDir>;
let dbPath: string;

beforeEach(() => {
  dir = tempDir('advisor-terminal-');
  dbPath = join(dir.path, 'nested', 'sessions.db');
});

afterEach(() => {
  killAllDrivers();
  dir.cleanup();
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function label(criterion: string, option: string): string {
  if (option === 'skip') return "Don't know";
  return knowledge.criterionById.get(criterion)!.options.find((o) => o.id === option)!.label;
}

function title(criterion: string): string {
  return knowledge.criterionById.get(criterion)!.title;
}

/** The exact text block the terminal prints for a question. */
function questionBlock(criterion: string, answers: Record<string, string>, currentAnswer?: string): string {
  const c = knowledge.criterionById.get(criterion)!;
  const answered = Object.keys(answers).length;
  // Changing an earlier answer is labelled as such, not as the next question number.
  const where =
    answers[criterion] !== undefined
      ? `Revisiting an earlier answer (${answered} answer${answered === 1 ? '' : 's'} so far)`
      : `Question ${answered + 1}`;
  const progress = recommend(knowledge, answers).decided
    ? `${where} · the verdict is settled; more answers only add detail`
    : `${where} · verdict not settled yet`;
  return [
    progress,
    c.question,
    ...(currentAnswer === undefined ? [] : [`(currently: ${label(criterion, currentAnswer)})`]),
    ...c.options.map((o, i) => `  ${i + 1}. ${o.label}`),
    OPTIONS_HINT,
  ].join('\n');
}

/** Waits for the question the engine asks next for `answers` (exact block); returns its criterion. */
async function expectNextQuestion(d: TerminalDriver, answers: Record<string, string>): Promise<string> {
  const criterion = rankQuestions(knowledge, answers)[0]!;
  await d.expectOutput(new RegExp(`${escape(questionBlock(criterion, answers))}\n`));
  return criterion;
}

async function expectAnswered(d: TerminalDriver, criterion: string, option: string, from?: string): Promise<void> {
  const suffix = from === undefined ? '' : ` (from "${from}")`;
  await d.expectOutput(new RegExp(`✓ ${escape(`${title(criterion)}: ${label(criterion, option)}${suffix}`)}\n`));
}

async function storedSession(key: SessionKey = TERMINAL_KEY) {
  const store = SqliteSessionStore.open(dbPath);
  try {
    return (await store.load(key))?.session;
  } finally {
    await store.close();
  }
}

/** Clean end: code 0, nothing on stderr, no prompt text and no escape codes in piped output. */
async function expectCleanExit(d: TerminalDriver): Promise<void> {
  const exit = await d.exited;
  expect(exit, d.stderr).toEqual({ code: 0, signal: null });
  expect(d.stderr).toBe('');
  expect(d.stdout).not.toMatch(/^> /m);
  expect(d.stdout).not.toMatch(/>\s*$/);
  expect(d.stdout).not.toMatch(/\u001b\[/);
}

describe('terminal front end (spawned, piped stdin)', { timeout: 180_000 }, () => {
  it('runs a whole interview typed line by line, ending in an explained recommendation', async () => {
    const d = TerminalDriver.start(dbPath);
    await d.expectOutput(new RegExp(`^${escape(BANNER)}\n`));
    const answers: Record<string, string> = {};
    expect(await expectNextQuestion(d, answers)).toBe('project_type');

    // Several criteria in one line: the question asked becomes its record, and one note names every answer taken
    // (as on Slack and Discord, answers to questions not yet asked get no record of their own).
    d.send('solo dev building a small REST API');
    expect(await d.textBefore(new RegExp(`✓ ${escape('Project type: API / backend service (from "rest api")')}\n`))).toBe('\n');
    await d.expectOutput(
      /^\nGot several answers from that: Project type: API \/ backend service; Expected scale: Small \(few users\); Team size: Just one developer\. Say "change <topic>" if I misread one\.\n/,
    );
    Object.assign(answers, { project_type: 'api', scale: 'small', team_size: 'solo' });
    expect(await expectNextQuestion(d, answers)).toBe('architecture');

    // A number.
    d.send('2');
    await expectAnswered(d, 'architecture', 'microservices', '2');
    answers['architecture'] = 'microservices';
    expect(await expectNextQuestion(d, answers)).toBe('flexibility');

    // why: from the knowledge, per option, with sources.
    d.send('why');
    await d.expectOutput(new RegExp(`Why flexibility matters: ${escape(knowledge.criterionById.get('flexibility')!.why)}\n`));
    await d.expectOutput(/ {2}• Maximum freedom: \+3 Flask; Flask would lead\. Because: .+\(USSLLC: Choosing Your Python Web Framework.*\)\n/);
    await d.expectOutput(/ {2}• Happy with conventions: \+2 Django; Flask would lead\. Because: .+\(STX Next: Flask vs\. Django\)/);

    // back: the architecture question again, showing the answer it had.
    d.send('back');
    delete answers['architecture'];
    await d.expectOutput(new RegExp(escape(questionBlock('architecture', answers, 'microservices'))));

    // Words.
    d.send('monolith');
    await expectAnswered(d, 'architecture', 'monolith', 'monolith');
    answers['architecture'] = 'monolith';
    expect(await expectNextQuestion(d, answers)).toBe('flexibility');

    // change team size: asks it again, keeping the answer; a number of people answers it.
    d.send('change team size');
    await d.expectOutput(new RegExp(escape(questionBlock('team_size', answers, 'solo'))));
    d.send('8 developers');
    await expectAnswered(d, 'team_size', 'large', '8 developers');
    answers['team_size'] = 'large';
    expect(await expectNextQuestion(d, answers)).toBe('flexibility');

    // skip
    d.send('skip');
    await expectAnswered(d, 'flexibility', 'skip');
    answers['flexibility'] = 'skip';
    const afterSkip = await expectNextQuestion(d, answers);

    // help and ask change nothing.
    d.send('help');
    await d.expectOutput(/ {2}back {15}undo your last answer and ask it again\n/);
    await d.expectOutput(/ {2}change <topic> {5}answer an earlier question again, e\.g\. "change team size"\n/);
    // The core's help, and the one command only the terminal has.
    await d.expectOutput(/ {2}quit {15}leave the program; your answers are kept for next time\n/);
    d.send('ask does flask have an ORM?');
    await d.expectOutput(/What the sources say about orm:\n {2}• Flask has no ORM of its own; .+\[USSLLC: Choosing Your Python Web Framework/);

    d.send('1');
    const first = knowledge.criterionById.get(afterSkip)!.options[0]!.id;
    await expectAnswered(d, afterSkip, first, '1');
    answers[afterSkip] = first;
    await expectNextQuestion(d, answers);

    // result: the recommendation so far, fully explained.
    d.send('result');
    const rec = recommend(knowledge, answers);
    expect(rec.decided).toBe(false);
    const leader = knowledge.frameworkById.get(rec.winner!)!.name;
    await d.expectOutput(new RegExp(`\n${escape(leader)} leads so far\nConfidence: (Low|Medium|High): .+\\.\n\n`));
    await d.expectOutput(/ {2}Django {2}[█░]{10} {2}\d+ pts \(\d+%\)\n {2}Flask {3}[█░]{10} {2}\d+ pts \(\d+%\)\n|  Flask   [█░]{10}  \d+ pts \(\d+%\)\n  Django  [█░]{10}  \d+ pts \(\d+%\)\n/);
    const answeredCount = Object.keys(answers).length;
    await d.expectOutput(new RegExp(escape(`Based on ${answeredCount} answers (1 "don't know"); ${CRITERIA - answeredCount} questions left unanswered.`)));
    await d.expectOutput(/\nWhy:\n( {2}• .+ → \+\d (Django|Flask)\. .+ \[.+\]\n)+/);
    await d.expectOutput(/\nCaveats:\n( {2}! Sources disagree: .+\n)+/);
    await d.expectOutput(/\nWhat would change it:\n( {2}↻ If .+(would lead|it would be a tie)\.\n)+ {2}continue · change <topic> · restart · quit\n/);

    // continue: keep answering (the first option each time) to the end; when the verdict
    // becomes settled the interview says so once, and "continue" keeps refining.
    d.send('continue');
    let announcedSettled = false;
    for (let criterion = await expectNextQuestion(d, answers); ; ) {
      const option = knowledge.criterionById.get(criterion)!.options[0]!.id;
      d.send('1');
      await expectAnswered(d, criterion, option, '1');
      answers[criterion] = option;
      if (Object.keys(answers).length === CRITERIA) break;
      if (!announcedSettled && recommend(knowledge, answers).decided) {
        await d.expectOutput(/The remaining questions can no longer change this: .+ stays ahead\./);
        announcedSettled = true;
        d.send('continue');
      }
      criterion = await expectNextQuestion(d, answers);
    }
    expect(announcedSettled).toBe(true);
    const final = recommend(knowledge, answers);
    const winner = knowledge.frameworkById.get(final.winner!)!.name;
    await d.expectOutput(new RegExp(`^${escape(winner)} is the better fit for this project\n`, 'm'));
    await d.expectOutput(new RegExp(escape(`Based on ${CRITERIA} answers (1 "don't know"); 0 questions left unanswered.`)));
    await d.expectOutput(/\nWhy:\n/);
    await d.expectOutput(/ {2}change <topic> · restart · quit\n$/);

    // End of input: a clean exit, and the finished interview is stored.
    d.end();
    await expectCleanExit(d);
    const stored = await storedSession();
    expect(stored?.phase).toBe('result');
    expect(stored?.answers).toEqual(answers);
    // Everything committed was printed and marked so: nothing waits in the outbox.
    const store = SqliteSessionStore.open(dbPath);
    try {
      expect(await store.pendingOutboxCount()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('kill -9 mid-interview, then start again: resumes at the same question with the same answers', async () => {
    const first = TerminalDriver.start(dbPath);
    await first.expectOutput(new RegExp(escape(questionBlock('project_type', {}))));
    first.send('content site');
    await expectAnswered(first, 'project_type', 'content_site', 'content site');
    await first.expectOutput(new RegExp(escape(questionBlock('architecture', { project_type: 'content_site' }))));
    first.send('one codebase');
    await expectAnswered(first, 'architecture', 'monolith', 'one codebase');
    const answers = { project_type: 'content_site', architecture: 'monolith' };
    const block = questionBlock('flexibility', answers);
    expect(block.startsWith('Question 3 · verdict not settled yet\nDo you want to choose every component')).toBe(true);
    await first.expectOutput(new RegExp(escape(block)));
    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const stored = await storedSession();
    expect(stored).toMatchObject({ phase: 'asking', current: 'flexibility', answers, history: ['project_type', 'architecture'], version: 3 });

    const second = TerminalDriver.start(dbPath);
    const beforeResume = await second.textBefore(new RegExp(`${escape(RESUMED)}\n\n${escape(block)}\n`));
    expect(beforeResume).toContain(BANNER);
    expect(beforeResume).not.toMatch(/Question \d/);
    // And it carries on from exactly there.
    second.send('conventions');
    await expectAnswered(second, 'flexibility', 'low', 'conventions');
    await expectNextQuestion(second, { ...answers, flexibility: 'low' });
    second.end();
    await expectCleanExit(second);
    expect((await storedSession())?.answers).toEqual({ ...answers, flexibility: 'low' });
  });

  it('quit exits with code 0 and keeps the answers for next time', async () => {
    const d = TerminalDriver.start(dbPath);
    await d.expectOutput(new RegExp(escape(questionBlock('project_type', {}))));
    d.send('an online shop');
    await expectAnswered(d, 'project_type', 'ecommerce', 'online shop');
    const answers = { project_type: 'ecommerce' };
    const next = await expectNextQuestion(d, answers);
    d.send('quit');
    await d.expectOutput(/Your answers are saved; run npm start again to pick up where you left off\.\n/);
    // stdin is still open: quit alone ends the program.
    await expectCleanExit(d);
    expect(d.pending()).toBe('');
    expect((await storedSession())?.answers).toEqual(answers);

    const again = TerminalDriver.start(dbPath);
    await again.expectOutput(new RegExp(`${escape(RESUMED)}\n\n${escape(questionBlock(next, answers))}\n`));
    again.end();
    await expectCleanExit(again);
  });

  it('garbage input gets a clear re-ask of the same question and loses nothing', async () => {
    const d = TerminalDriver.start(dbPath);
    await d.expectOutput(new RegExp(escape(questionBlock('project_type', {}))));
    d.send('content site');
    await expectAnswered(d, 'project_type', 'content_site', 'content site');
    const answers = { project_type: 'content_site' };
    const block = questionBlock('architecture', answers);
    await d.expectOutput(new RegExp(`${escape(block)}\n`));
    const reask = (reason: string) =>
      new RegExp(`${escape(`${reason} Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.`)}\n${escape(block)}\n`);

    // Blank lines are ignored silently; the next line is answered as usual.
    d.send('');
    d.send('   \t ');
    d.send('\u0001\u0002\u0000\u0007');
    expect(await d.textBefore(reask('That message was empty.'))).toBe('\n');
    d.send('\u001b[31mred\u001b[0m\u0008');
    expect(await d.textBefore(reask("I didn't catch that."))).toBe('\n');
    d.send('x'.repeat(10_000));
    expect(await d.textBefore(reask('That message is too long for me to read; a short answer works best.'))).toBe('\n');
    d.send('<!channel>');
    expect(await d.textBefore(reask('That message was empty.'))).toBe('\n');
    d.send('<script>alert(1)</script> *bold* `rm -rf /`');
    expect(await d.textBefore(reask("I didn't catch that."))).toBe('\n');
    d.send('ünïcødé 🙂👍🏽 \u202eevil \u200b');
    expect(await d.textBefore(reask("I didn't catch that."))).toBe('\n');
    d.send('42');
    expect(await d.textBefore(reask("I didn't catch that."))).toBe('\n');

    const stored = await storedSession();
    expect(stored).toMatchObject({ phase: 'asking', current: 'architecture', answers, version: 2 });

    d.send('1');
    await expectAnswered(d, 'architecture', 'monolith', '1');
    d.end();
    await expectCleanExit(d);
    expect(d.stdout).not.toContain('\u0001');
    expect(d.stdout).not.toContain('x'.repeat(100));
    expect((await storedSession())?.answers).toEqual({ ...answers, architecture: 'monolith' });
  });

  it('"ask me more" (a documented refine phrase) continues the interview after a settled verdict', async () => {
    const d = TerminalDriver.start(dbPath);
    await d.expectOutput(new RegExp(escape(questionBlock('project_type', {}))));
    d.send('content site, one codebase, batteries included, high traffic, we know django');
    await d.expectOutput(/The remaining questions can no longer change this: Django stays ahead\. See the result now, or keep refining to add detail\.\n {2}type result to see it, or continue to keep refining\n/);
    const stored = await storedSession();
    expect(stored?.phase).toBe('settled');
    d.send('ask me more');
    // A line starting with "ask" that is a command ("ask me more") goes to the interview, not the sources.
    const shown = await d.expectOutput(/\n(Question \d+ · the verdict is settled|I need a topic|What the sources say|Ask me something)/);
    expect(shown[1]).toBe('Question 6 · the verdict is settled');
    d.end();
    await d.exited;
  });

  it('says so when the interview it would resume has expired', async () => {
    const first = TerminalDriver.start(dbPath);
    await first.expectOutput(new RegExp(escape(questionBlock('project_type', {}))));
    first.send('content site');
    await expectAnswered(first, 'project_type', 'content_site', 'content site');
    first.send('quit');
    await expectCleanExit(first);

    // Two days pass: the stored interview is long expired when the next run starts (default TTL 24 h).
    const raw = new Database(dbPath);
    raw.prepare('UPDATE sessions SET updated_at = updated_at - ?').run(2 * 24 * 3_600_000);
    raw.close();
    const second = TerminalDriver.start(dbPath);
    const beforeQuestion = await second.textBefore(new RegExp(escape(questionBlock('project_type', {}))));
    // The expired interview is announced, not silently removed by the startup cleanup.
    expect(beforeQuestion).toMatch(/expired/i);
    second.end();
    await second.exited;
  });
});

describe('terminal front end (in-process, interactive)', () => {
  it('shows the prompt and styles, answers typed lines, and ends at end of input', async () => {
    const store = SqliteSessionStore.open(dbPath);
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => (text += chunk));
    const waitFor = (regex: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${regex} in:\n${text}`)), 30_000);
        const check = (): void => {
          if (regex.test(text)) {
            clearTimeout(timer);
            output.off('data', check);
            resolve();
          }
        };
        output.on('data', check);
        check();
      });
    const key = { ...TERMINAL_KEY, user: 'interactive-tester' };
    const done = runTerminal({ store, knowledge, logger: silentLogger(), ttlMs: 24 * 3_600_000, input, output, interactive: true, user: 'interactive-tester' });
    try {
      await waitFor(/\u001b\[1mWhat kind of project are you building\?\u001b\[22m[\s\S]*> $/);
      expect(text).toContain(`\u001b[1m${BANNER}\u001b[22m`);
      expect(text).toContain('\u001b[2mQuestion 1 · verdict not settled yet\u001b[22m');
      input.write('5\n');
      await waitFor(/✓ Project type: API \/ backend service \(from "5"\)[\s\S]*> $/);
      expect((await store.load(key))?.session.answers).toEqual({ project_type: 'api' });
      input.end();
      await done;
    } finally {
      input.destroy();
      await store.close();
    }
    // The prompt came after each reply block: once at the start, once after the answer.
    expect(text.match(/> /g)?.length).toBeGreaterThanOrEqual(2);
  });
});
