/**
 * Answers free questions about the frameworks from the knowledge base's claims,
 * ranked by MiniSearch (BM25 with prefix and fuzzy matching). Framework names and
 * filler words do not count as a topic: "does flask have an ORM?" searches for
 * "orm" and prefers claims about Flask. With no topical match, it says so plainly.
 */
import MiniSearch from 'minisearch';
import type { Knowledge } from '../knowledge/load.ts';
import type { AskAnswer, AskItem } from './ask-types.ts';
import { disputeHeading, disputeSideSources, soleSource } from './dispute-sources.ts';

/** At most this many claims in one answer: enough to show both sides, short enough for chat. */
export const MAX_ASK_ITEMS = 5;
/** Claims scoring below this share of the best match are dropped as noise. */
const RELATIVE_CUTOFF = 0.3;
const MAX_QUESTION_LENGTH = 500;
/** A corrected claim ranks as if this share of its score: behind a standing claim nearly as relevant, ahead of one far less so. */
const CORRECTED_WEIGHT = 0.6;

const STOPWORDS = new Set(
  ('a an and are as at be been but by can could do does did for from has have having how i if in into is it its ' +
    'me my of on or our should so than that the their them then there these they this to use used using vs versus was ' +
    'we were what when where which who why will with would you your about any better best more most much compare ' +
    'comparison between framework frameworks python web good bad really need needs support supports tell say sources ' +
    'like one instead also other rather just over still even get make want wants go going think ' +
    'whats hows whys wheres whos thats theres against')
    .split(' '),
);

/** Asking which to choose: with no topic besides, that is what the interview is for, not something the claims cover. */
const CHOOSING = /\b(?:which|what)\b.*\b(?:pick|choose|go with|recommend|should (?:i|we) use)\b|\bshould (?:i|we) (?:pick|choose|use|go with)\b/i;
const CHOICE_WORDS = new Set(['pick', 'choose', 'go', 'recommend']);

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

/** Words of a question: possessives and contractions ("django's", "what's") lose their tails, and single letters go. */
function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\b(?:can|won|shan)['\u2019]t\b/gu, '')
    .replace(/n['\u2019]t\b/gu, '')
    .replace(/['\u2019](?:s|re|ve|ll|d|m)\b/gu, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 1);
}

/**
 * Whether a search hit rests on the question's own words: a word the same, or one it begins (prefix search), or a
 * near spelling of a claim's keyword (a typo of a topic). A near spelling of any other word of a claim's text is
 * chance ("paris" against "parts"), not a topic.
 */
function onTopic(match: Record<string, string[]>, topical: readonly string[]): boolean {
  return Object.entries(match).some(
    ([term, fields]) => fields.includes('keywords') || topical.some((word) => term === word || (word.length >= 4 && term.startsWith(word))),
  );
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
  const choosing = CHOOSING.test(question);
  const topical = all.filter((t) => !STOPWORDS.has(t) && !fwWords.has(t) && !(choosing && CHOICE_WORDS.has(t)));
  if (choosing && topical.length === 0) {
    return notFound(knowledge, question, 'Which one fits depends on your project: that is what the interview works out from your answers, with its reasons.');
  }
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
  const relevant = results.filter((r) => onTopic(r.match, topical));
  const best = relevant[0]?.score ?? 0;
  // A claim the official docs correct goes after those that stand about as well, so an answer does not lead with what is
  // known to be wrong; but not after a claim far less on topic ("async views" leads with the async claims and their corrections).
  const corrected = (id: string | number): boolean => knowledge.claimById.get(String(id))?.correction !== undefined;
  const rank = (r: { id: string | number; score: number }): number => r.score * (corrected(r.id) ? CORRECTED_WEIGHT : 1);
  const kept = relevant
    .filter((r) => r.score >= best * RELATIVE_CUTOFF)
    .slice(0, MAX_ASK_ITEMS)
    .sort((a, b) => rank(b) - rank(a));
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
      const sideSources = disputeSideSources(knowledge, dispute);
      const heading = disputeHeading(sideSources, (id) => labels(knowledge, [id])[0]!.split(':')[0]!);
      const self = soleSource(sideSources) !== undefined;
      const sides = dispute.sides.map((side, index) => {
        const cited = self ? [] : labels(knowledge, sideSources[index]!);
        // A side resting only on corrected claims says so, so the disagreement never restates a known error as an open question.
        const claims = side.claims.map((id) => knowledge.claimById.get(id));
        const corrections = claims.every((c) => c?.correction !== undefined)
          ? [`corrected by ${[...new Set(claims.flatMap((c) => labels(knowledge, c?.correction?.sources ?? [])))].join('; ')}`]
          : [];
        const notes = [...cited, ...corrections];
        return notes.length === 0 ? side.position : `${side.position} (${notes.join('; ')})`;
      });
      caveats.push(`${heading} on ${dispute.topic}: ${sides.join(' Versus: ')}`);
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
