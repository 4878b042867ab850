/**
 * Block Kit limits and the helpers that keep messages inside them.
 *
 * Numbers from Slack's Block Kit reference (docs.slack.dev/reference/block-kit):
 * a message carries at most 50 blocks; a section's text at most 3000 characters
 * (each of at most 10 fields 2000); a header 150; a context block 10 elements;
 * an actions block 25 elements; a button's text 75, its value 2000; an option's
 * text 75 and value 150; a static select 100 options; placeholders 150;
 * `action_id` and `block_id` 255. A message's top-level `text` is cut by Slack
 * at 40,000 characters; we keep it far shorter because it is the notification
 * and screen-reader fallback.
 *
 * Lengths are counted in UTF-16 code units (`string.length`), which is never
 * fewer than the characters Slack counts, so a string that fits here fits there.
 */

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFieldText: 2000,
  sectionFields: 10,
  headerText: 150,
  contextElements: 10,
  /** A mrkdwn/plain text object outside sections (context elements). */
  textObject: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  staticSelectOptions: 100,
  placeholderText: 150,
  actionId: 255,
  blockId: 255,
  /** Our own cap for the fallback `text` of a message (Slack's hard cap is 40,000). */
  fallbackText: 3000,
} as const;

export const ELLIPSIS = '…';

/** Entities `escapeText` produces; a cut must never split one. */
const ENTITY_PATTERN = /&(?:amp|lt|gt);/g;

/** The largest index <= `index` that does not split a surrogate pair. */
function codePointBoundary(text: string, index: number): number {
  if (index <= 0 || index >= text.length) return Math.max(0, Math.min(index, text.length));
  const code = text.charCodeAt(index);
  // A low surrogate at `index` means the cut would separate it from its high surrogate.
  return code >= 0xdc00 && code <= 0xdfff ? index - 1 : index;
}

/**
 * Cuts plain text to at most `max` characters, ending with an ellipsis when cut.
 * Never splits a surrogate pair (emoji). Trailing whitespace before the ellipsis is dropped.
 */
export function truncatePlain(text: string, max: number): string {
  if (max < 1) throw new RangeError(`truncate: max must be at least 1 (got ${max})`);
  if (text.length <= max) return text;
  const cut = codePointBoundary(text, max - ELLIPSIS.length);
  return `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`;
}

/**
 * Cuts already-escaped mrkdwn to at most `max` characters, ending with an
 * ellipsis when cut. The cut never lands inside an entity (`&amp;`, `&lt;`,
 * `&gt;`), nor inside markup the adapter built (`<@U1>`, `<#C1>`, `<url|label>`),
 * nor inside a surrogate pair: it backs off to before the unit instead.
 */
export function truncateEscaped(escaped: string, max: number): string {
  if (max < 1) throw new RangeError(`truncate: max must be at least 1 (got ${max})`);
  if (escaped.length <= max) return escaped;
  let cut = codePointBoundary(escaped, max - ELLIPSIS.length);
  // Units that must stay whole: entities and `<...>` markup. Back off to a unit's start when the cut is inside it.
  for (const match of escaped.matchAll(ENTITY_PATTERN)) {
    const start = match.index;
    if (start < cut && cut < start + match[0].length) cut = start;
  }
  const open = escaped.lastIndexOf('<', cut - 1);
  if (open !== -1) {
    const close = escaped.indexOf('>', open);
    if (close === -1 || close >= cut) cut = open;
  }
  return `${escaped.slice(0, cut).trimEnd()}${ELLIPSIS}`;
}

/**
 * Keeps at most `max` items; when some are dropped, the last kept slot is
 * replaced by `overflow(droppedCount)` so the reader sees that something is missing.
 */
export function limitItems<T>(items: readonly T[], max: number, overflow?: (dropped: number) => T): T[] {
  if (items.length <= max) return [...items];
  if (!overflow) return items.slice(0, max);
  const kept = items.slice(0, max - 1);
  return [...kept, overflow(items.length - kept.length)];
}

/** True when `value` fits in `max` characters; used to check identifiers we must never cut (values, ids). */
export function fits(value: string, max: number): boolean {
  return value.length <= max;
}
