/**
 * Decodes every interaction (and, with Message Content, every typed thread
 * message) into the turn layer's `Delivery` + `Inbound`: `/advisor`
 * subcommands, the interview's buttons and selects, the "Type an answer" modal
 * and the channel picker. Places, options and component ids are parsed with zod
 * at this edge; what a turn does is the turn layer's. Only answers that need no
 * turn stay here: a payload that cannot be used, and opening the modal. Every
 * delivery ends with one "handled" log line carrying its outcome and duration.
 */
import { ChannelType, MessageFlags, type Interaction, type Message, type RepliableInteraction } from 'discord.js';
import { z } from 'zod';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { Logger } from '../../src/logger.ts';
import { controlInbound } from '../../src/turns/controls.ts';
import type { Delivery, Inbound, ThreadKey } from '../../src/turns/types.ts';
import { turnNoticeText } from '../../src/turns/wording.ts';
import { ASK_QUESTION_MAX_LENGTH, ASK_QUESTION_OPTION, COMMAND_NAME } from './commands.ts';
import { parseCustomId, resolveRef, type ComponentAction } from './custom-id.ts';
import { classifyDiscordError, interactionIsGone } from './errors.ts';
import { LiveInteraction, LiveMessage, type TurnInteraction } from './live.ts';
import { DISCORD_SYNTAX, PLATFORM_TEXT } from './platform-text.ts';
import { PLATFORM } from './port.ts';
import { ANSWER_INPUT_ID, typeAnswerModal } from './render.ts';
import { logHandled, runTurn, type TurnOutcome, type TurnRunnerDeps } from './run-turn.ts';

type InteractionOutcome = TurnOutcome | 'not_in_guild' | 'unknown_component';

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

