import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankQuestions, recommend } from '../../src/engine/recommend.ts';
import { completions, packFromPoints, packKnowledge, randomAnswers, randomPack } from '../support/packs.ts';

const RUNS = 300;

describe('recommend: arithmetic', () => {
  // Two frameworks, two criteria: c0 strongly for fw0, c1 for fw1.
  const knowledge = packKnowledge(
    packFromPoints(
      [
        [[3, 0], [0, 1]],
        [[0, 2], [1, 0]],
      ],
      2,
    ),
  );

  it('adds the points of each answer and names the leader', () => {
    const rec = recommend(knowledge, { c0: 'o0', c1: 'o0' });
    expect(rec.scores).toEqual({ fw0: 3, fw1: 2 });
    expect(rec.winner).toBe('fw0');
    expect(rec.margin).toBe(1);
    expect(rec.decided).toBe(true);
    expect(rec.next_question).toBeNull();
    expect(rec.reasons.map((r) => [r.criterion, r.favours, r.contribution])).toEqual([
      ['c0', 'fw0', { fw0: 3, fw1: 0 }],
      ['c1', 'fw1', { fw0: 0, fw1: 2 }],
    ]);
  });

  it('has no winner on a tie and no answers', () => {
    const rec = recommend(knowledge, {});
    expect(rec.winner).toBeNull();
    expect(rec.confidence).toBe('low');
    expect(rec.decided).toBe(false);
    expect(rec.next_question).toBe('c0');
  });

  it('is not decided while the open criterion could still overturn the lead', () => {
    const rec = recommend(knowledge, { c1: 'o0' });
    expect(rec.winner).toBe('fw1');
    expect(rec.decided).toBe(false);
    expect(rec.next_question).toBe('c0');
    expect(rec.flips).toContainEqual({ criterion: 'c0', from: null, to: 'o0', winner: 'fw0' });
    expect(rec.confidence).toBe('low');
  });

  it('treats skip as an answer that counts for no side', () => {
    const rec = recommend(knowledge, { c0: 'skip', c1: 'o1' });
    expect(rec.scores).toEqual({ fw0: 1, fw1: 0 });
    expect(rec.reasons[0]).toMatchObject({ criterion: 'c0', answer: 'skip', favours: null, claims: [], sources: [] });
    expect(rec.decided).toBe(true);
  });
});

describe('recommend: properties over random packs and answers', () => {
  const packAndAnswers = randomPack.chain((pack) => randomAnswers(pack.knowledge).map((answers) => ({ ...pack, answers })));

  it('contributions add up exactly to the scores', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const rec = recommend(knowledge, answers);
        for (const framework of knowledge.frameworks) {
          const sum = rec.reasons.reduce((total, r) => total + (r.contribution[framework.id] ?? 0), 0);
          expect(sum).toBe(rec.scores[framework.id]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('an answer never lowers the score of the framework it favours', () => {
    fc.assert(
      fc.property(packAndAnswers, fc.nat(), fc.nat(), ({ knowledge, answers }, pickCriterion, pickOption) => {
        const open = knowledge.criteria.filter((c) => answers[c.id] === undefined);
        fc.pre(open.length > 0);
        const criterion = open[pickCriterion % open.length]!;
        const option = criterion.options[pickOption % criterion.options.length]!;
        const before = recommend(knowledge, answers);
        const after = recommend(knowledge, { ...answers, [criterion.id]: option.id });
        const reason = after.reasons.find((r) => r.criterion === criterion.id)!;
        if (reason.favours !== null) {
          expect(after.scores[reason.favours]!).toBeGreaterThan(before.scores[reason.favours]!);
        }
        for (const f of knowledge.frameworks) expect(after.scores[f.id]!).toBeGreaterThanOrEqual(before.scores[f.id]!);
      }),
      { numRuns: RUNS },
    );
  });

  it('decided is exact: true iff no completion of the open criteria changes the winner', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const rec = recommend(knowledge, answers);
        const outcomes = new Set(completions(knowledge, answers).map((full) => recommend(knowledge, full).winner));
        const unchangeable = outcomes.size === 1 && outcomes.has(rec.winner);
        if (rec.decided) expect(unchangeable).toBe(true);
        // Completeness where it is claimed exactly: a leader exists.
        if (rec.winner !== null) expect(rec.decided).toBe(unchangeable);
      }),
      { numRuns: RUNS },
    );
  });

  it('next_question is an unanswered criterion, and null exactly when decided or all answered', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const rec = recommend(knowledge, answers);
        if (rec.decided || rec.unanswered.length === 0) {
          expect(rec.next_question).toBeNull();
        } else {
          expect(rec.unanswered).toContain(rec.next_question);
          expect(answers[rec.next_question!]).toBeUndefined();
          expect(rankQuestions(knowledge, answers)[0]).toBe(rec.next_question);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('every flip really changes the winner, and every single change that does is listed', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const rec = recommend(knowledge, answers);
        const expected = knowledge.criteria.flatMap((c) =>
          [...c.options.map((o) => o.id), 'skip']
            .filter((option) => option !== answers[c.id])
            .map((option) => ({ criterion: c.id, from: answers[c.id] ?? null, to: option, winner: recommend(knowledge, { ...answers, [c.id]: option }).winner }))
            .filter((flip) => flip.winner !== rec.winner),
        );
        expect(rec.flips).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('an interview that stops when decided ends on the same winner as answering everything', () => {
    fc.assert(
      fc.property(
        randomPack.chain((pack) => fc.tuple(fc.constant(pack), fc.array(fc.nat(), { minLength: 6, maxLength: 6 }))),
        ([{ knowledge }, picks]) => {
          const full: Record<string, string> = {};
          knowledge.criteria.forEach((c, i) => {
            const options = ['skip', ...c.options.map((o) => o.id)];
            full[c.id] = options[picks[i]! % options.length]!;
          });
          const answers: Record<string, string> = {};
          let rec = recommend(knowledge, answers);
          while (rec.next_question !== null) {
            answers[rec.next_question] = full[rec.next_question]!;
            rec = recommend(knowledge, answers);
          }
          if (rec.decided) expect(rec.winner).toBe(recommend(knowledge, full).winner);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("shares each option's claims between recommendations, frozen, so a reader cannot change the next one", () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        const first = recommend(knowledge, answers);
        const second = recommend(knowledge, answers);
        first.reasons.forEach((reason, i) => {
          expect(second.reasons[i]!.claims).toBe(reason.claims);
          expect(Object.isFrozen(reason.claims) && Object.isFrozen(reason.sources)).toBe(true);
          expect(() => (reason.sources as string[]).push('changed')).toThrow(TypeError);
          for (const claim of reason.claims) expect(Object.isFrozen(claim) && Object.isFrozen(claim.sources)).toBe(true);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(packAndAnswers, ({ knowledge, answers }) => {
        expect(recommend(knowledge, answers)).toEqual(recommend(knowledge, answers));
      }),
      { numRuns: 50 },
    );
  });
});
