/**
 * The compact result and `details`, in the core: which reasons, caveats and
 * changes the compact view keeps (every framework's strongest reason, never a
 * hidden +3 for a loser, the caveats that bear on the lead, one change per
 * criterion, the most actionable first), the counts and plurals of what it
 * leaves out, that `details` shows everything within its page budget, and the
 * conversation around them: the `details` command and event, resuming an
 * unfinished interview, not resuming a finished one, a short hint after a result.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detailsReplies, PAGE_CHARACTERS, PAGE_ITEMS } from '../../src/conversation/details-view.ts';
import { parseText } from '../../src/conversation/parse.ts';
import { effectiveReasons, favouring, flipText, rankFlips, resultSummary, summaryFromView } from '../../src/conversation/result-view.ts';
import type { DetailsReply, NoticeReply, RecommendationView, ResultSummary } from '../../src/conversation/types.ts';
import { chanceWords, COMMANDS, recommendationView } from '../../src/conversation/views.ts';
import { STOP_CHANCE } from '../../src/engine/chance.ts';
import { MEDIUM_CHANCE } from '../../src/engine/confidence.ts';
import { recommend } from '../../src/engine/recommend.ts';
import type { Recommendation } from '../../src/engine/types.ts';
import { renderDetails, renderRecommendation } from '../../src/render/text.ts';
import { randomAnswers, randomPack } from '../support/packs.ts';
import { checkedConversation, describeReplies, djangoLeaning, KEY, realKnowledge, sessionIn, SKIP, type Fixture } from '../support/conversation.ts';

const knowledge = realKnowledge();
const conversation = checkedConversation(knowledge);

/** Every criterion answered, `pick` choosing the option. */
function allAnswered(pick: (criterion: string, options: string[]) => string): Record<string, string> {
  return Object.fromEntries(knowledge.criteria.map((c) => [c.id, pick(c.id, c.options.map((o) => o.id))]));
}

const answersArb = fc.tuple(...knowledge.criteria.map((c) => fc.constantFrom(...c.options.map((o) => o.id), SKIP))).map((picks) =>
  Object.fromEntries(knowledge.criteria.map((c, i) => [c.id, picks[i]!])),
);
const someAnswersArb = fc
  .tuple(answersArb, fc.array(fc.boolean(), { minLength: knowledge.criteria.length, maxLength: knowledge.criteria.length }))
  .map(([answers, keep]) => Object.fromEntries(Object.entries(answers).filter((_, i) => keep[i])))
  .filter((answers) => Object.keys(answers).length > 0);

const shownCriteria = (summary: ResultSummary): string[] => summary.groups.flatMap((g) => g.reasons.map((r) => r.criterion));

/**
 * What the compact result says it left out: each group in its own heading ("For Django (3 of 8
 * reasons)": 5), and the reasons favouring no framework in the line after the groups.
 */
function leftOut(summary: ResultSummary): number {
  const inGroups = summary.groups.reduce((sum, g) => {
    const counted = /^For .+ \((\d+) of (\d+) reasons?\)$/.exec(g.heading);
    if (counted) expect(Number(counted[1])).toBe(g.reasons.length);
    else expect(g.heading).toMatch(/^For [^()]+$/);
    return sum + (counted ? Number(counted[2]) - Number(counted[1]) : 0);
  }, 0);
  if (summary.moreReasons !== null) expect(summary.moreReasons).toMatch(/^…and \d+ reasons? that favours? (?:neither framework|no framework)\.$/);
  return inGroups + (summary.moreReasons === null ? 0 : Number(/…and (\d+)/.exec(summary.moreReasons)![1]));
}

/** Wrong counts: "1 points", "1 smaller reasons", "2 answer", "0 question". */
const BAD_PLURAL = /\b1 (?:points|reasons|smaller reasons|more reasons|answers|more answers|caveats|more caveats|changes|questions|other options|more options)\b|\b(?:0|[2-9]|\d{2,}) (?:point|reason|smaller reason|more reason|answer|more answer|caveat|more caveat|change|question|other option|more option)\b(?!s)/;

