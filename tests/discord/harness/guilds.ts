/**
 * More than one guild in the stand-in, for sharding: a guild id that lands on
 * a chosen shard, a world view of another guild (same application, bot and
 * people; its own guild and channels), and the interactions people make there.
 */
import type { FakeDiscord } from './fake-discord.ts';
import { shardOfGuild } from './fake-gateway.ts';
import type { StoredMessage } from './fake-rest.ts';
import { buttonClick, slashCommand, stringSelect, type InteractionPayload } from './payloads.ts';
import { nextSnowflake } from './snowflakes.ts';
import { ChannelTypes, type FakeChannel, type FakeUser, type FakeWorld } from './world.ts';

/** A fresh snowflake whose guild would be routed to `shard` of `count` (its timestamp is chosen for it). */
export function guildIdOnShard(shard: number, count: number): string {
  for (let offset = 0; ; offset += 1) {
    const id = nextSnowflake(Date.now() - offset);
    if (shardOfGuild(id, count) === shard) return id;
  }
}

/** `world` as seen from another guild `guildId`: new channels, the same application, bot and people. */
export function guildWorld(world: FakeWorld, guildId: string, name: string): FakeWorld {
  const textChannel = (channelName: string, position: number): FakeChannel => ({
    id: nextSnowflake(),
    type: ChannelTypes.GuildText,
    name: channelName,
    guild_id: guildId,
    parent_id: null,
    position,
    permission_overwrites: [],
  });
  return {
    ...world,
    guild: { id: guildId, name, ownerId: world.alice.id },
    general: textChannel('general', 0),
    announcements: textChannel('decisions', 1),
    locked: textChannel('read-only', 2),
  };
}

/** What people do in one guild: the stand-in's slash/click/select, with that guild's ids in the payloads. */
export class GuildActions {
  constructor(
    readonly fake: FakeDiscord,
    readonly world: FakeWorld,
  ) {}

  slash(user: FakeUser, subcommand: string): InteractionPayload {
    return this.fake.dispatchInteraction(slashCommand(this.world, { user, channel: this.world.general, subcommand }));
  }

  click(user: FakeUser, message: StoredMessage, customId: string): InteractionPayload {
    return this.fake.dispatchInteraction(buttonClick(this.world, { user, channel: this.fake.channel(message.channel_id), message, customId }));
  }

  select(user: FakeUser, message: StoredMessage, customId: string, values: string[]): InteractionPayload {
    return this.fake.dispatchInteraction(stringSelect(this.world, { user, channel: this.fake.channel(message.channel_id), message, customId, values }));
  }
}
