import { describe, expect, it } from 'vitest';
import { ELLIPSIS, LIMITS, fits, limitItems, truncateEscaped, truncatePlain } from '../../adapters/slack/limits.ts';
import { escapeText } from '../../adapters/slack/escape.ts';

describe('truncatePlain', () => {
  it('leaves text at exactly the limit untouched', () => {
    const text = 'a'.repeat(LIMITS.buttonText);
    expect(truncatePlain(text, LIMITS.buttonText)).toBe(text);
  });

  it('cuts text one over the limit to exactly the limit, ending with an ellipsis', () => {
    const cut = truncatePlain('a'.repeat(LIMITS.buttonText + 1), LIMITS.buttonText);
    expect(cut).toHaveLength(LIMITS.buttonText);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
  });

  it('never splits an emoji (surrogate pair)', () => {
    const text = `${'a'.repeat(73)}😀😀`; // the emoji straddles the cut at 74
    const cut = truncatePlain(text, 75);
    expect(cut.length).toBeLessThanOrEqual(75);
    expect(cut).toBe(`${'a'.repeat(73)}${ELLIPSIS}`);
    expect(() => encodeURIComponent(cut)).not.toThrow();
  });

  it('drops whitespace left before the ellipsis', () => {
    expect(truncatePlain('word    word', 8)).toBe(`word${ELLIPSIS}`);
  });

  it('refuses a limit below one', () => {
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
      const body = cut.slice(0, -1);
      // Every & that remains starts a whole entity.
      expect(body.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
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
    const text = `${'x'.repeat(2998)}&amp;`;
    const cut = truncateEscaped(text, LIMITS.sectionText);
    expect(cut).toBe(`${'x'.repeat(2998)}${ELLIPSIS}`);
  });
});

describe('limitItems', () => {
  it('keeps exactly the maximum untouched', () => {
    const options = Array.from({ length: LIMITS.staticSelectOptions }, (_, i) => i);
    expect(limitItems(options, LIMITS.staticSelectOptions)).toEqual(options);
  });

  it('drops the surplus, or replaces the last kept slot with an overflow marker', () => {
    const blocks = Array.from({ length: LIMITS.blocksPerMessage + 5 }, (_, i) => `b${i}`);
    expect(limitItems(blocks, LIMITS.blocksPerMessage)).toHaveLength(LIMITS.blocksPerMessage);
    const marked = limitItems(blocks, LIMITS.blocksPerMessage, (dropped) => `+${dropped}`);
    expect(marked).toHaveLength(LIMITS.blocksPerMessage);
    expect(marked.at(-1)).toBe('+6');
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
    expect(fits('x'.repeat(255), LIMITS.actionId)).toBe(true);
    expect(fits('x'.repeat(256), LIMITS.actionId)).toBe(false);
  });
});
