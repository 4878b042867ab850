/**
 * Odd and unusual input in the terminal: garbage is asked again and loses
 * nothing, and a refine phrase that starts like a command for the sources goes
 * to the interview. `node bin/start.js` spawned with stdin a pipe.
 */
import { describe, expect, it } from 'vitest';
import { TerminalDriver } from './driver.ts';
import {
  escape,
  expectAnswered,
  expectCleanExit,
  expectNextQuestion,
  knowledge,
  optionAt,
  printed,
  questionBlock,
  storedSession,
  useTempDatabase,
} from './expect.ts';

const { dbPath } = useTempDatabase();

describe('terminal input (spawned, piped stdin)', { timeout: 180_000 }, () => {
  it('garbage input gets a clear re-ask of the same question and loses nothing', async () => {
    const d = TerminalDriver.start(dbPath());
    const first = await expectNextQuestion(d, {});
    const answer = optionAt(first, 0);
    d.send(answer.label);
    await expectAnswered(d, first, answer.id, answer.label.toLowerCase());
    const answers = { [first]: answer.id };
    const current = await expectNextQuestion(d, answers);
    const block = questionBlock(current, answers);
    const reask = (hint: string) => new RegExp(`${printed(hint)}\n${escape(block)}\n`);
    const notUnderstood = (reason: string) =>
      reask(`${reason} Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.`);

    // Blank lines are ignored silently; the next line is answered as usual.
    d.send('');
    d.send('   \t ');
    d.send('\u0001\u0002\u0000\u0007');
    expect(await d.textBefore(notUnderstood('That message was empty.'))).toBe('\n');
    d.send('\u001b[31mred\u001b[0m\u0008');
    expect(await d.textBefore(notUnderstood("I didn't catch that."))).toBe('\n');
    d.send('x'.repeat(10_000));
    expect(await d.textBefore(notUnderstood('That message is too long for me to read; a short answer works best.'))).toBe('\n');
    d.send('<!channel>');
    expect(await d.textBefore(notUnderstood('That message was empty.'))).toBe('\n');
    d.send('<script>alert(1)</script> *bold* `rm -rf /`');
    expect(await d.textBefore(notUnderstood("I didn't catch that."))).toBe('\n');
    d.send('ünïcødé 🙂👍🏽 \u202eevil \u200b');
    expect(await d.textBefore(notUnderstood("I didn't catch that."))).toBe('\n');
    // A number past the options is out of range, and the hint says which numbers there are.
    const count = knowledge.criterionById.get(current)!.options.length;
    d.send('42');
    expect(
      await d.textBefore(reask(`There is no option 42 here: pick 1 to ${count}, answer in your own words, or say skip, back, why or help.`)),
    ).toBe('\n');

    const stored = await storedSession(dbPath());
    expect(stored).toMatchObject({ phase: 'asking', current, answers, version: 2 });

    d.send('1');
    const option = optionAt(current, 0).id;
    await expectAnswered(d, current, option, '1');
    d.end();
    await expectCleanExit(d);
    expect(d.stdout).not.toContain('\u0001');
    expect(d.stdout).not.toContain('x'.repeat(100));
    expect((await storedSession(dbPath()))?.answers).toEqual({ ...answers, [current]: option });
  });

  it('"ask me more" (a documented refine phrase) continues the interview after a settled verdict', async () => {
    const d = TerminalDriver.start(dbPath());
    await expectNextQuestion(d, {});
    d.send('content site, one codebase, batteries included, high traffic, we know django');
    await d.expectOutput(
      new RegExp(
        `${printed('The remaining questions can no longer change this: Django stays ahead. See the result now, or keep refining to add detail.')}\n {2}type result to see it, or continue to keep refining\n`,
      ),
    );
    const stored = await storedSession(dbPath());
    expect(stored?.phase).toBe('settled');
    d.send('ask me more');
    // A line starting with "ask" that is a command ("ask me more") goes to the interview, not the sources.
    const shown = await d.expectOutput(/\n(Question \d+ · the verdict is settled|I need a topic|What the sources say|Ask me something)/);
    // The first question answered in that line kept its number (1); the one asked now is the second put to the person.
    expect(shown[1]).toBe(`Question ${(stored!.questions ?? []).length + 1} · the verdict is settled`);
    d.end();
    await d.exited;
  });
});
