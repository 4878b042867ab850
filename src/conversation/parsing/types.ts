/** What the free-text parser returns. */

export type TypedCommand =
  | { type: 'start' }
  | { type: 'back' }
  | { type: 'skip' }
  | { type: 'why' }
  | { type: 'result' }
  | { type: 'details' }
  | { type: 'refine' }
  | { type: 'restart' }
  | { type: 'cancel' }
  | { type: 'help' }
  | { type: 'change'; criterion: string }
  | { type: 'ask'; question: string };

export interface TextMatch {
  criterion: string;
  option: string;
  /** The words that produced it, for "understood 'x' as ...". */
  evidence: string;
  /** How it was read, when that needs saying: `Read "3" as 3 people; to pick option 3, say "option 3".` */
  note?: string;
}

/** Why nothing was understood; `ask_without_question` and `change_without_topic`: a command word with nothing it could apply to. */
export type UnknownReason =
  | 'empty'
  | 'too_long'
  | 'no_match'
  | 'ambiguous'
  | 'out_of_range'
  /** An option number ("2", "option 2") with no question open: at the offer or after the result. */
  | 'no_open_question'
  | 'ask_without_question'
  | 'change_without_topic';

export type ParsedText =
  | { kind: 'command'; command: TypedCommand }
  /**
   * At least one match; at most one per criterion, in the pack's criterion order. `question`: a
   * question the same message asked ("how many users? about 50k"), to answer as well.
   */
  | { kind: 'answers'; matches: TextMatch[]; question?: string }
  /**
   * A question ("what is an admin panel?", "can flask scale?", "why database"): answered, never
   * recorded. `why` is the criterion a "why <topic>" names, else null (ask the knowledge base).
   */
  | { kind: 'question'; question: string; why: string | null }
  /** "change team": the words name several topics; `candidates` are their criterion ids. */
  | { kind: 'topics'; verb: 'change' | 'skip' | 'why'; words: string; candidates: string[] }
  /** Nothing understood. `number` is the option number that does not exist, for `out_of_range`. */
  | { kind: 'unknown'; reason: UnknownReason; number?: number };
