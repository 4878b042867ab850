/**
 * Which question an ambiguous typed answer was about, so the re-prompt can name it: "postgres and
 * redis" is two options of Data storage, whatever question is open. Reads the message the way
 * the parser does (its spans and their readings) without deciding anything; pure, and never
 * throws (a message it cannot read has no known ambiguity).
 */
import type { Knowledge } from '../knowledge/load.ts';
import { normaliseText, tokenize } from './parsing/normalise.ts';
import { readMessage } from './parsing/understand.ts';
import { matchTokens, vocabularyOf } from './parsing/vocabulary.ts';
import { criterionOf, optionLabel, orList } from './labels.ts';
import type { Reply, Session } from './types.ts';

export interface Ambiguity {
  /** The criteria the unclear words could answer (one when they name several of its options). */
  criteria: string[];
  /** With one criterion: the options the words could mean. */
  options: string[];
}

/** The ambiguity of a message the parser found ambiguous, or null when it cannot be named. */
export function ambiguityOf(knowledge: Knowledge, text: string, current: string | null): Ambiguity | null {
  try {
    const norm = normaliseText(text);
    const vocab = vocabularyOf(knowledge);
    const message = readMessage(knowledge, vocab, matchTokens(vocab, tokenize(norm)), norm, current);
    const options = new Map<string, Set<string>>();
    for (const span of message.spans) for (const r of span.readings) options.set(r.criterion, (options.get(r.criterion) ?? new Set()).add(r.option));
    const rivals = [...options].filter(([, set]) => set.size > 1);
    if (rivals.length === 1) return { criteria: [rivals[0]![0]], options: [...rivals[0]![1]] };
    const shared = [...new Set(message.spans.filter((s) => new Set(s.readings.map((r) => r.criterion)).size > 1).flatMap((s) => s.readings.map((r) => r.criterion)))];
    if (shared.length > 1) return { criteria: shared, options: [] };
    return rivals.length > 1 ? { criteria: rivals.map(([c]) => c), options: [] } : null;
  } catch {
    return null;
  }
}

/**
 * The re-prompt for an ambiguity about another question than the open one: it names that
 * question, the options the words could mean, and how to answer it.
 */
export function ambiguityText(knowledge: Knowledge, ambiguity: Ambiguity): string {
  const titles = ambiguity.criteria.map((c) => criterionOf(knowledge, c).title);
  const how = orList(titles.map((t) => `"change ${t.toLowerCase()}"`));
  if (ambiguity.options.length > 0) {
    const c = ambiguity.criteria[0]!;
    const labels = orList(ambiguity.options.map((o) => `"${optionLabel(knowledge, c, o)}"`));
    return `That could mean more than one answer about ${titles[0]!}: ${labels}. To answer it, say ${how} and pick one; nothing was recorded.`;
  }
  return `That could be about ${orList(titles)}, so nothing was recorded. To answer one, say ${how}.`;
}

/** The hint over the open question when its own options are the ambiguous ones. */
export function ambiguousOptionsHint(knowledge: Knowledge, ambiguity: Ambiguity): string {
  const c = ambiguity.criteria[0]!;
  const labels = orList(ambiguity.options.map((o) => `"${optionLabel(knowledge, c, o)}"`));
  return `That could mean ${labels}. Pick one of the options (a number works), answer in your own words, or say skip, back, why or help.`;
}

/**
 * A message that answered other questions (`matches`) but could mean several options of the open one: the open
 * question, asked again in `replies`, says which options it could mean, instead of nothing at all.
 */
export function withOpenAmbiguity(knowledge: Knowledge, text: string, session: Session, matches: readonly { criterion: string }[], replies: readonly Reply[]): Reply[] {
  const asked = session.phase === 'asking' && !matches.some((m) => m.criterion === session.current) ? session.current : null;
  const ambiguity = asked === null ? null : ambiguityOf(knowledge, text, asked);
  if (ambiguity === null || ambiguity.criteria[0] !== asked || ambiguity.options.length < 2) return [...replies];
  return replies.map((reply) => (reply.kind === 'question' && reply.criterion === asked && reply.hint === undefined ? { ...reply, hint: ambiguousOptionsHint(knowledge, ambiguity) } : reply));
}

/**
 * How to re-prompt an ambiguous message: a `hint` over the open question (`asked`) when its own
 * options are the ambiguous ones, a `notice` naming another question; null when unknown.
 */
export function ambiguityReply(knowledge: Knowledge, text: string, asked: string | null): { hint?: string; notice?: string } | null {
  const ambiguity = ambiguityOf(knowledge, text, asked);
  if (ambiguity === null) return null;
  if (asked !== null && ambiguity.options.length > 0 && ambiguity.criteria[0] === asked) return { hint: ambiguousOptionsHint(knowledge, ambiguity) };
  return { notice: ambiguityText(knowledge, ambiguity) };
}
