/**
 * The terminal keeps an interview across runs: killed with -9, quit, or left
 * until it expired. `node bin/start.js` spawned with stdin a pipe; the questions
 * and options typed are read from what the engine asks (see expect.ts).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { canStopAsking } from '../../src/engine/chance.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { TerminalDriver } from './driver.ts';
import {
  BANNER,
  escape,
  expectAnswered,
  expectCleanExit,
  expectNextQuestion,
  knowledge,
  nextQuestion,
  optionAt,
  questionBlock,
  resumedLine,
  storedSession,
  TERMINAL_KEY,
  useTempDatabase,
} from './expect.ts';

const { dbPath } = useTempDatabase();

describe('terminal sessions across runs (spawned, piped stdin)', { timeout: 180_000 }, () => {
  it('kill -9 mid-interview, then start again: resumes at the same question with the same answers', async () => {
    const first = TerminalDriver.start(dbPath());
    const answers: Record<string, string> = {};
    const history: string[] = [];
    // Two questions answered in words (each option's own label), the third on screen.
    for (let i = 0; i < 2; i++) {
      const criterion = await expectNextQuestion(first, answers);
      const option = optionAt(criterion, 0);
      first.send(option.label);
      await expectAnswered(first, criterion, option.id, option.label.toLowerCase());
      answers[criterion] = option.id;
      history.push(criterion);
    }
    expect(canStopAsking(recommend(knowledge, answers))).toBe(false);
    const third = nextQuestion(answers);
    const block = questionBlock(third, answers);
    expect(block.startsWith(`Question 3 · verdict not settled yet\n`)).toBe(true);
    await first.expectOutput(new RegExp(escape(block)));
    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const stored = await storedSession(dbPath());
    expect(stored).toMatchObject({ phase: 'asking', current: third, answers, history, version: 3 });

    const second = TerminalDriver.start(dbPath());
    const beforeResume = await second.textBefore(new RegExp(`${escape(resumedLine(2))}\n\n${escape(block)}\n`));
    expect(beforeResume).toContain(BANNER);
    expect(beforeResume).not.toMatch(/Question \d/);
    // And it carries on from exactly there.
    const option = optionAt(third, 1);
    second.send(option.label.toLowerCase());
    await expectAnswered(second, third, option.id, option.label.toLowerCase());
    await expectNextQuestion(second, { ...answers, [third]: option.id });
    second.end();
    await expectCleanExit(second);
    expect((await storedSession(dbPath()))?.answers).toEqual({ ...answers, [third]: option.id });
  });

  it('killed after printing a question but before recording it as shown: the next run takes that over at once', async () => {
    const first = TerminalDriver.start(dbPath());
    const criterion = await expectNextQuestion(first, {});
    first.kill('SIGKILL');
    await first.exited;
    // The state such a kill leaves: the question still unsent, claimed by the dead run for a long while yet.
    const raw = new Database(dbPath());
    const { changes } = raw
      .prepare("UPDATE outbox SET status = 'pending', lease_owner = ?, lease_until = ? WHERE seq = (SELECT max(seq) FROM outbox)")
      .run(`terminal:${encodeURIComponent(TERMINAL_KEY.user)}#7`, Date.now() + 3_600_000);
    raw.close();
    expect(changes).toBe(1);

    const second = TerminalDriver.start(dbPath());
    await second.expectOutput(new RegExp(escape(questionBlock(criterion, {}))));
    second.end();
    await expectCleanExit(second);
    const left = new Database(dbPath(), { readonly: true });
    expect(left.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'").get()).toEqual({ n: 0 });
    left.close();
  });

  it('quit says truthfully what the next start does: a final result or a cancel ends the interview, a result seen early does not', async () => {
    const everySkipped = knowledge.criteria.map(() => 'skip');
    for (const [lines, farewell] of [
      [['quit'], /No answers yet; run npm start again whenever you are ready\.\n/],
      [[...everySkipped, 'result', 'quit'], /This interview has shown its result, so the next npm start begins a new one\.\n/],
      [['1', 'cancel', 'quit'], /This interview was cancelled, so the next npm start begins a new one\.\n/],
      [['1', 'result', 'quit'], /Your answers are saved; run npm start again to pick up where you left off\.\n/],
    ] as const) {
      const d = TerminalDriver.start(dbPath());
      await expectNextQuestion(d, {});
      for (const line of lines) d.send(line);
      await d.expectOutput(farewell);
      await expectCleanExit(d);
    }
  });

  it('quit exits with code 0 and keeps the answers for next time', async () => {
    const d = TerminalDriver.start(dbPath());
    const first = await expectNextQuestion(d, {});
    const option = optionAt(first, 0);
    d.send(option.label);
    await expectAnswered(d, first, option.id, option.label.toLowerCase());
    const answers = { [first]: option.id };
    const next = await expectNextQuestion(d, answers);
    d.send('quit');
    await d.expectOutput(/Your answers are saved; run npm start again to pick up where you left off\.\n/);
    // stdin is still open: quit alone ends the program.
    await expectCleanExit(d);
    expect(d.pending()).toBe('');
    expect((await storedSession(dbPath()))?.answers).toEqual(answers);

    const again = TerminalDriver.start(dbPath());
    await again.expectOutput(new RegExp(`${escape(resumedLine(1))}\n\n${escape(questionBlock(next, answers))}\n`));
    again.end();
    await expectCleanExit(again);
  });

  it('says so when the interview it would resume has expired', async () => {
    const first = TerminalDriver.start(dbPath());
    const criterion = await expectNextQuestion(first, {});
    const option = optionAt(criterion, 0);
    first.send(option.label);
    await expectAnswered(first, criterion, option.id, option.label.toLowerCase());
    first.send('quit');
    await expectCleanExit(first);

    // Two days pass: the stored interview is long expired when the next run starts (default TTL 24 h).
    const raw = new Database(dbPath());
    raw.prepare('UPDATE sessions SET updated_at = updated_at - ?').run(2 * 24 * 3_600_000);
    raw.close();
    const second = TerminalDriver.start(dbPath());
    const beforeQuestion = await second.textBefore(new RegExp(escape(questionBlock(criterion, {}))));
    // The expired interview is announced, not silently removed by the startup cleanup.
    expect(beforeQuestion).toMatch(/expired/i);
    second.end();
    await second.exited;
  });
});
