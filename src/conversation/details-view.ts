/**
 * `details`: everything behind a result, the same on every platform. Every
 * answer with what it gave each framework, the claims behind it and their
 * sources (grouped by the framework it favours); every caveat, with the
 * answers it bears on; every change of one answer that would change the
 * verdict, grouped per answer; and every source cited.
 *
 * Long details come as pages, each within a budget that fits one chat message
 * on every platform (Slack's 50 blocks, Discord's 25 fields and 6,000
 * characters), so nothing has to be cut: a page ends before the item that
 * would take it past `PAGE_CHARACTERS` or `PAGE_ITEMS`.
 */
import type { Knowledge } from '../knowledge/load.ts';
import { SKIP } from '../knowledge/schema.ts';
import type { Caveat, Flip, Recommendation, Reason } from '../engine/types.ts';
import { andList, criterionOf, frameworkName, optionLabel, orList, plural, pointsText, sourceLabels } from './labels.ts';
import { effectiveReasons, favouring, rankCaveats, rankFlips } from './result-view.ts';
import type { DetailsItem, DetailsReply, DetailsSection } from './types.ts';
import { caveatView } from './views.ts';

/** Characters of text (headings, titles, texts, sources) one page holds at most. */
export const PAGE_CHARACTERS = 4000;
/** Items one page holds at most. */
export const PAGE_ITEMS = 12;

interface Entry {
  heading: string;
  item: DetailsItem;
}

function reasonItem(knowledge: Knowledge, reason: Reason): DetailsItem {
  const title = `${criterionOf(knowledge, reason.criterion).title}: ${optionLabel(knowledge, reason.criterion, reason.answer)} (${pointsText(knowledge, reason.contribution)})`;
  return { title, text: reason.claims.map((c) => c.text).join(' '), sources: sourceLabels(knowledge, reason.sources) };
}

function reasonEntries(knowledge: Knowledge, rec: Recommendation): Entry[] {
  const effective = effectiveReasons(rec.reasons);
  const entries: Entry[] = [];
  for (const framework of rec.ranking) {
    const reasons = effective
      .map((reason) => ({ reason, favoured: favouring(reason) }))
      .filter((r) => r.favoured?.framework === framework)
      .sort((a, b) => b.favoured!.by - a.favoured!.by);
    const heading = `For ${frameworkName(knowledge, framework)} (${plural(reasons.length, 'reason')})`;
    for (const { reason } of reasons) entries.push({ heading, item: reasonItem(knowledge, reason) });
  }
  const even = effective.filter((r) => favouring(r) === null);
  for (const reason of even) entries.push({ heading: `Equal points (${plural(even.length, 'answer')})`, item: reasonItem(knowledge, reason) });
  const none = rec.reasons.filter((r) => !effective.includes(r));
  if (none.length > 0) {
    const answers = none.map((r) => `${criterionOf(knowledge, r.criterion).title}: ${optionLabel(knowledge, r.criterion, r.answer)}`);
    entries.push({ heading: `No effect (${plural(none.length, 'answer')})`, item: { title: none.length === 1 ? 'This answer gives no framework points' : 'These answers give no framework points', text: `${answers.join('; ')}.` } });
  }
  return entries;
}

function caveatEntries(knowledge: Knowledge, rec: Recommendation): Entry[] {
  const heading = `Caveats (${rec.caveats.length})`;
  return rankCaveats(rec).map(({ caveat }) => {
    const view = caveatView(knowledge, caveat);
    const titles = caveat.criteria.map((c) => criterionOf(knowledge, c).title);
    const bears = titles.length > 0 ? ` It bears on your answer${titles.length === 1 ? '' : 's'} about ${andList(titles)}.` : '';
    return { heading, item: { title: view.title, text: `${view.text}${bears}` } };
  });
}

