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

/** Longest idle time a session may be kept: ten years, so the expiry cut-off stays a real date. */
const MAX_TTL_HOURS = 87_600;

/**
 * A port in plain decimal digits. z.coerce.number() would also take `0x50`,
 * `1e3` or `8.0`, which read as one port and mean another.
 */
const portText = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (port >= 1 && port <= 65535) return port;
    ctx.addIssue({ code: 'custom', message: `expected a port number from 1 to 65535 in decimal digits, got ${JSON.stringify(text)}` });
    return z.NEVER;
  });

/** Hours as plain decimal digits with an optional fraction (`24`, `0.5`); the TTL must be at least a minute. */
const hoursText = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const hours = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isNaN(hours)) {
      ctx.addIssue({ code: 'custom', message: `expected a positive number of hours in decimal digits such as 24 or 0.5, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    // A TTL under a minute expires interviews between two answers; say so rather than run a bot that forgets.
    if (hours * 3_600_000 < 60_000) {
      ctx.addIssue({ code: 'custom', message: `expected a number of hours of at least one minute (0.017), got ${JSON.stringify(text)} (${Math.round(hours * 3600)} seconds)` });
      return z.NEVER;
    }
    if (hours > MAX_TTL_HOURS) {
      ctx.addIssue({ code: 'custom', message: `expected at most ${MAX_TTL_HOURS} hours (ten years), got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return hours;
  });

/** An http(s) URL: z.url() alone also accepts file:, ftp: or javascript: addresses the API clients cannot use. */
function httpUrl(example: string) {
  return optionalText.pipe(z.url({ protocol: /^https?$/, message: `expected an http:// or https:// URL such as ${example}` }).optional());
}

const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_PATH: z.string().trim().min(1).default('data/advisor.db'),
  SESSION_TTL_HOURS: hoursText.default(24),
  KNOWLEDGE_DIR: optionalText,

  SLACK_BOT_TOKEN: optionalText.pipe(z.string().startsWith('xoxb-', 'expected a bot token starting with xoxb-').optional()),
  SLACK_APP_TOKEN: optionalText.pipe(z.string().startsWith('xapp-', 'expected an app-level token starting with xapp-').optional()),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_API_URL: httpUrl('https://slack.com/api/'),
  PORT: portText.default(3000),

  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText.pipe(z.string().regex(/^\d{15,25}$/, 'expected a numeric Discord application id').optional()),
  DISCORD_GUILD_ID: optionalText.pipe(z.string().regex(/^\d{15,25}$/, 'expected a numeric Discord guild (server) id').optional()),
  DISCORD_API_URL: httpUrl('https://discord.com/api'),
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

/** The CONFIG_INVALID error listing `problems` ("VAR: what is wrong; what it expects"), one per line. */
export function configError(problems: string[], details: Record<string, unknown> = {}): AdvisorError {
  const message = `Configuration problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  return new AdvisorError('CONFIG_INVALID', message, { ...details, problems });
}

function fail(problems: string[]): never {
  throw configError(problems);
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
