/**
 * Registers the slash commands (npm run discord:deploy-commands), following
 * the discord.js guide's separate deploy script: to DISCORD_GUILD_ID when it
 * is set (instant, good for one server and for testing), globally otherwise
 * (every server the bot is in; Discord may take a while to show changes).
 *
 * Registration replaces the whole command list with ours (PUT), so running it
 * again is harmless. Settings come from the environment and `.env` (dotenv).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import { loadConfig, type DiscordConfig } from '../../src/config.ts';
import { isAdvisorError } from '../../src/errors.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { commandDefinitions } from './commands.ts';
import { restApi } from './setup.ts';

/** Registers the commands; says where, and the names Discord now has. */
export async function deployCommands(config: DiscordConfig, logger: Logger): Promise<{ scope: 'guild' | 'global'; registered: string[] }> {
  const rest = new REST(restApi(config)).setToken(config.token);
  const body = commandDefinitions();
  const scope = config.guildId ? 'guild' : 'global';
  const route = config.guildId
    ? Routes.applicationGuildCommands(config.applicationId, config.guildId)
    : Routes.applicationCommands(config.applicationId);
  logger.info({ scope, guildId: config.guildId, commands: body.map((c) => c.name) }, 'registering slash commands');
  const registered = (await rest.put(route, { body })) as { name: string }[];
  return { scope, registered: registered.map((c) => c.name) };
}

async function main(): Promise<number> {
  await import('dotenv/config');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (isAdvisorError(error, 'CONFIG_INVALID')) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: 'discord-deploy' });
  if (!config.discord) {
    process.stderr.write('Discord is not configured: set DISCORD_TOKEN and DISCORD_APPLICATION_ID (and DISCORD_GUILD_ID for instant, per-server registration).\n');
    return 2;
  }
  try {
    const result = await deployCommands(config.discord, logger);
    process.stdout.write(
      result.scope === 'guild'
        ? `Registered /${result.registered.join(', /')} in server ${config.discord.guildId}.\n`
        : `Registered /${result.registered.join(', /')} globally; Discord may take a few minutes to show them in every server.\n`,
    );
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'registering slash commands failed');
    process.stderr.write(`Registering the commands failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const entryPoint = process.argv[1];
if (entryPoint && import.meta.url === pathToFileURL(resolve(entryPoint)).href) {
  process.exitCode = await main();
}
