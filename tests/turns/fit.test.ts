/** The shared cutting rules, at their boundaries; each platform's numbers are tested with its adapter. */
import { describe, expect, it } from 'vitest';
import { chunkIntoRows, ELLIPSIS, limitItems, truncate } from '../../src/turns/fit.ts';

describe('truncate', () => {
  it('leaves text at the limit alone and cuts one character over it to exactly the limit', () => {
    expect(truncate('a'.repeat(80), 80)).toBe('a'.repeat(80));
    const cut = truncate('a'.repeat(81), 80);
    expect(cut).toHaveLength(80);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
  });

  it('never splits a surrogate pair (emoji), wherever the cut lands', () => {
    expect(truncate(`${'a'.repeat(8)}😀😀😀`, 10)).toBe(`${'a'.repeat(8)}${ELLIPSIS}`);
    const straddling = truncate(`${'a'.repeat(73)}😀😀`, 75);
    expect(straddling).toBe(`${'a'.repeat(73)}${ELLIPSIS}`);
    expect(() => encodeURIComponent(straddling)).not.toThrow();
  });

  it('drops whitespace left before the ellipsis', () => {
    expect(truncate('word    word', 8)).toBe(`word${ELLIPSIS}`);
  });

  it('at a word: prefers a nearby boundary and drops trailing punctuation; cuts hard when the space is far back', () => {
    const text = 'Django ships an admin panel, an ORM, migrations, and authentication out of the box.';
    expect(truncate(text, 40, { atWord: true })).toBe(`Django ships an admin panel, an ORM${ELLIPSIS}`);
    const hard = truncate(`short ${'x'.repeat(100)}`, 50, { atWord: true });
    expect(hard).toHaveLength(50);
    expect(hard.startsWith('short xxxx')).toBe(true);
  });

  it('never cuts inside a unit that must stay whole', () => {
    const text = 'see <@U0ALICE> and &amp; now';
    for (let max = 2; max < text.length; max++) {
      const body = truncate(text, max, { whole: /&amp;|<[^<>]*>/g }).slice(0, -1);
      expect((body.match(/</g) ?? []).length).toBe((body.match(/>/g) ?? []).length);
      expect(body.replace(/&amp;/g, '')).not.toContain('&');
    }
  });

  it('degenerate limits', () => {
    expect(truncate('hello', 0)).toBe('');
    expect(truncate('hello', 1)).toBe(ELLIPSIS);
  });
});

describe('limitItems', () => {
  it('keeps exactly the maximum untouched', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(limitItems(items, 100)).toEqual(items);
  });

  it('drops the surplus, or replaces the last kept slot with an overflow marker', () => {
    const blocks = Array.from({ length: 55 }, (_, i) => `b${i}`);
    expect(limitItems(blocks, 50)).toHaveLength(50);
    const marked = limitItems(blocks, 50, (dropped) => `+${dropped}`);
    expect(marked).toHaveLength(50);
    expect(marked.at(-1)).toBe('+6');
  });
});

describe('chunkIntoRows', () => {
  it('5 rows of 5 hold 25 items; the 26th does not fit', () => {
    const items = Array.from({ length: 26 }, (_, i) => i);
    const rows = chunkIntoRows(items, 5, 5);
    expect(rows).toHaveLength(5);
    expect(rows.every((row) => row.length === 5)).toBe(true);
    expect(rows.flat()).toHaveLength(25);
    expect(chunkIntoRows(items.slice(0, 25), 5, 5).flat()).toHaveLength(25);
  });
});
