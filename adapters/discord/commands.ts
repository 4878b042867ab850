/**
 * The slash command, defined once: the bot routes on these names,
 * `deploy-commands.ts` registers exactly this definition, and the help lists it.
 */
import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

export const COMMAND_NAME = 'advisor';
export const ASK_QUESTION_OPTION = 'question';
/** Long enough for a real question, short enough to search well. */
export const ASK_QUESTION_MAX_LENGTH = 300;

/** The subcommands: how they are written, and what they do as Discord's picker shows it (100 characters at most). */
export const SUBCOMMANDS = {
  start: { usage: `/${COMMAND_NAME} start`, description: 'Start an interview in a thread and get a Django or Flask recommendation' },
  ask: { usage: `/${COMMAND_NAME} ask ${ASK_QUESTION_OPTION}:<text>`, description: 'Ask what the sources say about Django and Flask' },
  help: { usage: `/${COMMAND_NAME} help`, description: 'How the advisor works and what its commands do' },
} as const;

/** Everything `deploy-commands` registers. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const question = 'For example: does Flask have an ORM?';
  const command = new SlashCommandBuilder()
    .setName(COMMAND_NAME)
    .setDescription('Recommends a Python web framework (Django or Flask) and explains why, with sources')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((sub) => sub.setName('start').setDescription(SUBCOMMANDS.start.description))
    .addSubcommand((sub) =>
      sub
        .setName('ask')
        .setDescription(SUBCOMMANDS.ask.description)
        .addStringOption((option) => option.setName(ASK_QUESTION_OPTION).setDescription(question).setRequired(true).setMaxLength(ASK_QUESTION_MAX_LENGTH)),
    )
    .addSubcommand((sub) => sub.setName('help').setDescription(SUBCOMMANDS.help.description));
  return [command.toJSON()];
}
