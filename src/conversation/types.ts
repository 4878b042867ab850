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
  /** Criteria in the order they were answered, for `back`. */
  history: string[];
  /** True after the user chose to keep refining a settled verdict: stop offering the early result. */
  refining: boolean;
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
  /** The ordinal of the question being asked (answered + 1). */
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
  /** e.g. "Based on 6 answers; 9 questions left unanswered." */
  basis: string;
  /** Key answers "Title: label" for summaries. */
  keyAnswers: string[];
  sources: string[];
}

export interface RecommendationReply {
  kind: 'recommendation';
  view: RecommendationView;
  /** True when there are unanswered criteria the user could still refine. */
  canRefine: boolean;
  version: number;
}

/** The verdict can no longer change; the user may see it now or keep refining. */
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

export type NoticeCode =
  | 'stale'
  | 'not_understood'
  | 'not_applicable'
  | 'changed'
  | 'recorded_several'
  | 'cancelled'
  | 'restarted'
  | 'expired'
  | 'nothing_to_undo'
  | 'already_recorded'
  | 'unknown_criterion'
  | 'input_too_long';

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
  | SettledReply
  | WhyReply
  | NoticeReply
  | HelpReply;

export interface StepResult {
  session: Session;
  replies: Reply[];
}
