/**
 * Short replies to the offer ("See the result now, or keep refining?") and to a
 * shown result. Read before the answer parser: alone, "ok" or "fine" would
 * otherwise fill a question nobody asked (they answer the performance question
 * when it is asked), and "yes" would not be understood at all.
 */
import { ACKNOWLEDGEMENTS, OFFER_ACCEPT_PHRASES, OFFER_DECLINE_PHRASES } from './grammar.ts';
import { normaliseText } from './normalise.ts';

/** `accept`: show the result; `decline`: keep refining; `acknowledge`: nothing to do. */
export type OfferReply = 'accept' | 'decline' | 'acknowledge';

const REPLIES: ReadonlyMap<string, OfferReply> = new Map([
  ...OFFER_ACCEPT_PHRASES.map((text) => [text, 'accept'] as const),
  ...OFFER_DECLINE_PHRASES.map((text) => [text, 'decline'] as const),
  ...ACKNOWLEDGEMENTS.map((text) => [text, 'acknowledge'] as const),
]);

/** What a whole message means as a reply to the offer or the result, or null when it is more than such a reply. */
export function offerReply(text: string): OfferReply | null {
  const words = normaliseText(text)
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .trim()
    .split(/\s+/)
    .join(' ');
  return REPLIES.get(words) ?? null;
}
