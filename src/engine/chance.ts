/**
 * Chance of change: the probability that answering every remaining question
 * changes the verdict, when each remaining question is answered with each of its
 * options equally likely ("don't know" is not counted as an option).
 *
 * "Changes the verdict" compares outcomes, an outcome being the winner or a tie:
 * from a leader, ending on another winner or on a tie is a change; from a tie,
 * ending with any winner is a change and ending tied is not.
 *
 * Computed exactly, never sampled. Criteria are additive, so the final scores are
 * the current scores plus one independent row of points per remaining criterion.
 * Only the differences between frameworks decide the outcome, so the engine
 * convolves, criterion by criterion, the number of completions that reach each
 * vector of differences from the first framework (N - 1 small integers for N
 * frameworks; points are 0-3, so there are few distinct vectors). The chance is
 * (completions whose outcome differs) / (all completions): a ratio of whole
 * numbers, exact while the number of completions stays below 2^53 (the real pack
 * has about six million).
 */
import type { CriterionModel, Model } from './model.ts';
import { winnerIndex } from './scoring.ts';

/** The interview offers the result once the chance of change is at most this (or the verdict is decided). */
export const STOP_CHANCE = 0.05;

/** Lattices up to this many keys keep their counts in an array (always, with two or three frameworks). */
const DENSE_KEYS = 1 << 14;

/**
 * Vectors of score differences (framework f minus framework 0, f = 1..N-1)
 * encoded as one integer: key = sum over d of (value[d] - low[d]) * stride[d].
 * The box holds every partial sum over the open criteria, so adding a row of
 * points never carries from one digit to the next: it is adding a fixed key
 * offset, and counting completions is multiplying polynomials in z^key.
 */
interface Lattice {
  low: number[];
  radix: number[];
  /** The key of the zero vector. */
  origin: number;
  size: number;
  /** Decoded vectors of a dense lattice: vectors[d][key]. */
  vectors?: Int32Array[];
  /** Each criterion's key offsets, one per option. */
  offsets: Map<CriterionModel, number[]>;
}

/** Completions counted per key: an array over every key (dense lattices) or a map. */
type Counts = Float64Array | Map<number, number>;

/** The points rows a person can pick (every option; "don't know" is left out). */
function answerRows(cm: CriterionModel): readonly number[][] {
  return cm.answerPoints;
}

function latticeFor(frameworks: number, open: readonly CriterionModel[]): Lattice {
  const low: number[] = [];
  const radix: number[] = [];
  let origin = 0;
  let size = 1;
  for (let f = 1; f < frameworks; f++) {
    let down = 0;
    let up = 0;
    for (const cm of open) {
      let min = 0;
      let max = 0;
      for (const row of answerRows(cm)) {
        min = Math.min(min, row[f]! - row[0]!);
        max = Math.max(max, row[f]! - row[0]!);
      }
      down += min;
      up += max;
    }
    low.push(down);
    radix.push(up - down + 1);
    origin += -down * size;
    size *= up - down + 1;
  }
  const offsets = new Map<CriterionModel, number[]>();
  for (const cm of open) {
    offsets.set(
      cm,
      answerRows(cm).map((row) => {
        let offset = 0;
        let stride = 1;
        for (let d = 0; d < radix.length; d++) {
          offset += (row[d + 1]! - row[0]!) * stride;
          stride *= radix[d]!;
        }
        return offset;
      }),
    );
  }
  const lattice: Lattice = { low, radix, origin, size, offsets };
  if (size <= DENSE_KEYS) {
    const vectors = radix.map(() => new Int32Array(size));
    for (let key = 0; key < size; key++) {
      let rest = key;
      for (let d = 0; d < radix.length; d++) {
        vectors[d]![key] = (rest % radix[d]!) + low[d]!;
        rest = Math.floor(rest / radix[d]!);
      }
    }
    lattice.vectors = vectors;
  }
  return lattice;
}

function start(lattice: Lattice): Counts {
  if (lattice.vectors) {
    const cells = new Float64Array(lattice.size);
    cells[lattice.origin] = 1;
    return cells;
  }
  return new Map([[lattice.origin, 1]]);
}

/** Adds the completions of one more criterion. */
function addCriterion(lattice: Lattice, counts: Counts, cm: CriterionModel): Counts {
  const offsets = lattice.offsets.get(cm)!;
  if (counts instanceof Float64Array) {
    const next = new Float64Array(lattice.size);
    for (let key = 0; key < counts.length; key++) {
      const count = counts[key]!;
      if (count === 0) continue;
      for (let o = 0; o < offsets.length; o++) next[key + offsets[o]!]! += count;
    }
    return next;
  }
  const next = new Map<number, number>();
  for (const [key, count] of counts) {
    for (const offset of offsets) next.set(key + offset, (next.get(key + offset) ?? 0) + count);
  }
  return next;
}

