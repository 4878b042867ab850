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

/**
 * DISCORD_SHARDS: `auto` (Discord's recommendation, from GET /gateway/bot) or
 * a whole number of shards in decimal digits, at least 1.
 */
const shardsText = z
  .string()
  .trim()
  .transform((text, ctx): number | 'auto' => {
    if (text.toLowerCase() === 'auto') return 'auto';
    const shards = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isSafeInteger(shards) && shards >= 1) return shards;
    ctx.addIssue({ code: 'custom', message: `expected auto or a whole number of shards of at least 1 in decimal digits, such as 2, got ${JSON.stringify(text)}` });
    return z.NEVER;
  });

/**
 * DISCORD_SHARD_LIST: the shards this machine runs, as ids and ranges
 * (`0-3,8`), sorted and without repeats.
 */
const shardListText = z
  .string()
  .trim()
  .transform((text, ctx): number[] => {
    const ids = new Set<number>();
    for (const part of text.split(',').map((p) => p.trim())) {
      const range = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(part);
      const from = Number(range?.[1]);
      const to = range?.[2] === undefined ? from : Number(range[2]);
      if (!range || to < from) {
        ctx.addIssue({ code: 'custom', message: `expected shard ids and ranges such as 0-3,8, got ${JSON.stringify(text)}` });
        return z.NEVER;
      }
      for (let id = from; id <= to; id += 1) ids.add(id);
    }
    return [...ids].sort((a, b) => a - b);
  });

/** An http(s) URL: z.url() alone also accepts file:, ftp: or javascript: addresses the API clients cannot use. */
function httpUrl(example: string) {
  return optionalText.pipe(z.url({ protocol: /^https?$/, message: `expected an http:// or https:// URL such as ${example}` }).optional());
}

/**
 * A PostgreSQL connection string. The value is never echoed back: it usually
 * holds a password.
 */
const postgresUrl = optionalText.pipe(
  z
    .string()
    .refine((text) => URL.canParse(text) && /^postgres(ql)?:$/.test(new URL(text).protocol), {
      message: 'expected a postgres:// or postgresql:// URL such as postgres://advisor:secret@db.internal:5432/advisor',
    })
    .optional(),
);

const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_PATH: z.string().trim().min(1).default('data/advisor.db'),
  DATABASE_URL: postgresUrl,
  DATABASE_MIGRATE: booleanText,
  SESSION_TTL_HOURS: hoursText.default(24),
  KNOWLEDGE_DIR: optionalText,
  HEALTH_PORT: portText.optional(),

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
  DISCORD_SHARDS: shardsText.optional(),
  DISCORD_SHARD_LIST: shardListText.optional(),
});

/** Socket Mode with an app token, else HTTP mode, which verifies every request with the signing secret. */
export type SlackConfig = { botToken: string; port: number; apiUrl?: string } & ({ appToken: string; signingSecret?: string } | { appToken?: undefined; signingSecret: string });

export interface DiscordConfig {
  token: string;
  applicationId: string;
  guildId?: string;
  apiUrl?: string;
  messageContent: boolean;
  /** DISCORD_SHARDS: run under discord.js's ShardingManager, one process per shard (absent: one process, no sharding). */
  shards?: number | 'auto';
  /** DISCORD_SHARD_LIST: the shards this machine runs (absent: all of them); needs a numeric `shards`. */
  shardList?: number[];
}

export interface PostgresConfig {
  /** DATABASE_URL. */
  url: string;
  /** DATABASE_MIGRATE: apply pending schema migrations at start-up. */
  migrate: boolean;
}

