/**
 * The slash commands, defined once: the bot routes on these names and
 * `deploy-commands.ts` registers exactly these definitions.
 *
 *   /advisor start                 interview in a thread
 *   /advisor ask question:<text>   answer from the knowledge base, with sources
 *   /advisor help                  what the commands do
 */
import {
  ApplicationIntegrationType,
  InteractionContextType,
  SlashCommandBuilder,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';

export const COMMAND_NAME = 'advisor';

export const SUBCOMMANDS = {
  start: 'start',
  ask: 'ask',
  help: 'help',
} as const;

export type Subcommand = (typeof SUBCOMMANDS)[keyof typeof SUBCOMMANDS];

export const ASK_QUESTION_OPTION = 'question';
/** Long enough for a real question, short enough to search well. */
export const ASK_QUESTION_MAX_LENGTH = 300;

/** Descriptions as registered with Discord (Discord shows them in its command picker; 100 characters at most). */
export const SUBCOMMAND_DESCRIPTIONS: Record<Subcommand, string> = {
  start: 'Start an interview in a thread and get a Django or Flask recommendation',
  ask: 'Ask what the sources say about Django and Flask',
  help: 'How the advisor works and what its commands do',
};

export function advisorCommand(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return new SlashCommandBuilder()
    .setName(COMMAND_NAME)
    .setDescription('Recommends a Python web framework (Django or Flask) and explains why, with sources')
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((sub) => sub.setName(SUBCOMMANDS.start).setDescription(SUBCOMMAND_DESCRIPTIONS.start))
    .addSubcommand((sub) =>
      sub
        .setName(SUBCOMMANDS.ask)
        .setDescription(SUBCOMMAND_DESCRIPTIONS.ask)
        .addStringOption((option) =>
          option
            .setName(ASK_QUESTION_OPTION)
            .setDescription('For example: does Flask have an ORM?')
            .setRequired(true)
            .setMaxLength(ASK_QUESTION_MAX_LENGTH),
        ),
    )
    .addSubcommand((sub) => sub.setName(SUBCOMMANDS.help).setDescription(SUBCOMMAND_DESCRIPTIONS.help))
    .toJSON();
}

/** Everything `deploy-commands` registers. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [advisorCommand()];
}

/** How the commands are written and what they do, for `/advisor help`. */
export const SLASH_USAGE: readonly { usage: string; description: string }[] = [
  { usage: `/${COMMAND_NAME} ${SUBCOMMANDS.start}`, description: SUBCOMMAND_DESCRIPTIONS.start },
  { usage: `/${COMMAND_NAME} ${SUBCOMMANDS.ask} ${ASK_QUESTION_OPTION}:<text>`, description: SUBCOMMAND_DESCRIPTIONS.ask },
  { usage: `/${COMMAND_NAME} ${SUBCOMMANDS.help}`, description: SUBCOMMAND_DESCRIPTIONS.help },
];