function countAll(lattice: Lattice, criteria: readonly CriterionModel[]): Counts {
  return criteria.reduce((counts, cm) => addCriterion(lattice, counts, cm), start(lattice));
}

/**
 * The lattice and the counts of every completion of one set of open criteria,
 * and (filled as asked) the counts without each one of them. None of it depends
 * on the scores, only on which criteria are open, and interviews keep reaching
 * the same sets (every one starts with all of them open), so each set's work is
 * kept per model, least recently used out first, within FOLDED_BUDGET_BYTES.
 * The real pack's two frameworks take about 8 KB a set; with more frameworks a
 * set grows fast, and one over an eighth of the budget is not kept at all.
 */
interface Folded {
  key: string;
  lattice: Lattice;
  all: Counts;
  without: Map<CriterionModel, Counts>;
  bytes: number;
}

interface FoldedSets {
  sets: Map<string, Folded>;
  bytes: number;
}

export const FOLDED_BUDGET_BYTES = 16 * 2 ** 20;
const foldedByModel = new WeakMap<Model, FoldedSets>();

/** Bytes that counts hold (a map entry costs about 48). */
function bytesOf(counts: Counts | Int32Array): number {
  return counts instanceof Map ? counts.size * 48 : counts.byteLength;
}

/** Drops the least recently used sets, never `keep`, until the model's sets fit the budget. */
function evict(memo: FoldedSets, keep: Folded): void {
  for (const [key, entry] of memo.sets) {
    if (memo.bytes <= FOLDED_BUDGET_BYTES) return;
    if (entry === keep) continue;
    memo.sets.delete(key);
    memo.bytes -= entry.bytes;
  }
}

function foldOpen(model: Model, open: readonly CriterionModel[]): Folded {
  let memo = foldedByModel.get(model);
  if (!memo) {
    memo = { sets: new Map(), bytes: 0 };
    foldedByModel.set(model, memo);
  }
  const key = open.map((cm) => model.criterionIndex.get(cm.criterion.id)).join(',');
  const cached = memo.sets.get(key);
  if (cached) {
    memo.sets.delete(key);
    memo.sets.set(key, cached);
    return cached;
  }
  const lattice = latticeFor(model.frameworkIds.length, open);
  const all = countAll(lattice, open);
  const bytes = bytesOf(all) + (lattice.vectors ?? []).reduce((sum, vector) => sum + bytesOf(vector), 0);
  const entry: Folded = { key, lattice, all, without: new Map(), bytes };
  if (bytes <= FOLDED_BUDGET_BYTES / 8) {
    memo.sets.set(key, entry);
    memo.bytes += bytes;
    evict(memo, entry);
  }
  return entry;
}

/** The counts of every completion of `open` but `asked`. */
function countsWithout(model: Model, folded: Folded, open: readonly CriterionModel[], asked: CriterionModel): Counts {
  let rest = folded.without.get(asked);
  if (!rest) {
    const { lattice, all } = folded;
    rest = all instanceof Float64Array ? removeCriterion(lattice, all, asked) : countAll(lattice, open.filter((cm) => cm !== asked));
    folded.without.set(asked, rest);
    folded.bytes += bytesOf(rest);
    const memo = foldedByModel.get(model);
    if (memo && memo.sets.get(folded.key) === folded) {
      memo.bytes += bytesOf(rest);
      // A set that has grown past an eighth of the budget is no longer kept (this call still has it).
      if (folded.bytes > FOLDED_BUDGET_BYTES / 8) {
        memo.sets.delete(folded.key);
        memo.bytes -= folded.bytes;
      } else evict(memo, folded);
    }
  }
  return rest;
}

/** How many bytes the kept sets of open criteria take for `model` (tests). */
export function foldedBytes(model: Model): { sets: number; bytes: number } {
  const memo = foldedByModel.get(model);
  return { sets: memo?.sets.size ?? 0, bytes: memo?.bytes ?? 0 };
}

/**
 * The counts without one criterion's completions: exact polynomial division of
 * `counts` by that criterion's polynomial, from the lowest key up. Every value is
 * a whole number below 2^53, so the arithmetic is exact. Dense lattices only.
 */
