/**
 * Answers free questions about the frameworks from the knowledge base's claims,
 * ranked by MiniSearch (BM25 with prefix and fuzzy matching). Framework names and
 * filler words do not count as a topic: "does flask have an ORM?" searches for
 * "orm" and prefers claims about Flask. With no topical match, it says so plainly.
 */
import MiniSearch from 'minisearch';
import type { Knowledge } from '../knowledge/load.ts';
import type { AskAnswer, AskItem } from './ask-types.ts';

/** At most this many claims in one answer: enough to show both sides, short enough for chat. */
export const MAX_ASK_ITEMS = 5;
/** Claims scoring below this share of the best match are dropped as noise. */
const RELATIVE_CUTOFF = 0.3;
const MAX_QUESTION_LENGTH = 500;

const STOPWORDS = new Set(
  ('a an and are as at be been but by can could do does did for from has have having how i if in into is it its ' +
    'me my of on or our should so than that the their them then there these they this to use used using vs versus was ' +
    'we were what when where which who why will with would you your about any better best more most much compare ' +
    'comparison between framework frameworks python web good bad really need needs support supports tell say sources')
    .split(' '),
);

interface ClaimDocument {
  id: string;
  text: string;
  keywords: string;
  about: string[];
}

const indexes = new WeakMap<Knowledge, MiniSearch<ClaimDocument>>();

function indexOf(knowledge: Knowledge): MiniSearch<ClaimDocument> {
  const cached = indexes.get(knowledge);
  if (cached) return cached;
  const index = new MiniSearch<ClaimDocument>({
    fields: ['text', 'keywords'],
    storeFields: ['about'],
    processTerm: (term) => {
      const lower = term.toLowerCase();
      return STOPWORDS.has(lower) ? null : lower;
    },
  });
  index.addAll(knowledge.claims.map((c) => ({ id: c.id, text: c.text, keywords: c.keywords.join(' '), about: c.about })));
  indexes.set(knowledge, index);
  return index;
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

function frameworkWords(knowledge: Knowledge): Map<string, string> {
  const words = new Map<string, string>();
  for (const f of knowledge.frameworks) {
    words.set(f.id.toLowerCase(), f.id);
    for (const t of tokens(f.name)) words.set(t, f.id);
  }
  return words;
}

function labels(knowledge: Knowledge, ids: readonly string[]): string[] {
  return ids.map((id) => knowledge.sourceById.get(id)?.label ?? id);
}

function notFound(knowledge: Knowledge, question: string, why: string): AskAnswer {
  const topics = knowledge.criteria.slice(0, 8).map((c) => c.title.toLowerCase());
  return {
    question,
    found: false,
    headline: `${why} Try a topic such as the ORM, the admin panel, security, performance, scalability, or ${topics.slice(0, 3).join(', ')}.`,
    items: [],
    caveats: [],
    sources: [],
  };
}

export function askKnowledge(knowledge: Knowledge, rawQuestion: string): AskAnswer {
  const question = rawQuestion.replace(/\p{Cc}/gu, ' ').trim().slice(0, MAX_QUESTION_LENGTH);
  const fwWords = frameworkWords(knowledge);
  const all = tokens(question);
  const mentioned = new Set(all.flatMap((t) => (fwWords.has(t) ? [fwWords.get(t)!] : [])));
  const topical = all.filter((t) => !STOPWORDS.has(t) && !fwWords.has(t));
  if (topical.length === 0) {
    const why =
      question === ''
        ? 'Ask me something about the frameworks.'
        : mentioned.size > 0
          ? 'I need a topic to look up, not just a framework name.'
          : 'I need a topic to look up.';
    return notFound(knowledge, question, why);
  }

  const results = indexOf(knowledge).search(topical.join(' '), {
    combineWith: 'OR',
    prefix: (term) => term.length >= 4,
    fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
    boost: { keywords: 2 },
    boostDocument: (_id, _term, stored) => {
      const about = (stored?.['about'] as string[] | undefined) ?? [];
      return mentioned.size > 0 && about.some((f) => mentioned.has(f)) ? 1.5 : 1;
    },
  });
  const best = results[0]?.score ?? 0;
  const kept = results.filter((r) => r.score >= best * RELATIVE_CUTOFF).slice(0, MAX_ASK_ITEMS);
  if (kept.length === 0) {
    return notFound(knowledge, question, `The knowledge base has nothing on "${topical.join(' ')}".`);
  }

  const sources: string[] = [];
  const cite = (ids: readonly string[]): string[] => {
    const named = labels(knowledge, ids);
    for (const label of named) if (!sources.includes(label)) sources.push(label);
    return named;
  };
  const items: AskItem[] = kept.map((result) => {
    const claim = knowledge.claimById.get(String(result.id))!;
    const item: AskItem = { text: claim.text, sources: cite(claim.sources) };
    if (claim.correction) {
      item.correction = `${claim.correction.text} (${cite(claim.correction.sources).join('; ')})`;
    }
    return item;
  });

  const caveats: string[] = [];
  const seen = new Set<string>();
  for (const result of kept) {
    for (const dispute of knowledge.disputesByClaim.get(String(result.id)) ?? []) {
      if (seen.has(dispute.id)) continue;
      seen.add(dispute.id);
      const sides = dispute.sides.map((side) => {
        const ids = [...new Set(side.claims.flatMap((id) => knowledge.claimById.get(id)?.sources ?? []))];
        return `${side.position} (${labels(knowledge, ids).join('; ')})`;
      });
      caveats.push(`Sources disagree on ${dispute.topic}: ${sides.join(' Versus: ')}`);
    }
  }

  return {
    question,
    found: true,
    headline: `What the sources say about ${topical.join(' ')}:`,
    items,
    caveats,
    sources,
  };
}
