/**
 * Lays the core's platform-neutral view models out as Discord messages:
 * embeds, buttons, selects and modals, as plain API JSON. Pure functions,
 * every payload fitted to Discord's limits. The words come from the view
 * models; this module only adds the control labels and headings in
 * `platform-text.ts`.
 */
import {
  ButtonStyle,
  ChannelType,
  ComponentType,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
  type APIModalInteractionResponseCallbackData,
  type APIStringSelectComponent,
} from 'discord.js';
import { MAX_TEXT_LENGTH } from '../../src/conversation/parse.ts';
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
import type { Knowledge } from '../../src/knowledge/load.ts';
import { encodeCustomId, indexRef, type ActionKind, type Referable } from './custom-id.ts';
import { chunkIntoRows, DISCORD_LIMITS, fitContent, fitEmbeds, truncate } from './limits.ts';
import { HEADINGS, LABELS } from './platform-text.ts';

export type ActionRow = APIActionRowComponent<APIComponentInMessageActionRow>;

/** A message as this adapter sends it; `components: []` removes a message's controls when editing. */
export interface DiscordMessage {
  content?: string;
  embeds?: APIEmbed[];
  components?: ActionRow[];
}

/** The custom id of the text input inside the "Type an answer" modal. */
export const ANSWER_INPUT_ID = 'answer';

/** Embed colours: neutral for questions, green for records, blurple for verdicts. */
const COLOURS = { question: 0x4f545c, record: 0x3ba55d, verdict: 0x5865f2, info: 0x99aab5 } as const;

export interface RenderContext {
  knowledge: Knowledge;
  /** The interview owner's user id: every control carries it. */
  owner: string;
}

function criterionRef(knowledge: Knowledge, criterion: string): Referable {
  return { id: criterion, index: knowledge.criteria.findIndex((c) => c.id === criterion) };
}

function button(customId: string, label: string, style: APIButtonComponentWithCustomId['style'] = ButtonStyle.Secondary): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, custom_id: customId, label: truncate(label, DISCORD_LIMITS.buttonLabel), style };
}

function row(components: APIComponentInMessageActionRow[]): ActionRow {
  return { type: ComponentType.ActionRow, components };
}

function control(context: RenderContext, kind: ActionKind, version: number, label: string, criterion?: string): APIButtonComponentWithCustomId {
  const customId = encodeCustomId({
    kind,
    owner: context.owner,
    version,
    ...(criterion ? { criterion: criterionRef(context.knowledge, criterion) } : {}),
  });
  return button(customId, label);
}

function bullets(lines: readonly string[]): string {
  return lines.map((line) => `• ${line}`).join('\n');
}

function fitted(message: DiscordMessage): DiscordMessage {
  return {
    ...message,
    ...(message.content !== undefined ? { content: fitContent(message.content) } : {}),
    ...(message.embeds ? { embeds: fitEmbeds(message.embeds) } : {}),
  };
}

// ---- interview ----------------------------------------------------------

/** Option controls: buttons for up to five options, string selects (25 options each) beyond that. */
function optionRows(context: RenderContext, reply: QuestionReply, maxRows: number): ActionRow[] {
  const criterion = criterionRef(context.knowledge, reply.criterion);
  if (reply.options.length <= DISCORD_LIMITS.buttonsPerRow) {
    return [
      row(
        reply.options.map((option, index) =>
          button(
            encodeCustomId({ kind: 'answer', owner: context.owner, version: reply.version, criterion, option: { id: option.id, index } }),
            option.label,
            option.id === reply.currentAnswer?.id ? ButtonStyle.Success : ButtonStyle.Primary,
          ),
        ),
      ),
    ];
  }
  const { rows: groups } = chunkIntoRows(
    reply.options.map((option, index) => ({ option, index })),
    DISCORD_LIMITS.selectOptions,
    maxRows,
  );
  return groups.map((group, groupIndex) => {
    const select: APIStringSelectComponent = {
      type: ComponentType.StringSelect,
      // Several selects on one message need distinct custom ids: later ones carry their group number.
      custom_id: encodeCustomId({ kind: 'select', owner: context.owner, version: reply.version, criterion, ...(groupIndex > 0 ? { group: groupIndex } : {}) }),
      placeholder: truncate(groupIndex === 0 ? LABELS.chooseAnswer : LABELS.chooseMoreAnswers, DISCORD_LIMITS.selectPlaceholder),
      min_values: 1,
      max_values: 1,
      options: group.map(({ option, index }) => ({
        label: truncate(option.label, DISCORD_LIMITS.selectOptionLabel),
        value: option.id.length <= DISCORD_LIMITS.selectOptionValue ? option.id : indexRef(index),
        ...(option.id === reply.currentAnswer?.id ? { default: true } : {}),
      })),
    };
    return row([select]);
  });
}