function summaryTexts(summary: ResultSummary): string[] {
  return [summary.moreReasons, summary.moreCaveats, summary.moreFlips, ...summary.flips, ...summary.caveats].filter((t): t is string => t !== null);
}

describe('the compact result', () => {
  it('with every question answered, shows the strongest reason of every framework, and a +3 for the loser is never hidden behind smaller reasons', () => {
    // Django-leaning answers everywhere but two strong Flask ones: a REST API, maximum freedom.
    const answers = { ...allAnswered((c) => djangoLeaning(knowledge, c)), project_type: 'api', flexibility: 'high' };
    const rec = recommend(knowledge, answers);
    expect(rec.winner).toBe('django');
    const summary = resultSummary(knowledge, rec);
    // Each group counts what it leaves out in its own heading, never in another framework's block.
    expect(summary.groups.map((g) => g.heading)).toEqual([expect.stringMatching(/^For Django \(3 of \d+ reasons\)$/), 'For Flask']);
    const flask = summary.groups[1]!.reasons.map((r) => r.text);
    expect(flask).toEqual(['Project type: API / backend service (+3 Flask)', 'Flexibility: Maximum freedom (+3 Flask)']);
    expect(summary.groups[0]!.reasons).toHaveLength(3);
  });

  it('counts the reasons left out inside each framework\'s own block, never under another framework (story 7)', () => {
    // Django far ahead with many reasons, one Flask reason: the Flask block comes last.
    const answers = { ...allAnswered((c) => djangoLeaning(knowledge, c)), scale: 'small' };
    const rec = recommend(knowledge, answers);
    expect(rec.winner).toBe('django');
    const text = renderRecommendation(recommendationView(knowledge, answers, rec));
    const flaskBlock = /\nFor Flask[^\n]*:\n((?: {2}.*\n)*)/.exec(text)?.[1] ?? '';
    expect(flaskBlock).toContain('Expected scale: Small');
    expect(flaskBlock).not.toMatch(/Django/);
    expect(text).toMatch(/\nFor Django \(3 of \d+ reasons\):\n/);
  });

  it('holds for any answers: each framework with a reason shows its strongest first, counts add up, at most two caveats and two changes of different criteria', () => {
    fc.assert(
      fc.property(someAnswersArb, (answers) => {
        const rec = recommend(knowledge, answers);
        const summary = resultSummary(knowledge, rec);
        const effective = effectiveReasons(rec.reasons);
        for (const framework of rec.ranking) {
          const mine = effective.filter((r) => favouring(r)?.framework === framework);
          const group = summary.groups.find((g) => g.framework === framework);
          expect(group !== undefined, framework).toBe(mine.length > 0);
          if (!group) continue;
          const strongest = Math.max(...mine.map((r) => favouring(r)!.by));
          const shown = mine.filter((r) => group.reasons.some((s) => s.criterion === r.criterion));
          expect(Math.max(...shown.map((r) => favouring(r)!.by))).toBe(strongest);
          expect(favouring(mine.find((r) => r.criterion === group.reasons[0]!.criterion)!)!.by).toBe(strongest);
          // A hidden +3 only while every shown reason of that framework is a +3 too.
          const hidden = mine.filter((r) => !shown.includes(r));
          if (hidden.some((r) => favouring(r)!.by === 3)) expect(shown.every((r) => favouring(r)!.by === 3)).toBe(true);
        }
        const left = effective.length - shownCriteria(summary).length;
        expect(leftOut(summary)).toBe(left);
        expect(summary.caveats.length).toBeLessThanOrEqual(2);
        expect(summary.flips.length).toBeLessThanOrEqual(2);
        const ranked = rankFlips(knowledge, rec.flips);
        const criteria = new Set(ranked.map((f) => f.criterion));
        // One line per answer that could change it, two at most, each naming every outcome of that answer.
        expect(summary.flips.length).toBe(Math.min(2, criteria.size));
        const lineOf = (criterion: string): string | undefined => summary.flips.find((f) => f.includes(`"${knowledge.criterionById.get(criterion)!.title}"`));
        for (const flip of ranked) {
          const line = lineOf(flip.criterion);
          if (line === undefined) continue;
          const outcome = flip.winner === null ? 'it would be a tie' : `${knowledge.frameworks.find((f) => f.id === flip.winner)!.name} would lead`;
          expect(line).toContain(outcome);
          // A tie is said after every new leader.
          if (line.includes('a tie')) expect(line.indexOf('a tie')).toBeGreaterThan(line.lastIndexOf('would lead') === -1 ? -1 : line.lastIndexOf('would lead'));
        }
        if (criteria.size > summary.flips.length) {
          expect(summary.moreFlips).toBe(
            `…and ${criteria.size - summary.flips.length} more answer${criteria.size - summary.flips.length === 1 ? '' : 's'} could change it (${ranked.length} change${ranked.length === 1 ? '' : 's'} in all).`,
          );
        }
        for (const text of summaryTexts(summary)) expect(text).not.toMatch(BAD_PLURAL);
      }),
      { numRuns: 300 },
    );
  });

  it('says every outcome of an answer in its one line, a new leader before a tie, so a tie never hides a lead', () => {
    // A content site for a large team: only the project type could change it; Dashboard, its neighbour, would tie,
    // while API or microservice would put Flask ahead (what a new user found hidden behind "would too").
    const rec = recommend(knowledge, { project_type: 'content_site', team_size: 'large' });
    const ranked = rankFlips(knowledge, rec.flips);
    expect(ranked.map((f) => `${f.criterion}=${f.to}:${f.winner}`)).toEqual(['project_type=dashboard:null', 'project_type=api:flask', 'project_type=microservice:flask']);
    const summary = resultSummary(knowledge, rec);
    expect(summary.flips).toEqual([
      'If you changed "Project type" from "Content site / CMS" to "API / backend service" or "A microservice", Flask would lead; to "Dashboard / internal tool", it would be a tie.',
    ]);
    expect(summary.moreFlips).toBeNull();
    // A startup MVP: two answers could change it; the project type's line leads with what would put Flask ahead.
    const mvp = resultSummary(knowledge, recommend(knowledge, { project_type: 'prototype', time_to_market: 'urgent', scale: 'growing' }));
    expect(mvp.flips[0]).toMatch(/^If you changed "Project type" from "Prototype \/ MVP" to .*"API \/ backend service".*, Flask would lead; to "Dashboard \/ internal tool", it would be a tie\.$/);
    expect(mvp.flips.filter((f) => f.includes('"Project type"'))).toHaveLength(1);
  });

  it('names at most three options per outcome and counts the rest', () => {
    const summary = resultSummary(knowledge, recommend(knowledge, {}));
    const project = summary.flips.find((f) => f.includes('"Project type"'))!;
    expect(project).toMatch(/with "[^"]+", "[^"]+" or \d+ other options, (Django|Flask) would lead; with "[^"]+", "[^"]+" or \d+ other options, (Django|Flask) would lead\.$/);
  });

  it('names the caveats that bear on the lead first (the deciding dispute before all), one line each with the answer they bear on', () => {
    // A startup MVP: Django 4-3 on the disputed MVP question.
    const rec = recommend(knowledge, { project_type: 'prototype', time_to_market: 'urgent', scale: 'growing' });
    expect(rec.confidence_basis.deciding_dispute).toBe('mvp_speed');
    const summary = resultSummary(knowledge, rec);
    expect(summary.caveats[0]).toMatch(/^Sources disagree: MVPs and prototypes \(your .+ answer\)$/);
    expect(summary.caveats.length).toBeLessThanOrEqual(2);
    if (rec.caveats.length > summary.caveats.length) expect(summary.moreCaveats).toMatch(/^…and \d+ more caveats?\.$/);
  });

  it('says an article contradicts itself, by name, where every side of a dispute rests on that one article', () => {
    // Both sides of the popularity dispute come from STX Next alone.
    const rec = recommend(knowledge, { team_size: 'large' });
    const popularity = rec.caveats.find((c) => c.kind === 'dispute' && c.id === 'popularity')!;
    expect(new Set(popularity.kind === 'dispute' ? popularity.sides.flatMap((s) => s.sources) : [])).toEqual(new Set(['stx_next']));
    expect(resultSummary(knowledge, rec).caveats).toContain('STX Next contradicts itself: Popularity (your Team size answer)');
    const shown = detailsOf(rec).flatMap((p) => p.sections.flatMap((s) => s.items)).find((i) => i.title?.endsWith(': Popularity'))!;
    expect(shown.title).toBe('STX Next contradicts itself: Popularity');
    // The title names the article, so its sides do not repeat it.
    expect(shown.text).not.toContain('(STX Next');
    // Disputes between articles keep their heading.
    const mvp = resultSummary(knowledge, recommend(knowledge, { project_type: 'prototype', time_to_market: 'urgent', scale: 'growing' }));
    expect(mvp.caveats[0]).toMatch(/^Sources disagree: MVPs/);
  });

  it('lists one change per criterion, the most actionable first: a neighbouring option, then an open question, then a further option', () => {
    const answers = { ...allAnswered((_, options) => options[0]!), admin_panel: 'later' };
    const rec = recommend(knowledge, answers);
    const ranked = rankFlips(knowledge, rec.flips);
    const position = (criterion: string, option: string) => knowledge.criterionById.get(criterion)!.options.findIndex((o) => o.id === option);
    const kind = (f: (typeof ranked)[number]): number => (f.from === null || f.from === SKIP ? 1 : Math.abs(position(f.criterion, f.to) - position(f.criterion, f.from)) === 1 ? 0 : 2);
    const kinds = ranked.map(kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => a - b));
    expect(ranked.every((f) => f.to !== SKIP)).toBe(true);
    const summary = resultSummary(knowledge, rec);
    const titles = summary.flips.map((f) => /^If you (?:changed|answered)(?: the open question)? "([^"]+)"/.exec(f)?.[1]);
    expect(titles.every((t) => t !== undefined)).toBe(true);
    expect(new Set(titles).size).toBe(summary.flips.length);
  });

  it('a view built without a summary (by hand, or stored earlier) still gets a compact one', () => {
    const view: RecommendationView = { ...recommendationView(knowledge, { project_type: 'api' }, recommend(knowledge, { project_type: 'api' })) };
    delete view.summary;
    const summary = summaryFromView(view);
    expect(summary.groups[0]).toMatchObject({ framework: 'flask', heading: 'For Flask' });
    expect(summary.groups[0]!.reasons[0]!.text).toBe('Project type: API / backend service (+3 Flask)');
  });
});

