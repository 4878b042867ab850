/**
 * The look-up's notion of "the same message": what a person sees (text,
 * embeds) and the ids of its controls, with Discord's trimming allowed for.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../adapters/discord/find-posted.ts';

const question = (version: number, description = 'How many developers?') => ({
  content: '',
  embeds: [{ title: 'Team size', description, footer: { text: 'Question 1' }, fields: [{ name: 'Why', value: 'It matters.' }] }],
  components: [{ type: 1, components: [{ type: 2, custom_id: `a:${version}:team:solo`, label: 'Just me' }] }],
});

describe('fingerprint', () => {
  it('is the same for the message as sent and as Discord lists it (extra fields, trimmed text)', () => {
    const listed = {
      content: '',
      embeds: [{ type: 'rich', color: 5, title: 'Team size ', description: 'How many developers?', footer: { text: 'Question 1' }, fields: [{ name: 'Why', value: 'It matters.', inline: false }] }],
      components: [{ type: 1, id: 1, components: [{ type: 2, id: 2, style: 1, custom_id: 'a:4:team:solo', label: 'Just me' }] }],
    };
    expect(fingerprint(listed)).toBe(fingerprint(question(4)));
  });

  it('tells apart the same question asked at another version, and a different text', () => {
    expect(fingerprint(question(5))).not.toBe(fingerprint(question(4)));
    expect(fingerprint(question(4, 'How many people?'))).not.toBe(fingerprint(question(4)));
    expect(fingerprint({ content: 'hello' })).not.toBe(fingerprint({ content: 'hello', embeds: [{ title: 'x' }] }));
  });
});
