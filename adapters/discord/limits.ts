/**
 * Discord's message limits, and the fitting that keeps every payload inside
 * them instead of letting Discord refuse the call.
 */
import { embedLength, type APIEmbed, type APIEmbedField } from 'discord.js';
import { truncate as cut } from '../../src/turns/fit.ts';

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
  selectPlaceholder: 150,
  customId: 100,
  modalTitle: 45,
  labelText: 45,
  labelDescription: 100,
  textInputValue: 4000,
  threadName: 100,
} as const;

/** Cuts at a word boundary where one is near, dropping punctuation left before the ellipsis. */
export function truncate(text: string, max: number): string {
  return cut(text, max, { atWord: true });
}

export function fitContent(text: string): string {
  return truncate(text, DISCORD_LIMITS.content);
}

/** The characters an embed counts against the 6000 total (discord.js's own count). */
export { embedLength };

function fitField(field: APIEmbedField): APIEmbedField {
  return {
    ...field,
    name: truncate(field.name, DISCORD_LIMITS.embedFieldName) || '\u200b',
    value: truncate(field.value, DISCORD_LIMITS.embedFieldValue) || '\u200b',
  };
}

/** A copy of `embed` inside every per-part limit and within `budget` characters in all: trailing fields go first, then texts are cut. */
export function fitEmbed(embed: APIEmbed, budget: number = DISCORD_LIMITS.embedTotal): APIEmbed {
  const fitted: APIEmbed = { ...embed };
  if (fitted.title !== undefined) fitted.title = truncate(fitted.title, DISCORD_LIMITS.embedTitle);
  if (fitted.description !== undefined) fitted.description = truncate(fitted.description, DISCORD_LIMITS.embedDescription);
  if (fitted.footer) fitted.footer = { ...fitted.footer, text: truncate(fitted.footer.text, DISCORD_LIMITS.embedFooter) };
  if (fitted.author) fitted.author = { ...fitted.author, name: truncate(fitted.author.name, DISCORD_LIMITS.embedAuthorName) };
  if (fitted.fields) fitted.fields = fitted.fields.slice(0, DISCORD_LIMITS.embedFields).map(fitField);

  while (embedLength(fitted) > budget && fitted.fields?.length) fitted.fields = fitted.fields.slice(0, -1);
  const over = (): number => embedLength(fitted) - budget;
  if (over() > 0 && fitted.description !== undefined) fitted.description = truncate(fitted.description, Math.max(0, fitted.description.length - over()));
  if (over() > 0 && fitted.footer) fitted.footer = { ...fitted.footer, text: truncate(fitted.footer.text, Math.max(0, fitted.footer.text.length - over())) };
  if (over() > 0 && fitted.title !== undefined) fitted.title = truncate(fitted.title, Math.max(0, fitted.title.length - over()));
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
