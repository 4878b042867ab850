/**
 * Contract checks on the real knowledge pack: the public ids, sourcing rules,
 * the recorded disputes and corrections, chat limits, and that each framework
 * can actually win.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../../src/engine/recommend.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import type { Claim, Dispute } from '../../src/knowledge/schema.ts';

const knowledge = loadKnowledge();

/** The public contract from the issue: criterion id -> option ids that must exist. */
const CONTRACT: Record<string, string[]> = {
  project_type: ['web_app', 'content_site', 'ecommerce', 'social', 'api', 'microservice', 'dashboard', 'prototype'],
  scale: ['small', 'growing', 'large'],
  lifetime: ['short', 'medium', 'long'],
  team_size: ['solo', 'small', 'large'],
  team_experience: ['django', 'flask', 'both', 'neither'],
  admin_panel: ['yes', 'later', 'no'],
  security: ['critical', 'standard'],
  time_to_market: ['urgent', 'normal'],
  performance: ['critical', 'normal'],
  architecture: ['monolith', 'microservices', 'undecided'],
  flexibility: ['high', 'low'],
  database: ['relational', 'nosql', 'none'],
  requirements: ['stable', 'evolving'],
  i18n: ['yes', 'no'],
};

/** Slack caps button text at 75 characters. */
const SLACK_BUTTON_TEXT_MAX = 75;

function sourcesOfSide(side: Dispute['sides'][number]): Set<string> {
  return new Set(side.claims.flatMap((id) => knowledge.claimById.get(id)?.sources ?? []));
}

function disputeAbout(topic: RegExp): Dispute {
  const found = knowledge.disputes.filter((d) => topic.test(d.topic));
  expect(found, `one dispute with a topic matching ${topic}`).toHaveLength(1);
  return found[0]!;
}

function claimSaying(text: RegExp): Claim {
  const found = knowledge.claims.filter((c) => text.test(c.text));
  expect(found, `one claim saying ${text}`).toHaveLength(1);
  return found[0]!;
}

describe('public criterion and option ids', () => {
  it.each(Object.entries(CONTRACT))('%s exists with every contract option id, spelled exactly', (criterionId, optionIds) => {
    const criterion = knowledge.criterionById.get(criterionId);
    expect(criterion, criterionId).toBeDefined();
    const ids = criterion!.options.map((o) => o.id);
    for (const id of optionIds) expect(ids, `${criterionId}.${id}`).toContain(id);
  });

  it('all fourteen contract criteria are present, and skip is never a defined option (the engine adds it)', () => {
    const ids = knowledge.criteria.map((c) => c.id);
    expect(Object.keys(CONTRACT).filter((id) => !ids.includes(id))).toEqual([]);
    for (const c of knowledge.criteria) expect(c.options.map((o) => o.id)).not.toContain('skip');
  });

  it('compares django and flask', () => {
    expect(knowledge.frameworks.map((f) => [f.id, f.name])).toEqual([
      ['django', 'Django'],
      ['flask', 'Flask'],
    ]);
  });
});

