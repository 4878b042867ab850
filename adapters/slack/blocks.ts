/**
 * Lays out the core's platform-neutral view models as Block Kit messages.
 * Pure functions: view model in, `{ text, blocks }` out. Every string from the
 * core is escaped for mrkdwn (or left as plain text where Slack does not parse
 * markup), and every block respects Block Kit's limits (see limits.ts).
 */
import type { types } from '@slack/bolt';
import type {
  AnsweredReply,
  HelpReply,
  NoticeReply,
  QuestionReply,
  RecommendationReply,
  RecommendationView,
  SettledReply,
  WhyReply,
} from '../../src/conversation/types.ts';
import type { AskAnswer } from '../../src/engine/ask-types.ts';
import { actionId, encodeActionValue, type ActionKind } from './action-codec.ts';
import { channelLink, escapeText, link, mention } from './escape.ts';
import { LIMITS, limitItems, truncateEscaped, truncatePlain } from './limits.ts';
import { SHARE_PROMPT, THREAD_LINK_LABEL, summaryIntroText } from '../../src/turns/wording.ts';
import { CAPTIONS, HEADINGS, MENTION_HELP, SLACK_SYNTAX, SLASH_HELP, THREAD_HELP_HEADING, askedBy } from './wording.ts';

export type Block = types.KnownBlock;

export interface SlackMessage {
  /** Notification and accessibility fallback; mrkdwn, escaped. */
  text: string;
  blocks: Block[];
}

/** More answer options than this are offered as a static select instead of buttons. */
export const MAX_ANSWER_BUTTONS = 5;
const MAX_REASONS = 5;
const MAX_CAVEATS = 4;
const MAX_FLIPS = 5;
const MAX_KEY_ANSWERS = 10;
const MAX_ASK_ITEMS = 8;

// ---------- small builders ----------

function mrkdwn(escaped: string, max: number = LIMITS.textObject): types.MrkdwnElement {
  return { type: 'mrkdwn', text: truncateEscaped(escaped, max) };
}

function plain(text: string, max: number): types.PlainTextElement {
  return { type: 'plain_text', text: truncatePlain(text, max), emoji: true };
}

export function section(escaped: string): types.SectionBlock {
  return { type: 'section', text: mrkdwn(escaped, LIMITS.sectionText) };
}

export function context(...escaped: string[]): types.ContextBlock {
  const elements = limitItems(escaped, LIMITS.contextElements).map((text) => mrkdwn(text));
  return { type: 'context', elements };
}

function header(text: string): types.HeaderBlock {
  return { type: 'header', text: plain(text, LIMITS.headerText) };
}

const divider: types.DividerBlock = { type: 'divider' };

function button(caption: string, kind: ActionKind, value: string, options: { suffix?: string | number; primary?: boolean } = {}): types.Button {
  const element: types.Button = {
    type: 'button',
    text: plain(caption, LIMITS.buttonText),
    action_id: actionId(kind, options.suffix),
    value,
  };
  if (options.primary) element.style = 'primary';
  return element;
}

function actions(elements: types.Button[] | (types.Button | types.StaticSelect | types.ConversationsSelect)[]): types.ActionsBlock {
  return { type: 'actions', elements: elements.slice(0, LIMITS.actionsElements) };
}

/** Bulleted lines, escaped, each line cut so the whole fits one section. */
function bullets(lines: readonly string[], perLine = 600): string {
  return lines.map((line) => `• ${truncateEscaped(escapeText(line), perLine)}`).join('\n');
}

/** The fallback text: short, escaped, never over our cap. */
function fallback(text: string): string {
  return truncateEscaped(escapeText(text), LIMITS.fallbackText);
}

/** Caps the block count; a final context block says how much was left out. */
export function limitBlocks(blocks: readonly Block[]): Block[] {
  return limitItems(blocks, LIMITS.blocksPerMessage, (dropped) => context(`… ${dropped} more not shown`));
}

// ---------- interview ----------

