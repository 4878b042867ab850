import type { APIEmbed } from 'discord.js';
import { describe, expect, test } from 'vitest';
import { chunkIntoRows, DISCORD_LIMITS, ELLIPSIS, embedLength, fitContent, fitEmbed, fitEmbeds, truncate } from '../../adapters/discord/limits.ts';

describe('truncate', () => {
  test('leaves text at the limit alone and cuts one character over it', () => {
    const exact = 'a'.repeat(80);
    expect(truncate(exact, 80)).toBe(exact);
    const over = 'a'.repeat(81);
    const cut = truncate(over, 80);
    expect(cut).toHaveLength(80);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
  });

  test('prefers a nearby word boundary and drops the trailing punctuation', () => {
    const text = 'Django ships an admin panel, an ORM, migrations, and authentication out of the box.';
    const cut = truncate(text, 40);
    expect(cut.length).toBeLessThanOrEqual(40);
    expect(cut).toBe(`Django ships an admin panel, an ORM${ELLIPSIS}`);
  });

  test('cuts hard when the nearest space is far back', () => {
    const cut = truncate(`short ${'x'.repeat(100)}`, 50);
    expect(cut).toHaveLength(50);
    expect(cut.startsWith('short xxxx')).toBe(true);
  });

  test('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(8)}😀😀😀`;
    const cut = truncate(text, 10);
    expect(cut.length).toBeLessThanOrEqual(10);
    expect(cut).toBe(`${'a'.repeat(8)}${ELLIPSIS}`);
    expect(() => encodeURIComponent(cut)).not.toThrow();
  });

  test('degenerate limits', () => {
    expect(truncate('hello', 0)).toBe('');
    expect(truncate('hello', 1)).toBe(ELLIPSIS);
  });

  test('message content is held to 2000 characters', () => {
    expect(fitContent('x'.repeat(2000))).toHaveLength(2000);
    expect(fitContent('x'.repeat(2001))).toHaveLength(2000);
  });
});

describe('fitEmbed', () => {
  const long = (n: number): string => 'word '.repeat(Math.ceil(n / 5)).slice(0, n);

  test('an embed exactly at every limit is unchanged', () => {
    const embed: APIEmbed = {
      title: 'T'.repeat(DISCORD_LIMITS.embedTitle),
      description: 'D'.repeat(2000),
      footer: { text: 'F'.repeat(100) },
      fields: [{ name: 'N'.repeat(DISCORD_LIMITS.embedFieldName), value: 'V'.repeat(DISCORD_LIMITS.embedFieldValue) }],
    };
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(fitEmbed(embed)).toEqual(embed);
  });

  test('each part one over its limit is truncated to the limit', () => {
    const embed: APIEmbed = {
      title: 'T'.repeat(DISCORD_LIMITS.embedTitle + 1),
      description: 'D'.repeat(DISCORD_LIMITS.embedDescription + 1),
      footer: { text: 'F'.repeat(DISCORD_LIMITS.embedFooter + 1) },
      author: { name: 'A'.repeat(DISCORD_LIMITS.embedAuthorName + 1) },
      fields: [{ name: 'N'.repeat(DISCORD_LIMITS.embedFieldName + 1), value: 'V'.repeat(DISCORD_LIMITS.embedFieldValue + 1) }],
    };
    const fitted = fitEmbed(embed, Number.POSITIVE_INFINITY);
    expect(fitted.title).toHaveLength(DISCORD_LIMITS.embedTitle);
    expect(fitted.description).toHaveLength(DISCORD_LIMITS.embedDescription);
    expect(fitted.footer?.text).toHaveLength(DISCORD_LIMITS.embedFooter);
    expect(fitted.author?.name).toHaveLength(DISCORD_LIMITS.embedAuthorName);
    expect(fitted.fields?.[0]?.name).toHaveLength(DISCORD_LIMITS.embedFieldName);
    expect(fitted.fields?.[0]?.value).toHaveLength(DISCORD_LIMITS.embedFieldValue);
  });

  test('keeps at most 25 fields', () => {
    const fields = Array.from({ length: 26 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
    expect(fitEmbed({ fields: fields.slice(0, 25) }).fields).toHaveLength(25);
    expect(fitEmbed({ fields }).fields).toHaveLength(25);
  });

  test('stays within 6000 characters in total, dropping trailing fields first', () => {
    const fields = Array.from({ length: 10 }, (_, i) => ({ name: `Reason ${i}`, value: long(1000) }));
    const fitted = fitEmbed({ title: 'Verdict', description: long(500), fields });
    expect(embedLength(fitted)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(fitted.fields?.[0]?.name).toBe('Reason 0');
    expect(fitted.fields!.length).toBeLessThan(10);
    expect(fitted.description).toBe(long(500));
  });

  test('shortens the description when fields alone cannot make room', () => {
    const fitted = fitEmbed({ title: 'x', description: long(4096), footer: { text: long(2048) } });
    expect(embedLength(fitted)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(fitted.description!.endsWith(ELLIPSIS)).toBe(true);
  });

  test('several embeds in one message share the 6000 total and at most 10 are kept', () => {
    const embeds = Array.from({ length: 12 }, () => ({ description: long(1500) }));
    const fitted = fitEmbeds(embeds);
    expect(fitted.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
    expect(fitted.reduce((sum, e) => sum + embedLength(e), 0)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
  });
});

describe('chunkIntoRows', () => {
  test('5 rows of 5 hold 25 items; the 26th is reported as dropped', () => {
    const items = Array.from({ length: 26 }, (_, i) => i);
    const { rows, dropped } = chunkIntoRows(items, DISCORD_LIMITS.buttonsPerRow, DISCORD_LIMITS.actionRows);
    expect(rows).toHaveLength(5);
    expect(rows.every((row) => row.length === 5)).toBe(true);
    expect(dropped).toBe(1);
    expect(chunkIntoRows(items.slice(0, 25), 5, 5).dropped).toBe(0);
  });
});
