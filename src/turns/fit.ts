/**
 * Keeping text and lists inside a platform's limits: the cutting rules every
 * adapter shares. The numbers are the adapters' own. Lengths are UTF-16 code
 * units (`length`), never fewer than a platform counts, so what fits here fits there.
 */

export const ELLIPSIS = '…';

export interface TruncateOptions {
  /** Prefer a word boundary in the last fifth of the room, and drop punctuation left before the ellipsis. */
  atWord?: boolean;
  /** Units a cut must never split (entities, markup): the cut backs off to before the unit. Needs the `g` flag. */
  whole?: RegExp;
}

/** Cuts `text` to at most `max` characters, ending with an ellipsis when cut; never splits a surrogate pair. */
export function truncate(text: string, max: number, options: TruncateOptions = {}): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - ELLIPSIS.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  for (const match of options.whole ? text.matchAll(options.whole) : []) {
    if (match.index < cut && cut < match.index + match[0].length) cut = match.index;
  }
  let head = text.slice(0, cut);
  if (options.atWord) {
    const boundary = head.search(/\s\S*$/);
    if (boundary > 0 && boundary >= cut * 0.8) head = head.slice(0, boundary);
  }
  return `${head.replace(options.atWord ? /[\s,;:.\-–—]+$/u : /\s+$/u, '')}${ELLIPSIS}`;
}

/** At most `max` items; when some are dropped, the last kept slot says how many (`overflow`), if given. */
export function limitItems<T>(items: readonly T[], max: number, overflow?: (dropped: number) => T): T[] {
  if (items.length <= max) return [...items];
  if (!overflow) return items.slice(0, max);
  return [...items.slice(0, max - 1), overflow(items.length - max + 1)];
}

/** Splits items into rows of at most `perRow`, keeping at most `maxRows` rows. */
export function chunkIntoRows<T>(items: readonly T[], perRow: number, maxRows: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length && rows.length < maxRows; i += perRow) rows.push(items.slice(i, i + perRow));
  return rows;
}
