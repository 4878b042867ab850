/**
 * Routes every interaction: `/advisor` subcommands, the interview's buttons
 * and selects, the "Type an answer" modal, and posting a recommendation to a
 * channel. The interaction's place (guild, channel, user) and component ids
 * are parsed with zod at this edge; only the owner of an interview may use its
 * controls. Every interaction ends with one "interaction handled" log line
 * carrying its outcome and duration.
 */
import {
  ChannelType,
  MessageFlags,
  ThreadAutoArchiveDuration,
  type ChannelSelectMenuInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
  type RepliableInteraction,
} from 'discord.js';
import { z } from 'zod';
import { expiredNotice, helpReply, recommendationFor } from '../../src/conversation/views.ts';
import type { ConversationEvent } from '../../src/conversation/types.ts';
import { askKnowledge } from '../../src/engine/ask.ts';
import type { Logger } from '../../src/logger.ts';
import type { ConversationService } from '../../src/sessions/service.ts';
import { ASK_QUESTION_MAX_LENGTH, ASK_QUESTION_OPTION, COMMAND_NAME, SLASH_USAGE, SUBCOMMANDS } from './commands.ts';
import { parseCustomId, resolveRef, type ComponentAction } from './custom-id.ts';
import { classifyDiscordError, explainFailure } from './errors.ts';
import { DISCORD_LIMITS, truncate } from './limits.ts';
import { PLATFORM_TEXT, threadName } from './platform-text.ts';
import {
  ANSWER_INPUT_ID,
  askMessage,
  channelPickerMessage,
  helpMessage,
  summaryMessage,
  typeAnswerModal,
  type DiscordMessage,
} from './render.ts';
import { componentSurface, inThreadCommandSurface, newThreadSurface, threadMessages, type ThreadComponentInteraction } from './surfaces.ts';
import { PLATFORM, sessionKey, type TurnRunner } from './turns.ts';

export type InteractionOutcome =
  | 'ok'
  | 'duplicate'
  | 'expired'
  | 'shown_with_failure'
  | 'ignored'
  | 'not_in_guild'
  | 'refused_not_owner'
  | 'unknown_component'
  | 'thread_failed'
  | 'posted'
  | 'post_failed'
  | 'failed';

export interface InteractionDeps {
  client: Client;
  service: ConversationService;
  turns: TurnRunner;
  logger: Logger;
}

const snowflake = z.string().regex(/^\d{15,25}$/, 'expected a Discord id');

/** Where an interaction happened; interactions outside a guild are refused (the commands are guild-only). */
const placeSchema = z.object({ guildId: snowflake, channelId: snowflake, userId: snowflake });
type Place = z.infer<typeof placeSchema>;

const askQuestionSchema = z.string().trim().min(1).max(ASK_QUESTION_MAX_LENGTH);
const oneValueSchema = z.array(z.string().min(1)).length(1);

function ephemeral(message: DiscordMessage): DiscordMessage & { flags: MessageFlags.Ephemeral } {
  return { ...message, flags: MessageFlags.Ephemeral };
}

async function tellOnly(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) await interaction.followUp(ephemeral({ content }));
  else await interaction.reply(ephemeral({ content }));
}

