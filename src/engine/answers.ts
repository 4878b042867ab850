/**
 * Validation of answer sets coming from outside (CLI flags, batch lines, saved
 * sessions). Unknown ids become coded errors that list the valid choices.
 */
import { AdvisorError } from '../errors.ts';
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import type { Answers } from './types.ts';

export function validOptionIds(knowledge: Knowledge, criterionId: string): string[] {
  const criterion = knowledge.criterionById.get(criterionId);
  return criterion ? [...criterion.options.map((o) => o.id), SKIP] : [];
}

/** Checks every criterion and option id; returns a clean copy in the pack's criterion order. */
export function validateAnswers(knowledge: Knowledge, raw: Readonly<Record<string, unknown>>): Answers {
  const clean: Record<string, string> = {};
  for (const [criterionId, optionId] of Object.entries(raw)) {
    if (!knowledge.criterionById.has(criterionId)) {
      throw new AdvisorError(
        'UNKNOWN_CRITERION',
        `Unknown criterion "${criterionId}". Valid criteria: ${knowledge.criteria.map((c) => c.id).join(', ')}.`,
        { criterion: criterionId, valid: knowledge.criteria.map((c) => c.id) },
      );
    }
    const valid = validOptionIds(knowledge, criterionId);
    if (typeof optionId !== 'string' || !valid.includes(optionId)) {
      throw new AdvisorError(
        'UNKNOWN_OPTION',
        `Unknown option ${JSON.stringify(optionId)} for criterion "${criterionId}". Valid options: ${valid.join(', ')}.`,
        { criterion: criterionId, option: optionId, valid },
      );
    }
  }
  for (const criterion of knowledge.criteria) {
    const value = raw[criterion.id];
    if (typeof value === 'string') clean[criterion.id] = value;
  }
  return clean;
}
