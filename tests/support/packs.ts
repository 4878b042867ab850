/**
 * Knowledge packs built in code for tests: a small fixed pack, and a fast-check
 * arbitrary of random packs (any number of frameworks) for property tests.
 */
import fc from 'fast-check';
import { buildKnowledge, type Knowledge } from '../../src/knowledge/load.ts';
import type { PackFile } from '../../src/knowledge/schema.ts';

export function packKnowledge(pack: PackFile): Knowledge {
  return buildKnowledge([{ file: 'test.yaml', pack }]);
}

const source = { id: 'src_a', kind: 'article' as const, publisher: 'Pub', title: 'Title', label: 'Pub: Title' };

/** points[criterion][option][framework] -> a valid pack with one claim per effect. */
export function packFromPoints(points: number[][][], frameworkCount: number): PackFile {
  const frameworks = Array.from({ length: frameworkCount }, (_, f) => ({ id: `fw${f}`, name: `Framework ${f}`, summary: 'A framework.', claims: [] }));
  const claims: NonNullable<PackFile['claims']> = [];
  const criteria = points.map((options, c) => ({
    id: `c${c}`,
    title: `Criterion ${c}`,
    question: `Question ${c}?`,
    why: `Because ${c}.`,
    options: options.map((row, o) => ({
      id: `o${o}`,
      label: `Option ${o}`,
      synonyms: [],
      effects: row.map((p, f) => {
        const id = `claim_${c}_${o}_${f}`;
        if (p > 0) claims.push({ id, text: `Claim ${id}.`, sources: ['src_a'], about: [`fw${f}`], keywords: [] });
        return { framework: `fw${f}`, points: p, claims: p > 0 ? [id] : [] };
      }),
    })),
  }));
  return { sources: [source], frameworks, claims, criteria };
}

/** A random pack: 2-3 frameworks, 1-6 criteria, 2-4 options, points 0-3. */
export const randomPack = fc.integer({ min: 2, max: 3 }).chain((frameworkCount) =>
  fc
    .array(fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: frameworkCount, maxLength: frameworkCount }), { minLength: 2, maxLength: 4 }), {
      minLength: 1,
      maxLength: 6,
    })
    .map((points) => ({ points, frameworkCount, knowledge: packKnowledge(packFromPoints(points, frameworkCount)) })),
);

/** For a pack: a random partial answer set (each criterion unanswered, skipped or answered). */
export function randomAnswers(knowledge: Knowledge): fc.Arbitrary<Record<string, string>> {
  const perCriterion = knowledge.criteria.map((c) =>
    fc.constantFrom<string | undefined>(undefined, 'skip', ...c.options.map((o) => o.id)).map((answer) => [c.id, answer] as const),
  );
  return fc.tuple(...perCriterion).map((entries) => {
    const answers: Record<string, string> = {};
    for (const [criterion, answer] of entries) if (answer !== undefined) answers[criterion] = answer;
    return answers;
  });
}

/** Every full completion of a partial answer set (small packs only). */
export function completions(knowledge: Knowledge, answers: Record<string, string>): Record<string, string>[] {
  let results: Record<string, string>[] = [{ ...answers }];
  for (const criterion of knowledge.criteria) {
    if (answers[criterion.id] !== undefined) continue;
    const choices = ['skip', ...criterion.options.map((o) => o.id)];
    results = results.flatMap((partial) => choices.map((choice) => ({ ...partial, [criterion.id]: choice })));
  }
  return results;
}
