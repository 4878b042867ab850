/**
 * Decodes every interaction into the turn layer's `Delivery` + `Inbound`:
 * `/advisor` subcommands, the interview's buttons and selects, the "Type an
 * answer" modal and the channel picker. The interaction's place (guild,
 * channel, user), its options and component ids are parsed with zod at this
 * edge; what a turn does (ownership, expiry, replays, what to post) is the
 * turn layer's. Only answers that need no turn stay here: a payload that
 * cannot be used, and opening the modal. Every interaction ends with one
 * "interaction handled" log line carrying its outcome and duration.
 */
import { ChannelType, MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import { z } from 'zod';
import type { ConversationEvent } from '../../src/conversation/types.ts';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { Logger } from '../../src/logger.ts';
import type { Delivery, Inbound, ThreadKey } from '../../src/turns/types.ts';
import { turnNoticeText } from '../../src/turns/wording.ts';
import { ASK_QUESTION_MAX_LENGTH, ASK_QUESTION_OPTION, COMMAND_NAME, SUBCOMMANDS } from './commands.ts';
import { parseCustomId, resolveRef, type ComponentAction } from './custom-id.ts';
import { classifyDiscordError, interactionIsGone } from './errors.ts';
import { LiveInteraction, type TurnInteraction } from './live.ts';
import { DISCORD_SYNTAX, PLATFORM_TEXT } from './platform-text.ts';
import { PLATFORM } from './port.ts';
import { ANSWER_INPUT_ID, typeAnswerModal } from './render.ts';
import { runTurn, type TurnOutcome, type TurnRunnerDeps } from './run-turn.ts';

export type InteractionOutcome = TurnOutcome | 'not_in_guild' | 'unknown_component' | 'failed';

export interface InteractionDeps extends TurnRunnerDeps {
  knowledge: Knowledge;
  logger: Logger;
}

const snowflake = z.string().regex(/^\d{15,25}$/, 'expected a Discord id');

/** Where an interaction happened; interactions outside a guild are refused (the commands are guild-only). */
const placeSchema = z.object({ guildId: snowflake, channelId: snowflake, userId: snowflake });
type Place = z.infer<typeof placeSchema>;

const askQuestionSchema = z.string().trim().min(1).max(ASK_QUESTION_MAX_LENGTH);
const oneValueSchema = z.array(z.string().min(1)).length(1);
const typedAnswerSchema = z.string().trim().min(1);

const THREAD_TYPES: ReadonlySet<ChannelType> = new Set([ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread]);
const THREAD_PARENT_TYPES: ReadonlySet<ChannelType> = new Set([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

/** What an interaction comes to: a turn, a plain private answer, the modal, or nothing. */
type Decoded =
  | { kind: 'turn'; delivery: Delivery; inbound: Inbound }
  | { kind: 'say'; text: string; outcome: InteractionOutcome }
  | { kind: 'modal'; modal: ReturnType<typeof typeAnswerModal> }
  | { kind: 'ignore' };

const UNKNOWN_COMPONENT: Decoded = { kind: 'say', text: PLATFORM_TEXT.unknownComponent, outcome: 'unknown_component' };

function isTurnInteraction(interaction: Interaction): interaction is TurnInteraction {
  return interaction.isChatInputCommand() || interaction.isButton() || interaction.isStringSelectMenu() || interaction.isChannelSelectMenu() || interaction.isModalSubmit();
}

async function sayOnly(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}

export function createInteractionHandler(deps: InteractionDeps): (interaction: Interaction) => Promise<void> {
  const { knowledge } = deps;
  const criterionIds = knowledge.criteria.map((c) => c.id);

  /** The core event a control stands for, or undefined when its references no longer resolve (the pack changed). */
  function eventFor(action: ComponentAction, values: readonly string[]): ConversationEvent | undefined {
    const criterion = action.criterion === undefined ? undefined : resolveRef(action.criterion, criterionIds);
    if (action.criterion !== undefined && criterion === undefined) return undefined;
    const optionIds = criterion ? (knowledge.criterionById.get(criterion)?.options.map((o) => o.id) ?? []) : [];
    const version = action.version;
    switch (action.kind) {
      case 'answer': {
        const option = action.option === undefined ? undefined : resolveRef(action.option, optionIds);
        return criterion && option ? { type: 'answer', criterion, option, version } : undefined;
      }
      case 'select': {
        const value = oneValueSchema.safeParse(values);
        const option = value.success ? resolveRef(value.data[0]!, optionIds) : undefined;
        return criterion && option ? { type: 'answer', criterion, option, version } : undefined;
      }
      case 'skip':
        return criterion ? { type: 'skip', criterion, version } : undefined;
      case 'why':
        return criterion ? { type: 'why', criterion } : undefined;
      case 'back':
      case 'result':
      case 'refine':
      case 'restart':
        return { type: action.kind, version };
      default:
        return undefined;
    }
  }

  function decodeCommand(interaction: Extract<TurnInteraction, { commandName: string }>, place: Place, thread: ThreadKey): Decoded {
    if (interaction.commandName !== COMMAND_NAME) return { kind: 'ignore' };
    const subcommand = interaction.options.getSubcommand(false);
    const turn = (inbound: Inbound, inThread = false): Decoded => ({ kind: 'turn', delivery: { id: interaction.id, thread, actor: place.userId, inThread }, inbound });
    switch (subcommand) {
      case SUBCOMMANDS.start: {
        // In a channel the turn layer opens a thread for the interview; inside a thread it starts or resumes there.
        const type = interaction.channel?.type;
        if (type !== undefined && (THREAD_TYPES.has(type) || THREAD_PARENT_TYPES.has(type))) return turn({ kind: 'start' }, THREAD_TYPES.has(type));
        return { kind: 'say', text: PLATFORM_TEXT.noThreadsHere, outcome: 'thread_failed' };
      }
      case SUBCOMMANDS.ask: {
        const question = askQuestionSchema.safeParse(interaction.options.getString(ASK_QUESTION_OPTION));
        return question.success ? turn({ kind: 'ask', question: question.data }) : { kind: 'say', text: PLATFORM_TEXT.askTooLong(ASK_QUESTION_MAX_LENGTH), outcome: 'ignored' };
      }
      case SUBCOMMANDS.help:
        return turn({ kind: 'help' });
      default:
        return turn({ kind: 'help', unknown: subcommand ?? '' });
    }
  }

  function decodeComponent(interaction: Exclude<TurnInteraction, { commandName: string }>, place: Place, thread: ThreadKey): Decoded {
    const action = parseCustomId(interaction.customId);
    if (!action) return UNKNOWN_COMPONENT;
    // Controls live in interview threads; the owner in the custom id lets the turn layer refuse everyone else.
    const delivery: Delivery = { id: interaction.id, thread, inThread: true, actor: place.userId, claimedOwner: action.owner };
    const turn = (inbound: Inbound): Decoded => ({ kind: 'turn', delivery, inbound });

    if (interaction.isModalSubmit()) {
      if (action.kind !== 'modal') return UNKNOWN_COMPONENT;
      const field = interaction.fields.fields.get(ANSWER_INPUT_ID);
      const text = typedAnswerSchema.safeParse(field && 'value' in field ? field.value : undefined);
      return text.success ? turn({ kind: 'text', text: text.data }) : UNKNOWN_COMPONENT;
    }
    if (interaction.isChannelSelectMenu()) {
      const channel = oneValueSchema.pipe(z.tuple([snowflake])).safeParse(interaction.values);
      if (action.kind !== 'channelChosen' || !channel.success) return UNKNOWN_COMPONENT;
      return turn({ kind: 'shareTo', channel: channel.data[0], picker: interaction.message.id });
    }
    if (interaction.isButton() && action.kind === 'typeAnswer') {
      // Opening the modal is not a turn (a modal must be the first response, so it cannot wait for one).
      // Someone else's interview would refuse the typed answer, so say that now instead of after they typed.
      if (action.owner !== place.userId) {
        return { kind: 'say', text: turnNoticeText({ code: 'not_owner', owner: action.owner }, DISCORD_SYNTAX), outcome: 'refused_not_owner' };
      }
      const criterion = action.criterion === undefined ? undefined : resolveRef(action.criterion, criterionIds);
      const found = criterion ? knowledge.criterionById.get(criterion) : undefined;
      if (!found) return UNKNOWN_COMPONENT;
      return { kind: 'modal', modal: typeAnswerModal({ knowledge, owner: action.owner }, { criterion: found.id, title: found.title, question: found.question, version: action.version }) };
    }
    if (interaction.isButton() && action.kind === 'postToChannel') return turn({ kind: 'share', version: action.version });
    const event = eventFor(action, interaction.isStringSelectMenu() ? interaction.values : []);
    return event ? turn({ kind: 'control', event }) : UNKNOWN_COMPONENT;
  }

  function decode(interaction: TurnInteraction, place: Place): Decoded {
    const thread: ThreadKey = { platform: PLATFORM, workspace: place.guildId, conversation: place.channelId };
    return interaction.isChatInputCommand() ? decodeCommand(interaction, place, thread) : decodeComponent(interaction, place, thread);
  }

  async function handle(interaction: TurnInteraction, receivedAt: number, log: Logger): Promise<InteractionOutcome> {
    const place = placeSchema.safeParse({ guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id });
    if (!place.success) {
      await sayOnly(interaction, PLATFORM_TEXT.notInGuild);
      return 'not_in_guild';
    }
    const decoded = decode(interaction, place.data);
    switch (decoded.kind) {
      case 'ignore':
        return 'ignored';
      case 'say':
        await sayOnly(interaction, decoded.text);
        return decoded.outcome;
      case 'modal':
        if (!interaction.isButton()) return 'ignored';
        await interaction.showModal(decoded.modal);
        return 'ok';
      case 'turn':
        return runTurn(deps, decoded.delivery, decoded.inbound, new LiveInteraction(interaction, receivedAt), log.child({ inbound: decoded.inbound.kind }));
    }
  }

  return async function handleInteraction(interaction: Interaction): Promise<void> {
    const receivedAt = performance.now();
    const log = deps.logger.child({
      interactionId: interaction.id,
      interactionType: interaction.type,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      userId: interaction.user.id,
    });
    let outcome: InteractionOutcome = 'failed';
    try {
      outcome = isTurnInteraction(interaction) ? await handle(interaction, receivedAt, log) : 'ignored';
    } catch (error) {
      const failure = classifyDiscordError(error);
      log.error({ err: error, failure: failure.kind, status: failure.status, code: failure.code }, 'interaction failed');
      if (interaction.isRepliable() && !interactionIsGone(failure)) {
        await sayOnly(interaction, PLATFORM_TEXT.internalError).catch((explainError: unknown) => {
          log.warn({ err: explainError }, 'could not explain the failure to the user');
        });
      }
    } finally {
      log.info({ outcome, ms: Math.round((performance.now() - receivedAt) * 10) / 10 }, 'interaction handled');
    }
  };
}