function detailsOf(rec: Recommendation): DetailsReply[] {
  const pages = detailsReplies(knowledge, rec);
  expect(pages.length).toBeGreaterThan(0);
  return pages;
}

describe('what would change it, in words', () => {
  const knowledge = realKnowledge();
  it('says whether a change revises an answer, replaces a "don\'t know", or answers a question not answered yet', () => {
    expect(flipText(knowledge, { criterion: 'admin_panel', from: null, to: 'yes', winner: null })).toBe('If you answered "Admin panel" (not answered yet) with "Yes, from the start", it would be a tie.');
    expect(flipText(knowledge, { criterion: 'admin_panel', from: SKIP, to: 'yes', winner: 'django' })).toBe('If you answered "Admin panel" with "Yes, from the start" instead of "don\'t know", Django would lead.');
    expect(flipText(knowledge, { criterion: 'flexibility', from: 'low', to: 'high', winner: 'flask' })).toBe('If you changed "Flexibility" from "Happy with conventions" to "Maximum freedom", Flask would lead.');
  });
});

describe('details', () => {
  it('shows every reason with its sources, every caveat, every change and every source, in pages within the budget', () => {
    fc.assert(
      fc.property(someAnswersArb, (answers) => {
        const rec = recommend(knowledge, answers);
        const pages = detailsOf(rec);
        const items = pages.flatMap((p) => p.sections.flatMap((s) => s.items));
        const titles = items.map((i) => i.title ?? '');
        for (const reason of effectiveReasons(rec.reasons)) {
          const title = knowledge.criterionById.get(reason.criterion)!.title;
          const found = items.filter((i) => i.title?.startsWith(`${title}: `) && i.sources !== undefined);
          expect(found, title).toHaveLength(1);
          expect(found[0]!.text).toBe(reason.claims.map((c) => c.text).join(' '));
        }
        for (const caveat of rec.caveats) {
          const articles = new Set(caveat.kind === 'dispute' ? caveat.sides.flatMap((s) => s.sources) : []);
          const self = articles.size === 1 ? knowledge.sourceById.get([...articles][0]!)!.label.split(':')[0] : undefined;
          const title = caveat.kind === 'correction' ? 'Correction to a source' : self ? `${self} contradicts itself: ${caveat.topic}` : `Sources disagree: ${caveat.topic}`;
          expect(titles.filter((t) => t === title).length).toBeGreaterThan(0);
        }
        for (const flip of rankFlips(knowledge, rec.flips)) {
          const criterion = knowledge.criterionById.get(flip.criterion)!;
          const label = criterion.options.find((o) => o.id === flip.to)!.label;
          expect(items.some((i) => i.title?.startsWith(criterion.title) && i.text.includes(`"${label}"`)), `${flip.criterion} -> ${flip.to}`).toBe(true);
        }
        pages.forEach((page, index) => {
          expect(page).toMatchObject({ kind: 'details', page: index + 1, pages: pages.length });
          const pageItems = page.sections.flatMap((s) => s.items);
          expect(pageItems.length).toBeLessThanOrEqual(PAGE_ITEMS);
          const size = page.sections.reduce((sum, s) => sum + (s.heading?.length ?? 0) + s.items.reduce((n, i) => n + (i.title?.length ?? 0) + i.text.length + (i.sources ?? []).join('; ').length, 0), 0);
          if (pageItems.length > 1) expect(size).toBeLessThanOrEqual(PAGE_CHARACTERS + 200);
          expect(page.sources.length > 0).toBe(index === pages.length - 1 && rec.reasons.some((r) => r.sources.length > 0));
        });
        for (const page of pages) for (const section of page.sections) expect(section.heading ?? '').not.toMatch(BAD_PLURAL);
      }),
      { numRuns: 150 },
    );
  });

  it('says so when no single change would change the verdict', () => {
    const answers = allAnswered((c) => djangoLeaning(knowledge, c));
    const rec = recommend(knowledge, answers);
    expect(rankFlips(knowledge, rec.flips)).toEqual([]);
    const last = detailsOf(rec).at(-1)!;
    expect(last.sections.at(-1)!.items[0]!.text).toMatch(/^No change of one answer/);
  });
});

