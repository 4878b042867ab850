/**
 * DISCORD_SHARDS: `auto` or a whole number of at least 1; anything else stops
 * start-up naming the variable; absent or empty means no sharding.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { AdvisorError } from '../../src/errors.ts';

const DISCORD = { DISCORD_TOKEN: 'tok', DISCORD_APPLICATION_ID: '123456789012345678' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof AdvisorError && error.code === 'CONFIG_INVALID') return error.details['problems'] as string[];
    throw error;
  }
  throw new Error(`expected loadConfig to reject ${JSON.stringify(env)}`);
}

describe('DISCORD_SHARDS', () => {
  it.each([
    ['auto', 'auto'],
    ['AUTO', 'auto'],
    [' auto ', 'auto'],
    ['1', 1],
    ['2', 2],
    ['16', 16],
    ['02', 2],
  ] as const)('%j runs Discord sharded with %j', (text, shards) => {
    expect(loadConfig({ ...DISCORD, DISCORD_SHARDS: text }).discord?.shards).toBe(shards);
  });

  it.each(['', '   '])('%j (or unset) means one process, no sharding', (text) => {
    expect(loadConfig({ ...DISCORD, DISCORD_SHARDS: text }).discord).not.toHaveProperty('shards');
    expect(loadConfig(DISCORD).discord).not.toHaveProperty('shards');
  });

  it.each(['0', '-1', '1.5', '2e1', '0x2', 'two', 'automatic', '99999999999999999999'])('%j stops start-up naming DISCORD_SHARDS and what it expects', (text) => {
    const problems = problemsOf({ ...DISCORD, DISCORD_SHARDS: text });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DISCORD_SHARDS: expected auto or a whole number of shards of at least 1/);
    expect(problems[0]).toContain(JSON.stringify(text.trim()));
  });

  it('set without the Discord settings names the ones missing', () => {
    const problems = problemsOf({ DISCORD_SHARDS: 'auto' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID']);
  });
});

describe('DISCORD_SHARD_LIST', () => {
  it.each([
    ['0', [0]],
    ['0-3', [0, 1, 2, 3]],
    [' 4-5, 1 ,1', [1, 4, 5]],
  ] as const)('%j is this machine\'s share: %j', (text, ids) => {
    expect(loadConfig({ ...DISCORD, DISCORD_SHARDS: '8', DISCORD_SHARD_LIST: text }).discord?.shardList).toEqual(ids);
  });

  it.each(['a', '3-1', '1,,2', '-1', '0x1'])('%j stops start-up naming DISCORD_SHARD_LIST', (text) => {
    expect(problemsOf({ ...DISCORD, DISCORD_SHARDS: '8', DISCORD_SHARD_LIST: text })).toEqual([`DISCORD_SHARD_LIST: expected shard ids and ranges such as 0-3,8, got ${JSON.stringify(text)}`]);
  });

  it('needs DISCORD_SHARDS as a number: the total every machine splits', () => {
    expect(problemsOf({ ...DISCORD, DISCORD_SHARD_LIST: '0' })[0]).toMatch(/^DISCORD_SHARD_LIST: needs DISCORD_SHARDS .*not set/);
    expect(problemsOf({ ...DISCORD, DISCORD_SHARDS: 'auto', DISCORD_SHARD_LIST: '0' })[0]).toMatch(/^DISCORD_SHARD_LIST: needs DISCORD_SHARDS .*not auto/);
  });

  it('names shards that do not exist', () => {
    expect(problemsOf({ ...DISCORD, DISCORD_SHARDS: '4', DISCORD_SHARD_LIST: '2-5' })).toEqual(['DISCORD_SHARD_LIST: shard 4, 5 does not exist with DISCORD_SHARDS=4 (shards are numbered 0 to 3)']);
  });
});
