/**
 * Message plans (src/turns/message-plan.ts) laid out as Discord messages:
 * an embed, buttons, selects and the typed-answer modal, as plain API JSON.
 * Pure; every payload fitted to Discord's limits (limits.ts).
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
} from 'discord.js';
import { MAX_TEXT_LENGTH } from '../../src/conversation/parse.ts';
import type { ScoreBar } from '../../src/conversation/types.ts';
import { SECTION_HEADINGS } from '../../src/conversation/views.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';
import { chunkIntoRows } from '../../src/turns/fit.ts';
import { CAPTIONS, planMessage, type MessagePlan, type PlanItem } from '../../src/turns/message-plan.ts';
import type { Content } from '../../src/turns/types.ts';
import { THREAD_LINK_LABEL } from '../../src/turns/wording.ts';
import { SUBCOMMANDS } from './commands.ts';
import { controlId, indexRef } from './custom-id.ts';
import { DISCORD_LIMITS, fitContent, fitEmbeds, truncate } from './limits.ts';
import { DISCORD_SYNTAX, HELP_HEADINGS } from './platform-text.ts';

export type ActionRow = APIActionRowComponent<APIComponentInMessageActionRow>;

/** A message as this adapter sends it; `components: []` removes a message's controls when editing. */
export interface DiscordMessage {
  content?: string;
  embeds?: APIEmbed[];
  components?: ActionRow[];
}

/** The custom id of the text input inside the "Type an answer" modal. */
export const ANSWER_INPUT_ID = 'answer';

/** Embed colours: neutral for questions, green for records, blurple for verdicts, grey for the rest. */
const COLOURS = { plain: 0x99aab5, question: 0x4f545c, record: 0x3ba55d, verdict: 0x5865f2, info: 0x99aab5 } as const;

const HELP = {
  commands: { heading: HELP_HEADINGS.slashCommands, items: Object.values(SUBCOMMANDS).map((c) => ({ command: c.usage, text: c.description })) },
  typedHeading: HELP_HEADINGS.typedCommands,
};

function button(customId: string, label: string, style: APIButtonComponentWithCustomId['style'] = ButtonStyle.Secondary): APIButtonComponentWithCustomId {
  return { type: ComponentType.Button, custom_id: customId, label: truncate(label, DISCORD_LIMITS.buttonLabel), style };
}

function row(components: APIComponentInMessageActionRow[]): ActionRow {
  return { type: ComponentType.ActionRow, components };
}

const scoreBlock = (bars: readonly ScoreBar[]): string => {
  const width = Math.max(...bars.map((bar) => bar.name.length), 0);
  return '```\n' + bars.map((bar) => `${bar.name.padEnd(width)} ${bar.bar} ${bar.score}`).join('\n') + '\n```';
};

const lines = (items: readonly PlanItem[]): string =>
  items
    .map((item) =>
      item.command
        ? `\`${item.command}\` — ${item.text}`
        : `• ${item.text}${item.sources?.length ? ` *(${item.sources.join('; ')})*` : ''}${item.note ? `\n  ↳ ${item.note}` : ''}`,
    )
    .join('\n');

/** `text` in parts of at most `max` characters, cut at spaces (a single longer word is cut where it must be). */
function splitAtWords(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max);
    const cut = space > max / 2 ? space : max;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  return [...parts, rest];
}

/** Options: buttons for up to five, string selects of 25 beyond that (later selects numbered, as custom ids must differ). */
function answerRows(knowledge: Knowledge, owner: string, answers: NonNullable<MessagePlan['answers']>, maxRows: number): ActionRow[] {
  const value = { version: answers.version, criterion: answers.criterion };
  const options = answers.options.map((option, index) => ({ ...option, index }));
  if (options.length <= DISCORD_LIMITS.buttonsPerRow) {
    const style = (id: string) => (id === answers.current ? ButtonStyle.Success : ButtonStyle.Primary);
    return [row(options.map((o) => button(controlId(knowledge, owner, 'answer', value, { option: o }), o.label, style(o.id))))];
  }
  return chunkIntoRows(options, DISCORD_LIMITS.selectOptions, maxRows).map((group, index) =>
    row([
      {
        type: ComponentType.StringSelect,
        custom_id: controlId(knowledge, owner, 'select', value, index > 0 ? { group: index } : {}),
        placeholder: truncate(index === 0 ? CAPTIONS.chooseAnswer : CAPTIONS.moreAnswers, DISCORD_LIMITS.selectPlaceholder),
        min_values: 1,
        max_values: 1,
        options: group.map((o) => ({
          label: truncate(o.label, DISCORD_LIMITS.selectOptionLabel),
          value: o.id.length <= DISCORD_LIMITS.selectOptionValue ? o.id : indexRef(o.index),
          ...(o.id === answers.current ? { default: true } : {}),
        })),
      },
    ]),
  );
}

