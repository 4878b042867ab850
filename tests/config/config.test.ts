/**
 * Configuration from the environment: defaults, wrong values, half-configured
 * platforms, Socket Mode vs HTTP mode, empty strings; and `npm start` stopping
 * with exit status 1 on a wrong value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    ['DISCORD_API_URL', 'not a url', /^DISCORD_API_URL: .*URL/],
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

/** The single problem `env` is refused for. */
function onlyProblem(env: Record<string, string>): string {
  const problems = problemsOf(env);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('PORT is a port in plain decimal digits', () => {
  // z.coerce.number() used to read 0x50 as 80 and 1e3 as 1000: a port other than the one written.
  it.each(['0x50', '1e3', '65536', '0', '70000', '80.0', '8.5', '-80', '+80', '0b1010', '0o120', 'Infinity', '8 0', '١٢٣'])('PORT=%j is refused, naming PORT and the range', (value) => {
    expect(onlyProblem({ PORT: value })).toBe(`PORT: expected a port number from 1 to 65535 in decimal digits, got ${JSON.stringify(value)}`);
  });

  it.each([
    ['80', 80],
    [' 80 ', 80],
    ['\t8080\n', 8080],
    ['1', 1],
    ['65535', 65535],
    ['03000', 3000],
  ])('PORT=%j is port %i', (value, port) => {
    expect(loadConfig({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_SIGNING_SECRET: 'shhh', PORT: value }).slack!.port).toBe(port);
  });
});

describe('SESSION_TTL_HOURS is plain decimal hours, at least a minute', () => {
  it.each([
    ['1e-9', /^SESSION_TTL_HOURS: expected a positive number of hours in decimal digits such as 24 or 0\.5, got "1e-9"$/],
    ['1e3', /^SESSION_TTL_HOURS: expected a positive number of hours in decimal digits/],
    ['0x18', /^SESSION_TTL_HOURS: expected a positive number of hours in decimal digits/],
    ['-1', /^SESSION_TTL_HOURS: expected a positive number of hours/],
    ['.5', /^SESSION_TTL_HOURS: expected a positive number of hours in decimal digits/],
    ['24h', /^SESSION_TTL_HOURS: expected a positive number of hours in decimal digits/],
    ['Infinity', /^SESSION_TTL_HOURS: expected a positive number of hours in decimal digits/],
    ['0', /^SESSION_TTL_HOURS: expected a number of hours of at least one minute \(0\.017\), got "0" \(0 seconds\)$/],
    ['0.01', /^SESSION_TTL_HOURS: expected a number of hours of at least one minute \(0\.017\), got "0\.01" \(36 seconds\)$/],
    ['0.0166', /^SESSION_TTL_HOURS: expected a number of hours of at least one minute/],
    ['87601', /^SESSION_TTL_HOURS: expected at most 87600 hours \(ten years\), got "87601"$/],
    [`1${'0'.repeat(400)}`, /^SESSION_TTL_HOURS: expected at most 87600 hours/],
  ])('SESSION_TTL_HOURS=%j is refused', (value, expected) => {
    expect(onlyProblem({ SESSION_TTL_HOURS: value })).toMatch(expected);
  });

  it.each([
    ['0.02', 72_000],
    ['0.0167', 60_120],
    [' 0.5 ', 1_800_000],
    ['24', 86_400_000],
    ['1.25', 4_500_000],
    ['87600', 87_600 * 3_600_000],
  ])('SESSION_TTL_HOURS=%j is %i ms', (value, ms) => {
    expect(loadConfig({ SESSION_TTL_HOURS: value }).sessionTtlMs).toBeCloseTo(ms, 6);
  });
});

describe('API URLs are http or https', () => {
  const variables = [
    ['SLACK_API_URL', 'https://slack.com/api/'],
    ['DISCORD_API_URL', 'https://discord.com/api'],
  ] as const;

  for (const [name, example] of variables) {
    it.each(['file:///etc/passwd', 'ftp://example.com/api', 'javascript:alert(1)', 'ws://127.0.0.1:9999/', 'data:text/plain,hi', 'https://', 'example.com/api'])(`${name}=%j is refused`, (value) => {
      expect(onlyProblem({ [name]: value })).toBe(`${name}: expected an http:// or https:// URL such as ${example}`);
    });
  }

  it.each(['http://127.0.0.1:9999/api/', 'https://slack.example.com/api/', 'HTTPS://proxy.internal:8443/'])('SLACK_API_URL and DISCORD_API_URL accept %j as written', (url) => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: SLACK_BOT,
      SLACK_APP_TOKEN: SLACK_APP,
      SLACK_API_URL: url,
      DISCORD_TOKEN: 'tok',
      DISCORD_APPLICATION_ID: DISCORD_APP_ID,
      DISCORD_API_URL: ` ${url} `,
    });
    expect(config.slack!.apiUrl).toBe(url);
    expect(config.discord!.apiUrl).toBe(url);
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

  /** Runs `node bin/start.js` with only `settings` (plus PATH/HOME), no input; the database goes to `work` unless set. */
  function start(settings: Record<string, string>): { status: number | null; stderr: string; stdout: string; ms: number } {
    const env: NodeJS.ProcessEnv = {};
    // Keep PATH/HOME so node runs normally; drop every advisor setting the parent might have.
    for (const key of ['PATH', 'HOME', 'SystemRoot', 'TMPDIR']) if (process.env[key] !== undefined) env[key] = process.env[key];
    // dotenv never overrides variables already set, so these win over any .env in the repo.
    Object.assign(env, { DATABASE_PATH: join(work, 'advisor.db'), LOG_LEVEL: 'info', NO_COLOR: '1' }, settings);
    const began = Date.now();
    const result = spawnSync(process.execPath, ['bin/start.js'], { cwd: REPO_ROOT, env, encoding: 'utf8', input: '', timeout: 20_000 });
    expect(result.error).toBeUndefined();
    expect(result.signal).toBeNull();
    return { status: result.status, stderr: result.stderr, stdout: result.stdout, ms: Date.now() - began };
  }

  // Slack HTTP settings: were the value accepted, a real server would start (and the run would time out).
  const SLACK_HTTP = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };

  it.each([
    [{ PORT: 'abc' }, 'PORT: expected a port number from 1 to 65535 in decimal digits, got "abc"'],
    [{ ...SLACK_HTTP, PORT: '0x50' }, 'PORT: expected a port number from 1 to 65535 in decimal digits, got "0x50"'],
    [{ ...SLACK_HTTP, SESSION_TTL_HOURS: '1e-9' }, 'SESSION_TTL_HOURS: expected a positive number of hours in decimal digits such as 24 or 0.5, got "1e-9"'],
    [{ ...SLACK_HTTP, SLACK_API_URL: 'file:///etc/passwd' }, 'SLACK_API_URL: expected an http:// or https:// URL such as https://slack.com/api/'],
  ])('%j: exits with status 1, the problem first on stderr, before opening the database', (settings, problem) => {
    const result = start(settings);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`Configuration problem:\n  - ${problem}\nSee .env.example for every setting.\n`);
    expect(result.stdout).toBe('');
    expect(readdirSync(work)).toEqual([]);
  });

  it('DATABASE_PATH under /proc: refused within seconds instead of spinning (the folder cannot be made there)', () => {
    const result = start({ ...SLACK_HTTP, DATABASE_PATH: '/proc/x/advisor.db' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "Configuration problem:\n  - DATABASE_PATH: cannot create or write /proc/x (ENOENT: no such file or directory, mkdir '/proc/x'); expected a folder the advisor can write\nSee .env.example for every setting.\n",
    );
    expect(result.stdout).toBe('');
    // Start-up itself (tsx, imports) takes about a second; the point is that it ends.
    expect(result.ms).toBeLessThan(15_000);
  });

  it('DATABASE_PATH below a regular file, in the terminal too: refused with ENOTDIR', () => {
    const file = join(work, 'not-a-folder');
    writeFileSync(file, 'x');
    try {
      const result = start({ DATABASE_PATH: join(file, 'sub', 'advisor.db') });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^Configuration problem:\\n {2}- DATABASE_PATH: cannot create or write ${escape(join(file, 'sub'))} \\(ENOTDIR: not a directory, mkdir '${escape(join(file, 'sub'))}'\\); expected a folder the advisor can write\\n`));
      expect(result.stdout).toBe('');
    } finally {
      rmSync(file);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
