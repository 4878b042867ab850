/**
 * chance_of_change against brute force: every completion of the open criteria
 * (each option equally likely, "don't know" left out) on random small packs, with
 * two and three frameworks; its edge cases; and the lookahead next-question rules
 * against the same brute force.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FOLDED_BUDGET_BYTES, foldedBytes, STOP_CHANCE } from '../../src/engine/chance.ts';
import { modelOf } from '../../src/engine/model.ts';
import { NEXT_QUESTION_RULE, NEXT_QUESTION_RULES } from '../../src/engine/next-question.ts';
import { rankQuestions, recommend } from '../../src/engine/recommend.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';
import { packFromPoints, packKnowledge, randomAnswers, randomPack } from '../support/packs.ts';

const RUNS = 300;

/** Every completion of the open criteria with real options only (the model behind chance_of_change). */
function optionCompletions(knowledge: Knowledge, answers: Record<string, string>): Record<string, string>[] {
  let results: Record<string, string>[] = [{ ...answers }];
  for (const criterion of knowledge.criteria) {
    if (answers[criterion.id] !== undefined) continue;
    results = results.flatMap((partial) => criterion.options.map((o) => ({ ...partial, [criterion.id]: o.id })));
  }
  return results;
}

/** The chance of change by enumeration, as a ratio of whole numbers divided once (as the engine does). */
function bruteChance(knowledge: Knowledge, answers: Record<string, string>): number {
  const current = recommend(knowledge, answers).winner;
  const all = optionCompletions(knowledge, answers);
  return all.filter((full) => recommend(knowledge, full).winner !== current).length / all.length;
}

/** Expected chance of change after answering `criterion`, times the number of completions (a whole number). */
function bruteAfter(knowledge: Knowledge, answers: Record<string, string>, criterionId: string): number {
  const criterion = knowledge.criterionById.get(criterionId)!;
  let changed = 0;
  for (const option of criterion.options) {
    const next = { ...answers, [criterionId]: option.id };
    const reference = recommend(knowledge, next).winner;
    changed += optionCompletions(knowledge, next).filter((full) => recommend(knowledge, full).winner !== reference).length;
  }
  return changed;
}

const packAndAnswers = randomPack.chain((pack) => randomAnswers(pack.knowledge).map((answers) => ({ ...pack, answers })));