function components(plan: MessagePlan, knowledge: Knowledge): ActionRow[] {
  const owner = plan.owner ?? '';
  const controls = plan.controls.map((c) => button(controlId(knowledge, owner, c.kind, c.value), c.caption, c.primary ? ButtonStyle.Primary : ButtonStyle.Secondary));
  const rows = plan.answers ? answerRows(knowledge, owner, plan.answers, DISCORD_LIMITS.actionRows - (controls.length > 0 ? 1 : 0)) : [];
  if (controls.length > 0) rows.push(row(controls));
  if (plan.picker) {
    const placeholder = truncate(CAPTIONS.chooseChannel, DISCORD_LIMITS.selectPlaceholder);
    const customId = controlId(knowledge, owner, 'shareTo', { version: plan.picker.version });
    rows.push(row([{ type: ComponentType.ChannelSelect, custom_id: customId, placeholder, channel_types: [ChannelType.GuildText], min_values: 1, max_values: 1 }]));
  }
  return rows;
}

function embed(plan: MessagePlan): APIEmbed {
  const description: string[] = [];
  if (plan.asked) description.push(`${plan.asked.by ? `${DISCORD_SYNTAX.mention(plan.asked.by)}\n` : ''}> ${truncate(plan.asked.question.replace(/\s+/g, ' '), 300)}`);
  description.push(...plan.body);
  if (plan.record) description.push(`✅ **${plan.record.answer}**${plan.record.typed ? ` · “${plan.record.typed}”` : ''}`);
  if (plan.hint) description.push('', `*${plan.hint}*`);
  if (plan.bars) description.push(scoreBlock(plan.bars));
  const fields: APIEmbedField[] = [];
  for (const { heading, items, more } of plan.sections) {
    if (items.length === 0 && !more) continue;
    // What a list left out, in a quiet last line.
    const tail = more ? [`*${more}*`] : [];
    // Titled items are fields of their own (the first named with the heading); a plain list is one field, or text without a heading.
    if (items.some((item) => item.title)) {
      items.forEach((item, i) => {
        const name = item.title ?? '';
        const value = item.sources?.length ? `${item.text}\n*${item.sources.join('; ')}*` : item.text;
        // A value longer than a field holds goes on in fields without a name, rather than being cut.
        splitAtWords(value, DISCORD_LIMITS.embedFieldValue).forEach((part, k) => {
          fields.push({ name: k > 0 ? '\u200b' : i === 0 && heading ? `${heading} · ${name}` : name, value: part });
        });
      });
      if (more) fields.push({ name: '\u200b', value: tail[0]! });
    } else if (heading) fields.push({ name: heading, value: [lines(items), ...tail].filter(Boolean).join('\n') });
    else description.push('', [lines(items), ...tail].filter(Boolean).join('\n'));
  }
  description.push(...plan.notes);
  const url = plan.link && `https://discord.com/channels/${plan.link.thread.workspace}/${plan.link.thread.conversation}`;
  if (url) description.push(`[${THREAD_LINK_LABEL}](${url})`);
  const footer = plan.sources.length > 0 ? `${SECTION_HEADINGS.sources}: ${plan.sources.join(' · ')}` : plan.footer;
  return {
    ...(plan.title ? { title: plan.title } : {}),
    ...(url ? { url } : {}),
    description: description.join('\n'),
    color: COLOURS[plan.tone],
    ...(fields.length > 0 ? { fields } : {}),
    ...(footer ? { footer: { text: footer } } : {}),
  };
}

/** Lays out one `Content` for Discord: plain notices as text, everything else as an embed. */
export function renderContent(content: Content, knowledge: Knowledge): DiscordMessage {
  const plan = planMessage(content, { syntax: DISCORD_SYNTAX, help: HELP });
  const text = plan.tone === 'plain' ? [plan.lead, ...plan.body] : [plan.lead];
  const rows = components(plan, knowledge);
  return {
    ...(text.some(Boolean) ? { content: fitContent(text.filter(Boolean).join('\n')) } : {}),
    ...(plan.tone === 'plain' ? {} : { embeds: fitEmbeds([embed(plan)]) }),
    ...(rows.length > 0 ? { components: rows } : {}),
  };
}

/** The same message as a full replacement of an earlier one: an edit leaves out nothing by accident. */
export function forEdit(message: DiscordMessage): Required<DiscordMessage> {
  return { content: message.content ?? '', embeds: message.embeds ?? [], components: message.components ?? [] };
}

/** The modal behind "Type an answer": one paragraph field, read by the core's free-text parser. */
export function typeAnswerModal(
  context: { knowledge: Knowledge; owner: string },
  reply: { criterion: string; title: string; question: string; version: number },
): APIModalInteractionResponseCallbackData {
  return {
    custom_id: controlId(context.knowledge, context.owner, 'modal', { version: reply.version, criterion: reply.criterion }),
    title: truncate(CAPTIONS.typeAnswer, DISCORD_LIMITS.modalTitle),
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
