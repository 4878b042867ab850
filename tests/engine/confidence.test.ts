/**
 * Confidence follows the facts: "high" only when the verdict is decided or its
 * chance of change is at most 5%, and the lead leans on no disputed claim (neither
 * resting on disputed claims overall nor decided by one disputed topic); an
 * undecided "medium" also needs a chance of change of at most 20%. Checked as
 * a property on random packs with disputes, and on the real pack's cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STOP_CHANCE } from '../../src/engine/chance.ts';
import { MEDIUM_CHANCE } from '../../src/engine/confidence.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { loadKnowledge, type Knowledge } from '../../src/knowledge/load.ts';
import type { PackFile } from '../../src/knowledge/schema.ts';
import { packFromPoints, packKnowledge, randomAnswers } from '../support/packs.ts';

const real = loadKnowledge();

/** Every other criterion answered "don't know". */
function onlyThese(knowledge: Knowledge, answers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(knowledge.criteria.map((c) => [c.id, answers[c.id] ?? 'skip']));
}

/** A random pack (2 frameworks) whose claims are grouped into disputes at random. */
const packWithDisputes = fc
  .array(fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 3 }), { minLength: 1, maxLength: 5 })
  .chain((points) => {
    const pack = packFromPoints(points, 2);
    const claimIds = (pack.claims ?? []).map((c) => c.id);
    return fc.array(fc.constantFrom(0, 1, 2), { minLength: claimIds.length, maxLength: claimIds.length }).map((groups): PackFile => {
      // Group 0: undisputed. Groups 1 and 2: one dispute each, its claims split over two sides.
      const disputes = [1, 2].flatMap((group) => {
        const members = claimIds.filter((_, i) => groups[i] === group);
        if (members.length < 2) return [];
        const half = Math.ceil(members.length / 2);
        return [
          {
            id: `dispute_${group}`,
            topic: `Topic ${group}`,
            summary: 'Sources disagree.',
            sides: [
              { position: 'One side.', claims: members.slice(0, half) },
              { position: 'The other side.', claims: members.slice(half) },
            ],
          },
        ];
      });
      return { ...pack, disputes };
    });
  })
  .map((pack) => packKnowledge(pack));

describe('the confidence rule', () => {
  it('is high only when decided or unlikely to change, the lead leans on no disputed claim and no "don\'t know" could turn it; low on a tie', () => {
    fc.assert(
      fc.property(packWithDisputes.chain((knowledge) => randomAnswers(knowledge).map((answers) => ({ knowledge, answers }))), ({ knowledge, answers }) => {
        const rec = recommend(knowledge, answers);
        const basis = rec.confidence_basis;
        expect(basis.unlikely_to_change).toBe(rec.chance_of_change <= STOP_CHANCE);
        expect(basis.modest_chance_of_change).toBe(rec.chance_of_change <= MEDIUM_CHANCE);
        const holds = rec.decided || rec.chance_of_change <= STOP_CHANCE;
        const leans = basis.rests_on_disputes || basis.deciding_dispute !== null;
        expect(basis.unknown_could_flip).toBe(rec.flips.some((f) => f.from === 'skip'));
        if (rec.winner === null) expect(rec.confidence).toBe('low');
        else if (holds) expect(rec.confidence).toBe(leans || basis.unknown_could_flip ? 'medium' : 'high');
        else expect(rec.confidence).toBe(rec.chance_of_change > MEDIUM_CHANCE || basis.one_answer_could_flip || leans ? 'low' : 'medium');
        // Whatever else holds, "medium" and "high" never come with a chance of change above 20%.
        if (rec.confidence !== 'low') expect(rec.chance_of_change).toBeLessThanOrEqual(MEDIUM_CHANCE);
      }),
      { numRuns: 300 },
    );
  });

  it('names the dispute that decides the lead: without the winner\'s points citing it, the winner would not lead', () => {
    fc.assert(
      fc.property(packWithDisputes.chain((knowledge) => randomAnswers(knowledge).map((answers) => ({ knowledge, answers }))), ({ knowledge, answers }) => {
        const rec = recommend(knowledge, answers);
        fc.pre(rec.winner !== null);
        const leadWithout = (disputeId: string): boolean => {
          const claims = new Set(knowledge.disputes.find((d) => d.id === disputeId)!.sides.flatMap((s) => s.claims));
          const scores: Record<string, number> = Object.fromEntries(knowledge.frameworks.map((f) => [f.id, 0]));
          for (const criterion of knowledge.criteria) {
            const option = criterion.options.find((o) => o.id === answers[criterion.id]);
            for (const effect of option?.effects ?? []) {
              if (effect.framework === rec.winner && effect.claims.some((id) => claims.has(id))) continue;
              scores[effect.framework]! += effect.points;
            }
          }
          return knowledge.frameworks.every((f) => f.id === rec.winner || scores[f.id]! < scores[rec.winner!]!);
        };
        const deciding = knowledge.disputes.filter((d) => !leadWithout(d.id)).map((d) => d.id);
        expect(rec.confidence_basis.deciding_dispute).toBe(deciding[0] ?? null);
      }),
      { numRuns: 300 },
    );
  });
});

