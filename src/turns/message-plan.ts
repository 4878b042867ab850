/**
 * A `Content` as a platform-neutral message plan: what the message says, in
 * reading order (title, paragraphs, sections of items, sources, notes), and
 * which controls it offers with their captions and values. Adapters lay a plan
 * out in their own elements and limits; none decides again what a
 * message says or offers. Text is as the core wrote it, except `lead`, which
 * is already in the platform's markup (it holds mentions and channel links).
 */
import type { DetailsReply, OptionView, RecommendationReply, Reply, ScoreBar } from '../conversation/types.ts';
import { summaryFromView } from '../conversation/result-view.ts';
import { SECTION_HEADINGS } from '../conversation/views.ts';
import type { AskAnswer } from '../engine/ask-types.ts';
import type { ControlKind, ControlValue } from './controls.ts';
import type { Content, ThreadKey } from './types.ts';
import { SHARE_PROMPT, sharedText, summaryIntroText, threadParentText, turnNoticeText, type PlatformSyntax } from './wording.ts';

export const CAPTIONS = {
  back: 'Back',
  skip: 'Skip',
  why: 'Why?',
  result: 'See result',
  details: 'Details',
  refine: 'Keep refining',
  restart: 'Start over',
  share: 'Post to channel',
  typeAnswer: 'Type an answer',
  chooseAnswer: 'Choose an answer',
  moreAnswers: 'More answers',
  chooseChannel: 'Choose a channel',
} as const;


export interface PlanControl {
  kind: ControlKind;
  caption: string;
  value: ControlValue;
  primary?: boolean;
}

export interface PlanItem {
  title?: string;
  text: string;
  sources?: string[];
  /** A correction shown under the item. */
  note?: string;
  /** A command, shown as code before the text. */
  command?: string;
}

export interface PlanSection {
  heading?: string;
  items: PlanItem[];
  /** A quiet line after the items saying what was left out, e.g. "…and 5 smaller reasons for Django." */
  more?: string;
}

/** What kind of message it is, for layouts that tell them apart (colours, a large heading, plain text). */
export type Tone = 'plain' | 'question' | 'record' | 'verdict' | 'info';

export interface MessagePlan {
  tone: Tone;
  /** A line in the platform's markup, shown first (notices that name people, an intro). */
  lead?: string;
  /** A knowledge question quoted before its answer, and who asked it. */
  asked?: { by?: string; question: string };
  title?: string;
  body: string[];
  /** The answer a question message now records, and the words it was read from. */
  record?: { answer: string; typed?: string };
  /** The answer being changed, while a question is asked again. */
  current?: string;
  hint?: string;
  bars?: ScoreBar[];
  sections: PlanSection[];
  sources: string[];
  /** Quiet lines after the content (what a verdict rests on). */
  notes: string[];
  /** Whose interview the controls belong to. */
  owner?: string;
  /** A question's options, when they can be clicked. */
  answers?: { criterion: string; version: number; options: OptionView[]; current?: string };
  controls: PlanControl[];
  /** The channel picker; a new attempt must be drawn fresh. */
  picker?: { version: number; attempt: number };
  /** A summary links back to its interview thread. */
  link?: { thread: ThreadKey; threadMessage?: string };
  /** Progress, under the controls. */
  footer?: string;
}

export interface PlanOptions {
  syntax: PlatformSyntax;
  /** Makes a person's words inert in the platform's markup, where it has markup that could ping or link. */
  escape?: (text: string) => string;
  /** The platform's own commands, listed first in the help, and a last line for it. */
  help: { commands: PlanSection; typedHeading: string; footnote?: string };
}

function plan(tone: Tone, parts: Partial<MessagePlan> = {}): MessagePlan {
  return { tone, body: [], sections: [], sources: [], notes: [], controls: [], ...parts };
}

function control(kind: Exclude<ControlKind, 'answer'>, value: ControlValue, primary = false): PlanControl {
  return { kind, caption: CAPTIONS[kind], value, ...(primary ? { primary } : {}) };
}

function askPlan(answer: AskAnswer, by?: string): MessagePlan {
  return plan('info', {
    asked: { question: answer.question, ...(by === undefined ? {} : { by }) },
    title: answer.headline,
    sections: [
      { items: answer.items.map((item) => ({ text: item.text, sources: item.sources, ...(item.correction ? { note: item.correction } : {}) })) },
      { heading: SECTION_HEADINGS.caveats, items: answer.caveats.map((text) => ({ text })) },
    ],
    sources: answer.sources,
  });
}

/**
 * The compact result: verdict, confidence and scores, the strongest reasons for every framework,
 * the caveats that bear most on it and the most actionable changes, each list saying what it left
 * out; Details shows the rest.
 */
