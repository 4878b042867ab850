/**
 * The fixed Discord "world" the stand-in serves: one application with its bot
 * user, one guild with text channels, and the people who click things.
 */
import { nextSnowflake } from './snowflakes.ts';

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
}

export interface FakeChannel {
  id: string;
  type: number;
  name: string;
  guild_id: string;
  parent_id?: string | null;
  position?: number;
  permission_overwrites?: unknown[];
  owner_id?: string;
  thread_metadata?: { archived: boolean; auto_archive_duration: number; archive_timestamp: string; locked: boolean };
  member_count?: number;
  message_count?: number;
}

export interface FakeWorld {
  applicationId: string;
  bot: FakeUser;
  guild: { id: string; name: string; ownerId: string };
  /** Where `/advisor start` is run. */
  general: FakeChannel;
  /** Where recommendations are posted. */
  announcements: FakeChannel;
  /** A channel the bot may not post in (the tests make the stand-in answer 50013 there). */
  locked: FakeChannel;
  alice: FakeUser;
  bob: FakeUser;
}

export const ChannelTypes = { GuildText: 0, PublicThread: 11 } as const;

function user(username: string, bot = false): FakeUser {
  return { id: nextSnowflake(), username, global_name: username[0]!.toUpperCase() + username.slice(1), discriminator: '0', avatar: null, ...(bot ? { bot: true } : {}) };
}

export function createWorld(): FakeWorld {
  const guildId = nextSnowflake();
  const alice = user('alice');
  const textChannel = (name: string, position: number): FakeChannel => ({
    id: nextSnowflake(),
    type: ChannelTypes.GuildText,
    name,
    guild_id: guildId,
    parent_id: null,
    position,
    permission_overwrites: [],
  });
  return {
    applicationId: nextSnowflake(),
    bot: user('advisor', true),
    guild: { id: guildId, name: 'Test Server', ownerId: alice.id },
    general: textChannel('general', 0),
    announcements: textChannel('decisions', 1),
    locked: textChannel('read-only', 2),
    alice,
    bob: user('bob'),
  };
}

/** Every permission bit, as Discord sends `app_permissions` / member permissions for an administrator. */
export const ALL_PERMISSIONS = ((1n << 53n) - 1n).toString();
