/**
 * Configuration from the environment: defaults, wrong values, half-configured
 * platforms, Socket Mode vs HTTP mode, empty strings; and `npm start` stopping
 * with exit status 1 on a wrong value.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { AdvisorError } from '../../src/errors.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const DEFAULTS = { logLevel: 'info', databasePath: 'data/advisor.db', sessionTtlMs: 24 * 3_600_000 };

/** The CONFIG_INVALID error `loadConfig(env)` throws; fails the test when it does not throw one. */
function configError(env: Record<string, string>): AdvisorError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof AdvisorError) return error;
    throw error;
  }
  throw new Error(`expected loadConfig to reject ${JSON.stringify(env)}`);
}

function problemsOf(env: Record<string, string>): string[] {
  const error = configError(env);
  expect(error.code).toBe('CONFIG_INVALID');
  const problems = error.details['problems'] as string[];
  for (const p of problems) expect(error.message).toContain(p);
  return problems;
}

const SLACK_BOT = 'xoxb-111-222-abc';
const SLACK_APP = 'xapp-1-A111-222-def';
const DISCORD_APP_ID = '123456789012345678';

describe('defaults', () => {
  it('an empty environment gives the documented defaults and no platform', () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  it('reads the settings it is given', () => {
    expect(loadConfig({ LOG_LEVEL: 'debug', DATABASE_PATH: '/var/lib/advisor.db', SESSION_TTL_HOURS: '0.5', KNOWLEDGE_DIR: '/srv/kb' })).toEqual({
      logLevel: 'debug',
      databasePath: '/var/lib/advisor.db',
      sessionTtlMs: 1_800_000,
      knowledgeDir: '/srv/kb',
    });
  });

  it('ignores unrelated variables', () => {
    expect(loadConfig({ HOME: '/root', PATH: '/usr/bin', NODE_ENV: 'test' })).toEqual(DEFAULTS);
  });
});

describe('a wrong value names the variable and what it expects', () => {
  it.each([
    ['PORT', 'abc', /^PORT: .*port number/],
    ['PORT', '70000', /^PORT: .*port number.*65535/],
    ['SESSION_TTL_HOURS', '-1', /^SESSION_TTL_HOURS: .*positive number of hours/],
    ['SESSION_TTL_HOURS', 'soon', /^SESSION_TTL_HOURS: .*number of hours/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: .*"info"/],
    ['SLACK_BOT_TOKEN', 'xoxp-user-token', /^SLACK_BOT_TOKEN: .*xoxb-/],
    ['SLACK_APP_TOKEN', 'app-token', /^SLACK_APP_TOKEN: .*xapp-/],
    ['DISCORD_APPLICATION_ID', 'my-app', /^DISCORD_APPLICATION_ID: .*numeric/],
    ['DISCORD_GUILD_ID', 'guild', /^DISCORD_GUILD_ID: .*numeric/],
    ['SLACK_API_URL', 'not a url', /^SLACK_API_URL: .*URL/],
    ['DISCORD_MESSAGE_CONTENT', 'maybe', /^DISCORD_MESSAGE_CONTENT: .*true or false/],
  ])('%s=%j', (name, value, expected) => {
    const error = configError({ [name]: value });
    expect(error).toBeInstanceOf(AdvisorError);
    expect(error.code).toBe('CONFIG_INVALID');
    const problems = error.details['problems'] as string[];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
    expect(error.message).toMatch(/^Configuration problem:\n {2}- /);
    expect(error.message).toContain(problems[0]);
  });

  it('the LOG_LEVEL message lists every accepted level', () => {
    const [problem] = problemsOf({ LOG_LEVEL: 'loud' });
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) expect(problem).toContain(`"${level}"`);
  });

  it('every wrong value is reported at once', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', SESSION_TTL_HOURS: '-1' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT', 'SESSION_TTL_HOURS']);
    expect(configError({ PORT: 'abc', LOG_LEVEL: 'loud' }).message).toMatch(/^Configuration problems:\n/);
  });
});

describe('half-configured platforms name exactly what is missing', () => {
  it('Slack with only the bot token: needs an app token or a signing secret', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: SLACK_BOT })).toEqual([
      'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: missing; set SLACK_APP_TOKEN (xapp-...) for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode',
    ]);
  });

  it('Slack with only the signing secret: needs the bot token', () => {
    const problems = problemsOf({ SLACK_SIGNING_SECRET: 'shhh' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SLACK_BOT_TOKEN: missing/);
  });

  it('Slack with only the app token: needs the bot token', () => {
    const problems = problemsOf({ SLACK_APP_TOKEN: SLACK_APP });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SLACK_BOT_TOKEN: missing/);
  });

  it('Discord with only the token: needs the application id', () => {
    const problems = problemsOf({ DISCORD_TOKEN: 'discord-token' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DISCORD_APPLICATION_ID: missing/);
  });

  it('Discord with only the application id: needs the token', () => {
    const problems = problemsOf({ DISCORD_APPLICATION_ID: DISCORD_APP_ID });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DISCORD_TOKEN: missing/);
  });

  it('both platforms half-configured: both reported', () => {
    const problems = problemsOf({ SLACK_SIGNING_SECRET: 'shhh', DISCORD_TOKEN: 'discord-token' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['SLACK_BOT_TOKEN', 'DISCORD_APPLICATION_ID']);
  });
});