describe('sources and claims', () => {
  it('has the four articles and only official documentation besides them', () => {
    const articles = knowledge.sources.filter((s) => s.kind === 'article').map((s) => s.id);
    expect(articles).toEqual(['ussllc', 'uncredited_overview', 'stx_next', 'positiwise']);
    expect(knowledge.sources.every((s) => s.kind === 'article' || s.kind === 'official_docs')).toBe(true);
  });

  it('no article source has a url (none are invented); every official_docs source has one on the project domain', () => {
    for (const s of knowledge.sources.filter((x) => x.kind === 'article')) expect(s.url, s.id).toBeUndefined();
    for (const s of knowledge.sources.filter((x) => x.kind === 'official_docs')) {
      expect(s.url, s.id).toMatch(/^https:\/\/(docs\.djangoproject\.com|flask\.palletsprojects\.com)\//);
    }
  });

  it('every claim cites at least one source, and only article sources (official docs are for corrections)', () => {
    for (const claim of knowledge.claims) {
      expect(claim.sources.length, claim.id).toBeGreaterThanOrEqual(1);
      for (const id of claim.sources) expect(knowledge.sourceById.get(id)?.kind, `${claim.id} -> ${id}`).toBe('article');
    }
  });

  it('every effect that gives points rests on at least one claim', () => {
    for (const c of knowledge.criteria) {
      for (const o of c.options) {
        for (const e of o.effects) if (e.points > 0) expect(e.claims.length, `${c.id}.${o.id} -> ${e.framework}`).toBeGreaterThan(0);
      }
    }
  });

  it('every article is cited by at least one claim', () => {
    const cited = new Set(knowledge.claims.flatMap((c) => c.sources));
    for (const s of knowledge.sources.filter((x) => x.kind === 'article')) expect(cited.has(s.id), s.id).toBe(true);
  });
});

describe('disputes', () => {
  it.each([
    ['MVP / prototype speed', /mvp|prototype/i],
    ['learning curve', /learning/i],
    ['scalability', /scal/i],
  ])('%s is recorded with at least two sides citing different sources', (_name, topic) => {
    const dispute = disputeAbout(topic);
    expect(dispute.sides.length).toBeGreaterThanOrEqual(2);
    const sideSources = dispute.sides.map((side) => [...sourcesOfSide(side)].sort().join(','));
    for (const s of sideSources) expect(s).not.toBe('');
    expect(new Set(sideSources).size, `sides of ${dispute.id} cite ${sideSources.join(' | ')}`).toBeGreaterThanOrEqual(2);
  });

  it('a team that already knows a framework gains from it without resting on how hard that framework is to learn (a disputed point it does not face)', () => {
    for (const known of ['django', 'flask']) {
      const rec = recommend(knowledge, { team_experience: known });
      expect(rec.winner).toBe(known);
      expect(rec.caveats.filter((c) => c.kind === 'dispute').map((c) => c.id)).toEqual([]);
      expect(rec.confidence_basis.deciding_dispute).toBeNull();
    }
  });

  it('the MVP dispute has a side for Flask and a side for Django', () => {
    const dispute = disputeAbout(/mvp|prototype/i);
    const about = dispute.sides.map((side) => new Set(side.claims.flatMap((id) => knowledge.claimById.get(id)!.about)));
    expect(about.some((a) => a.has('flask'))).toBe(true);
    expect(about.some((a) => a.has('django'))).toBe(true);
  });
});

describe('corrections', () => {
  it.each([
    ['Django does not support APIs', /django does not support apis/i, /JsonResponse/],
    ['Django has no built-in async', /django .*no built-in.*async/i, /async/i],
  ])('"%s" is corrected from official documentation', (_name, claimText, correctionText) => {
    const claim = claimSaying(claimText);
    expect(claim.correction, claim.id).toBeDefined();
    expect(claim.correction!.text).toMatch(correctionText);
    expect(claim.correction!.sources.length).toBeGreaterThanOrEqual(1);
    for (const id of claim.correction!.sources) expect(knowledge.sourceById.get(id)?.kind, id).toBe('official_docs');
    // The claim still cites the article that made it.
    for (const id of claim.sources) expect(knowledge.sourceById.get(id)?.kind).toBe('article');
  });

  it('every correction cites official documentation only', () => {
    const corrected = knowledge.claims.filter((c) => c.correction);
    expect(corrected.length).toBeGreaterThanOrEqual(2);
    for (const c of corrected) for (const id of c.correction!.sources) expect(knowledge.sourceById.get(id)?.kind, `${c.id} -> ${id}`).toBe('official_docs');
  });
});

describe('wording fits the chat platforms', () => {
  it(`option labels are 1-${SLACK_BUTTON_TEXT_MAX} characters (Slack button text limit) and unique within a criterion`, () => {
    for (const c of knowledge.criteria) {
      for (const o of c.options) {
        expect(o.label.trim().length, `${c.id}.${o.id}`).toBeGreaterThan(0);
        expect(o.label.length, `${c.id}.${o.id}: ${o.label}`).toBeLessThanOrEqual(SLACK_BUTTON_TEXT_MAX);
      }
      expect(new Set(c.options.map((o) => o.label.toLowerCase())).size, c.id).toBe(c.options.length);
    }
  });

  it('every criterion has a non-empty question, title and why', () => {
    for (const c of knowledge.criteria) {
      expect(c.question.trim(), c.id).not.toBe('');
      expect(c.title.trim(), c.id).not.toBe('');
      expect(c.why.trim(), c.id).not.toBe('');
    }
  });
});

describe('both frameworks can win', () => {
  it('a realistic Flask profile: a small API in a microservice system, chosen by a Flask team', () => {
    const rec = recommend(knowledge, {
      project_type: 'api',
      scale: 'small',
      lifetime: 'medium',
      team_size: 'small',
      team_experience: 'flask',
      admin_panel: 'no',
      security: 'standard',
      time_to_market: 'normal',
      performance: 'critical',
      architecture: 'microservices',
      flexibility: 'high',
      database: 'nosql',
      requirements: 'evolving',
      i18n: 'no',
    });
    expect(rec.winner).toBe('flask');
    expect(rec.scores['flask']!).toBeGreaterThan(rec.scores['django']!);
    expect(rec.decided).toBe(true);
  });

  it('a realistic Django profile: a multilingual shop with an admin and sensitive data', () => {
    const rec = recommend(knowledge, {
      project_type: 'ecommerce',
      scale: 'growing',
      lifetime: 'long',
      team_size: 'small',
      team_experience: 'both',
      admin_panel: 'yes',
      security: 'critical',
      time_to_market: 'normal',
      performance: 'normal',
      architecture: 'monolith',
      flexibility: 'low',
      database: 'relational',
      requirements: 'stable',
      i18n: 'yes',
    });
    expect(rec.winner).toBe('django');
    expect(rec.scores['django']!).toBeGreaterThan(rec.scores['flask']!);
    expect(rec.decided).toBe(true);
  });

  it('every framework gets points from some option of some criterion', () => {
    for (const f of knowledge.frameworks) {
      const gives = knowledge.criteria.some((c) => c.options.some((o) => o.effects.some((e) => e.framework === f.id && e.points > 0)));
      expect(gives, f.id).toBe(true);
    }
  });
});
