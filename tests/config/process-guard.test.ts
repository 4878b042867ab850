/**
 * The process guard `npm start` installs: an error escaping one platform (a
 * throw in a timer or event handler, a rejection nobody awaited) is logged with
 * its context and the process, and so the other platform, keeps running.
 *
 * Escaped errors are real only in a process of their own (vitest has its own
 * handlers), so each case runs a small child process; the unguarded control
 * case proves the same child dies without the guard.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installProcessGuard } from '../../adapters/process-guard.ts';
import { silentLogger } from '../../src/logger.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Guard = 'installed' | 'none' | 'uninstalled';

/**
 * Two pretend platforms in one process: "slack" ticks every 10 ms; "discord"
 * throws from a timer, then rejects two promises nobody awaits (an Error and a
 * plain string). After 300 ms slack prints how often it ticked.
 */
function childScript(guard: Guard): string {
  return `
    const { installProcessGuard } = await import('./adapters/process-guard.ts');
    const { createLogger } = await import('./src/logger.ts');
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    if (${JSON.stringify(guard)} !== 'none') {
      const uninstall = installProcessGuard(createLogger({ level: 'info', destination: 1 }));
      if (${JSON.stringify(guard)} === 'uninstalled') uninstall();
    }
    let ticks = 0;
    const slack = setInterval(() => { ticks += 1; }, 10);
    setTimeout(() => { throw new Error('discord gateway handler blew up'); }, 30);
    setTimeout(() => { Promise.reject(new Error('discord reply nobody awaited')); }, 60);
    setTimeout(() => { Promise.reject('a bare string'); }, 90);
    setTimeout(() => {
      clearInterval(slack);
      const after = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
      process.stdout.write(JSON.stringify({ slackStillRunning: ticks, before, after }) + '\\n');
    }, 300);
  `;
}

interface ChildRun {
  status: number | null;
  stderr: string;
  lines: Record<string, unknown>[];
}

function runChild(guard: Guard): ChildRun {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childScript(guard)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  expect(result.error).toBeUndefined();
  const lines = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { status: result.status, stderr: result.stderr, lines };
}

describe('installProcessGuard', () => {
  it('logs each escaped error with its kind and keeps the process, and the other platform, running', () => {
    const { status, stderr, lines } = runChild('installed');
    expect(stderr).toBe('');
    expect(status).toBe(0);

    const logs = lines.filter((line) => line['component'] === 'process-guard');
    expect(logs.map((line) => [line['level'], line['kind']])).toEqual([
      [50, 'uncaughtException'],
      [50, 'unhandledRejection'],
      [50, 'unhandledRejection'],
    ]);
    const errors = logs.map((line) => line['err'] as { message?: string; stack?: string } | string);
    expect(errors[0]).toMatchObject({ type: 'Error', message: 'discord gateway handler blew up' });
    expect((errors[0] as { stack: string }).stack).toContain('Error: discord gateway handler blew up');
    expect(errors[1]).toMatchObject({ type: 'Error', message: 'discord reply nobody awaited' });
    expect(errors[2]).toBe('a bare string');
    for (const line of logs) expect(line['msg']).toMatch(/^an error escaped \((uncaughtException|unhandledRejection)\); logged and ignored/);

    const summary = lines.at(-1)!;
    // Slack kept ticking after all three failures (about 30 ticks in 300 ms; loaded machines tick less).
    expect(summary['slackStillRunning']).toBeGreaterThan(10);
    const before = summary['before'] as number[];
    expect(summary['after']).toEqual([before[0]! + 1, before[1]! + 1]);
  });

  it('control: without the guard the same child dies at the first escaped error', () => {
    const { status, stderr, lines } = runChild('none');
    expect(status).toBe(1);
    expect(stderr).toContain('discord gateway handler blew up');
    expect(lines).toEqual([]);
  });

  it('the returned function removes exactly its handlers: the child then dies as if never guarded', () => {
    const { status, stderr, lines } = runChild('uninstalled');
    expect(status).toBe(1);
    expect(stderr).toContain('discord gateway handler blew up');
    expect(lines).toEqual([]);
  });

  it('in this process: adds one listener per event and removes them again', () => {
    const counts = (): number[] => [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const before = counts();
    const uninstall = installProcessGuard(silentLogger());
    try {
      expect(counts()).toEqual([before[0]! + 1, before[1]! + 1]);
    } finally {
      uninstall();
    }
    expect(counts()).toEqual(before);
  });
});
