/**
 * Configuration from the environment (and `.env` via dotenv), validated with zod
 * at start. A wrong value stops the program with a message naming the variable
 * and what it expects. Every variable is documented in `.env.example`.
 */
import { z } from 'zod';
import { AdvisorError } from './errors.ts';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const booleanText = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' }))
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_PATH: z.string().trim().min(1).default('data/advisor.db'),
  SESSION_TTL_HOURS: z.coerce.number({ message: 'expected a number of hours' }).positive('expected a positive number of hours').default(24),
  KNOWLEDGE_DIR: optionalText,

  SLACK_BOT_TOKEN: optionalText.pipe(z.string().startsWith('xoxb-', 'expected a bot token starting with xoxb-').optional()),
  SLACK_APP_TOKEN: optionalText.pipe(z.string().startsWith('xapp-', 'expected an app-level token starting with xapp-').optional()),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_API_URL: optionalText.pipe(z.url({ message: 'expected a URL such as https://slack.com/api/' }).optional()),
  PORT: z.coerce.number({ message: 'expected a port number' }).int().min(1).max(65535, 'expected a port number (1-65535)').default(3000),

  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText.pipe(z.string().regex(/^\d{15,25}$/, 'expected a numeric Discord application id').optional()),
  DISCORD_GUILD_ID: optionalText.pipe(z.string().regex(/^\d{15,25}$/, 'expected a numeric Discord guild (server) id').optional()),
  DISCORD_API_URL: optionalText.pipe(z.url({ message: 'expected a URL such as https://discord.com/api' }).optional()),
  DISCORD_MESSAGE_CONTENT: booleanText,
});

export interface SlackConfig {
  botToken: string;
  /** Socket Mode when set. */
  appToken?: string;
  /** HTTP mode (required when there is no app token). */
  signingSecret?: string;
  port: number;
  apiUrl?: string;
}

export interface DiscordConfig {
  token: string;
  applicationId: string;
  guildId?: string;
  apiUrl?: string;
  messageContent: boolean;
}

export interface Config {
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  databasePath: string;
  sessionTtlMs: number;
  knowledgeDir?: string;
  slack?: SlackConfig;
  discord?: DiscordConfig;
}

function fail(problems: string[]): never {
  throw new AdvisorError('CONFIG_INVALID', `Configuration problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
}

/** Parses the environment; throws CONFIG_INVALID listing every bad or missing variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  // A blank value (`PORT=` in .env) means "not set", so defaults apply.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    fail(parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];

  let slack: SlackConfig | undefined;
  const slackSet = [e.SLACK_BOT_TOKEN, e.SLACK_APP_TOKEN, e.SLACK_SIGNING_SECRET].some(Boolean);
  if (slackSet) {
    if (!e.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: missing; Slack needs the bot token (xoxb-...) for Socket Mode and HTTP mode alike');
    if (!e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
      problems.push('SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: missing; set SLACK_APP_TOKEN (xapp-...) for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode');
    }
    if (e.SLACK_BOT_TOKEN) {
      slack = { botToken: e.SLACK_BOT_TOKEN, port: e.PORT };
      if (e.SLACK_APP_TOKEN) slack.appToken = e.SLACK_APP_TOKEN;
      if (e.SLACK_SIGNING_SECRET) slack.signingSecret = e.SLACK_SIGNING_SECRET;
      if (e.SLACK_API_URL) slack.apiUrl = e.SLACK_API_URL;
    }
  }

  let discord: DiscordConfig | undefined;
  const discordSet = [e.DISCORD_TOKEN, e.DISCORD_APPLICATION_ID, e.DISCORD_GUILD_ID].some(Boolean);
  if (discordSet) {
    if (!e.DISCORD_TOKEN) problems.push('DISCORD_TOKEN: missing; Discord needs the bot token');
    if (!e.DISCORD_APPLICATION_ID) problems.push('DISCORD_APPLICATION_ID: missing; Discord needs the application id');
    if (e.DISCORD_TOKEN && e.DISCORD_APPLICATION_ID) {
      discord = { token: e.DISCORD_TOKEN, applicationId: e.DISCORD_APPLICATION_ID, messageContent: e.DISCORD_MESSAGE_CONTENT };
      if (e.DISCORD_GUILD_ID) discord.guildId = e.DISCORD_GUILD_ID;
      if (e.DISCORD_API_URL) discord.apiUrl = e.DISCORD_API_URL;
    }
  }
  if (problems.length > 0) fail(problems);

  const config: Config = {
    logLevel: e.LOG_LEVEL,
    databasePath: e.DATABASE_PATH,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
  };
  if (e.KNOWLEDGE_DIR) config.knowledgeDir = e.KNOWLEDGE_DIR;
  if (slack) config.slack = slack;
  if (discord) config.discord = discord;
  return config;
}
