/**
 * The JSON documents (sessions, thread states) a store wrote itself lately,
 * by row and exact text. A turn mostly reads back what the thread's last turn
 * wrote; text identical to what this process serialized from a typed value
 * needs no schema check, only JSON.parse. Any other text (a row another
 * process wrote, an older format, a corrupt file) is checked in full as before.
 *
 * Only texts are kept, never the decoded values: every read still gets objects
 * of its own, so no reader can change what another one sees.
 *
 * The trust rests on the tests: every session the core steps to, and every
 * session and thread state the turn layer's tests store, must pass the full
 * check and read back unchanged (tests/support/conversation.ts assertInvariants,
 * tests/turns/harness.ts). A row another process wrote is always checked.
 */

/** Rows remembered per kind of document; the least recently written goes first. */
export const DEFAULT_REMEMBERED_DOCUMENTS = 512;

export class OwnDocuments<T> {
  readonly #texts = new Map<string, string>();

  constructor(private readonly capacity: number = DEFAULT_REMEMBERED_DOCUMENTS) {}

  /** The document `text` of row `id`: parsed only, when it is the text this store last wrote there; else `check(text)`. */
  decode(id: string, text: string, check: (text: string) => T): T {
    return this.#texts.get(id) === text ? (JSON.parse(text) as T) : check(text);
  }

  /** Records that this store has just written `text` (serialized from a valid `T`) into row `id`. */
  wrote(id: string, text: string): void {
    this.#texts.delete(id);
    this.#texts.set(id, text);
    if (this.#texts.size > this.capacity) {
      const oldest = this.#texts.keys().next();
      if (oldest.done !== true) this.#texts.delete(oldest.value);
    }
  }

  /** How many rows are remembered (tests). */
  get size(): number {
    return this.#texts.size;
  }
}