export function questionMessage(reply: QuestionReply): SlackMessage {
  const lines = [`*${escapeText(reply.title)}*`, escapeText(reply.question)];
  if (reply.currentAnswer) lines.push(`_${escapeText(reply.currentAnswer.label)}_ ✓`);
  const blocks: Block[] = [section(lines.join('\n'))];
  if (reply.hint) blocks.push(context(escapeText(reply.hint)));

  const answer = (option: string): string => encodeActionValue({ version: reply.version, criterion: reply.criterion, option });
  if (reply.options.length <= MAX_ANSWER_BUTTONS) {
    blocks.push(actions(reply.options.map((option, index) => button(option.label, 'answer', answer(option.id), { suffix: index }))));
  } else {
    const options: types.PlainTextOption[] = limitItems(reply.options, LIMITS.staticSelectOptions).map((option) => ({
      text: plain(option.label, LIMITS.optionText),
      value: answer(option.id),
    }));
    const select: types.StaticSelect = {
      type: 'static_select',
      action_id: actionId('answer', 'select'),
      placeholder: plain(CAPTIONS.chooseAnswer, LIMITS.placeholderText),
      options,
    };
    blocks.push(actions([select]));
  }

  const version = encodeActionValue({ version: reply.version, criterion: reply.criterion });
  const controls: types.Button[] = [];
  if (reply.canGoBack) controls.push(button(CAPTIONS.back, 'back', version));
  controls.push(button(CAPTIONS.skip, 'skip', version), button(CAPTIONS.why, 'why', version), button(CAPTIONS.result, 'result', version));
  blocks.push(actions(controls));
  blocks.push(context(escapeText(reply.progress.text)));
  return { text: fallback(`${reply.title}: ${reply.question}`), blocks: limitBlocks(blocks) };
}

/** A message of one section of already-escaped mrkdwn. */
export function textMessage(escapedText: string): SlackMessage {
  return { text: truncateEscaped(escapedText, LIMITS.fallbackText), blocks: [section(escapedText)] };
}

/** The message as it looks once its buttons and selects are retired. */
export function withoutControls(message: SlackMessage): SlackMessage {
  return { text: message.text, blocks: message.blocks.filter((block) => block.type !== 'actions') };
}

/** The record a question message turns into once it is answered: the question and the answer, no buttons. */
export function answeredMessage(reply: AnsweredReply): SlackMessage {
  const blocks: Block[] = [section(`*${escapeText(reply.title)}*\n${escapeText(reply.question)}`), context(`✓ *${escapeText(reply.answer.label)}*`)];
  if (reply.understoodFrom) blocks.push(context(`_“${escapeText(reply.understoodFrom)}”_`));
  return { text: fallback(`${reply.title}: ${reply.answer.label}`), blocks };
}

export function settledMessage(reply: SettledReply): SlackMessage {
  const value = encodeActionValue({ version: reply.version });
  return {
    text: fallback(reply.text),
    blocks: [
      section(escapeText(reply.text)),
      actions([button(CAPTIONS.result, 'result', value, { primary: true }), button(CAPTIONS.refine, 'refine', value)]),
      context(escapeText(reply.progress.text)),
    ],
  };
}

function scoreLines(view: RecommendationView): string {
  return view.bars.map((bar) => `\`${bar.bar}\` *${escapeText(bar.name)}* ${bar.score}`).join('\n');
}

function recommendationBody(view: RecommendationView): Block[] {
  // The bars get a section of their own, so a long confidence text can never cut them off.
  const blocks: Block[] = [header(view.headline), section(escapeText(view.confidenceText)), section(scoreLines(view))];

  const reasons = view.reasons.slice(0, MAX_REASONS);
  if (reasons.length > 0) {
    blocks.push(divider, section(`*${HEADINGS.reasons}*`));
    for (const reason of reasons) {
      blocks.push(section(`*${escapeText(reason.title)}: ${escapeText(reason.answer)}* (${escapeText(reason.pointsText)})\n${escapeText(reason.text)}`));
      if (reason.sources.length > 0) blocks.push(context(`${HEADINGS.sources}: ${escapeText(reason.sources.join('; '))}`));
    }
  }
  const caveats = view.caveats.slice(0, MAX_CAVEATS);
  if (caveats.length > 0) {
    blocks.push(divider, section(`*${HEADINGS.caveats}*`));
    for (const caveat of caveats) blocks.push(section(`*${escapeText(caveat.title)}*\n${escapeText(caveat.text)}`));
  }
  const flips = view.flips.slice(0, MAX_FLIPS);
  if (flips.length > 0) blocks.push(divider, section(`*${HEADINGS.flips}*\n${bullets(flips)}`));
  blocks.push(context(escapeText(view.basis)));
  return blocks;
}

export function recommendationMessage(reply: RecommendationReply): SlackMessage {
  const value = encodeActionValue({ version: reply.version });
  const controls: types.Button[] = [];
  if (reply.canRefine) controls.push(button(CAPTIONS.refine, 'refine', value));
  controls.push(button(CAPTIONS.restart, 'restart', value), button(CAPTIONS.share, 'share', value, { primary: true }));
  // The controls are appended after the cap so they can never be the block that is cut.
  const body = recommendationBody(reply.view);
  const capped = limitItems(body, LIMITS.blocksPerMessage - 1, (dropped) => context(`… ${dropped} more not shown`));
  return { text: fallback(`${reply.view.headline}. ${reply.view.confidenceText}`), blocks: [...capped, actions(controls)] };
}

