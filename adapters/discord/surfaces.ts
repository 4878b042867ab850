/**
 * Where a turn's messages go, per kind of trigger. Every surface offers the
 * same operations (edit the message the interaction came from, edit another
 * thread message, post in the thread, tell only the person who acted), so the
 * delivery logic is written once.
 *
 * - A button, select or modal in the thread: the first response edits the
 *   clicked message (type 7) or defers (type 6); posts are webhook follow-ups
 *   with the interaction token; notes are ephemeral.
 * - `/advisor start` in a channel: the thread was just created; posts go to it
 *   with the bot token; notes are ephemeral follow-ups.
 * - `/advisor start` inside a thread: the first post is the reply itself.
 * - A plain message (Message Content option): posts go to the thread, notes
 *   are replies to the message (there is no ephemeral for messages).
 */
import {
  MessageFlags,
  type ButtonInteraction,
  type ChannelSelectMenuInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Message,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import type { DiscordMessage } from './render.ts';

export interface TurnSurface {
  /** The message the interaction came from, if any. */
  readonly sourceMessageId: string | undefined;
  editSource(message: DiscordMessage): Promise<void>;
  editOther(messageId: string, message: DiscordMessage): Promise<void>;
  /** Posts publicly in the interview's thread; returns the new message's id. */
  post(message: DiscordMessage): Promise<string>;
  /** Tells only the person who acted, where Discord allows that. */
  note(message: DiscordMessage): Promise<void>;
  /** Acknowledges without showing anything yet (used when the core is slow). */
  acknowledge(): Promise<void>;
  /** Makes sure the trigger got a response, for a turn that produced nothing visible. */
  finish(): Promise<void>;
}

/** Thread messages sent and edited with the bot token. */
export interface ThreadMessages {
  send(message: DiscordMessage): Promise<string>;
  edit(messageId: string, message: DiscordMessage): Promise<void>;
}

export function threadMessages(client: Client, threadId: string): ThreadMessages {
  const channel = async () => {
    const found = await client.channels.fetch(threadId);
    if (!found || !found.isSendable()) throw new Error(`channel ${threadId} is not a channel the bot can post in`);
    return found;
  };
  return {
    async send(message) {
      const sent = await (await channel()).send(message);
      return sent.id;
    },
    async edit(messageId, message) {
      await (await channel()).messages.edit(messageId, message);
    },
  };
}

export type ThreadComponentInteraction = ButtonInteraction | StringSelectMenuInteraction | ChannelSelectMenuInteraction | ModalSubmitInteraction;

function acknowledged(interaction: { deferred: boolean; replied: boolean }): boolean {
  return interaction.deferred || interaction.replied;
}

/** A button, select or modal submitted from a message in the thread. */
export function componentSurface(interaction: ThreadComponentInteraction, thread: ThreadMessages): TurnSurface {
  const deferUpdate = async (): Promise<void> => {
    if (acknowledged(interaction)) return;
    if (interaction.isModalSubmit()) {
      if (interaction.isFromMessage()) await interaction.deferUpdate();
      else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.deferUpdate();
  };
  return {
    sourceMessageId: interaction.message?.id,
    async editSource(message) {
      if (!acknowledged(interaction)) {
        if (interaction.isModalSubmit()) {
          if (!interaction.isFromMessage()) throw new Error('a modal that did not come from a message has no message to update');
          await interaction.update(message);
        } else {
          await interaction.update(message);
        }
        return;
      }
      await interaction.editReply(message);
    },
    editOther: (messageId, message) => thread.edit(messageId, message),
    async post(message) {
      await deferUpdate();
      const sent = await interaction.followUp(message);
      return sent.id;
    },
    async note(message) {
      if (!acknowledged(interaction)) await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
      else await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
    },
    acknowledge: deferUpdate,
    finish: deferUpdate,
  };
}

/** `/advisor start` run in a channel: the reply is already out and the thread exists. */
export function newThreadSurface(interaction: ChatInputCommandInteraction, thread: ThreadMessages): TurnSurface {
  return {
    sourceMessageId: undefined,
    async editSource() {
      throw new Error('a slash command has no source message');
    },
    editOther: (messageId, message) => thread.edit(messageId, message),
    post: (message) => thread.send(message),
    async note(message) {
      await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
    },
    async acknowledge() {},
    async finish() {},
  };
}

/** `/advisor start` run inside a thread: the first post is the interaction's reply. */
export function inThreadCommandSurface(interaction: ChatInputCommandInteraction, thread: ThreadMessages): TurnSurface {
  let firstPostDone = false;
  return {
    sourceMessageId: undefined,
    async editSource() {
      throw new Error('a slash command has no source message');
    },
    editOther: (messageId, message) => thread.edit(messageId, message),
    async post(message) {
      if (!firstPostDone && !acknowledged(interaction)) {
        firstPostDone = true;
        const response = await interaction.reply({ ...message, withResponse: true });
        const id = response.resource?.message?.id;
        if (!id) throw new Error('Discord did not return the reply message');
        return id;
      }
      if (!firstPostDone && interaction.deferred) {
        firstPostDone = true;
        return (await interaction.editReply(message)).id;
      }
      return (await interaction.followUp(message)).id;
    },
    async note(message) {
      if (!acknowledged(interaction)) await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
      else await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
    },
    async acknowledge() {
      if (!acknowledged(interaction)) await interaction.deferReply();
    },
    async finish() {
      if (!acknowledged(interaction)) await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    },
  };
}

/** A plain message typed in the thread (Message Content option). */
export function messageSurface(message: Message, thread: ThreadMessages): TurnSurface {
  return {
    sourceMessageId: undefined,
    async editSource() {
      throw new Error('a typed message has no bot message to update');
    },
    editOther: (messageId, edit) => thread.edit(messageId, edit),
    post: (post) => thread.send(post),
    async note(note) {
      await message.reply(note);
    },
    async acknowledge() {},
    async finish() {},
  };
}
