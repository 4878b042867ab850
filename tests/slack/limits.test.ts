import { describe, expect, it } from 'vitest';
import { LIMITS, truncateEscaped, truncatePlain } from '../../adapters/slack/limits.ts';
import { escapeText } from '../../adapters/slack/escape.ts';
import { ELLIPSIS } from '../../src/turns/fit.ts';

describe('truncatePlain', () => {
  it('leaves text at exactly the limit untouched, and cuts one over to exactly the limit', () => {
    const text = 'a'.repeat(LIMITS.buttonText);
    expect(truncatePlain(text, LIMITS.buttonText)).toBe(text);
    const cut = truncatePlain(`${text}a`, LIMITS.buttonText);
    expect(cut).toHaveLength(LIMITS.buttonText);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
  });

  it('refuses a limit below one (Slack refuses empty text)', () => {
    expect(() => truncatePlain('x', 0)).toThrow(RangeError);
  });
});

describe('truncateEscaped', () => {
  it('keeps escaped text at exactly the section limit untouched', () => {
    const text = '&amp;'.repeat(LIMITS.sectionText / 5);
    expect(text).toHaveLength(LIMITS.sectionText);
    expect(truncateEscaped(text, LIMITS.sectionText)).toBe(text);
  });

  it('never cuts an entity in half, at any cut position', () => {
    const escaped = escapeText('a & b < c > d & e'.repeat(20));
    for (let max = 2; max < escaped.length; max++) {
      const cut = truncateEscaped(escaped, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      // Every & that remains starts a whole entity.
      expect(cut.slice(0, -1).replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
    }
  });

  it('never cuts a mention or a link the adapter built', () => {
    const escaped = `see <@U0ALICE> and <https://example.com/a|the thread> now`;
    for (let max = 2; max < escaped.length; max++) {
      const body = truncateEscaped(escaped, max).replace(new RegExp(`${ELLIPSIS}$`), '');
      expect((body.match(/</g) ?? []).length).toBe((body.match(/>/g) ?? []).length);
    }
  });

  it('cuts 3001 characters of escaped text to 3000', () => {
    expect(truncateEscaped(`${'x'.repeat(2998)}&amp;`, LIMITS.sectionText)).toBe(`${'x'.repeat(2998)}${ELLIPSIS}`);
  });
});

describe('the limits themselves', () => {
  it('match Block Kit reference numbers', () => {
    expect(LIMITS).toMatchObject({
      blocksPerMessage: 50,
      sectionText: 3000,
      headerText: 150,
      buttonText: 75,
      buttonValue: 2000,
      optionText: 75,
      optionValue: 150,
      staticSelectOptions: 100,
      actionId: 255,
      blockId: 255,
    });
  });
});
