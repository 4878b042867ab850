/**
 * Whether a message the outbox may have posted before is already in its
 * channel. Discord keeps no metadata on a message, and its nonce dedupes only
 * bot-token posts, for a few minutes; replies and follow-ups through an
 * interaction have none. So a resend reads the bot's messages created since the
 * outbox entry was (less a margin for clock skew) and looks for one that shows
 * the same thing: the same text, embeds and control ids. A question's controls
 * carry its interview's owner and version, so a question never matches another;
 * two identical plain messages may, and then the repeat is not posted again.
 */
import { SnowflakeUtil, type Message, type SendableChannels } from 'discord.js';
import { classifyDiscordError } from './errors.ts';
import type { DiscordMessage } from './render.ts';

/** How far before the entry's creation a message may date (the store's clock and Discord's may differ a little). */
export const LOOKUP_MARGIN_MS = 60_000;
/** Discord's largest page, and how many are read at most (a busy channel, or a first try long after the entry). */
const LOOKUP_LIMIT = 100;
const LOOKUP_PAGES = 5;
const EPHEMERAL = 1 << 6;

/** Every string under `key`, anywhere in `value` (the custom ids of nested components). */
function collect(value: unknown, key: string, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collect(item, key, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [name, inner] of Object.entries(value)) {
      if (name === key && typeof inner === 'string') into.push(inner);
      else collect(inner, key, into);
    }
  }
  return into;
}

/** What a person sees of a message, as one comparable string (whitespace at the ends does not count: Discord trims). */
export function fingerprint(message: { content?: string | null; embeds?: readonly unknown[]; components?: readonly unknown[] }): string {
  const embeds = (message.embeds ?? []).map((embed) => {
    const e = embed as { title?: string; description?: string; footer?: { text?: string }; fields?: { name?: string; value?: string }[] };
    return [e.title, e.description, e.footer?.text, ...(e.fields ?? []).flatMap((field) => [field.name, field.value])].map((text) => (text ?? '').trim());
  });
  return JSON.stringify([(message.content ?? '').trim(), embeds, collect(message.components ?? [], 'custom_id')]);
}

function asSent(message: Message): Parameters<typeof fingerprint>[0] {
  return { content: message.content, embeds: message.embeds.map((embed) => embed.toJSON()), components: message.components.map((row) => row.toJSON()) };
}

/**
 * The id of the bot's message in `channel` that shows `wanted`, created no earlier than `since` less the margin,
 * and not one that `taken` says another operation already accounts for (the same words posted for another
 * interview, or an earlier "why?"); undefined when there is none, or when Discord will not let the bot read the
 * channel's history (then posting again is the way left). Other failures (a rate limit, an outage) throw, so the
 * message waits for a later try instead of going out twice.
 */
export async function findPosted(
  channel: SendableChannels,
  botId: string,
  wanted: DiscordMessage,
  hints: { since: number; taken?: (messageIds: readonly string[]) => Promise<string[]> },
): Promise<string | undefined> {
  const target = fingerprint(wanted);
  let after = SnowflakeUtil.generate({ timestamp: Math.max(Number(SnowflakeUtil.epoch), hints.since - LOOKUP_MARGIN_MS) }).toString();
  for (let page = 0; page < LOOKUP_PAGES; page++) {
    let messages: Message[];
    try {
      messages = [...(await channel.messages.fetch({ after, limit: LOOKUP_LIMIT, cache: false })).values()];
    } catch (error) {
      const { kind } = classifyDiscordError(error);
      if (kind === 'missing_access' || kind === 'missing_permissions' || kind === 'not_found') return undefined;
      throw error;
    }
    messages.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const same = messages.filter((m) => m.author.id === botId && (m.flags.bitfield & EPHEMERAL) === 0 && fingerprint(asSent(m)) === target).map((m) => m.id);
    const taken = new Set(same.length > 0 && hints.taken ? await hints.taken(same) : []);
    const found = same.find((id) => !taken.has(id));
    if (found !== undefined || messages.length < LOOKUP_LIMIT) return found;
    after = messages.at(-1)!.id;
  }
  return undefined;
}
