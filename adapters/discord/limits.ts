/**
 * Discord's message limits, and helpers that keep every payload inside them by
 * truncating cleanly (at a word boundary where one is near, with an ellipsis,
 * never splitting a surrogate pair) instead of letting Discord reject the call.
 *
 * Lengths are counted in UTF-16 code units (JavaScript's `length`), which is
 * never less than what Discord counts, so a fitted payload always fits.
 */
import type { APIEmbed, APIEmbedField } from 'discord.js';

export const DISCORD_LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedAuthorName: 256,
  /** Title + description + field names and values + footer + author name, over all embeds of one message. */
  embedTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  selectOptions: 25,
  buttonLabel: 80,
  selectOptionLabel: 100,
  selectOptionValue: 100,
  selectOptionDescription: 100,
  selectPlaceholder: 150,
  customId: 100,
  modalTitle: 45,
  labelText: 45,
  labelDescription: 100,
  textInputPlaceholder: 100,
  textInputValue: 4000,
  threadName: 100,
} as const;

export const ELLIPSIS = '…';

/** How far back from the cut a word boundary may be to be preferred over a hard cut. */
const WORD_BOUNDARY_WINDOW = 0.2;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Shortens `text` to at most `max` characters, ending with an ellipsis when
 * anything was cut. Prefers cutting at whitespace within the last fifth of the
 * allowance; strips trailing spaces and punctuation left before the ellipsis.
 */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max === 1) return ELLIPSIS;
  let cut = max - ELLIPSIS.length;
  if (isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  let head = text.slice(0, cut);
  const boundary = head.search(/\s\S*$/);
  if (boundary > 0 && boundary >= cut * (1 - WORD_BOUNDARY_WINDOW)) head = head.slice(0, boundary);
  head = head.replace(/[\s,;:.\-–—]+$/u, '');
  return `${head}${ELLIPSIS}`;
}

/** Message content: at most 2000 characters. */
export function fitContent(text: string): string {
  return truncate(text, DISCORD_LIMITS.content);
}

/** The characters an embed counts against the 6000 total. */
export function embedLength(embed: APIEmbed): number {
  let length = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  length += embed.footer?.text.length ?? 0;
  length += embed.author?.name.length ?? 0;
  for (const field of embed.fields ?? []) length += field.name.length + field.value.length;
  return length;
}

function fitField(field: APIEmbedField): APIEmbedField {
  return {
    ...field,
    name: truncate(field.name, DISCORD_LIMITS.embedFieldName) || '\u200b',
    value: truncate(field.value, DISCORD_LIMITS.embedFieldValue) || '\u200b',
  };
}

/**
 * Returns a copy of `embed` inside every per-part limit and within `budget`
 * total characters (default 6000): fields past 25 are dropped, then trailing
 * fields while over budget, then the description is shortened.
 */
export function fitEmbed(embed: APIEmbed, budget: number = DISCORD_LIMITS.embedTotal): APIEmbed {
  const fitted: APIEmbed = { ...embed };
  if (fitted.title !== undefined) fitted.title = truncate(fitted.title, DISCORD_LIMITS.embedTitle);
  if (fitted.description !== undefined) fitted.description = truncate(fitted.description, DISCORD_LIMITS.embedDescription);
  if (fitted.footer) fitted.footer = { ...fitted.footer, text: truncate(fitted.footer.text, DISCORD_LIMITS.embedFooter) };
  if (fitted.author) fitted.author = { ...fitted.author, name: truncate(fitted.author.name, DISCORD_LIMITS.embedAuthorName) };
  if (fitted.fields) fitted.fields = fitted.fields.slice(0, DISCORD_LIMITS.embedFields).map(fitField);

  while (embedLength(fitted) > budget && fitted.fields && fitted.fields.length > 0) {
    fitted.fields = fitted.fields.slice(0, -1);
  }
  if (embedLength(fitted) > budget && fitted.description !== undefined) {
    const room = budget - (embedLength(fitted) - fitted.description.length);
    fitted.description = truncate(fitted.description, Math.max(0, room));
  }
  if (embedLength(fitted) > budget && fitted.footer) {
    const room = budget - (embedLength(fitted) - fitted.footer.text.length);
    fitted.footer = { ...fitted.footer, text: truncate(fitted.footer.text, Math.max(0, room)) };
  }
  if (embedLength(fitted) > budget && fitted.title !== undefined) {
    const room = budget - (embedLength(fitted) - fitted.title.length);
    fitted.title = truncate(fitted.title, Math.max(0, room));
  }
  if (fitted.fields?.length === 0) delete fitted.fields;
  return fitted;
}

/** Fits the embeds of one message: at most 10, sharing the 6000-character total in order. */
export function fitEmbeds(embeds: readonly APIEmbed[]): APIEmbed[] {
  const fitted: APIEmbed[] = [];
  let remaining: number = DISCORD_LIMITS.embedTotal;
  for (const embed of embeds.slice(0, DISCORD_LIMITS.embedsPerMessage)) {
    if (remaining <= 0) break;
    const one = fitEmbed(embed, remaining);
    remaining -= embedLength(one);
    fitted.push(one);
  }
  return fitted;
}

/** Splits items into rows of at most `perRow`, keeping at most `maxRows` rows; reports what did not fit. */
export function chunkIntoRows<T>(items: readonly T[], perRow: number, maxRows: number): { rows: T[][]; dropped: number } {
  const rows: T[][] = [];
  for (let i = 0; i < items.length && rows.length < maxRows; i += perRow) rows.push(items.slice(i, i + perRow));
  const kept = rows.reduce((sum, row) => sum + row.length, 0);
  return { rows, dropped: items.length - kept };
}
