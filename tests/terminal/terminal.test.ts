/**
 * The terminal front end end to end: `node bin/start.js` spawned with no platform
 * settings and stdin a pipe, typed into line by line (each line only after the
 * output it answers), plus one in-process run of the interactive path. What each
 * step should show is derived from the pack and the engine (see expect.ts).
 * Resuming is in terminal-sessions.test.ts, odd input in terminal-input.test.ts.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { canStopAsking } from '../../src/engine/chance.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { silentLogger } from '../../src/logger.ts';
import { ansiStyle, wrapText } from '../../src/render/text.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { runTerminal } from '../../adapters/terminal/terminal.ts';
import { TerminalDriver } from './driver.ts';
import {
  BANNER,
  CRITERIA,
  TERMINAL_KEY,
  escape,
  expectAnswered,
  expectCleanExit,
  expectFits,
  expectNextQuestion,
  knowledge,
  label,
  nextQuestion,
  optionAt,
  printed,
  questionBlock,
  storedSession,
  title,
  useTempDatabase,
} from './expect.ts';

const { dbPath } = useTempDatabase();
const SOURCE_LABELS = knowledge.sources.map((s) => s.label);

/** The text of a bullet list as one line per item (continuation lines joined). */
function unwrapped(text: string): string {
  return text.replace(/\n {3,}/g, ' ');
}

