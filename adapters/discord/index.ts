/** The Discord adapter's public surface: start the bot, or register its commands. */
export { createDiscordBot, startDiscord, type DiscordBot, type DiscordBotOptions } from './bot.ts';
export { commandDefinitions } from './commands.ts';
export { deployCommands } from './deploy-commands.ts';
