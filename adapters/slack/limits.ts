/**
 * Block Kit limits (docs.slack.dev/reference/block-kit) and the cuts that keep
 * messages inside them. A message's top-level `text` may be 40,000 characters;
 * we keep it far shorter, as the notification and screen-reader fallback.
 */
import { truncate } from '../../src/turns/fit.ts';

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
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
  /** Our own cap for the fallback `text` of a message. */
  fallbackText: 3000,
} as const;

/** Plain text cut to `max`. Slack refuses an empty text object, so a limit below one is a layout bug. */
export function truncatePlain(text: string, max: number): string {
  if (max < 1) throw new RangeError(`truncate: max must be at least 1 (got ${max})`);
  return truncate(text, max);
}

/** Escaped mrkdwn cut to `max`, never inside an entity (`&amp;`) or markup the adapter built (`<@U1>`, `<url|label>`). */
export function truncateEscaped(escaped: string, max: number): string {
  return truncate(escaped, max, { whole: /&(?:amp|lt|gt);|<[^<>]*>/g });
}
