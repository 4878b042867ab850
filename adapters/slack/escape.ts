/**
 * Escaping for text Slack renders. Slack's message formatting treats `&`, `<`
 * and `>` as control characters: `<!channel>`, `<!here>`, `<@U123>` and
 * `<https://x|label>` are pings and links. Escaping those three characters (and
 * nothing else) makes any text inert, so echoed user input can never ping
 * @channel/@here or forge a link. We never send `link_names`, so a literal
 * "@channel" stays plain text too.
 *
 * Everything that reaches a `mrkdwn` text object or a message `text` goes through
 * `escapeText` unless it is markup the adapter builds itself (mentions, links).
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const DECODED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>' };

/** Escapes `&`, `<` and `>` for Slack (`&amp;`, `&lt;`, `&gt;`). */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (character) => ENTITIES[character] ?? character);
}

/** A user mention (`<@U123>`); the id is checked so a crafted id cannot inject markup. */
export function mention(userId: string): string {
  if (!/^[UW][A-Z0-9]+$/.test(userId)) return escapeText(userId);
  return `<@${userId}>`;
}

/** A channel link (`<#C123>`); ids are checked like `mention`. */
export function channelLink(channelId: string): string {
  if (!/^[CGD][A-Z0-9]+$/.test(channelId)) return escapeText(channelId);
  return `<#${channelId}>`;
}

/** A link with a label; `url` must be http(s) and carry no control characters, the label is escaped. */
export function link(url: string, label: string): string {
  if (!/^https?:\/\/[^\s<>|]+$/.test(url)) return escapeText(label);
  return `<${url}|${escapeText(label)}>`;
}

/**
 * Turns a message as Slack delivers it into the text the person typed: markup
 * (`<@U1>`, `<#C1|general>`, `<!here>`, `<https://x|label>`) becomes readable
 * text, entities are decoded. Mentions of `dropMentionOf` (the bot) are removed.
 */
export function plainTextFromSlack(text: string, options: { dropMentionOf?: string } = {}): string {
  const withoutMarkup = text.replace(/<([^<>]*)>/g, (_whole, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@')) {
      if (options.dropMentionOf && target.slice(1) === options.dropMentionOf) return '';
      return label ? `@${label}` : target;
    }
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!')) return label ?? `@${target.slice(1).split('^')[0]}`;
    return label ?? target;
  });
  const decoded = withoutMarkup.replace(/&(amp|lt|gt);/g, (_whole, name: string) => DECODED[name] ?? name);
  return decoded.replace(/\s+/g, ' ').trim();
}