export interface Config {
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** The SQLite file; used when `postgres` is absent (the default). */
  databasePath: string;
  /** Set by DATABASE_URL: sessions live in PostgreSQL instead of SQLite. */
  postgres?: PostgresConfig;
  sessionTtlMs: number;
  knowledgeDir?: string;
  /**
   * HEALTH_PORT: a port of its own for `/healthz`. Slack in HTTP mode also
   * answers it on PORT; Socket Mode and Discord only have it here.
   */
  healthPort?: number;
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
    const common = { port: e.PORT, ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}) };
    const secret = e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {};
    if (e.SLACK_BOT_TOKEN && e.SLACK_APP_TOKEN) slack = { botToken: e.SLACK_BOT_TOKEN, ...common, appToken: e.SLACK_APP_TOKEN, ...secret };
    else if (e.SLACK_BOT_TOKEN && e.SLACK_SIGNING_SECRET) slack = { botToken: e.SLACK_BOT_TOKEN, ...common, signingSecret: e.SLACK_SIGNING_SECRET };
  }

  let discord: DiscordConfig | undefined;
  const discordSet = [e.DISCORD_TOKEN, e.DISCORD_APPLICATION_ID, e.DISCORD_GUILD_ID, e.DISCORD_SHARDS].some((value) => value !== undefined);
  if (discordSet) {
    if (!e.DISCORD_TOKEN) problems.push('DISCORD_TOKEN: missing; Discord needs the bot token');
    if (!e.DISCORD_APPLICATION_ID) problems.push('DISCORD_APPLICATION_ID: missing; Discord needs the application id');
    if (e.DISCORD_TOKEN && e.DISCORD_APPLICATION_ID) {
      discord = { token: e.DISCORD_TOKEN, applicationId: e.DISCORD_APPLICATION_ID, messageContent: e.DISCORD_MESSAGE_CONTENT };
      if (e.DISCORD_GUILD_ID) discord.guildId = e.DISCORD_GUILD_ID;
      if (e.DISCORD_API_URL) discord.apiUrl = e.DISCORD_API_URL;
      if (e.DISCORD_SHARDS !== undefined) discord.shards = e.DISCORD_SHARDS;
      if (e.DISCORD_SHARD_LIST !== undefined) discord.shardList = e.DISCORD_SHARD_LIST;
    }
  }
  if (e.DISCORD_SHARD_LIST !== undefined) {
    const total = e.DISCORD_SHARDS;
    if (typeof total !== 'number') {
      problems.push(
        `DISCORD_SHARD_LIST: needs DISCORD_SHARDS set to the total number of shards across all machines (${total === 'auto' ? 'not auto, which could differ between machines' : 'it is not set'})`,
      );
    } else {
      const missing = e.DISCORD_SHARD_LIST.filter((id) => id >= total);
      if (missing.length > 0) problems.push(`DISCORD_SHARD_LIST: shard ${missing.join(', ')} does not exist with DISCORD_SHARDS=${total} (shards are numbered 0 to ${total - 1})`);
    }
  }
  if (e.DATABASE_URL !== undefined && present['DATABASE_PATH'] !== undefined) {
    problems.push('DATABASE_PATH and DATABASE_URL: both set; set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both');
  }
  if (e.DATABASE_URL === undefined && e.DATABASE_MIGRATE) {
    problems.push('DATABASE_MIGRATE: true without DATABASE_URL; it applies PostgreSQL migrations (SQLite migrates itself), so set DATABASE_URL or remove it');
  }
  if (e.HEALTH_PORT !== undefined && slack && !slack.appToken && e.HEALTH_PORT === slack.port) {
    problems.push(`HEALTH_PORT and PORT: both ${e.HEALTH_PORT}; Slack's HTTP mode already answers /healthz on PORT, so leave HEALTH_PORT empty or pick another port`);
  }
  if (problems.length > 0) fail(problems);

  const config: Config = {
    logLevel: e.LOG_LEVEL,
    databasePath: e.DATABASE_PATH,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3_600_000,
  };
  if (e.DATABASE_URL !== undefined) config.postgres = { url: e.DATABASE_URL, migrate: e.DATABASE_MIGRATE };
  if (e.KNOWLEDGE_DIR) config.knowledgeDir = e.KNOWLEDGE_DIR;
  if (e.HEALTH_PORT !== undefined) config.healthPort = e.HEALTH_PORT;
  if (slack) config.slack = slack;
  if (discord) config.discord = discord;
  return config;
}
