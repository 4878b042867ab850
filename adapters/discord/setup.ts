/**
 * What the Discord bot (start.ts), the shard manager (shard-manager.ts) and
 * the command registration (deploy-commands.ts) read from the settings alike.
 */
import { configError, type DiscordConfig } from '../../src/config.ts';
import type { AdvisorError } from '../../src/errors.ts';

/** discord.js's REST `api` option for DISCORD_API_URL: discord.js appends `/v10/...`, so a trailing slash would make `//v10`. */
export function restApi(config: Pick<DiscordConfig, 'apiUrl'>): { api?: string } {
  return config.apiUrl ? { api: config.apiUrl.replace(/\/+$/, '') } : {};
}

/** Discord refused DISCORD_TOKEN (at log-in, or a REST 401): a configuration problem naming it. */
export function tokenRefused(cause: unknown): AdvisorError {
  return Object.assign(configError(['DISCORD_TOKEN: Discord refused the bot token; copy it again from the Bot page of your application in the Developer Portal']), { cause });
}
