/**
 * Which question the interview asks, derived from the engine and the pack rather than
 * hard-coded: the first question, the one after some answers, and the options a
 * question lists. Tests that click or type "the answer to the question shown" use these,
 * so they follow the pack's weights and the next-question rule.
 */
import { rankQuestions } from '../../src/engine/recommend.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';

/** The question the engine asks after `answers` (the first question for none). */
export function askedAfter(knowledge: Knowledge, answers: Record<string, string> = {}): string {
  const next = rankQuestions(knowledge, answers)[0];
  if (next === undefined) throw new Error('every question is answered');
  return next;
}

/** The first question of every interview. */
export function firstQuestion(knowledge: Knowledge): string {
  return askedAfter(knowledge);
}

/** Option `index` (0-based) of `criterion`, as its question lists it. */
export function optionOf(knowledge: Knowledge, criterion: string, index = 0): { id: string; label: string } {
  const option = knowledge.criterionById.get(criterion)?.options[index];
  if (!option) throw new Error(`no option ${index} for ${criterion}`);
  return { id: option.id, label: option.label };
}