describe('chance_of_change', () => {
  it('equals brute-force enumeration of every completion, exactly (2 and 3 frameworks)', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        expect(recommend(knowledge, answers).chance_of_change).toBe(bruteChance(knowledge, answers));
      }),
      { numRuns: RUNS },
    );
  });

  it('stays exact with many frameworks (five or six: the counts no longer fit an array and go into a map)', () => {
    const manyFrameworks = fc.integer({ min: 5, max: 6 }).chain((frameworkCount) =>
      fc
        .array(fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: frameworkCount, maxLength: frameworkCount }), { minLength: 2, maxLength: 3 }), {
          minLength: 3,
          maxLength: 5,
        })
        .map((points) => packKnowledge(packFromPoints(points, frameworkCount))),
    );
    fc.assert(
      fc.property(manyFrameworks.chain((knowledge) => randomAnswers(knowledge).map((answers) => ({ knowledge, answers }))), ({ knowledge, answers }) => {
        expect(recommend(knowledge, answers).chance_of_change).toBe(bruteChance(knowledge, answers));
        const open = knowledge.criteria.filter((c) => answers[c.id] === undefined).map((c) => c.id);
        const expected = open
          .map((id, order) => ({ id, order, after: bruteAfter(knowledge, answers, id) }))
          .sort((a, b) => a.after - b.after || a.order - b.order)
          .map((x) => x.id);
        expect(rankQuestions(knowledge, answers, 'chance_lookahead')).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('is a number from 0 to 1, and 0 whenever the verdict is decided', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const rec = recommend(knowledge, answers);
        expect(rec.chance_of_change).toBeGreaterThanOrEqual(0);
        expect(rec.chance_of_change).toBeLessThanOrEqual(1);
        if (rec.decided) expect(rec.chance_of_change).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  // Two frameworks, three criteria: c0 gives fw0 3 or fw1 1; c1 gives fw1 2 or nothing; c2 is neutral.
  const knowledge = packKnowledge(
    packFromPoints(
      [
        [[3, 0], [0, 1]],
        [[0, 2], [0, 0]],
        [[1, 1], [0, 0]],
      ],
      2,
    ),
  );

  it('is 0 when decided and when everything is answered', () => {
    const decided = recommend(knowledge, { c0: 'o0', c1: 'o1' });
    expect(decided.decided).toBe(true);
    expect(decided.chance_of_change).toBe(0);
    const all = recommend(knowledge, { c0: 'o1', c1: 'o0', c2: 'o0' });
    expect(all.unanswered).toEqual([]);
    expect(all.chance_of_change).toBe(0);
  });

  it('with nothing answered, it is the share of completions that end with any winner (a tie is the current outcome)', () => {
    // 8 completions; c0=o0 (fw0 +3) wins for fw0 whatever c1 does; c0=o1 with c1=o0 gives fw1 3-0, with c1=o1 fw1 1-0.
    const rec = recommend(knowledge, {});
    expect(rec.winner).toBeNull();
    expect(rec.chance_of_change).toBe(1);
  });

  it('counts a final tie as a change from a leader', () => {
    // fw1 leads 2-0 after c1=o0; c0=o0 makes it 3-2 for fw0 (change), c0=o1 makes it 3-0 for fw1 (no change).
    const leader = recommend(knowledge, { c1: 'o0' });
    expect(leader.winner).toBe('fw1');
    expect(leader.chance_of_change).toBe(0.5);
    // A case that can end tied: fw0 would draw level with fw1 at 2-2.
    const tieable = packKnowledge(packFromPoints([[[0, 2], [0, 2]], [[2, 0], [0, 0]]], 2));
    const rec = recommend(tieable, { c0: 'o0' });
    expect(rec.winner).toBe('fw1');
    // c1=o0 ties it 2-2 (a change), c1=o1 keeps fw1 ahead: one of two completions.
    expect(rec.chance_of_change).toBe(0.5);
  });

  it('from a current tie, a final tie is no change and any winner is one', () => {
    const tied = packKnowledge(packFromPoints([[[1, 1], [0, 0]], [[1, 0], [0, 1], [2, 2]]], 2));
    const rec = recommend(tied, { c0: 'o0' });
    expect(rec.winner).toBeNull();
    // c1: o0 -> fw0, o1 -> fw1, o2 -> still tied.
    expect(rec.chance_of_change).toBe(2 / 3);
  });

  it('leaves "don\'t know" out of the model: skip is never counted as an option', () => {
    // With skip counted, c0 would have 3 equally likely answers; without, 2.
    const pack = packKnowledge(packFromPoints([[[0, 1], [0, 2]], [[1, 0], [0, 0]]], 2));
    const rec = recommend(pack, { c1: 'o0' });
    expect(rec.winner).toBe('fw0');
    // c0=o0 ties 1-1 (change), c0=o1 gives fw1 2-1 (change): both change.
    expect(rec.chance_of_change).toBe(1);
  });
});

/** Brute force: how many options of `criterion` leave a chance of change of at most 5% (the offer) once given. */
function bruteStopping(knowledge: Knowledge, answers: Record<string, string>, criterionId: string): number {
  const criterion = knowledge.criterionById.get(criterionId)!;
  return criterion.options.filter((o) => bruteChance(knowledge, { ...answers, [criterionId]: o.id }) <= STOP_CHANCE).length;
}

describe('the lookahead next-question rules', () => {
  it('chance_lookahead ranks by the expected chance of change after one more answer (brute force), ties in pack order', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const open = knowledge.criteria.filter((c) => answers[c.id] === undefined).map((c) => c.id);
        fc.pre(open.length > 1);
        const expected = open
          .map((id, order) => ({ id, order, after: bruteAfter(knowledge, answers, id) }))
          .sort((a, b) => a.after - b.after || a.order - b.order)
          .map((x) => x.id);
        expect(rankQuestions(knowledge, answers, 'chance_lookahead')).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('stop_lookahead puts first a criterion with the largest share of options that lead to the offer (brute force)', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const open = knowledge.criteria.filter((c) => answers[c.id] === undefined);
        fc.pre(open.length > 1 && bruteChance(knowledge, answers) > STOP_CHANCE);
        const share = (id: string): number => bruteStopping(knowledge, answers, id) / knowledge.criterionById.get(id)!.options.length;
        const best = Math.max(...open.map((c) => share(c.id)));
        const ranking = rankQuestions(knowledge, answers, 'stop_lookahead');
        expect(share(ranking[0]!)).toBe(best);
        // The shares never increase down the ranking.
        for (let i = 1; i < ranking.length; i++) expect(share(ranking[i]!)).toBeLessThanOrEqual(share(ranking[i - 1]!));
      }),
      { numRuns: 150 },
    );
  });

  it('stop_lookahead, once the result can be offered (refining), asks by the variance of the difference, largest first', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers, frameworkCount }) => {
        fc.pre(frameworkCount === 2 && bruteChance(knowledge, answers) <= STOP_CHANCE);
        const variance = (id: string): number => {
          const differences = knowledge.criterionById.get(id)!.options.map((o) => o.effects[0]!.points - o.effects[1]!.points);
          const mean = differences.reduce((a, b) => a + b, 0) / differences.length;
          return differences.reduce((sum, d) => sum + (d - mean) ** 2, 0) / differences.length;
        };
        const ranking = rankQuestions(knowledge, answers, 'stop_lookahead');
        for (let i = 1; i < ranking.length; i++) expect(variance(ranking[i]!)).toBeLessThanOrEqual(variance(ranking[i - 1]!) + 1e-9);
      }),
      { numRuns: 150 },
    );
  });

  it('work kept for one set of open criteria gives every later answer set with that set open what a fresh model gives', () => {
    // Two answer sets with the same criteria open but other answers: the second is evaluated after the first
    // (on the same knowledge, so the same model and its kept folds) and alone on a copy of the pack.
    const sameOpen = randomPack.chain((pack) =>
      fc.tuple(randomAnswers(pack.knowledge), fc.infiniteStream(fc.nat())).map(([first, picks]) => {
        const iterator = picks[Symbol.iterator]();
        const second: Record<string, string> = {};
        for (const criterion of pack.knowledge.criteria) {
          if (first[criterion.id] === undefined) continue;
          const ids = ['skip', ...criterion.options.map((o) => o.id)];
          second[criterion.id] = ids[iterator.next().value! % ids.length]!;
        }
        return { ...pack, first, second };
      }),
    );
    fc.assert(
      fc.property(sameOpen, ({ points, frameworkCount, knowledge, first, second }) => {
        recommend(knowledge, first);
        for (const rule of NEXT_QUESTION_RULES) rankQuestions(knowledge, first, rule);
        const fresh = packKnowledge(packFromPoints(points, frameworkCount));
        expect(recommend(knowledge, second)).toEqual(recommend(fresh, second));
        for (const rule of NEXT_QUESTION_RULES) expect(rankQuestions(knowledge, second, rule)).toEqual(rankQuestions(packKnowledge(packFromPoints(points, frameworkCount)), second, rule));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the work it remembers within its memory budget, also for a pack whose sets are large, and stays exact', () => {
    // Three frameworks and 16 criteria of five options: each set of open criteria takes hundreds of kilobytes.
    let state = 7;
    const random = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const points = Array.from({ length: 16 }, () => Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => Math.floor(random() * 4))));
    const knowledge = packKnowledge(packFromPoints(points, 3));
    const answerSets = Array.from({ length: 80 }, () => {
      const answers: Record<string, string> = {};
      for (const criterion of knowledge.criteria) if (random() < 0.15) answers[criterion.id] = criterion.options[Math.floor(random() * 5)]!.id;
      return answers;
    });
    for (const answers of answerSets) rankQuestions(knowledge, answers);
    const kept = foldedBytes(modelOf(knowledge));
    expect(kept.sets).toBeGreaterThan(0);
    expect(kept.sets).toBeLessThan(answerSets.length);
    expect(kept.bytes).toBeLessThanOrEqual(FOLDED_BUDGET_BYTES);
    for (const answers of answerSets.slice(0, 5)) {
      expect(recommend(knowledge, answers)).toEqual(recommend(packKnowledge(packFromPoints(points, 3)), answers));
    }

    // Four frameworks: one set whose counts without each criterion, added as the next question is ranked, outgrow an eighth of the budget.
    const large = packKnowledge(packFromPoints(points.map((options) => options.slice(0, 4).map((row) => [...row, row[0]! ^ 1])), 4));
    rankQuestions(large, {});
    expect(foldedBytes(modelOf(large)).bytes).toBeLessThanOrEqual(FOLDED_BUDGET_BYTES / 8);
  });

  it('every rule ranks exactly the open criteria, and the engine asks by NEXT_QUESTION_RULE', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const open = knowledge.criteria.filter((c) => answers[c.id] === undefined).map((c) => c.id);
        for (const rule of NEXT_QUESTION_RULES) expect([...rankQuestions(knowledge, answers, rule)].sort()).toEqual([...open].sort());
        expect(rankQuestions(knowledge, answers)).toEqual(rankQuestions(knowledge, answers, NEXT_QUESTION_RULE));
      }),
      { numRuns: 100 },
    );
  });
});
