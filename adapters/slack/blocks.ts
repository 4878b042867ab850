/**
 * Message plans (src/turns/message-plan.ts) laid out as Block Kit. Pure. Every
 * string from the core is escaped for mrkdwn (plain_text is shown as typed),
 * and every block keeps to Block Kit's limits (limits.ts).
 */
import type { types } from '@slack/bolt';
import { SECTION_HEADINGS } from '../../src/conversation/views.ts';
import { limitItems } from '../../src/turns/fit.ts';
import { CAPTIONS, planMessage, type MessagePlan, type PlanControl, type PlanItem, type PlanSection } from '../../src/turns/message-plan.ts';
import type { Content } from '../../src/turns/types.ts';
import { THREAD_LINK_LABEL } from '../../src/turns/wording.ts';
import { actionId, encodeActionValue, isActionKind, type ActionKind } from './action-codec.ts';
import { channelLink, escapeText, link } from './escape.ts';
import { LIMITS, truncateEscaped, truncatePlain } from './limits.ts';
import { askedBy, MENTION_HELP, SLACK_SYNTAX, SLASH_HELP, THREAD_HELP_HEADING } from './wording.ts';

export type Block = types.KnownBlock;

export interface SlackMessage {
  /** Notification and accessibility fallback; mrkdwn, escaped. */
  text: string;
  blocks: Block[];
}

/** More answer options than this are offered as a static select instead of buttons. */
export const MAX_ANSWER_BUTTONS = 5;
/** Bullets a list shows before saying how many more there are. */
const MAX_BULLETS = 10;

const mrkdwn = (escaped: string, max: number = LIMITS.textObject): types.MrkdwnElement => ({ type: 'mrkdwn', text: truncateEscaped(escaped, max) });
const plain = (text: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: truncatePlain(text, max), emoji: true });
const context = (...escaped: string[]): types.ContextBlock => ({ type: 'context', elements: escaped.slice(0, LIMITS.contextElements).map((text) => mrkdwn(text)) });
const actions = (elements: (types.Button | types.StaticSelect)[]): types.ActionsBlock => ({ type: 'actions', elements: elements.slice(0, LIMITS.actionsElements) });
const divider: types.DividerBlock = { type: 'divider' };

export function section(escaped: string): types.SectionBlock {
  return { type: 'section', text: mrkdwn(escaped, LIMITS.sectionText) };
}

/** Caps the block count; a final context block says how much was left out. */
export function limitBlocks(blocks: readonly Block[], max: number = LIMITS.blocksPerMessage): Block[] {
  return limitItems(blocks, max, (dropped) => context(`… ${dropped} more not shown`));
}

/** A message of one section of already-escaped mrkdwn. */
export function textMessage(escapedText: string): SlackMessage {
  return { text: truncateEscaped(escapedText, LIMITS.fallbackText), blocks: [section(escapedText)] };
}

function button(control: PlanControl & { kind: ActionKind }, suffix?: number): types.Button {
  return {
    type: 'button',
    text: plain(control.caption, LIMITS.buttonText),
    action_id: actionId(control.kind, suffix),
    value: encodeActionValue(control.value),
    ...(control.primary ? { style: 'primary' as const } : {}),
  };
}

function answerBlock({ criterion, version, options }: NonNullable<MessagePlan['answers']>): types.ActionsBlock {
  const value = (option: string) => ({ version, criterion, option });
  if (options.length <= MAX_ANSWER_BUTTONS) return actions(options.map((o, i) => button({ kind: 'answer', caption: o.label, value: value(o.id) }, i)));
  const select: types.StaticSelect = {
    type: 'static_select',
    action_id: actionId('answer', 'select'),
    placeholder: plain(CAPTIONS.chooseAnswer, LIMITS.placeholderText),
    options: limitItems(options, LIMITS.staticSelectOptions).map((o) => ({ text: plain(o.label, LIMITS.optionText), value: encodeActionValue(value(o.id)) })),
  };
  return actions([select]);
}

/** The channel picker's parts of its section; a new `attempt` gives it a new block_id, which makes Slack show it unselected. */
function pickerParts({ version, attempt }: NonNullable<MessagePlan['picker']>): Partial<types.SectionBlock> {
  return {
    block_id: `share:${version}:${attempt}`,
    accessory: {
      type: 'conversations_select',
      action_id: actionId('share_to'),
      placeholder: plain(CAPTIONS.chooseChannel, LIMITS.placeholderText),
      filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
    },
  };
}

const sources = (list: readonly string[]): string => `${SECTION_HEADINGS.sources}: ${escapeText(list.join('; '))}`;

