/**
 * The conversation's platform-neutral contract: sessions, events and replies.
 * Adapters (terminal, Slack, Discord) turn platform input into `ConversationEvent`s,
 * call `step`, and render the `Reply` view models. All wording lives in the core;
 * adapters only lay it out.
 */
import type { AskAnswer } from '../engine/ask-types.ts';
import type { Confidence } from '../engine/types.ts';

/** Where a conversation lives. Adapters choose `conversation` (a Slack thread ts, a Discord thread id, ...). */
export interface SessionKey {
  platform: string;
  /** Slack team id, Discord guild id, `local` for the terminal. */
  workspace: string;
  /** The channel or thread the interview runs in. */
  conversation: string;
  /** The user the interview belongs to. */
  user: string;
}

export type Phase =
  /** Created, no question asked yet. */
  | 'new'
  /** Waiting for an answer to `current`. */
  | 'asking'
  /** The verdict can no longer change; offering the result or more questions. */
  | 'settled'
  /** The recommendation was shown (every question answered, or asked for early). */
  | 'result'
  | 'cancelled';

export interface Session {
  key: SessionKey;
  /** Increases by one with every event that changes the session. Buttons carry it to detect stale clicks. */
  version: number;
  phase: Phase;
  /** The criterion being asked (phase `asking`), else null. */
  current: string | null;
  /** criterion id -> option id or `skip`. */
  answers: Record<string, string>;
  /** Criteria in the order they were answered (each once, the latest answer last). */
  history: string[];
  /** True after the user chose to keep refining a settled verdict: stop offering the early result. */
  refining: boolean;
  /**
   * What each recent message or click recorded, oldest first (at most `MAX_TURNS`), so `back`
   * undoes a whole message. Sessions stored before turns existed have none; `back` then undoes
   * the last answer in `history`.
   */
  turns?: Turn[];
  /** The unanswered question last put to the user: the interview goes back to it after a revisited answer. */
  shown?: ShownQuestion | null;
  /**
   * The questions put to the person in this interview, each once, in the order first asked:
   * "Question N" is a question's place here, so the same question asked again keeps its number
   * and a new one gets the next. Absent in sessions stored before it existed (then `history` stands in).
   */
  questions?: string[];
}

/** How many turns a session keeps for `back`. */
export const MAX_TURNS = 50;

export interface ShownQuestion {
  criterion: string;
  /** Its "Question N" (its place in `Session.questions`). */
  number: number;
}

/** One answer a turn recorded, with what it replaced. */
export interface AnswerChange {
  criterion: string;
  /** The answer before (option id or `skip`), or null when the criterion was unanswered. */
  before: string | null;
  /** The criterion's index in `history` before, or -1. */
  position: number;
}

/** What one message or click recorded. */
export interface Turn {
  /** The criterion being asked when it came (what `back` asks again), or null outside `asking`. */
  asked: string | null;
  /** `shown` before it, restored by `back`. */
  shown: ShownQuestion | null;
  changes: AnswerChange[];
  /** The phase it came in (absent in turns stored before): `back` returns there. */
  phase?: Phase;
  /**
   * A turn that recorded no answer but moved the interview (absent for answers): `cancel` ended it,
   * `revisit` opened an earlier question ("change team size"). `back` undoes either: the interview
   * comes back, or the revisited answer is left as it was.
   */
  kind?: 'cancel' | 'revisit';
}

export type ConversationEvent =
  | { type: 'start' }
  /** A button or select choice. `criterion` is the question it was shown for. */
  | { type: 'answer'; criterion: string; option: string; version?: number }
  /** Anything typed: answers (possibly several criteria), or commands like "back", "why". */
  | { type: 'text'; text: string }
  | { type: 'skip'; criterion?: string; version?: number }
  | { type: 'back'; version?: number }
  /** Ask an earlier criterion again (its answer is kept until a new one is given). */
  | { type: 'change'; criterion: string; version?: number }
  | { type: 'why'; criterion?: string }
  | { type: 'result'; version?: number }
  /** Everything behind the result: every reason with its sources, every caveat, every change that would flip it. */
  | { type: 'details'; version?: number }
  /** Keep answering after the verdict is settled or the result was shown. */
  | { type: 'refine'; version?: number }
  | { type: 'restart'; version?: number }
  | { type: 'cancel'; version?: number }
  | { type: 'help' }
  /** A question for the knowledge base ("ask does flask have an ORM?"): answered, never recorded. */
  | { type: 'ask'; question: string };

