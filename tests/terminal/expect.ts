/**
 * What the terminal tests expect to see, derived from the knowledge pack and the
 * engine (which question comes next, whether the verdict can be offered), never
 * from a hard-coded order: the exact question blocks (wrapped to 80 columns, as
 * piped output is), answer records, the stored session and a clean exit.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import type { SessionKey } from '../../src/conversation/types.ts';
import { canStopAsking } from '../../src/engine/chance.ts';
import { rankQuestions, recommend } from '../../src/engine/recommend.ts';
import { wrapText } from '../../src/render/text.ts';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { realKnowledge, tempDir } from '../support/conversation.ts';
import { killAllDrivers, type TerminalDriver } from './driver.ts';

export const knowledge = realKnowledge();
export const CRITERIA = knowledge.criteria.length;
/** The terminal keys its session by the OS user. */
export const TERMINAL_KEY: SessionKey = { platform: 'terminal', workspace: 'local', conversation: 'console', user: userInfo().username || 'local' };
export const OPTIONS_HINT = '  type a number or your own words · skip · back · why · result · help';
export const BANNER = 'The advisor: choose a Python web framework, one question at a time.';
/** The line a resumed interview starts with: it says how many answers it has and how to start over. */
export function resumedLine(answers: number): string {
  return wrapText(`Picking up your unfinished interview (${answers} answer${answers === 1 ? '' : 's'} so far); type restart to start over.`);
}

/** A temporary folder per test; `dbPath()` is the session database in a folder that does not exist yet. */
export function useTempDatabase(): { dbPath: () => string } {
  let dir: ReturnType<typeof tempDir> | undefined;
  beforeEach(() => {
    dir = tempDir('advisor-terminal-');
  });
  afterEach(() => {
    killAllDrivers();
    dir?.cleanup();
  });
  return { dbPath: () => join(dir!.path, 'nested', 'sessions.db') };
}

export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` as the piped terminal prints it (wrapped to 80 columns), as a regex source. */
export function printed(text: string): string {
  return escape(wrapText(text));
}

export function label(criterion: string, option: string): string {
  if (option === 'skip') return "Don't know";
  return knowledge.criterionById.get(criterion)!.options.find((o) => o.id === option)!.label;
}

export function title(criterion: string): string {
  return knowledge.criterionById.get(criterion)!.title;
}

/** Option `index` (0-based) of `criterion`, as its question lists it. */
export function optionAt(criterion: string, index: number): { id: string; label: string } {
  const option = knowledge.criterionById.get(criterion)!.options[index]!;
  return { id: option.id, label: option.label };
}

/** The question the engine asks for `answers`. */
export function nextQuestion(answers: Record<string, string>): string {
  return rankQuestions(knowledge, answers)[0]!;
}

export interface BlockOptions {
  /**
   * "Question N": the question's place among the distinct questions put so far. `questionBlock`
   * defaults to answers + 1 (right when every question was answered as asked); `questionPattern`
   * and `expectNextQuestion` accept any number unless one is given.
   */
  number?: number;
  /** The answer an earlier question being revisited has. */
  currentAnswer?: string;
}

/** The exact text block the terminal prints for a question. */
export function questionBlock(criterion: string, answers: Record<string, string>, options: BlockOptions = {}): string {
  const c = knowledge.criterionById.get(criterion)!;
  const answered = Object.keys(answers).length;
  // Changing an earlier answer is labelled as such, not as the next question number.
  const where =
    answers[criterion] !== undefined
      ? `Revisiting an earlier answer (${answered} answer${answered === 1 ? '' : 's'} so far)`
      : `Question ${options.number ?? answered + 1}`;
  const rec = recommend(knowledge, answers);
  const progress = rec.decided
    ? `${where} · the verdict is settled; more answers only add detail`
    : canStopAsking(rec)
      ? `${where} · the verdict is very likely settled; more answers rarely change it`
      : `${where} · verdict not settled yet`;
  return wrapText(
    [
      progress,
      c.question,
      ...(options.currentAnswer === undefined ? [] : [`(currently: ${label(criterion, options.currentAnswer)})`]),
      ...c.options.map((o, i) => `  ${i + 1}. ${o.label}`),
      OPTIONS_HINT,
    ].join('\n'),
  );
}

/** The question block as a regular expression source: exact, but any "Question N" unless `options.number` is given. */
export function questionPattern(criterion: string, answers: Record<string, string>, options: BlockOptions = {}): string {
  if (options.number !== undefined) return escape(questionBlock(criterion, answers, options));
  return escape(questionBlock(criterion, answers, { ...options, number: 9 })).replace(/^Question 9 /, 'Question \\d+ ');
}

/** Waits for the question the engine asks next for `answers` (exact block, any number unless given); returns its criterion. */
export async function expectNextQuestion(d: TerminalDriver, answers: Record<string, string>, options: BlockOptions = {}): Promise<string> {
  const criterion = nextQuestion(answers);
  await d.expectOutput(new RegExp(`${questionPattern(criterion, answers, options)}\n`));
  return criterion;
}

export async function expectAnswered(d: TerminalDriver, criterion: string, option: string, from?: string): Promise<void> {
  const suffix = from === undefined ? '' : ` (from "${from}")`;
  await d.expectOutput(new RegExp(`✓ ${printed(`${title(criterion)}: ${label(criterion, option)}${suffix}`)}\n`));
}

export async function storedSession(dbPath: string, key: SessionKey = TERMINAL_KEY) {
  const store = SqliteSessionStore.open(dbPath);
  try {
    return (await store.load(key))?.session;
  } finally {
    await store.close();
  }
}

/** Clean end: code 0, nothing on stderr, no prompt text and no escape codes in piped output. */
export async function expectCleanExit(d: TerminalDriver): Promise<void> {
  const exit = await d.exited;
  expect(exit, d.stderr).toEqual({ code: 0, signal: null });
  expect(d.stderr).toBe('');
  expect(d.stdout).not.toMatch(/^> /m);
  expect(d.stdout).not.toMatch(/>\s*$/);
  expect(d.stdout).not.toMatch(/\u001b\[/);
}

/** Every piped line fits 80 columns. */
export function expectFits(stdout: string): void {
  const long = stdout.split('\n').filter((line) => [...line].length > 80);
  expect(long).toEqual([]);
}