describe('the conversation around the result', () => {
  const fixture = (f: Fixture) => sessionIn(conversation, knowledge, f);

  it.each([
    ['details', 'details'],
    ['show details', 'details'],
    ['more details please', 'details'],
    ['Details', 'details'],
    ['show me everything', 'details'],
    ['result', 'result'],
  ])('"%s" is the %s command', (text, type) => {
    expect(parseText(knowledge, text, 'scale')).toEqual({ kind: 'command', command: { type } });
  });

  it('the help lists details and why <topic>', () => {
    expect(COMMANDS.map((c) => c.command)).toEqual(expect.arrayContaining(['details', 'why <topic>', 'why', 'result']));
  });

  const detailsCases: [Fixture, string, boolean][] = [
    ['new', 'notice(not_applicable)', false],
    ['asking-first', 'notice(not_applicable) question', false],
    ['asking', 'details question', true],
    ['settled', 'details', true],
    ['result', 'details', true],
    ['cancelled', 'notice(not_applicable)', false],
  ];
  it.each(detailsCases)('details in phase %s: %s, and nothing changes', (phase, replies, shows) => {
    const before = fixture(phase);
    for (const event of [{ type: 'details' as const, version: before.version }, { type: 'text' as const, text: 'details' }]) {
      const result = conversation.step(before, event);
      expect(result.session).toBe(before);
      expect(describeReplies(result.replies).replace(/(details )+/, 'details ').replace(/(details)( details)+$/, '$1')).toBe(replies);
      expect(result.replies.some((r) => r.kind === 'details')).toBe(shows);
    }
  });

  it('a Details click from an earlier step changes nothing and says so', () => {
    const before = fixture('result');
    const result = conversation.step(before, { type: 'details', version: before.version - 1 });
    expect(describeReplies(result.replies)).toBe('notice(stale)');
    expect(result.session).toBe(before);
  });

  it('start picks up an unfinished interview, saying how far it got and how to start over', () => {
    const asking = fixture('asking');
    const resumed = conversation.step(asking, { type: 'start' });
    expect(resumed.session).toBe(asking);
    expect((resumed.replies[0] as NoticeReply).text).toBe('Picking up your unfinished interview (1 answer so far); type restart to start over.');
    const settled = conversation.step(fixture('settled'), { type: 'start' });
    expect((settled.replies[0] as NoticeReply).text).toBe('Picking up your unfinished interview (2 answers so far); type restart to start over.');
    const nothingYet = conversation.step(fixture('asking-first'), { type: 'start' });
    expect((nothingYet.replies[0] as NoticeReply).text).toBe('Picking up your unfinished interview (no answers yet); type restart to start over.');
  });

  it('start after a final result (a finished interview) begins a new one, with no answers', () => {
    const started = conversation.step(fixture('result-complete'), { type: 'start' });
    expect(started.session).toMatchObject({ phase: 'asking', answers: {}, history: [] });
    expect(describeReplies(started.replies)).toBe('notice(restarted) question');
    expect((started.replies[0] as NoticeReply).text).toBe('Your last interview ended with its result, so a new one begins.');
  });

  it('start after a result seen early, which more answers could change, picks the interview up at its next question', () => {
    const before = fixture('result');
    const started = conversation.step(before, { type: 'start' });
    expect(started.session).toMatchObject({ phase: 'asking', answers: before.answers, version: before.version + 1 });
    expect(describeReplies(started.replies)).toBe('notice(resumed) question');
    expect((started.replies[0] as NoticeReply).text).toBe(
      'Picking up your unfinished interview (2 answers so far, and a look at its result); say result to see it again, or restart to start over.',
    );
    // "result" shows it again.
    expect(describeReplies(conversation.step(started.session, { type: 'text', text: 'result' }).replies)).toContain('recommendation');
  });

  it('words it cannot read after a result get a short hint, never the whole result again', () => {
    for (const phase of ['result', 'result-complete'] as const) {
      const before = fixture(phase);
      const result = conversation.step(before, { type: 'text', text: 'qwertyuiop zxcv' });
      expect(describeReplies(result.replies)).toBe('notice(result_hint)');
      const text = (result.replies[0] as NoticeReply).text;
      expect(text).toMatch(/^I didn't catch that\. The result is above: say details for everything behind it, change <topic> to revise an answer/);
      expect(text.includes('continue')).toBe(phase === 'result');
    }
  });

  it('counts are written with the right plural: "Revisiting an earlier answer (1 answer so far)"', () => {
    const asking = fixture('asking');
    const changing = conversation.step(asking, { type: 'change', criterion: 'flexibility', version: asking.version });
    const question = changing.replies.find((r) => r.kind === 'question');
    expect(question?.kind === 'question' && question.progress.text).toMatch(/^Revisiting an earlier answer \(1 answer so far\)/);
    const view = recommendationView(knowledge, { flexibility: 'low' }, recommend(knowledge, { flexibility: 'low' }));
    expect(view.basis).toMatch(/^Based on 1 answer;/);
    expect(KEY.platform).toBe('test');
  });
});

describe('the chance of change in words', () => {
  it.each([
    [0, 'no chance'],
    [0.004, 'less than a 1% chance'],
    [0.03, 'about a 3% chance'],
    [0.042, 'about a 4.2% chance'],
    [0.05, 'about a 5% chance'],
    [0.054, 'about a 5.4% chance'],
    [0.0502, 'just over a 5% chance'],
    [0.085, 'about an 8.5% chance'],
    [0.11, 'about an 11% chance'],
    [0.2004, 'just over a 20% chance'],
    [0.53, 'about a 53% chance'],
    [0.996, 'more than a 99% chance'],
    [1, 'every chance'],
  ])('%s is "%s"', (chance, words) => {
    expect(chanceWords(chance)).toBe(words);
  });

  it('never reads as the 5% stop or the 20% top of "medium" for a chance above it (story 9)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (chance) => {
        const words = chanceWords(chance);
        if (chance > STOP_CHANCE) expect(words).not.toMatch(/^about a 5% /);
        if (chance > MEDIUM_CHANCE) expect(words).not.toMatch(/^about a 20% /);
        if (chance > 0 && chance < 0.1 && chance >= 0.01) expect(words).toMatch(/^(?:about|just over) an? \d(?:\.\d)?% chance$/);
      }),
    );
  });

  it('says "Medium" only with a chance of change of at most 20% (stories 4 and 11)', () => {
    fc.assert(
      fc.property(someAnswersArb, (answers) => {
        const rec = recommend(knowledge, answers);
        const view = recommendationView(knowledge, answers, rec);
        if (view.confidenceText.startsWith('Medium')) expect(rec.chance_of_change).toBeLessThanOrEqual(MEDIUM_CHANCE);
      }),
      { numRuns: 200 },
    );
    // A 43% chance, no single answer able to flip it: low, and the line says how likely a change is.
    const view = recommendationView(knowledge, { project_type: 'api', scale: 'small' }, recommend(knowledge, { project_type: 'api', scale: 'small' }));
    // It speaks of unanswered questions: changing a given answer is what "What would change it" lists (stories 11 and 12).
    expect(view.confidenceText).toMatch(/^Low: no single unanswered question could flip it, but together they have about a \d+% chance of changing it; /);
  });

  it('names the "don\'t know" answers that could still change the verdict, and keeps it from High', () => {
    const answers = { admin_panel: 'yes', project_type: SKIP, architecture: SKIP, flexibility: SKIP, team_experience: SKIP, scale: SKIP, performance: SKIP };
    const rec = recommend(knowledge, answers);
    const view = recommendationView(knowledge, answers, rec);
    expect(view.confidenceText).toMatch(/^Medium: /);
    expect(view.confidenceText).toContain('a question answered "don\'t know" (Project type, Architecture and 1 other) could still change it.');
  });
});

describe('any pack (2 or 3 frameworks)', () => {
  it('the compact result and the details are total: every framework with a reason has a group, counts add up, plurals are right, every view renders', () => {
    fc.assert(
      fc.property(
        randomPack.chain((pack) => randomAnswers(pack.knowledge).map((answers) => ({ pack, answers }))),
        ({ pack, answers }) => {
          const k = pack.knowledge;
          const rec = recommend(k, answers);
          const summary = resultSummary(k, rec);
          const effective = effectiveReasons(rec.reasons);
          const favoured = new Set(effective.flatMap((r) => (favouring(r) ? [favouring(r)!.framework] : [])));
          expect(new Set(summary.groups.map((g) => g.framework))).toEqual(favoured);
          const left = effective.length - shownCriteria(summary).length;
          expect(leftOut(summary)).toBe(left);
          for (const text of summaryTexts(summary)) expect(text).not.toMatch(BAD_PLURAL);
          const view = recommendationView(k, answers, rec);
          expect(renderRecommendation(view).length).toBeGreaterThan(0);
          if (Object.keys(answers).length > 0) for (const page of detailsReplies(k, rec)) expect(renderDetails(page)).toContain(page.title);
        },
      ),
      { numRuns: 200 },
    );
  });
});