export function createInteractionHandler(deps: TurnRunnerDeps & { knowledge: Knowledge }): (interaction: Interaction) => Promise<void> {
  const { knowledge } = deps;
  const criterionIds = knowledge.criteria.map((c) => c.id);

  /** The inbound a control stands for, or undefined when its references no longer resolve (the pack changed). */
  function controlFor(action: ComponentAction, values: readonly string[]): Inbound | undefined {
    const { kind, version } = action;
    if (kind === 'typeAnswer' || kind === 'modal' || kind === 'shareTo') return undefined;
    const criterion = action.criterion === undefined ? undefined : resolveRef(action.criterion, criterionIds);
    if (action.criterion !== undefined && criterion === undefined) return undefined;
    const optionIds = criterion ? (knowledge.criterionById.get(criterion)?.options.map((o) => o.id) ?? []) : [];
    const chosen = kind === 'select' ? oneValueSchema.safeParse(values).data?.[0] : action.option;
    const option = chosen === undefined ? undefined : resolveRef(chosen, optionIds);
    return controlInbound(kind === 'select' ? 'answer' : kind, { version, ...(criterion ? { criterion } : {}), ...(option ? { option } : {}) });
  }

  function decodeCommand(interaction: Extract<TurnInteraction, { commandName: string }>, place: Place, thread: ThreadKey): Decoded {
    if (interaction.commandName !== COMMAND_NAME) return { kind: 'ignore' };
    const subcommand = interaction.options.getSubcommand(false);
    const turn = (inbound: Inbound, inThread = false): Decoded => ({ kind: 'turn', delivery: { id: interaction.id, thread, actor: place.userId, inThread }, inbound });
    switch (subcommand) {
      case 'start': {
        // In a channel the turn layer opens a thread for the interview; inside a thread it starts or resumes there.
        const type = interaction.channel?.type;
        if (type !== undefined && (THREAD_TYPES.has(type) || THREAD_PARENT_TYPES.has(type))) return turn({ kind: 'start' }, THREAD_TYPES.has(type));
        return { kind: 'say', text: PLATFORM_TEXT.noThreadsHere, outcome: 'thread_failed' };
      }
      case 'ask': {
        const question = askQuestionSchema.safeParse(interaction.options.getString(ASK_QUESTION_OPTION));
        return question.success ? turn({ kind: 'ask', question: question.data }) : { kind: 'say', text: PLATFORM_TEXT.askTooLong(ASK_QUESTION_MAX_LENGTH), outcome: 'ignored' };
      }
      case 'help':
        return turn({ kind: 'help' });
      default:
        return turn({ kind: 'help', unknown: subcommand ?? '' });
    }
  }

  function decodeComponent(interaction: Exclude<TurnInteraction, { commandName: string }>, place: Place, thread: ThreadKey): Decoded {
    const action = parseCustomId(interaction.customId);
    if (!action) return UNKNOWN_COMPONENT;
    // Controls live in interview threads; the owner in the custom id lets the turn layer refuse everyone else.
    const clicked = interaction.message?.id;
    const delivery: Delivery = { id: interaction.id, thread, inThread: true, actor: place.userId, claimedOwner: action.owner, ...(clicked ? { clicked } : {}) };
    const turn = (inbound: Inbound): Decoded => ({ kind: 'turn', delivery, inbound });

    if (interaction.isModalSubmit()) {
      if (action.kind !== 'modal') return UNKNOWN_COMPONENT;
      const field = interaction.fields.fields.get(ANSWER_INPUT_ID);
      const text = typedAnswerSchema.safeParse(field && 'value' in field ? field.value : undefined);
      return text.success ? turn({ kind: 'text', text: text.data }) : UNKNOWN_COMPONENT;
    }
    if (interaction.isChannelSelectMenu()) {
      const channel = oneValueSchema.pipe(z.tuple([snowflake])).safeParse(interaction.values);
      if (action.kind !== 'shareTo' || !channel.success) return UNKNOWN_COMPONENT;
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
    const inbound = controlFor(action, interaction.isStringSelectMenu() ? interaction.values : []);
    return inbound ? turn(inbound) : UNKNOWN_COMPONENT;
  }

  async function handle(interaction: TurnInteraction, receivedAt: number, log: Logger): Promise<InteractionOutcome> {
    const place = placeSchema.safeParse({ guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id });
    if (!place.success) {
      await sayOnly(interaction, PLATFORM_TEXT.notInGuild);
      return 'not_in_guild';
    }
    const thread: ThreadKey = { platform: PLATFORM, workspace: place.data.guildId, conversation: place.data.channelId };
    const decoded = interaction.isChatInputCommand() ? decodeCommand(interaction, place.data, thread) : decodeComponent(interaction, place.data, thread);
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
    const { id: interactionId, type: interactionType, guildId, channelId } = interaction;
    const log = deps.logger.child({ interactionId, interactionType, guildId, channelId, userId: interaction.user.id });
    await logHandled(
      log,
      'interaction handled',
      async () => (isTurnInteraction(interaction) ? handle(interaction, receivedAt, log) : 'ignored'),
      async (error) => {
        const failure = classifyDiscordError(error);
        log.error({ err: error, failure: failure.kind, status: failure.status, code: failure.code }, 'interaction failed');
        if (!interaction.isRepliable() || interactionIsGone(failure)) return;
        await sayOnly(interaction, PLATFORM_TEXT.internalError).catch((explainError: unknown) => {
          log.warn({ err: explainError }, 'could not explain the failure to the user');
        });
      },
    );
  };
}

const typedMessageSchema = z.object({ messageId: snowflake, guildId: snowflake, threadId: snowflake, userId: snowflake, text: z.string().trim().min(1) });

/**
 * With the Message Content option on, plain messages in threads are typed
 * turns (answers, several at once, and commands such as `back` or `ask …`,
 * all read by the core's parser). The turn layer decides whose they are; bots,
 * system messages and messages outside threads never reach it.
 */
export function createMessageHandler(deps: TurnRunnerDeps): (message: Message) => Promise<void> {
  return async function handleMessage(message: Message): Promise<void> {
    if (message.author.bot || message.system || !message.inGuild() || !message.channel.isThread()) return;
    const parsed = typedMessageSchema.safeParse({ messageId: message.id, guildId: message.guildId, threadId: message.channelId, userId: message.author.id, text: message.content });
    if (!parsed.success) return;
    const { messageId, guildId, threadId, userId, text } = parsed.data;
    const log = deps.logger.child({ messageId, guildId, channelId: threadId, userId });
    const delivery: Delivery = { id: messageId, thread: { platform: PLATFORM, workspace: guildId, conversation: threadId }, inThread: true, actor: userId };
    await logHandled(
      log,
      'message handled',
      () => runTurn(deps, delivery, { kind: 'text', text }, new LiveMessage(message), log),
      async (error) => log.error({ err: error }, 'typed message failed'),
    );
  };
}
