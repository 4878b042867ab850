/**
 * The knowledge corrections of issue 9 (part 5), on the real pack: a correction for
 * the clustering claim, a narrower SSO/LDAP correction, attributions only to the
 * articles that make a claim, the missing disputes and claims, and weights
 * re-derived from the claims.
 */
import { describe, expect, it } from 'vitest';
import { askKnowledge } from '../../src/engine/ask.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import type { Claim, Dispute } from '../../src/knowledge/schema.ts';

const knowledge = loadKnowledge();

function claim(id: string): Claim {
  const found = knowledge.claimById.get(id);
  expect(found, id).toBeDefined();
  return found!;
}

function dispute(id: string): Dispute {
  const found = knowledge.disputes.find((d) => d.id === id);
  expect(found, id).toBeDefined();
  return found!;
}

/** framework -> points for one option of a criterion (frameworks without an effect left out). */
function points(criterion: string, option: string): Record<string, number> {
  const o = knowledge.criterionById.get(criterion)!.options.find((x) => x.id === option)!;
  return Object.fromEntries(o.effects.filter((e) => e.points > 0).map((e) => [e.framework, e.points]));
}

function effectClaims(criterion: string, option: string, framework: string): string[] {
  const o = knowledge.criterionById.get(criterion)!.options.find((x) => x.id === option)!;
  return o.effects.find((e) => e.framework === framework)?.claims ?? [];
}

function sidesOf(d: Dispute): Set<string>[] {
  return d.sides.map((side) => new Set(side.claims.flatMap((id) => knowledge.claimById.get(id)!.sources)));
}

describe('corrections from the official documentation', () => {
  it('Positiwise\'s "built-in clustering and load balancing" is corrected from the Django FAQ on scaling', () => {
    const c = claim('django_clustering');
    expect(c.sources).toEqual(['positiwise']);
    expect(c.correction?.sources).toEqual(['django_docs_faq_general']);
    expect(c.correction!.text).toMatch(/no clustering or load-balancing feature/);
    expect(c.correction!.text).toMatch(/shared-nothing/);
    const faq = knowledge.sourceById.get('django_docs_faq_general')!;
    expect(faq.kind).toBe('official_docs');
    expect(faq.url).toBe('https://docs.djangoproject.com/en/stable/faq/general/');
  });

  it('the SSO/LDAP correction says what Django does ship: RemoteUserMiddleware and RemoteUserBackend', () => {
    const c = claim('django_sso_ldap_mfa');
    expect(c.correction!.text).toMatch(/RemoteUserMiddleware/);
    expect(c.correction!.text).toMatch(/RemoteUserBackend/);
    expect(c.correction!.text).not.toMatch(/SSO and LDAP need extra packages/);
    expect(c.correction!.sources).toContain('django_docs_auth_remote_user');
    expect(knowledge.sourceById.get('django_docs_auth_remote_user')!.url).toBe('https://docs.djangoproject.com/en/stable/howto/auth-remote-user/');
  });

  it('"ask" shows the claims with their corrections and the documentation they cite', () => {
    const clustering = askKnowledge(knowledge, 'does django have built-in load balancing?');
    const item = clustering.items.find((i) => i.text === claim('django_clustering').text);
    expect(item?.correction).toMatch(/shared-nothing.*\(Django FAQ: Does Django scale\?\)$/s);
    const sso = askKnowledge(knowledge, 'does django support ldap single sign-on?');
    expect(sso.items.find((i) => i.text === claim('django_sso_ldap_mfa').text)?.correction).toMatch(/RemoteUserBackend/);
  });
});

describe('attributions only to the articles that make the claim', () => {
  it.each([
    ['flask_dashboards', 'ussllc'],
    ['flask_no_builtin_orm', 'positiwise'],
    ['django_more_secure', 'positiwise'],
    ['django_ecommerce', 'ussllc'],
  ])('%s no longer cites %s', (id, source) => {
    const c = claim(id);
    expect(c.sources).not.toContain(source);
    expect(c.sources.length).toBeGreaterThan(0);
  });

  it('USSLLC\'s startup advice is its own claim, not folded into a claim three articles make', () => {
    expect(claim('flask_prototypes_mvps').text).not.toMatch(/startup/i);
    expect(claim('flask_startups').sources).toEqual(['ussllc']);
  });
});