export function questionMessage(context: RenderContext, reply: QuestionReply): DiscordMessage {
  const description = reply.hint ? `${reply.question}\n\n*${reply.hint}*` : reply.question;
  const controls = [
    ...(reply.canGoBack ? [control(context, 'back', reply.version, LABELS.back)] : []),
    control(context, 'skip', reply.version, LABELS.skip, reply.criterion),
    control(context, 'why', reply.version, LABELS.why, reply.criterion),
    control(context, 'result', reply.version, LABELS.seeResult),
    control(context, 'typeAnswer', reply.version, LABELS.typeAnswer, reply.criterion),
  ];
  return fitted({
    embeds: [{ title: reply.title, description, color: COLOURS.question, footer: { text: reply.progress.text } }],
    components: [...optionRows(context, reply, DISCORD_LIMITS.actionRows - 1), row(controls)],
  });
}

/** What a question message becomes once answered: the question and the answer, no controls. */
export function answeredRecord(reply: AnsweredReply): DiscordMessage {
  const understood = reply.understoodFrom ? ` · “${reply.understoodFrom}”` : '';
  return fitted({
    embeds: [{ title: reply.title, description: `${reply.question}\n✅ **${reply.answer.label}**${understood}`, color: COLOURS.record }],
    components: [],
  });
}

export function settledMessage(context: RenderContext, reply: SettledReply): DiscordMessage {
  return fitted({
    embeds: [{ description: reply.text, color: COLOURS.verdict, footer: { text: reply.progress.text } }],
    components: [
      row([
        button(encodeCustomId({ kind: 'result', owner: context.owner, version: reply.version }), LABELS.seeResult, ButtonStyle.Primary),
        control(context, 'refine', reply.version, LABELS.keepRefining),
      ]),
    ],
  });
}

function scoreBlock(view: RecommendationView): string {
  const width = Math.max(...view.bars.map((bar) => bar.name.length), 0);
  return '```\n' + view.bars.map((bar) => `${bar.name.padEnd(width)} ${bar.bar} ${bar.score}`).join('\n') + '\n```';
}

function withSources(text: string, sources: readonly string[]): string {
  return sources.length > 0 ? `${text}\n*${sources.join('; ')}*` : text;
}

/** How many reasons the recommendation shows: the strongest ones, enough to explain it. */
const TOP_REASONS = 5;

export function recommendationEmbed(view: RecommendationView): APIEmbed {
  const fields: APIEmbedField[] = view.reasons.slice(0, TOP_REASONS).map((reason) => ({
    name: `${reason.title}: ${reason.answer} (${reason.pointsText})`,
    value: withSources(reason.text || reason.pointsText, reason.sources),
  }));
  if (fields.length > 0) fields[0] = { ...fields[0]!, name: `${HEADINGS.reasons} · ${fields[0]!.name}` };
  for (const caveat of view.caveats) fields.push({ name: `⚠️ ${caveat.title}`, value: caveat.text });
  if (view.flips.length > 0) fields.push({ name: HEADINGS.flips, value: bullets(view.flips) });
  return {
    title: view.headline,
    description: `${view.confidenceText}\n${scoreBlock(view)}${view.basis}`,
    color: COLOURS.verdict,
    fields,
    ...(view.sources.length > 0 ? { footer: { text: `${HEADINGS.sources}: ${view.sources.join(' · ')}` } } : {}),
  };
}

export function recommendationMessage(context: RenderContext, reply: RecommendationReply): DiscordMessage {
  const buttons = [
    ...(reply.canRefine ? [control(context, 'refine', reply.version, LABELS.keepRefining)] : []),
    control(context, 'restart', reply.version, LABELS.startOver),
    button(encodeCustomId({ kind: 'postToChannel', owner: context.owner, version: reply.version }), LABELS.postToChannel, ButtonStyle.Primary),
  ];
  return fitted({ embeds: [recommendationEmbed(reply.view)], components: [row(buttons)] });
}

export function whyMessage(reply: WhyReply): DiscordMessage {
  return fitted({
    embeds: [
      {
        title: reply.title,
        description: `${reply.why}\n\n${bullets(reply.impacts)}`,
        color: COLOURS.info,
        ...(reply.sources.length > 0 ? { footer: { text: `${HEADINGS.sources}: ${reply.sources.join(' · ')}` } } : {}),
      },
    ],
  });
}