describe('confidence on the real pack', () => {
  it('the startup MVP case (prototype, urgent, growing; all else skipped) is not high: the disputed MVP question decides it', () => {
    const rec = recommend(real, onlyThese(real, { project_type: 'prototype', time_to_market: 'urgent', scale: 'growing' }));
    expect(rec.winner).toBe('django');
    expect(rec.decided).toBe(true);
    expect(rec.confidence).not.toBe('high');
    expect(rec.confidence).toBe('medium');
    expect(rec.confidence_basis.deciding_dispute).toBe('mvp_speed');
  });

  it('the same startup case with the other questions still open is low: one answer could flip it', () => {
    const rec = recommend(real, { project_type: 'prototype', time_to_market: 'urgent', scale: 'growing' });
    expect(rec.confidence).toBe('low');
    expect(rec.chance_of_change).toBeGreaterThan(STOP_CHANCE);
  });

  it('a clear Django case is high once its chance of change is at most 5%, though not decided', () => {
    const rec = recommend(real, { flexibility: 'low', project_type: 'content_site' });
    expect(rec.decided).toBe(false);
    expect(rec.chance_of_change).toBeLessThanOrEqual(STOP_CHANCE);
    expect(rec.confidence_basis).toMatchObject({ rests_on_disputes: false, deciding_dispute: null });
    expect(rec.confidence).toBe('high');
  });

  it('an undecided lead that no single answer could flip is medium only while its chance of change is at most 20%', () => {
    const modest = recommend(real, { scale: 'large', team_size: 'large' });
    expect(modest.confidence_basis).toMatchObject({ settled: false, unlikely_to_change: false, one_answer_could_flip: false, rests_on_disputes: false, deciding_dispute: null });
    expect(modest.chance_of_change).toBeGreaterThan(STOP_CHANCE);
    expect(modest.chance_of_change).toBeLessThanOrEqual(MEDIUM_CHANCE);
    expect(modest.confidence).toBe('medium');
    // The same facts but a 43% chance of change: the verdict is as likely as not to hold, so low.
    const open = recommend(real, { project_type: 'api', scale: 'small' });
    expect(open.confidence_basis).toMatchObject({ settled: false, one_answer_could_flip: false, rests_on_disputes: false, deciding_dispute: null, modest_chance_of_change: false });
    expect(open.chance_of_change).toBeGreaterThan(MEDIUM_CHANCE);
    expect(open.confidence).toBe('low');
  });

  it('"don\'t know" never buys certainty: one answer among six skips that could each turn it is medium, not high', () => {
    const answers = { admin_panel: 'yes', project_type: 'skip', architecture: 'skip', flexibility: 'skip', team_experience: 'skip', scale: 'skip', performance: 'skip' };
    const rec = recommend(real, answers);
    expect(rec.winner).toBe('django');
    expect(rec.chance_of_change).toBeLessThanOrEqual(STOP_CHANCE);
    expect(rec.confidence_basis.unknown_could_flip).toBe(true);
    expect(rec.confidence).not.toBe('high');
    // Answered instead of skipped, the same lead with nothing a "don't know" could turn is high again.
    const known = recommend(real, { flexibility: 'low', project_type: 'content_site' });
    expect(known.confidence_basis.unknown_could_flip).toBe(false);
    expect(known.confidence).toBe('high');
  });

  it('a decided Django profile with no disputed lean is high', () => {
    const rec = recommend(real, { flexibility: 'low', project_type: 'content_site', admin_panel: 'yes', architecture: 'monolith', scale: 'large' });
    expect(rec.decided).toBe(true);
    expect(rec.confidence).toBe('high');
  });
});