function recommendationPlan(reply: RecommendationReply, owner: string, live: boolean): MessagePlan {
  const { view } = reply;
  const summary = view.summary ?? summaryFromView(view);
  const value = { version: reply.version };
  const controls = [...(reply.canRefine ? [control('refine', value)] : []), control('restart', value), control('details', value), control('share', value, true)];
  const more = (text: string | null): { more?: string } => (text === null ? {} : { more: text });
  const reasons: PlanSection[] = summary.groups.map((group) => ({ heading: group.heading, items: group.reasons.map((r) => ({ text: r.text })) }));
  if (summary.moreReasons !== null) {
    const last = reasons.at(-1);
    if (last) last.more = summary.moreReasons;
    else reasons.push({ heading: SECTION_HEADINGS.reasons, items: [], more: summary.moreReasons });
  }
  return plan('verdict', {
    title: view.headline,
    body: [view.confidenceText],
    bars: view.bars,
    sections: [
      ...reasons,
      { heading: SECTION_HEADINGS.caveats, items: summary.caveats.map((text) => ({ text })), ...more(summary.moreCaveats) },
      { heading: SECTION_HEADINGS.flips, items: summary.flips.map((text) => ({ text })), ...more(summary.moreFlips) },
    ],
    notes: [view.basis],
    owner,
    ...(live ? { controls } : {}),
  });
}

/** One page of the details: every item with its title, text and sources; the last page lists every source. */
function detailsPlan(reply: DetailsReply): MessagePlan {
  return plan('info', {
    title: reply.title,
    sections: reply.sections.map((section) => ({
      ...(section.heading === undefined ? {} : { heading: section.heading }),
      items: section.items.map((item) => ({ ...(item.title === undefined ? {} : { title: item.title }), text: item.text, ...(item.sources?.length ? { sources: item.sources } : {}) })),
    })),
    sources: reply.sources,
  });
}

function replyPlan(reply: Reply, owner: string, live: boolean, options: PlanOptions): MessagePlan {
  switch (reply.kind) {
    case 'question': {
      const value = { version: reply.version, criterion: reply.criterion };
      const controls = [
        ...(reply.canGoBack ? [control('back', value)] : []),
        control('skip', value),
        control('why', value),
        control('result', value),
        control('typeAnswer', value),
      ];
      const answers = { criterion: reply.criterion, version: reply.version, options: reply.options, ...(reply.currentAnswer ? { current: reply.currentAnswer.id } : {}) };
      return plan('question', {
        title: reply.title,
        body: [reply.question],
        ...(reply.currentAnswer ? { current: reply.currentAnswer.label } : {}),
        ...(reply.hint ? { hint: reply.hint } : {}),
        owner,
        ...(live ? { answers, controls } : {}),
        footer: reply.progress.text,
      });
    }
    case 'answered':
      return plan('record', {
        title: reply.title,
        body: [reply.question],
        record: { answer: reply.answer.label, ...(reply.understoodFrom ? { typed: reply.understoodFrom } : {}) },
      });
    case 'settled': {
      const value = { version: reply.version };
      return plan('verdict', { body: [reply.text], owner, ...(live ? { controls: [control('result', value, true), control('refine', value)] } : {}), footer: reply.progress.text });
    }
    case 'recommendation':
      return recommendationPlan(reply, owner, live);
    case 'details':
      return detailsPlan(reply);
    case 'why':
      return plan('info', { title: reply.title, body: [reply.why], sections: [{ items: reply.impacts.map((text) => ({ text })) }], sources: reply.sources });
    case 'ask':
      return askPlan(reply.answer);
    case 'notice':
      return plan('plain', { body: [reply.text] });
    case 'help':
      return plan('info', {
        body: [reply.text],
        sections: [options.help.commands, { heading: options.help.typedHeading, items: reply.commands.map((c) => ({ command: c.command, text: c.description })) }],
        notes: options.help.footnote ? [options.help.footnote] : [],
      });
  }
}

/** The plan of one `Content`, with the platform's syntax for mentions, channels and its start command. */
export function planMessage(content: Content, options: PlanOptions): MessagePlan {
  const { syntax } = options;
  const escape = options.escape ?? ((text: string) => text);
  switch (content.kind) {
    case 'reply':
      return replyPlan(content.reply, content.owner, content.controls, options);
    case 'ask':
      return askPlan(content.answer, content.asker);
    case 'help': {
      const help = replyPlan(content.reply, '', false, options);
      return content.lead === undefined ? help : { ...help, lead: turnNoticeText({ code: 'unknown_subcommand', text: escape(content.lead) }, syntax) };
    }
    case 'turnNotice': {
      const notice = content.notice.code === 'unknown_subcommand' ? { ...content.notice, text: escape(content.notice.text) } : content.notice;
      return plan('plain', { lead: turnNoticeText(notice, syntax) });
    }
    case 'threadParent':
      return plan('plain', { lead: threadParentText(content.owner, syntax) });
    case 'shared':
      return plan('plain', { lead: sharedText(content.owner, content.channel, syntax) });
    case 'sharePicker':
      return plan('plain', { body: [SHARE_PROMPT], owner: content.owner, picker: { version: content.version, attempt: content.attempt } });
    case 'summary': {
      const { view } = content;
      return plan('verdict', {
        lead: summaryIntroText(content.owner, syntax),
        title: view.headline,
        body: [view.confidenceText],
        bars: view.bars,
        sections: [{ heading: SECTION_HEADINGS.keyAnswers, items: view.keyAnswers.map((text) => ({ text })) }],
        notes: [view.basis],
        owner: content.owner,
        link: { thread: content.thread, ...(content.threadMessage ? { threadMessage: content.threadMessage } : {}) },
      });
    }
    case 'notice':
      return plan('plain', { body: [content.notice.text] });
  }
}