function removeCriterion(lattice: Lattice, counts: Float64Array, cm: CriterionModel): Float64Array {
  const offsets = lattice.offsets.get(cm)!;
  const lowest = Math.min(...offsets);
  const lead = offsets.filter((o) => o === lowest).length;
  const higher = offsets.filter((o) => o !== lowest).map((o) => o - lowest);
  const rest = new Float64Array(lattice.size);
  const end = Math.min(lattice.size, lattice.size - lowest);
  for (let key = Math.max(0, -lowest); key < end; key++) {
    // counts[key + lowest] = lead * rest[key] + the sum, over the higher offsets h, of rest[key - h]
    let value = counts[key + lowest]!;
    for (let i = 0; i < higher.length; i++) if (key >= higher[i]!) value -= rest[key - higher[i]!]!;
    rest[key] = value / lead;
  }
  return rest;
}

/** How many counted completions, added to `base` scores, end on an outcome other than `outcome`. */
function countChanged(lattice: Lattice, counts: Counts, base: readonly number[], outcome: number): number {
  const scores = base.slice();
  const dims = lattice.radix.length;
  let changed = 0;
  if (counts instanceof Float64Array && dims === 1) {
    // Two frameworks: the outcome is the sign of one difference.
    const vector = lattice.vectors![0]!;
    const lead = base[1]! - base[0]!;
    for (let key = 0; key < counts.length; key++) {
      const count = counts[key]!;
      if (count === 0) continue;
      const difference = lead + vector[key]!;
      if ((difference > 0 ? 1 : difference < 0 ? 0 : -1) !== outcome) changed += count;
    }
    return changed;
  }
  if (counts instanceof Float64Array) {
    const vectors = lattice.vectors!;
    for (let key = 0; key < counts.length; key++) {
      const count = counts[key]!;
      if (count === 0) continue;
      for (let d = 0; d < dims; d++) scores[d + 1] = base[d + 1]! + vectors[d]![key]!;
      if (winnerIndex(scores) !== outcome) changed += count;
    }
    return changed;
  }
  for (const [key, count] of counts) {
    let rest = key;
    for (let d = 0; d < dims; d++) {
      const digit = rest % lattice.radix[d]!;
      rest = (rest - digit) / lattice.radix[d]!;
      scores[d + 1] = base[d + 1]! + digit + lattice.low[d]!;
    }
    if (winnerIndex(scores) !== outcome) changed += count;
  }
  return changed;
}

function completionCount(criteria: readonly CriterionModel[]): number {
  return criteria.reduce((total, cm) => total * answerRows(cm).length, 1);
}

/** The exact chance that answering every open criterion changes the outcome of `scores` (winner or tie). */
export function chanceOfChange(model: Model, scores: readonly number[], open: readonly CriterionModel[]): number {
  if (open.length === 0) return 0;
  const { lattice, all } = foldOpen(model, open);
  return countChanged(lattice, all, scores, winnerIndex(scores)) / completionCount(open);
}

/** What answering one open criterion would leave: for each of its options, the chance of change then. */
export interface AnswerLookahead {
  criterion: CriterionModel;
  /**
   * Per option (pack order): how many completions of the other open criteria end
   * on an outcome other than the one right after this option. Divided by
   * `completions`, it is exactly that option's `chance_of_change`.
   */
  changed: number[];
  /** Completions of the other open criteria. */
  completions: number;
}

/**
 * The chance of change now, and for every open criterion (same order) what each of
 * its answers would leave. Used by the next-question rules.
 */
export function lookahead(model: Model, scores: readonly number[], open: readonly CriterionModel[]): { chance: number; answers: AnswerLookahead[] } {
  const folded = foldOpen(model, open);
  const { lattice, all } = folded;
  const chance = open.length === 0 ? 0 : countChanged(lattice, all, scores, winnerIndex(scores)) / completionCount(open);
  const answers = open.map((asked) => {
    const others = open.filter((cm) => cm !== asked);
    const rest = countsWithout(model, folded, open, asked);
    const changed = answerRows(asked).map((row) => {
      const base = scores.map((s, f) => s + row[f]!);
      return countChanged(lattice, rest, base, winnerIndex(base));
    });
    return { criterion: asked, changed, completions: completionCount(others) };
  });
  return { chance, answers };
}

/** The interview can stop asking and offer the result: the verdict is decided, or its chance of change is at most 5%. */
export function canStopAsking(rec: { decided: boolean; chance_of_change: number }): boolean {
  return rec.decided || rec.chance_of_change <= STOP_CHANCE;
}