/** Flips grouped per answer (and outcome), the most actionable first. */
function changeEntries(knowledge: Knowledge, rec: Recommendation): Entry[] {
  const ranked = rankFlips(knowledge, rec.flips);
  const heading = `What would change it (${plural(ranked.length, 'change')})`;
  if (ranked.length === 0) return [{ heading: 'What would change it', item: { text: 'No change of one answer, and no single answer to an open question, would change the verdict.' } }];
  // One item per answer and outcome; an answer's items together, where its most actionable change ranks.
  const criteria = [...new Set(ranked.map((f) => f.criterion))];
  const groups = new Map<string, Flip[]>();
  for (const flip of [...ranked].sort((a, b) => criteria.indexOf(a.criterion) - criteria.indexOf(b.criterion))) {
    const key = `${flip.criterion}|${flip.from ?? ''}|${flip.winner ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), flip]);
  }
  return [...groups.values()].map((flips) => {
    const { criterion, from, winner } = flips[0]!;
    const title = criterionOf(knowledge, criterion).title;
    const tos = orList(flips.map((f) => `"${optionLabel(knowledge, criterion, f.to)}"`));
    const outcome = winner === null ? 'it would be a tie' : `${frameworkName(knowledge, winner)} would lead`;
    const what =
      from === null
        ? { title: `${title} (not answered yet)`, text: `Answering ${tos}: ${outcome}.` }
        : from === SKIP
          ? { title: `${title} (answered "don't know")`, text: `Answering ${tos}: ${outcome}.` }
          : { title: `${title} (your answer: "${optionLabel(knowledge, criterion, from)}")`, text: `Changing it to ${tos}: ${outcome}.` };
    return { heading, item: what };
  });
}

function caveatSources(caveat: Caveat): string[] {
  return caveat.kind === 'dispute' ? caveat.sides.flatMap((s) => s.sources) : [...caveat.claim_sources, ...caveat.correction_sources];
}

function size(entry: Entry): number {
  const { title = '', text, sources = [] } = entry.item;
  return entry.heading.length + title.length + text.length + sources.join('; ').length;
}

/** Entries laid into pages within the budget; a heading that goes on over a page break is repeated. */
function paginate(entries: readonly Entry[]): DetailsSection[][] {
  const pages: Entry[][] = [];
  let page: Entry[] = [];
  let used = 0;
  for (const entry of entries) {
    if (page.length > 0 && (page.length >= PAGE_ITEMS || used + size(entry) > PAGE_CHARACTERS)) {
      pages.push(page);
      page = [];
      used = 0;
    }
    page.push(entry);
    used += size(entry);
  }
  if (page.length > 0) pages.push(page);
  return pages.map((list, index) =>
    list.reduce<DetailsSection[]>((sections, entry, i) => {
      const last = sections.at(-1);
      if (last && list[i - 1]?.heading === entry.heading) last.items.push(entry.item);
      else {
        const continued = i === 0 && index > 0 && pages[index - 1]!.at(-1)!.heading === entry.heading;
        sections.push({ heading: continued ? `${entry.heading}, continued` : entry.heading, items: [entry.item] });
      }
      return sections;
    }, []),
  );
}

/** The details of a recommendation, as one or more pages. */
export function detailsReplies(knowledge: Knowledge, rec: Recommendation): DetailsReply[] {
  const entries = [...reasonEntries(knowledge, rec), ...caveatEntries(knowledge, rec), ...changeEntries(knowledge, rec)];
  const pages = paginate(entries);
  const sourceIds = [...new Set([...rec.reasons.flatMap((r) => r.sources), ...rec.caveats.flatMap(caveatSources)])];
  return pages.map((sections, index) => ({
    kind: 'details',
    title: pages.length === 1 ? 'Everything behind the result' : `Everything behind the result (${index + 1} of ${pages.length})`,
    sections,
    sources: index === pages.length - 1 ? sourceLabels(knowledge, sourceIds) : [],
    page: index + 1,
    pages: pages.length,
  }));
}