describe('the missing disputes and claims', () => {
  it('startups: STX Next\'s Django for most startups against USSLLC\'s Flask for startups', () => {
    const d = dispute('startups');
    expect(d.sides.map((s) => s.claims)).toEqual([['django_startups'], ['flask_startups']]);
    expect(claim('django_startups').sources).toEqual(['stx_next']);
    expect(sidesOf(d).map((s) => [...s])).toEqual([['stx_next'], ['ussllc']]);
  });

  it('the use-case overlap: content sites and shops tied to Django, yet listed for Flask too', () => {
    const d = dispute('use_case_overlap');
    const claims = d.sides.flatMap((s) => s.claims);
    expect(claims).toEqual(expect.arrayContaining(['django_content_sites', 'django_ecommerce', 'both_general_purpose']));
    for (const option of ['content_site', 'ecommerce']) {
      expect(points('project_type', option)['flask'], option).toBeGreaterThan(0);
      expect(effectClaims('project_type', option, 'flask')).toContain('both_general_purpose');
      expect(points('project_type', option)['django']!).toBeGreaterThan(points('project_type', option)['flask']!);
    }
  });

  it('"both offer high performance" joins the performance dispute', () => {
    expect(claim('both_high_performance').sources).toEqual(['positiwise']);
    expect(dispute('performance').sides.some((s) => s.claims.includes('both_high_performance'))).toBe(true);
  });

  it('Positiwise\'s other Django uses are recorded and back the general web app', () => {
    const c = claim('django_other_uses');
    expect(c.sources).toEqual(['positiwise']);
    expect(c.text).toMatch(/healthcare/);
    expect(c.text).toMatch(/collaborative tools/);
    expect(c.text).toMatch(/data analytics/);
    expect(effectClaims('project_type', 'web_app', 'django')).toContain('django_other_uses');
  });
});

describe('weights re-derived from the claims', () => {
  it.each([
    ['lifetime', 'short'],
    ['team_size', 'solo'],
    ['admin_panel', 'no'],
    ['database', 'none'],
  ])('%s: %s gives no points (no article ties it to either framework)', (criterion, option) => {
    expect(points(criterion, option)).toEqual({});
  });

  it('database: relational gives Django one point for its built-in ORM, not two for SQL', () => {
    expect(points('database', 'relational')).toEqual({ django: 1 });
    expect(effectClaims('database', 'relational', 'django')).toContain('django_orm');
    expect(effectClaims('database', 'relational', 'django')).not.toContain('django_db_backends');
  });

  it('team_experience: neither leans to Flask (three articles and Positiwise\'s table), with Positiwise\'s prose shown for Django', () => {
    expect(points('team_experience', 'neither')).toEqual({ flask: 2, django: 1 });
    expect(effectClaims('team_experience', 'neither', 'django')).toEqual(['positiwise_django_easier']);
  });

  it('requirements: evolving no longer leans to Django on STX Next alone', () => {
    expect(points('requirements', 'evolving')).toEqual({ django: 1, flask: 1 });
  });

  it('scale: large gives Flask its point on "both scale", not on a claim about simple services', () => {
    expect(effectClaims('scale', 'large', 'flask')).toEqual(['both_scale']);
  });

  it('the disputes show: a content-site verdict carries the use-case caveat', () => {
    const rec = recommend(knowledge, { project_type: 'content_site' });
    expect(rec.caveats.map((c) => c.id)).toContain('use_case_overlap');
    const startup = recommend(knowledge, { project_type: 'prototype' });
    expect(startup.caveats.map((c) => c.id)).toEqual(expect.arrayContaining(['mvp_speed', 'startups']));
  });
});