export type EventType = ConversationEvent['type'];

export interface OptionView {
  id: string;
  label: string;
}

export interface Progress {
  /** Criteria answered so far (skips included). */
  answered: number;
  /** Criteria not answered yet. */
  remaining: number;
  /** "Question N": the question's place among the distinct questions put to the person so far (asked again, it keeps its number). */
  questionNumber: number;
  settled: boolean;
  /** Honest one-liner, e.g. "Question 4 · verdict not settled yet". */
  text: string;
}

export interface QuestionReply {
  kind: 'question';
  criterion: string;
  title: string;
  question: string;
  /** The pack's options, without skip (offered as a control). */
  options: OptionView[];
  /** The current answer when this is a change of an earlier answer. */
  currentAnswer?: OptionView;
  progress: Progress;
  canGoBack: boolean;
  /** The session version the buttons must carry. */
  version: number;
  /** Set when re-asking, e.g. "I didn't catch that. Pick one of the options, or type skip." */
  hint?: string;
}

/** Tells adapters that the question for `criterion` now has an answer (so they can turn that message into a record). */
export interface AnsweredReply {
  kind: 'answered';
  criterion: string;
  title: string;
  question: string;
  answer: OptionView;
  /** How it was understood from typed text, when it was typed. */
  understoodFrom?: string;
}

export interface ScoreBar {
  framework: string;
  name: string;
  score: number;
  /** 0..1 share of all points; 0 when nothing is scored yet. */
  share: number;
  /** A text bar like "██████░░░░", the same for every platform. */
  bar: string;
}

export interface ReasonView {
  criterion: string;
  title: string;
  answer: string;
  favours: string | null;
  favoursName: string | null;
  /** e.g. "+3 Django" or "no effect". */
  pointsText: string;
  /** Short sentence with the claim(s) behind it. */
  text: string;
  sources: string[];
}

export interface CaveatView {
  kind: 'dispute' | 'correction';
  title: string;
  /** Full text, sources named inline. */
  text: string;
}

export interface RecommendationView {
  winner: string | null;
  winnerName: string | null;
  /** e.g. "Django is the better fit" or "Django and Flask are tied so far". */
  headline: string;
  confidence: Confidence;
  /** What the confidence means here, one line. */
  confidenceText: string;
  decided: boolean;
  bars: ScoreBar[];
  /** Reasons with an effect, strongest for the winner first. */
  reasons: ReasonView[];
  caveats: CaveatView[];
  /** e.g. "If the admin panel were not needed, Flask would lead." */
  flips: string[];
  /** e.g. "Based on 6 answers; even if you answered the 10 remaining questions, there is about a 3% chance the verdict would change." */
  basis: string;
  /** The engine's `chance_of_change` (0..1). Always set by `recommendationView`; optional only for hand-built views. */
  chanceOfChange?: number;
  /** The chance of change in words, e.g. "Even if you answered the 9 remaining questions, there is about a 3% chance the verdict would change."; null when nothing is left to answer. */
  chanceText?: string | null;
  /** Key answers "Title: label" for summaries. */
  keyAnswers: string[];
  sources: string[];
  /** The compact default result (what fits one screen). Always set by `recommendationView`; absent in hand-built views and in views stored before it existed. */
  summary?: ResultSummary;
}

/** One line of the compact result: a reason, e.g. "Admin panel: Yes, from the start (+3 Django)". */
export interface SummaryReason {
  criterion: string;
  text: string;
}

/** One framework's strongest reasons in the compact result. */
export interface ReasonGroup {
  framework: string;
  /** e.g. "For Django", or "For Django (3 of 8 reasons)" when some are left out (`details` lists them). */
  heading: string;
  reasons: SummaryReason[];
}