describe('terminal front end (spawned, piped stdin)', { timeout: 180_000 }, () => {
  it('runs a whole interview typed line by line, ending in an explained recommendation', async () => {
    const d = TerminalDriver.start(dbPath());
    await d.expectOutput(new RegExp(`^${escape(BANNER)}\n`));
    const answers: Record<string, string> = {};
    const first = await expectNextQuestion(d, answers);
    // The sentence below names three other topics than the first question's.
    expect(['project_type', 'scale', 'team_size']).not.toContain(first);

    // Several criteria in one line, none of them the question asked: no record of their own (none was asked),
    // one note naming every answer taken, and the same question again, with the same number (Question 1).
    const several =
      'Got several answers from that: Project type: API / backend service; Expected scale: Small (few users); Team size: Just one developer. Say "change <topic>" if I misread one.';
    const sentence = 'solo dev building a small REST API';
    d.send(sentence);
    expect(await d.textBefore(new RegExp(`${printed(several)}\n`))).toBe('\n');
    Object.assign(answers, { project_type: 'api', scale: 'small', team_size: 'solo' });
    await expectNextQuestion(d, answers, { number: 1 });

    // back undoes everything that message recorded, and says exactly what went.
    d.send('back');
    const undid =
      'Undid the 3 answers from your last message: Project type is unanswered again (was "API / backend service"); ' +
      'Expected scale is unanswered again (was "Small (few users)"); Team size is unanswered again (was "Just one developer").';
    await d.expectOutput(new RegExp(`\n${printed(undid)}\n`));
    await expectNextQuestion(d, {}, { number: 1 });
    expect((await storedSession(dbPath()))?.answers).toEqual({});
    d.send(sentence);
    await d.expectOutput(new RegExp(`${printed(several)}\n`));
    await expectNextQuestion(d, answers);

    // A number: the option of that number in the list shown.
    const chosen = optionAt(first, 1);
    d.send('2');
    await expectAnswered(d, first, chosen.id, '2');
    answers[first] = chosen.id;
    const second = await expectNextQuestion(d, answers);

    // why: from the knowledge, what each option would do, with sources.
    const c = knowledge.criterionById.get(second)!;
    d.send('why');
    await d.expectOutput(new RegExp(`\n${printed(`Why it matters: ${c.title}`)}\n${printed(c.why)}\n`));
    // back: the question that message answered, again; it shows no "(currently: …)", since the answer is gone.
    d.send('back');
    delete answers[first];
    const whyText = unwrapped(await d.textBefore(new RegExp(`${escape(questionBlock(first, answers, { number: 1 }))}\n`)));
    // Which answers favour which framework (every option named, with its points), then a few cited points.
    for (const option of c.options) expect(whyText).toMatch(new RegExp(`^ {2}• For \\w+: .*${escape(option.label)}`, 'm'));
    expect(SOURCE_LABELS.some((source) => whyText.includes(source.split(':')[0]!))).toBe(true);
    expect(whyText).not.toContain('(currently:');
    expect((await storedSession(dbPath()))?.answers).toEqual(answers);

    // Words: the option's own label.
    d.send(chosen.label.toLowerCase());
    await expectAnswered(d, first, chosen.id, chosen.label.toLowerCase());
    answers[first] = chosen.id;
    expect(await expectNextQuestion(d, answers)).toBe(second);

    // change team size: asks it again, showing the answer it has; a number of people answers it.
    d.send('change team size');
    await d.expectOutput(new RegExp(escape(questionBlock('team_size', answers, { currentAnswer: 'solo' }))));
    d.send('8 developers');
    await expectAnswered(d, 'team_size', 'large', '8 developers');
    answers['team_size'] = 'large';
    expect(await expectNextQuestion(d, answers)).toBe(second);

    // skip
    d.send('skip');
    await expectAnswered(d, second, 'skip');
    answers[second] = 'skip';
    const afterSkip = await expectNextQuestion(d, answers);

    // help and ask change nothing.
    d.send('help');
    await d.expectOutput(/\n {2}back {15}undo your last answer/);
    await d.expectOutput(/\n {2}change <topic> {5}answer an earlier question again, e\.g\. "change team size"\n/);
    // The core's help, and the one command only the terminal has.
    await d.expectOutput(/ {2}quit {15}leave; an unfinished interview is kept for next time\n/);
    d.send('ask does flask have an ORM?');
    await d.expectOutput(/What the sources say about orm:\n {2}• Flask has no ORM of its own; [^•]+\[USSLLC: Choosing Your Python Web Framework/);

    d.send('1');
    const firstOption = optionAt(afterSkip, 0).id;
    await expectAnswered(d, afterSkip, firstOption, '1');
    answers[afterSkip] = firstOption;
    await expectNextQuestion(d, answers);

    // result: the recommendation so far, explained: verdict, confidence, scores, the reasons on each side, what would change it.
    d.send('result');
    const rec = recommend(knowledge, answers);
    expect(canStopAsking(rec)).toBe(false);
    const leader = knowledge.frameworkById.get(rec.winner!)!.name;
    const answeredCount = Object.keys(answers).length;
    await d.expectOutput(new RegExp(`\n${escape(leader)} leads so far\nConfidence: (Low|Medium|High): `));
    // Every framework's score, the leader first.
    for (const fw of rec.ranking) {
      await d.expectOutput(new RegExp(`${escape(knowledge.frameworkById.get(fw)!.name)} +[█░]{10} +${rec.scores[fw]} points \\(\\d+%\\)`));
    }
    await d.expectOutput(
      new RegExp(printed(`Based on ${answeredCount} answers (1 "don't know"); even if you answered the ${CRITERIA - answeredCount} remaining questions, there is about`)),
    );
    await d.expectOutput(new RegExp(`\nFor ${escape(leader)}(?: \\(\\d+ of \\d+ reasons\\))?:\n( {2}• .+ \\(\\+\\d ${escape(leader)}\\)\n)+`));
    await d.expectOutput(/\nWhat would change it:\n {2}↻ If .+/);
    await d.expectOutput(/\n {2}details · continue · change <topic> · restart · quit\n/);

    // details: everything behind it, with the sources.
    d.send('details');
    await d.expectOutput(/\nSources:\n( {2}• .+\n)+/);

    // continue: keep answering (the first option each time) to the end; when the result can be offered
    // the interview says so once, and "continue" keeps refining.
    d.send('continue');
    let offered = false;
    for (let criterion = await expectNextQuestion(d, answers); ; ) {
      const option = optionAt(criterion, 0).id;
      d.send('1');
      await expectAnswered(d, criterion, option, '1');
      answers[criterion] = option;
      if (Object.keys(answers).length === CRITERIA) break;
      const now = recommend(knowledge, answers);
      if (!offered && canStopAsking(now)) {
        const leading = escape(knowledge.frameworkById.get(now.winner!)!.name);
        await d.expectOutput(
          now.decided
            ? new RegExp(`The remaining questions can no longer change this: ${leading} stays ahead\\.`)
            : new RegExp(`${leading} will very likely stay ahead\\. Even if you answered`),
        );
        offered = true;
        d.send('continue');
      }
      criterion = await expectNextQuestion(d, answers);
    }
    expect(offered).toBe(true);
    const final = recommend(knowledge, answers);
    const winner = knowledge.frameworkById.get(final.winner!)!.name;
    await d.expectOutput(new RegExp(`^${escape(winner)} is the better fit for this project\n`, 'm'));
    await d.expectOutput(new RegExp(escape(`Based on ${CRITERIA} answers (1 "don't know"); 0 questions left unanswered.`)));
    await d.expectOutput(new RegExp(`\nFor ${escape(winner)}(?: \\(\\d+ of \\d+ reasons\\))?:\n`));
    await d.expectOutput(/ {2}details · change <topic> · restart · quit\n$/);

    // End of input: a clean exit, and the finished interview is stored.
    d.end();
    await expectCleanExit(d);
    expectFits(d.stdout);
    const stored = await storedSession(dbPath());
    expect(stored?.phase).toBe('result');
    expect(stored?.answers).toEqual(answers);
    // Everything committed was printed and marked so: nothing waits in the outbox.
    const store = SqliteSessionStore.open(dbPath());
    try {
      expect(await store.pendingOutboxCount()).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('terminal front end (in-process, interactive)', () => {
  it('shows the prompt and styles, answers typed lines, and ends at end of input', async () => {
    const store = SqliteSessionStore.open(dbPath());
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
    const first = nextQuestion({});
    const question = knowledge.criterionById.get(first)!.question;
    const done = runTerminal({ store, knowledge, logger: silentLogger(), ttlMs: 24 * 3_600_000, input, output, interactive: true, user: 'interactive-tester' });
    try {
      await waitFor(new RegExp(`${escape(wrapText(ansiStyle.bold(question)))}[\\s\\S]*> $`));
      expect(text).toContain(`\u001b[1m${BANNER}\u001b[22m`);
      expect(text).toContain('\u001b[2mQuestion 1 · verdict not settled yet\u001b[22m');
      const last = knowledge.criterionById.get(first)!.options.length;
      input.write(`${last}\n`);
      const option = optionAt(first, last - 1);
      await waitFor(new RegExp(`✓ ${escape(`${title(first)}: ${label(first, option.id)} (from "${last}")`)}[\\s\\S]*> $`));
      expect((await store.load(key))?.session.answers).toEqual({ [first]: option.id });
      // Ctrl-D at the prompt (end of input) leaves as quit does: on a new line, saying the answers are kept.
      input.end();
      await done;
      expect(text).toMatch(/> (\u001b\[\d+G)?\nYour answers are saved; run npm start again to pick up where you left off\.\n$/);
    } finally {
      input.destroy();
      await store.close();
    }
    // The prompt came after each reply block: once at the start, once after the answer.
    expect(text.match(/> /g)?.length).toBeGreaterThanOrEqual(2);
  });
});