describe('platform detection', () => {
  it('Slack Socket Mode: bot token and app token', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_APP_TOKEN: SLACK_APP });
    expect(config.slack).toEqual({ botToken: SLACK_BOT, appToken: SLACK_APP, port: 3000 });
    expect(config.discord).toBeUndefined();
  });

  it('Slack HTTP mode: bot token and signing secret, on the configured port', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_SIGNING_SECRET: 'shhh', PORT: '8080' });
    expect(config.slack).toEqual({ botToken: SLACK_BOT, signingSecret: 'shhh', port: 8080 });
    expect(config.slack!.appToken).toBeUndefined();
  });

  it('Slack with a custom API URL keeps it', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_APP_TOKEN: SLACK_APP, SLACK_API_URL: 'http://127.0.0.1:9999/api/' });
    expect(config.slack!.apiUrl).toBe('http://127.0.0.1:9999/api/');
  });

  it('Discord: token and application id, guild and message content optional', () => {
    expect(loadConfig({ DISCORD_TOKEN: 'tok', DISCORD_APPLICATION_ID: DISCORD_APP_ID }).discord).toEqual({
      token: 'tok',
      applicationId: DISCORD_APP_ID,
      messageContent: false,
    });
    expect(
      loadConfig({ DISCORD_TOKEN: 'tok', DISCORD_APPLICATION_ID: DISCORD_APP_ID, DISCORD_GUILD_ID: '987654321098765432', DISCORD_MESSAGE_CONTENT: 'true' }).discord,
    ).toEqual({ token: 'tok', applicationId: DISCORD_APP_ID, guildId: '987654321098765432', messageContent: true });
  });

  it('both platforms at once', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_APP_TOKEN: SLACK_APP, DISCORD_TOKEN: 'tok', DISCORD_APPLICATION_ID: DISCORD_APP_ID });
    expect(config.slack?.botToken).toBe(SLACK_BOT);
    expect(config.discord?.token).toBe('tok');
  });

  it('surrounding whitespace is trimmed from tokens', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: `  ${SLACK_BOT}\n`, SLACK_APP_TOKEN: ` ${SLACK_APP} ` }).slack).toMatchObject({ botToken: SLACK_BOT, appToken: SLACK_APP });
  });
});

describe('empty strings are treated as unset', () => {
  it('for optional settings: no platform, no knowledge dir', () => {
    expect(
      loadConfig({
        SLACK_BOT_TOKEN: '',
        SLACK_APP_TOKEN: '',
        SLACK_SIGNING_SECRET: '',
        SLACK_API_URL: '',
        DISCORD_TOKEN: '',
        DISCORD_APPLICATION_ID: '',
        DISCORD_GUILD_ID: '',
        DISCORD_API_URL: '',
        DISCORD_MESSAGE_CONTENT: '',
        KNOWLEDGE_DIR: '',
      }),
    ).toEqual(DEFAULTS);
  });

  it('an empty optional value does not complete a half-configured platform', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: ' ' })[0]).toMatch(/^SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: missing/);
  });

  it('for settings with defaults: PORT, SESSION_TTL_HOURS, LOG_LEVEL, DATABASE_PATH fall back to the defaults (e.g. `PORT=` in .env)', () => {
    expect(loadConfig({ PORT: '', SESSION_TTL_HOURS: '', LOG_LEVEL: '', DATABASE_PATH: '' })).toEqual(DEFAULTS);
    expect(loadConfig({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_APP_TOKEN: SLACK_APP, PORT: '' }).slack!.port).toBe(3000);
  });
});

describe('npm start with a wrong value', () => {
  const work = mkdtempSync(join(tmpdir(), 'advisor-config-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('exits with status 1 and names the variable on stderr, before opening the database', () => {
    const databasePath = join(work, 'advisor.db');
    const env: NodeJS.ProcessEnv = {};
    // Keep PATH/HOME so node runs normally; drop every advisor setting the parent might have.
    for (const key of ['PATH', 'HOME', 'SystemRoot', 'TMPDIR']) if (process.env[key] !== undefined) env[key] = process.env[key];
    // dotenv never overrides variables already set, so these win over any .env in the repo.
    Object.assign(env, { PORT: 'abc', DATABASE_PATH: databasePath, LOG_LEVEL: 'info', NO_COLOR: '1' });
    const result = spawnSync(process.execPath, ['bin/start.js'], { cwd: REPO_ROOT, env, encoding: 'utf8', input: '', timeout: 20_000 });
    expect(result.error).toBeUndefined();
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Configuration problem:\n {2}- PORT: expected a port number\n/);
    expect(result.stderr).toContain('.env.example');
    expect(result.stdout).toBe('');
    expect(existsSync(databasePath)).toBe(false);
    expect(readdirSync(work)).toEqual([]);
  });
});
