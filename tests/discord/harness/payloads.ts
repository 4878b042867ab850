/**
 * INTERACTION_CREATE and MESSAGE_CREATE payloads as Discord sends them, built
 * from the stand-in's state (so a button click carries the message it was on).
 * `entitlements: []` and `authorizing_integration_owners` are always present:
 * discord.js throws (uncaught, inside the gateway handler) without them.
 */
import { randomBytes } from 'node:crypto';
import type { StoredMessage } from './fake-rest.ts';
import { nextSnowflake } from './snowflakes.ts';
import { ALL_PERMISSIONS, type FakeChannel, type FakeUser, type FakeWorld } from './world.ts';

export const InteractionTypes = { ApplicationCommand: 2, MessageComponent: 3, ModalSubmit: 5 } as const;
export const ComponentTypes = { ActionRow: 1, Button: 2, StringSelect: 3, TextInput: 4, ChannelSelect: 8, Label: 18 } as const;
const OptionTypes = { SubCommand: 1, String: 3 } as const;

export interface InteractionPayload {
  id: string;
  token: string;
  application_id: string;
  type: number;
  data: Record<string, unknown>;
  guild_id: string;
  channel_id: string;
  channel: Record<string, unknown>;
  member: Record<string, unknown>;
  message?: StoredMessage;
  app_permissions: string;
  locale: string;
  guild_locale: string;
  entitlements: unknown[];
  authorizing_integration_owners: Record<string, string>;
  context: number;
  version: number;
  attachment_size_limit: number;
}

function channelPartial(channel: FakeChannel): Record<string, unknown> {
  return { ...channel, flags: 0, permissions: ALL_PERMISSIONS };
}

function member(user: FakeUser): Record<string, unknown> {
  return {
    user,
    roles: [],
    joined_at: new Date(0).toISOString(),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    nick: null,
    avatar: null,
    communication_disabled_until: null,
    permissions: ALL_PERMISSIONS,
  };
}

function base(world: FakeWorld, user: FakeUser, channel: FakeChannel, type: number, data: Record<string, unknown>): InteractionPayload {
  return {
    id: nextSnowflake(),
    token: `tok_${randomBytes(12).toString('hex')}`,
    application_id: world.applicationId,
    type,
    data,
    guild_id: world.guild.id,
    channel_id: channel.id,
    channel: channelPartial(channel),
    member: member(user),
    app_permissions: ALL_PERMISSIONS,
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': world.guild.id },
    context: 0,
    version: 1,
    attachment_size_limit: 26_214_400,
  };
}

export function slashCommand(
  world: FakeWorld,
  options: { user: FakeUser; channel: FakeChannel; subcommand: string; strings?: Record<string, string>; commandName?: string },
): InteractionPayload {
  const subOptions = Object.entries(options.strings ?? {}).map(([name, value]) => ({ type: OptionTypes.String, name, value }));
  return base(world, options.user, options.channel, InteractionTypes.ApplicationCommand, {
    id: nextSnowflake(),
    name: options.commandName ?? 'advisor',
    type: 1,
    guild_id: world.guild.id,
    options: [{ type: OptionTypes.SubCommand, name: options.subcommand, options: subOptions }],
  });
}

export function buttonClick(world: FakeWorld, options: { user: FakeUser; channel: FakeChannel; message: StoredMessage; customId: string }): InteractionPayload {
  const payload = base(world, options.user, options.channel, InteractionTypes.MessageComponent, {
    custom_id: options.customId,
    component_type: ComponentTypes.Button,
  });
  payload.message = options.message;
  return payload;
}

export function stringSelect(
  world: FakeWorld,
  options: { user: FakeUser; channel: FakeChannel; message: StoredMessage; customId: string; values: string[] },
): InteractionPayload {
  const payload = base(world, options.user, options.channel, InteractionTypes.MessageComponent, {
    custom_id: options.customId,
    component_type: ComponentTypes.StringSelect,
    values: options.values,
  });
  payload.message = options.message;
  return payload;
}

export function channelSelect(
  world: FakeWorld,
  options: { user: FakeUser; channel: FakeChannel; message: StoredMessage; customId: string; selected: FakeChannel },
): InteractionPayload {
  const payload = base(world, options.user, options.channel, InteractionTypes.MessageComponent, {
    custom_id: options.customId,
    component_type: ComponentTypes.ChannelSelect,
    values: [options.selected.id],
    resolved: { channels: { [options.selected.id]: { id: options.selected.id, name: options.selected.name, type: options.selected.type, permissions: ALL_PERMISSIONS, flags: 0 } } },
  });
  payload.message = options.message;
  return payload;
}

/** A modal submitted from a message's button; `fields` maps text input custom ids to what was typed. */
export function modalSubmit(
  world: FakeWorld,
  options: { user: FakeUser; channel: FakeChannel; message: StoredMessage; customId: string; fields: Record<string, string> },
): InteractionPayload {
  let componentId = 0;
  const components = Object.entries(options.fields).map(([customId, value]) => ({
    type: ComponentTypes.Label,
    id: ++componentId,
    component: { type: ComponentTypes.TextInput, id: ++componentId, custom_id: customId, value },
  }));
  const payload = base(world, options.user, options.channel, InteractionTypes.ModalSubmit, { custom_id: options.customId, components });
  payload.message = options.message;
  return payload;
}

/** A plain message someone typed (dispatched as MESSAGE_CREATE when the bot has the Message Content intent). */
export function userMessage(world: FakeWorld, options: { user: FakeUser; channel: FakeChannel; content: string }): StoredMessage & { member: Record<string, unknown> } {
  const { permissions: _permissions, user: _user, ...memberWithoutUser } = member(options.user);
  return {
    id: nextSnowflake(),
    channel_id: options.channel.id,
    guild_id: world.guild.id,
    author: options.user,
    content: options.content,
    embeds: [],
    components: [],
    flags: 0,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    pinned: false,
    type: 0,
    member: memberWithoutUser,
  };
}
