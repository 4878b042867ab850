/**
 * The names people read for the pack's ids (criteria, options, frameworks,
 * sources), and counted words with the right plural. Shared by every view
 * model builder (views.ts, result-view.ts, details-view.ts).
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP, type Criterion } from '../knowledge/schema.ts';
import { disputeHeading } from '../engine/dispute-sources.ts';
import type { OptionView } from './types.ts';

export const SKIP_LABEL = "Don't know";

export function criterionOf(knowledge: Knowledge, id: string): Criterion {
  const criterion = knowledge.criterionById.get(id);
  if (!criterion) throw new Error(`unknown criterion ${id}`);
  return criterion;
}

export function optionLabel(knowledge: Knowledge, criterionId: string, optionId: string): string {
  if (optionId === SKIP) return SKIP_LABEL;
  return criterionOf(knowledge, criterionId).options.find((o) => o.id === optionId)?.label ?? optionId;
}

export function optionView(knowledge: Knowledge, criterionId: string, optionId: string): OptionView {
  return { id: optionId, label: optionLabel(knowledge, criterionId, optionId) };
}

export function frameworkName(knowledge: Knowledge, id: string | null): string | null {
  return id === null ? null : (knowledge.frameworkById.get(id)?.name ?? id);
}

export function sourceLabels(knowledge: Knowledge, ids: readonly string[]): string[] {
  return ids.map((id) => knowledge.sourceById.get(id)?.label ?? id);
}

/** The short name of a source: its label up to a colon ("STX Next"), else the whole label. */
export function shortSourceName(knowledge: Knowledge, id: string): string {
  return (knowledge.sourceById.get(id)?.label ?? id).split(':')[0]!;
}

/** "Sources disagree", or "<article> contradicts itself" when every side of the dispute rests on that one article. */
export function disputeHeadingOf(knowledge: Knowledge, sides: readonly (readonly string[])[]): string {
  return disputeHeading(sides, (id) => shortSourceName(knowledge, id));
}

/** "1 point", "2 points", "0 questions"; `many` for irregular plurals ("1 person", "3 people"). */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/** "a", "a and b", "a, b and c". */
export function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`;
}

/** What an answer gives each framework, e.g. "+3 Django, +1 Flask", or "no effect". */
export function pointsText(knowledge: Knowledge, contribution: Readonly<Record<string, number>>): string {
  const parts = Object.entries(contribution)
    .filter(([, points]) => points > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([framework, points]) => `+${points} ${frameworkName(knowledge, framework)}`);
  return parts.length > 0 ? parts.join(', ') : 'no effect';
}
