/**
 * Shared by the parsing table tests: expected results in short form, and a
 * table runner over the real pack.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parseText, type ParsedText, type TextMatch } from '../../src/conversation/parse.ts';
import { loadKnowledge, type Knowledge } from '../../src/knowledge/load.ts';

export const real: Knowledge = loadKnowledge();

export const answers = (...matches: [string, string, string][]): ParsedText => ({
  kind: 'answers',
  matches: matches.map(([criterion, option, evidence]): TextMatch => ({ criterion, option, evidence })),
});
export const question = (text: string, why: string | null = null): ParsedText => ({ kind: 'question', question: text, why });
export const noMatch: ParsedText = { kind: 'unknown', reason: 'no_match' };

export type Row = [text: string, current: string | null, expected: ParsedText];

/** One test per row: parsing `text` while asking `current` gives `expected`. */
export function table(rows: readonly Row[]): void {
  it.each(rows.map(([text, current, expected]) => ({ text, current, expected })))('$text (asking $current)', ({ text, current, expected }) => {
    expect(parseText(real, text, current)).toEqual(expected);
  });
}

export const criteria = real.criteria.map((c) => c.id);
/** Any current question, or none. */
export const anyCurrent = fc.constantFrom<string | null>(null, ...criteria);