export function noticeMessage(reply: NoticeReply): DiscordMessage {
  return fitted({ content: reply.text });
}

/** The modal behind "Type an answer": one paragraph field, read by the core's free-text parser. */
export function typeAnswerModal(context: RenderContext, reply: { criterion: string; title: string; question: string; version: number }): APIModalInteractionResponseCallbackData {
  return {
    custom_id: encodeCustomId({ kind: 'modal', owner: context.owner, version: reply.version, criterion: criterionRef(context.knowledge, reply.criterion) }),
    title: truncate(LABELS.typeAnswer, DISCORD_LIMITS.modalTitle),
    components: [
      {
        type: ComponentType.Label,
        label: truncate(reply.title, DISCORD_LIMITS.labelText),
        description: truncate(reply.question, DISCORD_LIMITS.labelDescription),
        component: {
          type: ComponentType.TextInput,
          custom_id: ANSWER_INPUT_ID,
          style: TextInputStyle.Paragraph,
          required: true,
          min_length: 1,
          max_length: Math.min(MAX_TEXT_LENGTH, DISCORD_LIMITS.textInputValue),
        },
      },
    ],
  };
}

// ---- recommendation summary and channel picker ---------------------------

/** "Post to channel": the prompt and a select of the server's text channels. */
export function channelPickerMessage(context: RenderContext, version: number, prompt: string): DiscordMessage {
  return {
    content: prompt,
    embeds: [],
    components: [
      row([
        {
          type: ComponentType.ChannelSelect,
          custom_id: encodeCustomId({ kind: 'channelChosen', owner: context.owner, version }),
          placeholder: truncate(LABELS.chooseChannel, DISCORD_LIMITS.selectPlaceholder),
          channel_types: [ChannelType.GuildText],
          min_values: 1,
          max_values: 1,
        },
      ]),
    ],
  };
}

export function threadUrl(guildId: string, threadId: string): string {
  return `https://discord.com/channels/${guildId}/${threadId}`;
}

/** The compact summary posted to a channel: who asked, key answers, the verdict and a link to the thread. */
export function summaryMessage(view: RecommendationView, where: { ownerId: string; guildId: string; threadId: string }): DiscordMessage {
  const url = threadUrl(where.guildId, where.threadId);
  const fields: APIEmbedField[] = [];
  if (view.keyAnswers.length > 0) fields.push({ name: HEADINGS.keyAnswers, value: bullets(view.keyAnswers) });
  fields.push({ name: HEADINGS.askedBy, value: `<@${where.ownerId}> · [${LABELS.openThread}](${url})` });
  return fitted({
    embeds: [
      {
        title: view.headline,
        url,
        description: `${view.confidenceText}\n${scoreBlock(view)}${view.basis}`,
        color: COLOURS.verdict,
        fields,
      },
    ],
  });
}

// ---- ask and help -------------------------------------------------------

export function askMessage(answer: AskAnswer, asker?: string): DiscordMessage {
  const items = answer.items.map((item) => {
    const sources = item.sources.length > 0 ? ` *(${item.sources.join('; ')})*` : '';
    const correction = item.correction ? `\n  ↳ ${item.correction}` : '';
    return `• ${item.text}${sources}${correction}`;
  });
  const caveats = answer.caveats.map((caveat) => `⚠️ ${caveat}`);
  const question = `${asker ? `<@${asker}>\n` : ''}> ${truncate(answer.question.replace(/\s+/g, ' '), 300)}`;
  return fitted({
    embeds: [
      {
        title: answer.headline,
        description: [question, ...items, ...(caveats.length > 0 ? ['', ...caveats] : [])].join('\n'),
        color: COLOURS.info,
        ...(answer.sources.length > 0 ? { footer: { text: `${HEADINGS.sources}: ${answer.sources.join(' · ')}` } } : {}),
      },
    ],
  });
}

export function helpMessage(reply: HelpReply, slashCommands: readonly { usage: string; description: string }[], lead?: string): DiscordMessage {
  return fitted({
    ...(lead === undefined ? {} : { content: lead }),
    embeds: [
      {
        description: reply.text,
        color: COLOURS.info,
        fields: [
          { name: HEADINGS.slashCommands, value: slashCommands.map((c) => `\`${c.usage}\` — ${c.description}`).join('\n') },
          { name: HEADINGS.typedCommands, value: reply.commands.map((c) => `**${c.command}** — ${c.description}`).join('\n') },
        ],
      },
    ],
  });
}
