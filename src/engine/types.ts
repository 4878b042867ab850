/**
 * The engine's public result types. Field names are the JSON contract of
 * `advisor recommend --json` (snake_case where the contract says so).
 */

/** criterion id -> option id (or `skip`). */
export type Answers = Readonly<Record<string, string>>;

export type Confidence = 'low' | 'medium' | 'high';

/** Shared between recommendations and frozen (see recommend.ts): read-only. */
export interface ClaimRef {
  readonly id: string;
  readonly text: string;
  readonly sources: readonly string[];
  /** True when the claim is one side of a recorded disagreement between sources. */
  readonly disputed: boolean;
  readonly correction?: { readonly text: string; readonly sources: readonly string[] };
}

export interface Reason {
  criterion: string;
  answer: string;
  /** The framework this answer gives the most points to; null when it favours none (skip, or equal points). */
  favours: string | null;
  /** Points this answer adds to each framework. Summed over all reasons, these are exactly `scores`. */
  contribution: Record<string, number>;
  /** Shared between recommendations and frozen, like each claim. */
  claims: readonly ClaimRef[];
  /** Ids of the sources behind the claims, in first-seen order (shared and frozen too). */
  sources: readonly string[];
}

export interface DisputeCaveat {
  kind: 'dispute';
  id: string;
  topic: string;
  summary: string;
  sides: { position: string; sources: string[] }[];
  /** The answered criteria whose effects rest on this disputed claim. */
  criteria: string[];
}

export interface CorrectionCaveat {
  kind: 'correction';
  /** The claim's id. */
  id: string;
  claim: string;
  claim_sources: readonly string[];
  correction: string;
  correction_sources: readonly string[];
  criteria: string[];
}

export type Caveat = DisputeCaveat | CorrectionCaveat;

export interface Flip {
  criterion: string;
  /** The current answer, or null when the criterion is still unanswered. */
  from: string | null;
  to: string;
  /** The winner after this single change; null means it would become a tie. */
  winner: string | null;
}

/** The facts a confidence level was derived from, so it can be explained precisely. */
export interface ConfidenceBasis {
  tied: boolean;
  /** No combination of remaining answers can change the winner (`decided`). */
  settled: boolean;
  /** `chance_of_change` is at most 5%: answering the rest would very likely keep the verdict. */
  unlikely_to_change: boolean;
  /** `chance_of_change` is at most 20% (`MEDIUM_CHANCE`): without it, an undecided verdict is `low`. */
  modest_chance_of_change: boolean;
  /** Some single unanswered question has an answer that would change the winner. */
  one_answer_could_flip: boolean;
  /** Some question answered "don't know" has an answer that would change the winner: the verdict holds only while it stays unknown. */
  unknown_could_flip: boolean;
  /** Without the effects that rest only on disputed claims, the winner would not lead. */
  rests_on_disputes: boolean;
  /** A dispute that alone decides the lead: without the winner's points that cite a claim of it (either side), the winner would not lead. Null when none does. */
  deciding_dispute: string | null;
}

export interface Recommendation {
  /** The leading framework, or null when the top scores are tied. */
  winner: string | null;
  scores: Record<string, number>;
  /** Framework ids, best first (ties keep the knowledge pack's order). */
  ranking: string[];
  /** Points between the leader and the runner-up (0 when tied). */
  margin: number;
  confidence: Confidence;
  confidence_basis: ConfidenceBasis;
  /** True only when no combination of answers to the unanswered criteria could change the winner. */
  decided: boolean;
  /**
   * The exact probability (0..1) that answering every unanswered criterion changes the
   * verdict, each option equally likely ("don't know" not counted). Ending on a tie
   * counts as a change from a leader. 0 when decided or when nothing is left to answer.
   */
  chance_of_change: number;
  /** The unanswered criterion to ask next (the rule in `next-question.ts`); null when decided or all answered. */
  next_question: string | null;
  reasons: Reason[];
  caveats: Caveat[];
  flips: Flip[];
  answered: string[];
  unanswered: string[];
}

/** What one option of a criterion would do: used to explain "why does this matter?". */
export interface OptionImpact {
  option: string;
  label: string;
  contribution: Record<string, number>;
  favours: string | null;
  /** The winner if this option were chosen (other answers unchanged). */
  winner: string | null;
  claims: ClaimRef[];
}