/**
 * The compact default result, the same on every platform: the strongest reasons for every
 * framework (the leader first), the caveats that bear most on this verdict, and the most
 * actionable changes, one per criterion. `details` shows everything.
 */
export interface ResultSummary {
  groups: ReasonGroup[];
  /** The reasons that favour no framework, e.g. "…and 2 reasons that favour neither framework."; null when there are none (each group counts its own left-out reasons in its heading). */
  moreReasons: string | null;
  /** The one or two caveats that bear most on this verdict, one line each with the answers they bear on. */
  caveats: string[];
  /** e.g. "…and 4 more caveats."; null when none is left out. */
  moreCaveats: string | null;
  /** At most one change per criterion, the most actionable first. */
  flips: string[];
  /** e.g. "…and 3 more answers could change it (14 changes in all)."; null when none is left out. */
  moreFlips: string | null;
}

export interface RecommendationReply {
  kind: 'recommendation';
  view: RecommendationView;
  /** True when there are unanswered criteria the user could still refine. */
  canRefine: boolean;
  version: number;
}

/**
 * The verdict can no longer change (or very likely not); the user may see it now or keep
 * refining. Also the short update after an answer given once the result was shown, when the
 * verdict stays (phase `result`): its live controls are the same.
 */
export interface SettledReply {
  kind: 'settled';
  text: string;
  winnerName: string | null;
  progress: Progress;
  version: number;
}

export interface WhyReply {
  kind: 'why';
  criterion: string;
  title: string;
  why: string;
  /** What each answer would do, with sources, e.g. "Yes: +3 Django (Django ships an admin...; USSLLC, STX Next)". */
  impacts: string[];
  sources: string[];
}

/** One entry of the details: a reason with its claims and sources, a caveat, or a change. */
export interface DetailsItem {
  title?: string;
  text: string;
  sources?: string[];
}

export interface DetailsSection {
  heading?: string;
  items: DetailsItem[];
}

/**
 * One message of `details` (every reason with its claims and sources, every caveat, every change
 * that would flip the verdict, and the sources). Long details come as several pages, each small
 * enough for one chat message.
 */
export interface DetailsReply {
  kind: 'details';
  /** e.g. "Every reason (1–6 of 11)". */
  title: string;
  sections: DetailsSection[];
  /** Every source the details cite, on the last page (empty on the others). */
  sources: string[];
  /** 1-based page number, and how many pages these details take. */
  page: number;
  pages: number;
}

export type NoticeCode =
  | 'stale'
  | 'not_understood'
  | 'not_applicable'
  | 'changed'
  | 'recorded_several'
  /** A typed answer filled another question than the one asked (which is asked again), or one besides it. */
  | 'recorded_other'
  | 'cancelled'
  | 'restarted'
  | 'expired'
  | 'nothing_to_undo'
  | 'already_recorded'
  | 'unknown_criterion'
  | 'input_too_long'
  /** How a typed answer was read, when that needs saying ("3" at the team-size question is three people). */
  | 'read_as'
  /** `back` undid several answers of one message: the notice names them. */
  | 'undone'
  /** The words name several topics ("change team"): the notice lists them. */
  | 'ambiguous_topic'
  /** `start` found an unfinished interview and picks it up. */
  | 'resumed'
  /** Something typed after the result that is not understood: a short hint, not the whole result again. */
  | 'result_hint'
  | 'offer_hint'
  /** After the result was offered as very likely settled, an answer changed who leads: said plainly. */
  | 'verdict_changed';

export interface NoticeReply {
  kind: 'notice';
  code: NoticeCode;
  text: string;
}

export interface HelpReply {
  kind: 'help';
  text: string;
  commands: { command: string; description: string }[];
}

/** The knowledge base's answer to `ask <question>`, with its sources. */
export interface AskReply {
  kind: 'ask';
  answer: AskAnswer;
}

export type Reply =
  | AskReply
  | QuestionReply
  | AnsweredReply
  | RecommendationReply
  | DetailsReply
  | SettledReply
  | WhyReply
  | NoticeReply
  | HelpReply;

export interface StepResult {
  session: Session;
  replies: Reply[];
}
