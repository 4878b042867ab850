/**
 * `DiscordLive`: what the port has of the delivery being answered now, an
 * interaction or a typed message.
 *
 * An interaction takes exactly one first response within 3 s, then follow-ups
 * for 15 minutes; only private notes use them (a public follow-up has no
 * nonce, so a retry of one whose answer was lost would post it twice: public
 * messages after the first response go with the bot token). Every use goes
 * through `firstResponse`, so the deferral timer
 * and the turn's own calls never both answer first (Discord refuses a second
 * callback with 40060). What may follow depends on the first response:
 * - `update`/`deferUpdate` (a component): `editReply` edits the clicked message;
 * - `reply`: the clicked message can only be edited with the bot token;
 * - `deferReply` (ephemeral "thinking…"): the first follow-up edits that
 *   placeholder, still ephemeral, so a private note may fill it but a public
 *   post goes with the bot token; an unused placeholder is deleted.
 * Once the token is gone (10062 unknown interaction, 40060 answered elsewhere)
 * every method returns its "not done" value and the port uses the bot token.
 */
import {
  MessageFlags,
  type ButtonInteraction,
  type ChannelSelectMenuInteraction,
  type ChatInputCommandInteraction,
  type Message,
  type MessageComponentInteraction,
  type ModalMessageModalSubmitInteraction,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import type { Content } from '../../src/turns/types.ts';
import { classifyDiscordError, interactionIsGone, type DiscordStep } from './errors.ts';
import type { DiscordMessage } from './render.ts';

export type TurnInteraction = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction | ChannelSelectMenuInteraction | ModalSubmitInteraction;

/** What the port did for this delivery, for the "handled" log line's outcome (`controls`: a retire, which sends no content). */
export type Journal = { step: DiscordStep; content: Content['kind'] | 'controls'; ok: boolean }[];

type FirstResponse = 'update' | 'reply' | 'deferUpdate' | 'deferReply';

export class LiveInteraction {
  readonly kind = 'interaction';
  readonly journal: Journal = [];
  /** The token can no longer be used. */
  gone = false;
  /** Discord said the interaction was answered already (40060): a response of ours whose answer was lost, perhaps. */
  answeredElsewhere = false;
  private first: FirstResponse | undefined;
  private inFlight: Promise<void> | undefined;
  private placeholder = false;

  constructor(
    readonly interaction: TurnInteraction,
    /** performance.now() at arrival: the 3-second budget runs from here. */
    readonly receivedAt: number,
  ) {}

  get userId(): string {
    return this.interaction.user.id;
  }

  get channelId(): string | null {
    return this.interaction.channelId;
  }

  /** The message a component (or a modal opened from one) was used on. */
  get sourceMessageId(): string | undefined {
    return this.updatable()?.message.id;
  }

  private updatable(): MessageComponentInteraction | ModalMessageModalSubmitInteraction | undefined {
    const i = this.interaction;
    return i.isMessageComponent() ? i : i.isModalSubmit() && i.isFromMessage() ? i : undefined;
  }

  /** Runs a call with the token; when Discord says the token is gone, remembers it and returns `fallback`. */
  private async guard<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    if (this.gone) return fallback;
    try {
      return await call();
    } catch (error) {
      const failure = classifyDiscordError(error);
      if (!interactionIsGone(failure)) throw error;
      this.gone = true;
      if (failure.kind === 'already_acknowledged') this.answeredElsewhere = true;
      return fallback;
    }
  }

  /**
   * Runs `respond` as the first response unless one was given (waiting for one
   * on its way). A first response that fails leaves the interaction unanswered,
   * so a later call may try again.
   */
  private async firstResponse<T>(how: FirstResponse, respond: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    while (this.inFlight) await this.inFlight;
    if (this.first !== undefined || this.gone) return { ran: false };
    const running = respond();
    const settled = running.then(
      () => {
        this.first = how;
        this.placeholder = how === 'deferReply';
      },
      () => undefined,
    );
    this.inFlight = settled;
    try {
      return { ran: true, value: await running };
    } finally {
      await settled;
      if (this.inFlight === settled) this.inFlight = undefined;
    }
  }

  /** Acknowledges without showing anything yet, if nothing answered first (the deferral timer). */
  acknowledge(): Promise<void> {
    const updatable = this.updatable();
    const i = this.interaction;
    return this.guard(async () => {
      if (updatable) await this.firstResponse('deferUpdate', () => updatable.deferUpdate());
      else await this.firstResponse('deferReply', () => i.deferReply({ flags: MessageFlags.Ephemeral }));
    }, undefined);
  }

  /** Makes sure the interaction got a response, leaving no "thinking…" behind. */
  async finish(): Promise<void> {
    await this.acknowledge();
    await this.guard(async () => {
      if (!this.placeholder) return;
      this.placeholder = false;
      await this.interaction.deleteReply();
    }, undefined);
  }

  /** Edits the message the interaction came from; false when only the bot token can. */
  editSource(message: DiscordMessage): Promise<boolean> {
    const updatable = this.updatable();
    return this.guard(async () => {
      if (!updatable) return false;
      if ((await this.firstResponse('update', () => updatable.update(message))).ran) return true;
      if (this.first !== 'update' && this.first !== 'deferUpdate') return false;
      await updatable.editReply(message);
      return true;
    }, false);
  }

  /** Posts publicly in the interaction's channel: the new message's id, or undefined when only the bot token can. */
  post(message: DiscordMessage): Promise<string | undefined> {
    const i = this.interaction;
    return this.guard(async () => {
      if (i.isChatInputCommand()) {
        const replied = await this.firstResponse('reply', () => i.reply({ ...message, withResponse: true }));
        if (replied.ran) {
          const id = replied.value.resource?.message?.id;
          if (!id) throw new Error('Discord did not return the reply message');
          return id;
        }
      }
      // Anything after the first response goes with the bot token (the port's nonce makes discord.js's retry of a
      // lost answer harmless; a follow-up has no nonce, so its retry would post the message twice).
      return undefined;
    }, undefined);
  }

  /**
   * Posts publicly as a follow-up: only where the bot token may not post, since a follow-up has no nonce (a retry
   * of one whose answer was lost posts it twice). The new message's id, or undefined when the token cannot.
   */
  followUp(message: DiscordMessage): Promise<string | undefined> {
    const i = this.interaction;
    return this.guard(async () => {
      await this.acknowledge();
      if (this.placeholder || this.gone) return undefined;
      return (await i.followUp(message)).id;
    }, undefined);
  }

  /** Tells the person who acted, privately; false when the token is gone. */
  notify(message: DiscordMessage): Promise<boolean> {
    const i = this.interaction;
    return this.guard(async () => {
      if ((await this.firstResponse('reply', () => i.reply({ ...message, flags: MessageFlags.Ephemeral }))).ran) return true;
      if (this.gone) return false;
      if (this.placeholder) {
        this.placeholder = false;
        await i.editReply(message);
      } else {
        await i.followUp({ ...message, flags: MessageFlags.Ephemeral });
      }
      return true;
    }, false);
  }
}

/** A message typed in a thread (Message Content option): replies go to it; nothing is private. */
export class LiveMessage {
  readonly kind = 'message';
  readonly journal: Journal = [];

  constructor(readonly message: Message<true>) {}

  get userId(): string {
    return this.message.author.id;
  }

  /** Answers the message where everyone in the thread sees it (Discord has no private reply to a message). */
  async reply(message: DiscordMessage): Promise<void> {
    await this.message.reply({ ...message, failIfNotExists: false });
  }
}

export type DiscordLive = LiveInteraction | LiveMessage;
