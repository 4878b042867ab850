/**
 * Deferrals: "no admin for now", "nah, we don't need one yet, maybe later", "an admin would be nice later".
 * A no (or a yes put off by "later") becomes the pack's `later_option` for its criterion, and the cues it
 * spent answer nothing else. Split from negation.ts.
 */
import { DEFERRAL_CUES, LATER_WORDS, NEGATION_CUES, NO_PHRASES } from './grammar.ts';
import { negativeOption } from './negation.ts';
import { pickOf, type Message, type Pick } from './spans.ts';
import { answerOption } from './vocabulary.ts';

/** Hedges before a deferral ("maybe later") belong to it. */
const HEDGES: ReadonlySet<string> = new Set(['maybe', 'perhaps', 'possibly', 'probably']);

export function deferPicks(m: Message, picks: readonly Pick[]): Pick[] {
  const cues: { start: number; end: number; later: boolean }[] = [];
  for (let i = 0; i < m.tokens.length; i++) {
    for (const cue of DEFERRAL_CUES) {
      if (cue.every((w, k) => m.tokens[i + k]?.key === w && m.tokens[i + k]!.sentence === m.tokens[i]!.sentence)) cues.push({ start: i, end: i + cue.length, later: false });
    }
    if (LATER_WORDS.has(m.tokens[i]!.key)) cues.push({ start: i, end: i + 1, later: true });
  }
  if (cues.length === 0) return [...picks];
  const later = m.current === null ? undefined : answerOption(m.knowledge, m.current, 'later_option');
  if (later !== undefined && !picks.some((p) => p.criterion === m.current)) {
    // "not yet", "nope, not for now": a bare no right before the cue.
    const cue = cues.find((c) => c.start > 0 && (NEGATION_CUES.has(m.tokens[c.start - 1]!.key) || NO_PHRASES.includes(m.tokens[c.start - 1]!.key)));
    if (cue) return [...picks, pickOf(m, { criterion: m.current!, option: later }, cue.start - 1, cue.end, true, cue.end - cue.start + 1)];
  }
  const deferredIn = new Set<number>();
  const deferredCriteria = new Set<string>();
  const mapped = picks.map((p) => {
    const laterOption = answerOption(m.knowledge, p.criterion, 'later_option');
    if (laterOption === undefined || !p.real || p.option === laterOption) return p;
    const no = p.option === negativeOption(m, p.criterion) || p.option === answerOption(m.knowledge, p.criterion, 'no_option');
    const yes = p.option === answerOption(m.knowledge, p.criterion, 'yes_option');
    if (!no && !yes) return p;
    const at = m.tokens.findIndex((t) => p.evidence.length > 0 && m.norm.startsWith(p.evidence, t.start));
    if (at < 0) return p;
    const here = m.tokens[at]!;
    // A no is deferred by any cue of its sentence; a yes only by "later" in its own clause.
    const cue = cues.find((c) => m.tokens[c.start]!.sentence === here.sentence && (no || (c.later && m.tokens[c.start]!.clause === here.clause)));
    if (!cue) return p;
    const start = Math.min(at, cue.start);
    const end = Math.max(at + p.evidence.split(' ').length, cue.end);
    deferredIn.add(here.sentence);
    deferredCriteria.add(p.criterion);
    return { ...pickOf(m, { criterion: p.criterion, option: laterOption }, start, end, true, p.words), words: p.words };
  });
  // The cues of a sentence that deferred an answer are spent on it: in "no admin for now, maybe later", "later" is no timeline.
  const hedged = (c: { start: number }): number => (c.start > 0 && HEDGES.has(m.tokens[c.start - 1]!.key) ? c.start - 1 : c.start);
  const spent = cues.filter((c) => deferredIn.has(m.tokens[c.start]!.sentence)).map((c) => ({ start: hedged(c), end: c.end }));
  const inSpent = (p: Pick): boolean => {
    const at = m.tokens.findIndex((t) => p.evidence.length > 0 && m.norm.startsWith(p.evidence, t.start));
    const end = at + p.evidence.split(' ').length;
    return at >= 0 && spent.some((c) => c.start <= at && end <= c.end);
  };
  return mapped.filter((p) => deferredCriteria.has(p.criterion) || !inSpent(p));
}
