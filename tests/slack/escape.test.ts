import { describe, expect, it } from 'vitest';
import { channelLink, escapeText, link, mention, plainTextFromSlack } from '../../adapters/slack/escape.ts';

describe('escapeText', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeText('a & b < c > d "e" \'f\'')).toBe('a &amp; b &lt; c &gt; d "e" \'f\'');
  });

  it('makes pings and links inert', () => {
    for (const attack of ['<!channel>', '<!here>', '<!everyone>', '<@U123>', '<#C123>', '<https://evil.example|click me>', '<!subteam^S1|@admins>']) {
      expect(escapeText(attack)).not.toMatch(/[<>]/);
    }
  });

  it('escapes already-escaped text again (the person typed those characters)', () => {
    expect(escapeText('&lt;')).toBe('&amp;lt;');
  });
});

describe('markup the adapter builds', () => {
  it('mentions and channel links only for well-formed ids', () => {
    expect(mention('U0ALICE')).toBe('<@U0ALICE>');
    expect(mention('U1> <!channel')).toBe('U1&gt; &lt;!channel');
    expect(channelLink('C0GENERAL')).toBe('<#C0GENERAL>');
    expect(channelLink('C1|x>')).toBe('C1|x&gt;');
  });

  it('links only http(s) URLs without control characters, with an escaped label', () => {
    expect(link('https://x.slack.com/archives/C1/p1', 'a <b>')).toBe('<https://x.slack.com/archives/C1/p1|a &lt;b&gt;>');
    expect(link('javascript:alert(1)', 'x')).toBe('x');
    expect(link('https://x.example/a>b', 'x')).toBe('x');
  });
});

describe('plainTextFromSlack', () => {
  it('turns markup into readable text and decodes entities', () => {
    expect(plainTextFromSlack('we use <https://flask.palletsprojects.com|Flask> &amp; <#C1|general> with <@U2>')).toBe('we use Flask & #general with @U2');
    expect(plainTextFromSlack('<!here> a &lt;b&gt;')).toBe('@here a <b>');
  });

  it('drops the mention of the bot', () => {
    expect(plainTextFromSlack('<@U0ADVISOR> does Flask have an ORM?', { dropMentionOf: 'U0ADVISOR' })).toBe('does Flask have an ORM?');
  });

  it('survives a round trip: plain text, escaped, is safe and reads the same', () => {
    const typed = plainTextFromSlack('&lt;!channel&gt; & <!here>');
    expect(typed).toBe('<!channel> & @here');
    expect(escapeText(typed)).toBe('&lt;!channel&gt; &amp; @here');
  });
});
