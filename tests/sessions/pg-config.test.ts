/**
 * Choosing the store: DATABASE_URL selects PostgreSQL, DATABASE_PATH (or
 * nothing) keeps SQLite, both stop start-up; and `npm start` on PostgreSQL,
 * migrating an empty database and keeping the interview there.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { AdvisorError } from '../../src/errors.ts';
import { redactUrl } from '../../src/sessions/pg-errors.ts';
import { PgSessionStore } from '../../src/sessions/pg-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const URL_EXAMPLE = 'postgres://advisor:s3cret@db.internal:5432/advisor';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(AdvisorError);
    return (error as AdvisorError).details['problems'] as string[];
  }
  throw new Error(`expected loadConfig to reject ${JSON.stringify(env)}`);
}

describe('DATABASE_URL in the configuration', () => {
  it('selects PostgreSQL, with migrations at start-up off unless DATABASE_MIGRATE says so', () => {
    expect(loadConfig({ DATABASE_URL: URL_EXAMPLE }).postgres).toEqual({ url: URL_EXAMPLE, migrate: false });
    expect(loadConfig({ DATABASE_URL: `  ${URL_EXAMPLE.replace('postgres:', 'postgresql:')} `, DATABASE_MIGRATE: 'true' }).postgres).toEqual({
      url: URL_EXAMPLE.replace('postgres:', 'postgresql:'),
      migrate: true,
    });
  });

  it('leaves SQLite the default: no settings, DATABASE_PATH, or a blank DATABASE_URL', () => {
    expect(loadConfig({}).postgres).toBeUndefined();
    expect(loadConfig({ DATABASE_PATH: '/srv/advisor.db', DATABASE_URL: ' ' })).toMatchObject({ databasePath: '/srv/advisor.db' });
    expect(loadConfig({ DATABASE_PATH: '/srv/advisor.db' }).postgres).toBeUndefined();
  });

  it('refuses DATABASE_PATH and DATABASE_URL together, naming both', () => {
    expect(problemsOf({ DATABASE_PATH: 'data/advisor.db', DATABASE_URL: URL_EXAMPLE })).toEqual([
      'DATABASE_PATH and DATABASE_URL: both set; set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both',
    ]);
  });

  it.each(['mysql://db/advisor', 'https://db.internal/advisor', 'db.internal:5432/advisor', 'postgres//db'])('refuses %s, without echoing the value', (value) => {
    const problems = problemsOf({ DATABASE_URL: value });
    expect(problems).toEqual(['DATABASE_URL: expected a postgres:// or postgresql:// URL such as postgres://advisor:secret@db.internal:5432/advisor']);
  });

  it('refuses DATABASE_MIGRATE without DATABASE_URL, and a DATABASE_MIGRATE that is not a boolean', () => {
    expect(problemsOf({ DATABASE_MIGRATE: 'true' })).toEqual([
      'DATABASE_MIGRATE: true without DATABASE_URL; it applies PostgreSQL migrations (SQLite migrates itself), so set DATABASE_URL or remove it',
    ]);
    // As in .env.example: false (or empty) without DATABASE_URL is fine.
    expect(loadConfig({ DATABASE_MIGRATE: 'false', DATABASE_PATH: '' }).postgres).toBeUndefined();
    expect(problemsOf({ DATABASE_URL: URL_EXAMPLE, DATABASE_MIGRATE: 'sometimes' })).toEqual(['DATABASE_MIGRATE: expected true or false']);
  });
});

describe('npm start on PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('start');
  });

  afterAll(async () => {
    await database?.drop();
  });

  /** `node bin/start.js` in the terminal with only `settings`; lines are typed once the output shows `waitFor`. */
  function startTerminal(settings: Record<string, string>, script: { waitFor: string; type: string }[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['bin/start.js'], { cwd: repoRoot, env: { PATH: process.env['PATH'], USER: 'tester', NO_COLOR: '1', ...settings } });
    let stdout = '';
    let stderr = '';
    const steps = [...script];
    let typing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const step = steps[0];
      if (typing || !step || !stdout.includes(step.waitFor)) return;
      // A person types after reading the question, not while it is still being printed: the terminal reads
      // its input only once the turn that printed it has finished (a line typed sooner is not read).
      typing = true;
      setTimeout(() => {
        steps.shift();
        typing = false;
        child.stdin.write(`${step.type}\n`);
      }, 1_000);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    return new Promise((resolve) => {
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('with DATABASE_URL and DATABASE_PATH both set: stops at once, naming the two', async () => {
    const result = await startTerminal({ DATABASE_URL: database.url, DATABASE_PATH: 'data/advisor.db' }, []);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Configuration problem:\n  - DATABASE_PATH and DATABASE_URL: both set; set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both\nSee .env.example for every setting.\n',
    );
  });

  it('with DATABASE_MIGRATE=true on an empty database: migrates, runs the interview and keeps the answer in PostgreSQL', async () => {
    const result = await startTerminal({ DATABASE_URL: database.url, DATABASE_MIGRATE: 'true', LOG_LEVEL: 'warn' }, [
      { waitFor: 'Question 1', type: '1' },
      { waitFor: 'Question 2', type: 'quit' },
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const store = await PgSessionStore.open({ url: database.url });
    try {
      const [stored] = await store.listByConversation({ platform: 'terminal', workspace: 'local', conversation: 'console' });
      expect(Object.keys(stored?.session.answers ?? {})).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe('the database as messages and logs name it', () => {
  it('keeps how it connects (host, database, sslmode) and drops the password and every other parameter', () => {
    expect(redactUrl('postgres://advisor:s3cret@db.internal:5432/advisor?sslmode=verify-full&sslrootcert=/etc/ca.pem&password=p2')).toBe(
      'postgres://advisor:***@db.internal:5432/advisor?sslmode=verify-full',
    );
    expect(redactUrl(URL_EXAMPLE)).toBe('postgres://advisor:***@db.internal:5432/advisor');
    expect(redactUrl('not a url')).toBe('an unreadable connection string');
  });
});
