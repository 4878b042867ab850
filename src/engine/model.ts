/**
 * A numeric view of a knowledge pack that the engine computes with: for every
 * criterion, a points table of options x frameworks. Built once per Knowledge
 * and cached, so a recommendation is a few hundred additions.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP, type Criterion, type Option } from '../knowledge/schema.ts';

export interface CriterionModel {
  criterion: Criterion;
  /** Option ids in pack order, followed by `skip`. */
  optionIds: string[];
  optionById: Map<string, Option>;
  /** points[optionIndex][frameworkIndex]; the last row is `skip` (all zeros). */
  points: number[][];
  /** The rows a person can pick: `points` without the `skip` row. */
  answerPoints: number[][];
}

export interface Model {
  frameworkIds: string[];
  criteria: CriterionModel[];
  criterionIndex: Map<string, number>;
}

const models = new WeakMap<Knowledge, Model>();

export function modelOf(knowledge: Knowledge): Model {
  const cached = models.get(knowledge);
  if (cached) return cached;
  const frameworkIds = knowledge.frameworks.map((f) => f.id);
  const criteria = knowledge.criteria.map((criterion): CriterionModel => {
    const optionById = new Map(criterion.options.map((o) => [o.id, o]));
    const points = criterion.options.map((option) =>
      frameworkIds.map((fw) => option.effects.find((e) => e.framework === fw)?.points ?? 0),
    );
    const answerPoints = [...points];
    points.push(frameworkIds.map(() => 0));
    return { criterion, optionIds: [...criterion.options.map((o) => o.id), SKIP], optionById, points, answerPoints };
  });
  const model: Model = {
    frameworkIds,
    criteria,
    criterionIndex: new Map(criteria.map((c, i) => [c.criterion.id, i])),
  };
  models.set(knowledge, model);
  return model;
}

/** The points row for an answer of a criterion. */
export function pointsFor(cm: CriterionModel, optionId: string): number[] {
  const index = cm.optionIds.indexOf(optionId);
  const row = cm.points[index];
  if (!row) throw new Error(`unknown option "${optionId}" for criterion "${cm.criterion.id}"`);
  return row;
}