/** A list in one section, or (items with titles, sources or notes) a section per item. */
function sectionBlocks({ heading, items, more }: PlanSection, divided: boolean): Block[] {
  if (items.length === 0 && !more) return [];
  const head = heading ? [`*${escapeText(heading)}*`] : [];
  // What the list left out, in a quiet last line.
  const tail = more ? [`_${truncateEscaped(escapeText(more), 400)}_`] : [];
  if (!items.some((item) => item.title || item.note || item.sources?.length)) {
    const shown = limitItems(items, items[0]?.command ? items.length : MAX_BULLETS, (dropped): PlanItem => ({ text: `… ${dropped} more` }));
    const perLine = Math.min(600, Math.floor(2400 / Math.max(1, shown.length)));
    const lines = shown.map((item) => `${item.command ? `\`${escapeText(item.command)}\`` : '•'} ${truncateEscaped(escapeText(item.text), perLine)}`);
    return [...(divided && heading ? [divider] : []), section([...head, ...lines, ...tail].join('\n'))];
  }
  const blocks: Block[] = heading ? [...(divided ? [divider] : []), section(head[0]!)] : [];
  for (const item of items) {
    // A titled item (a reason) has its sources below it; a bullet, in its own lines.
    const lines = item.title ? [`*${escapeText(item.title)}*`, escapeText(item.text)] : [`• ${escapeText(item.text)}`];
    if (!item.title && item.sources?.length) lines.push(`_${escapeText(item.sources.join('; '))}_`);
    if (item.note) lines.push(`⚠ ${escapeText(item.note)}`);
    blocks.push(section(lines.join('\n')));
    if (item.title && item.sources?.length) blocks.push(context(sources(item.sources)));
  }
  if (tail.length > 0) blocks.push(context(tail[0]!));
  return blocks;
}

/** `back`: where a summary links back to (escaped markup). */
function layout(plan: MessagePlan, back?: string): SlackMessage {
  const blocks: Block[] = [];
  if (plan.lead) blocks.push(plan.title ? context(plan.lead) : section(plan.lead));
  if (plan.asked?.by) blocks.push(context(askedBy(plan.asked.by, plan.asked.question)));
  const body = plan.body.map(escapeText);
  if (plan.title && plan.tone === 'verdict') blocks.push({ type: 'header', text: plain(plan.title, LIMITS.headerText) });
  else if (plan.title) body.unshift(`*${escapeText(plan.title)}*`);
  if (plan.current) body.push(`_${escapeText(plan.current)}_ ✓`);
  if (body.length > 0) blocks.push({ ...section(body.join('\n')), ...(plan.picker ? pickerParts(plan.picker) : {}) });
  if (plan.record) blocks.push(context(`✓ *${escapeText(plan.record.answer)}*`));
  if (plan.record?.typed) blocks.push(context(`_“${escapeText(plan.record.typed)}”_`));
  if (plan.hint) blocks.push(context(escapeText(plan.hint)));
  // The bars get a section of their own, so a long confidence text can never cut them off.
  if (plan.bars) blocks.push(section(plan.bars.map((bar) => `\`${bar.bar}\` *${escapeText(bar.name)}* ${bar.score}`).join('\n')));
  for (const part of plan.sections) blocks.push(...sectionBlocks(part, plan.tone === 'verdict'));
  if (plan.sources.length > 0) blocks.push(context(sources(plan.sources)));
  const notes = [...plan.notes.map(escapeText), ...(back ? [back] : [])];
  if (notes.length > 0) blocks.push(context(...notes));

  // Controls come after the cap, so they are never what is cut.
  const controls: Block[] = plan.answers ? [answerBlock(plan.answers)] : [];
  const buttons = plan.controls.filter((c): c is PlanControl & { kind: ActionKind } => isActionKind(c.kind)).map((c) => button(c));
  if (buttons.length > 0) controls.push(actions(buttons));
  if (plan.footer) controls.push(context(escapeText(plan.footer)));
  const gist = plan.title ? [plan.title, ...plan.body.slice(0, 1)].join(': ') : plan.body[0];
  const text = gist === undefined ? (plan.lead ?? '') : escapeText(gist);
  return { text: truncateEscaped(text, LIMITS.fallbackText), blocks: [...limitBlocks(blocks, LIMITS.blocksPerMessage - controls.length), ...controls] };
}

/** What rendering needs beyond the content: where a summary's interview ran, and its permalink when Slack gave one. */
export interface RenderContext {
  threadChannel?: string;
  permalink?: string;
}

const HELP = {
  commands: { items: SLASH_HELP.map((line) => ({ command: line.usage, text: line.description })) },
  typedHeading: THREAD_HELP_HEADING,
  footnote: MENTION_HELP,
};

export function renderContent(content: Content, context: RenderContext = {}): SlackMessage {
  const plan = planMessage(content, { syntax: SLACK_SYNTAX, escape: escapeText, help: HELP });
  const back = plan.link && (context.permalink ? link(context.permalink, THREAD_LINK_LABEL) : channelLink(context.threadChannel ?? ''));
  return layout(plan, back);
}