export function whyMessage(reply: WhyReply): SlackMessage {
  const blocks: Block[] = [section(`*${escapeText(reply.title)}*\n${escapeText(reply.why)}`)];
  if (reply.impacts.length > 0) blocks.push(section(bullets(reply.impacts, 2900 / Math.max(1, reply.impacts.length))));
  if (reply.sources.length > 0) blocks.push(context(`${HEADINGS.sources}: ${escapeText(reply.sources.join('; '))}`));
  return { text: fallback(`${reply.title}: ${reply.why}`), blocks };
}

export function noticeMessage(reply: NoticeReply): SlackMessage {
  return { text: fallback(reply.text), blocks: [section(escapeText(reply.text))] };
}

export function helpMessage(reply: HelpReply, options: { lead?: string } = {}): SlackMessage {
  const slash = SLASH_HELP.map((line) => `\`${escapeText(line.usage)}\` ${escapeText(line.description)}`).join('\n');
  const commands = reply.commands.map((c) => `\`${escapeText(c.command)}\` ${escapeText(c.description)}`).join('\n');
  const blocks: Block[] = [];
  if (options.lead) blocks.push(section(options.lead));
  blocks.push(section(escapeText(reply.text)), section(slash), section(`*${THREAD_HELP_HEADING}*\n${commands}`), context(escapeText(MENTION_HELP)));
  return { text: fallback(reply.text), blocks };
}

// ---------- knowledge questions ----------

export function askMessage(answer: AskAnswer, asker?: { userId: string }): SlackMessage {
  const blocks: Block[] = [];
  if (asker) blocks.push(context(askedBy(asker.userId, answer.question)));
  blocks.push(section(`*${escapeText(answer.headline)}*`));
  for (const item of answer.items.slice(0, MAX_ASK_ITEMS)) {
    const lines = [`• ${escapeText(item.text)}`];
    if (item.sources.length > 0) lines.push(`_${escapeText(item.sources.join('; '))}_`);
    if (item.correction) lines.push(`⚠ ${escapeText(item.correction)}`);
    blocks.push(section(lines.join('\n')));
  }
  if (answer.caveats.length > 0) blocks.push(section(`*${HEADINGS.caveats}*\n${bullets(answer.caveats)}`));
  if (answer.sources.length > 0) blocks.push(context(`${HEADINGS.sources}: ${escapeText(answer.sources.join('; '))}`));
  return { text: fallback(answer.headline), blocks: limitBlocks(blocks) };
}

// ---------- sharing ----------

/** The channel picker; a different `attempt` gives it a new block_id, which makes Slack show it unselected. */
export function sharePickerMessage(version: number, attempt = 0): SlackMessage {
  const select: types.ConversationsSelect = {
    type: 'conversations_select',
    action_id: actionId('share_to'),
    placeholder: plain(CAPTIONS.chooseChannel, LIMITS.placeholderText),
    filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
  };
  return {
    text: escapeText(SHARE_PROMPT),
    blocks: [{ type: 'section', block_id: `share:${version}:${attempt}`, text: mrkdwn(escapeText(SHARE_PROMPT)), accessory: select }],
  };
}

export interface SummaryInput {
  userId: string;
  view: RecommendationView;
  /** A permalink to the thread, when Slack gave one. */
  permalink?: string;
  /** Where the interview ran, for a plain channel link when there is no permalink. */
  threadChannel: string;
}

/** The compact summary posted to another channel: who asked, key answers, verdict, link back. */
export function summaryMessage(input: SummaryInput): SlackMessage {
  const { view } = input;
  const keyAnswers = limitItems(view.keyAnswers, MAX_KEY_ANSWERS, (dropped) => `… ${dropped} more`);
  const back = input.permalink ? link(input.permalink, THREAD_LINK_LABEL) : channelLink(input.threadChannel);
  const blocks: Block[] = [
    context(summaryIntroText(input.userId, SLACK_SYNTAX)),
    header(view.headline),
    section(escapeText(view.confidenceText)),
    section(scoreLines(view)),
  ];
  if (keyAnswers.length > 0) blocks.push(section(`*${HEADINGS.keyAnswers}*\n${bullets(keyAnswers, 200)}`));
  blocks.push(context(`${escapeText(view.basis)} · ${back}`));
  return { text: `${fallback(view.headline)} (${mention(input.userId)})`, blocks };
}