export function createInteractionHandler(deps: InteractionDeps): (interaction: Interaction) => Promise<void> {
  const { client, service, turns } = deps;
  const knowledge = service.knowledge;
  const criterionIds = knowledge.criteria.map((c) => c.id);

  // ---- slash commands ------------------------------------------------------

  async function onCommand(interaction: ChatInputCommandInteraction, place: Place, log: Logger): Promise<InteractionOutcome> {
    if (interaction.commandName !== COMMAND_NAME) return 'ignored';
    switch (interaction.options.getSubcommand(false)) {
      case SUBCOMMANDS.start:
        return startInterview(interaction, place, log);
      case SUBCOMMANDS.ask: {
        const question = askQuestionSchema.safeParse(interaction.options.getString(ASK_QUESTION_OPTION, true));
        if (!question.success) {
          await tellOnly(interaction, PLATFORM_TEXT.askTooLong(ASK_QUESTION_MAX_LENGTH));
          return 'ignored';
        }
        await interaction.reply(askMessage(askKnowledge(knowledge, question.data)));
        return 'ok';
      }
      case SUBCOMMANDS.help:
        await interaction.reply(ephemeral(helpMessage(helpReply(), SLASH_USAGE)));
        return 'ok';
      default:
        return 'ignored';
    }
  }

  async function startInterview(interaction: ChatInputCommandInteraction, place: Place, log: Logger): Promise<InteractionOutcome> {
    const channel = interaction.channel;
    if (channel?.isThread()) {
      // Inside a thread: continue the caller's interview here, or start one, unless the thread is someone else's.
      const sessions = await service.findInConversation(PLATFORM, place.guildId, channel.id);
      const other = sessions.find((s) => s.key.user !== place.userId);
      if (other && !sessions.some((s) => s.key.user === place.userId)) {
        await tellOnly(interaction, PLATFORM_TEXT.notOwner(other.key.user));
        return 'refused_not_owner';
      }
      return turns.run({
        key: sessionKey(place.guildId, channel.id, place.userId),
        event: { type: 'start' },
        eventId: interaction.id,
        surface: inThreadCommandSurface(interaction, threadMessages(client, channel.id)),
        requireSession: false,
        logger: log,
      });
    }
    if (!channel || (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement)) {
      await tellOnly(interaction, PLATFORM_TEXT.threadFailed(PLATFORM_TEXT.notInGuild));
      return 'thread_failed';
    }
    const response = await interaction.reply({ content: `<@${place.userId}> ${helpReply().text}`, withResponse: true });
    const starterId = response.resource?.message?.id;
    let threadId: string;
    try {
      if (!starterId) throw new Error('Discord did not return the reply message');
      const thread = await channel.threads.create({
        name: truncate(threadName(interaction.user.displayName), DISCORD_LIMITS.threadName),
        startMessage: starterId,
        autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
      });
      threadId = thread.id;
    } catch (error) {
      const failure = classifyDiscordError(error);
      log.warn({ err: error, failure: failure.kind, status: failure.status, code: failure.code }, 'could not open the interview thread');
      await tellOnly(interaction, PLATFORM_TEXT.threadFailed(explainFailure(failure)));
      return 'thread_failed';
    }
    return turns.run({
      key: sessionKey(place.guildId, threadId, place.userId),
      event: { type: 'start' },
      eventId: interaction.id,
      surface: newThreadSurface(interaction, threadMessages(client, threadId)),
      requireSession: false,
      logger: log.child({ threadId }),
    });
  }

  // ---- interview controls ----------------------------------------------------

  /** The core event for a control, or undefined when its references no longer resolve (the pack changed). */
  function eventFor(action: ComponentAction, values: readonly string[]): ConversationEvent | undefined {
    const criterion = action.criterion === undefined ? undefined : resolveRef(action.criterion, criterionIds);
    if (action.criterion !== undefined && criterion === undefined) return undefined;
    const optionIds = criterion ? (knowledge.criterionById.get(criterion)?.options.map((o) => o.id) ?? []) : [];
    switch (action.kind) {
      case 'answer': {
        const option = action.option === undefined ? undefined : resolveRef(action.option, optionIds);
        return criterion && option ? { type: 'answer', criterion, option, version: action.version } : undefined;
      }
      case 'select': {
        const value = oneValueSchema.safeParse(values);
        const option = value.success ? resolveRef(value.data[0]!, optionIds) : undefined;
        return criterion && option ? { type: 'answer', criterion, option, version: action.version } : undefined;
      }
      case 'skip':
        return criterion ? { type: 'skip', criterion, version: action.version } : undefined;
      case 'why':
        return criterion ? { type: 'why', criterion } : undefined;
      case 'back':
        return { type: 'back', version: action.version };
      case 'result':
        return { type: 'result', version: action.version };
      case 'refine':
        return { type: 'refine', version: action.version };
      case 'restart':
        return { type: 'restart', version: action.version };
      default:
        return undefined;
    }
  }

  async function onComponent(interaction: ThreadComponentInteraction, place: Place, log: Logger): Promise<InteractionOutcome> {
    const action = parseCustomId(interaction.customId);
    if (!action) {
      await tellOnly(interaction, PLATFORM_TEXT.unknownComponent);
      return 'unknown_component';
    }
    if (action.owner !== place.userId) {
      await tellOnly(interaction, PLATFORM_TEXT.notOwner(action.owner));
      return 'refused_not_owner';
    }
    const key = sessionKey(place.guildId, place.channelId, action.owner);
    const turnLog = log.child({ action: action.kind, version: action.version });

    if (interaction.isModalSubmit()) {
      if (action.kind !== 'modal') return unknownComponent(interaction);
      const text = interaction.fields.getTextInputValue(ANSWER_INPUT_ID);
      return turns.run({ key, event: { type: 'text', text }, eventId: interaction.id, surface: componentSurface(interaction, threadMessages(client, place.channelId)), requireSession: true, logger: turnLog });
    }
    if (interaction.isChannelSelectMenu()) {
      if (action.kind !== 'channelChosen') return unknownComponent(interaction);
      return postSummary(interaction, place, action, turnLog);
    }
    if (interaction.isButton() && action.kind === 'typeAnswer') {
      const criterion = action.criterion === undefined ? undefined : resolveRef(action.criterion, criterionIds);
      const found = criterion ? knowledge.criterionById.get(criterion) : undefined;
      if (!found) return unknownComponent(interaction);
      await interaction.showModal(typeAnswerModal({ knowledge, owner: action.owner }, { criterion: found.id, title: found.title, question: found.question, version: action.version }));
      return 'ok';
    }
    if (interaction.isButton() && action.kind === 'postToChannel') {
      if (!(await service.get(key))) {
        await tellOnly(interaction, expiredNotice().text);
        return 'expired';
      }
      await interaction.reply(ephemeral(channelPickerMessage({ knowledge, owner: action.owner }, action.version)));
      return 'ok';
    }
    const event = eventFor(action, interaction.isStringSelectMenu() ? interaction.values : []);
    if (!event) return unknownComponent(interaction);
    return turns.run({ key, event, eventId: interaction.id, surface: componentSurface(interaction, threadMessages(client, place.channelId)), requireSession: true, logger: turnLog });
  }

  async function unknownComponent(interaction: RepliableInteraction): Promise<InteractionOutcome> {
    await tellOnly(interaction, PLATFORM_TEXT.unknownComponent);
    return 'unknown_component';
  }

  /** Posts the compact summary in the chosen channel; a failure (no permission there, rate limit, 5xx) is explained and the picker stays. */
  async function postSummary(interaction: ChannelSelectMenuInteraction, place: Place, action: ComponentAction, log: Logger): Promise<InteractionOutcome> {
    await interaction.deferUpdate();
    const key = sessionKey(place.guildId, place.channelId, action.owner);
    const session = await service.get(key);
    if (!session) {
      await interaction.editReply({ content: expiredNotice().text, components: [] });
      return 'expired';
    }
    const channelId = snowflake.parse(oneValueSchema.parse(interaction.values)[0]);
    const view = recommendationFor(knowledge, session.answers);
    const summary = summaryMessage(view, { ownerId: action.owner, guildId: place.guildId, threadId: place.channelId });
    try {
      const target = await client.channels.fetch(channelId);
      if (!target?.isSendable()) throw new Error(`channel ${channelId} does not take messages`);
      const sent = await target.send(summary);
      log.info({ channelId, messageId: sent.id }, 'recommendation posted to a channel');
    } catch (error) {
      const failure = classifyDiscordError(error);
      log.warn({ err: error, channelId, failure: failure.kind, status: failure.status, code: failure.code }, 'posting the recommendation failed');
      await interaction.editReply({
        content: PLATFORM_TEXT.postFailed(channelId, explainFailure(failure)),
        ...channelPickerMessage({ knowledge, owner: action.owner }, session.version),
      });
      return 'post_failed';
    }
    await interaction.editReply({ content: PLATFORM_TEXT.postedTo(channelId), components: [] });
    return 'posted';
  }

  // ---- entry ----------------------------------------------------------------

  async function route(interaction: Interaction, place: Place, log: Logger): Promise<InteractionOutcome> {
    if (interaction.isChatInputCommand()) return onCommand(interaction, place, log);
    if (interaction.isButton() || interaction.isStringSelectMenu() || interaction.isChannelSelectMenu() || interaction.isModalSubmit()) {
      return onComponent(interaction, place, log);
    }
    return 'ignored';
  }

  return async function handleInteraction(interaction: Interaction): Promise<void> {
    const started = performance.now();
    const log = deps.logger.child({
      interactionId: interaction.id,
      interactionType: interaction.type,
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      userId: interaction.user.id,
    });
    let outcome: InteractionOutcome = 'failed';
    try {
      const place = placeSchema.safeParse({ guildId: interaction.guildId, channelId: interaction.channelId, userId: interaction.user.id });
      if (!place.success) {
        if (interaction.isRepliable()) await tellOnly(interaction, PLATFORM_TEXT.notInGuild);
        outcome = 'not_in_guild';
        return;
      }
      outcome = await route(interaction, place.data, log);
    } catch (error) {
      const failure = classifyDiscordError(error);
      log.error({ err: error, failure: failure.kind, status: failure.status, code: failure.code }, 'interaction failed');
      if (interaction.isRepliable() && failure.kind !== 'interaction_expired' && failure.kind !== 'already_acknowledged') {
        const text = failure.kind === 'unknown' ? PLATFORM_TEXT.internalError : PLATFORM_TEXT.turnNotShown(explainFailure(failure));
        await tellOnly(interaction, text).catch((explainError: unknown) => {
          log.warn({ err: explainError }, 'could not explain the failure to the user');
        });
      }
    } finally {
      log.info({ outcome, ms: Math.round((performance.now() - started) * 10) / 10 }, 'interaction handled');
    }
  };
}
