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

const PHRASES: ReadonlyMap<string, OfferReply> = new Map([
  ...ACKNOWLEDGEMENTS.map((text) => [text, 'acknowledge'] as const),
  ...OFFER_ACCEPT_PHRASES.map((text) => [text, 'accept'] as const),
  ...OFFER_DECLINE_PHRASES.map((text) => [text, 'decline'] as const),
]);
const LONGEST = Math.max(...[...PHRASES.keys()].map((phrase) => phrase.split(' ').length));

/**
 * What a whole message means as a reply to the offer or the result, or null when it is more than such a reply. The
 * message must be made of reply phrases only ("ok thanks", "no, not yet"); a yes and a no together mean nothing.
 */
export function offerReply(text: string): OfferReply | null {
  const words = normaliseText(text).replace(/[^\p{L}\p{N}\s]/gu, ' ').trim().split(/\s+/).filter(Boolean);
  const found = new Set<OfferReply>();
  for (let at = 0; at < words.length; ) {
    // The longest phrase that starts here ("no thanks" before "no").
    let length = Math.min(LONGEST, words.length - at);
    while (length > 0 && !PHRASES.has(words.slice(at, at + length).join(' '))) length -= 1;
    const reply = PHRASES.get(words.slice(at, at + length).join(' '));
    if (length === 0 || reply === undefined) return null;
    found.add(reply);
    at += length;
  }
  if (found.has('accept') && found.has('decline')) return null;
  return found.has('accept') ? 'accept' : found.has('decline') ? 'decline' : found.size > 0 ? 'acknowledge' : null;
}
