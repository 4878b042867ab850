import type { APIEmbed } from 'discord.js';
import { describe, expect, test } from 'vitest';
import { DISCORD_LIMITS, embedLength, fitContent, fitEmbed, fitEmbeds, truncate } from '../../adapters/discord/limits.ts';
import { ELLIPSIS } from '../../src/turns/fit.ts';

describe('truncate', () => {
  test('leaves a label at the limit alone and cuts one character over it, at a word where one is near', () => {
    expect(truncate('a'.repeat(DISCORD_LIMITS.buttonLabel), DISCORD_LIMITS.buttonLabel)).toHaveLength(DISCORD_LIMITS.buttonLabel);
    const cut = truncate('a'.repeat(DISCORD_LIMITS.buttonLabel + 1), DISCORD_LIMITS.buttonLabel);
    expect(cut).toHaveLength(DISCORD_LIMITS.buttonLabel);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
    expect(truncate('Django ships an admin panel, an ORM, migrations, and authentication.', 40)).toBe(`Django ships an admin panel, an ORM${ELLIPSIS}`);
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
