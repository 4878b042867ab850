/** The Discord adapter's public surface: start the bot, or register its commands. */
export { createDiscordBot, type DiscordBot, type DiscordBotOptions } from './bot.ts';
export { commandDefinitions } from './commands.ts';
export { deployCommands } from './deploy-commands.ts';
export { startDiscord, type RunningDiscord } from './start.ts';
