import { describe, expect, it } from 'vitest';
import { ActionValueTooLongError, actionId, encodeActionValue, parseActionKind, parseActionValue, toConversationEvent } from '../../adapters/slack/action-codec.ts';
import { LIMITS } from '../../adapters/slack/limits.ts';
import { testKnowledge } from './harness/rig.ts';

describe('action ids', () => {
  it('round-trip every kind, with and without a suffix', () => {
    expect(parseActionKind(actionId('answer', 3))).toBe('answer');
    expect(parseActionKind(actionId('answer', 'select'))).toBe('answer');
    expect(parseActionKind(actionId('share_to'))).toBe('share_to');
  });

  it('refuse ids the advisor did not write', () => {
    for (const id of ['answer', 'advisor:', 'advisor:delete_everything', 'other:answer', `advisor:answer:${'x'.repeat(300)}`, 'advisor:answer:0:1']) {
      expect(parseActionKind(id)).toBeUndefined();
    }
  });
});

describe('action values', () => {
  it('round-trip version, criterion and option', () => {
    expect(parseActionValue(encodeActionValue({ version: 12, criterion: 'team_size', option: 'small' }))).toEqual({ version: 12, criterion: 'team_size', option: 'small' });
    expect(parseActionValue(encodeActionValue({ version: 0 }))).toEqual({ version: 0 });
  });

  it('refuse malformed values', () => {
    for (const raw of ['', '1', '1|a', 'x|a|b', '1|A|b', '1|a|b|c', '1|a b|c', '-1|a|b', `1|${'a'.repeat(65)}|b`]) {
      expect(parseActionValue(raw)).toBeUndefined();
    }
  });

  it('every value the knowledge pack can produce fits a select option value (150 characters)', () => {
    for (const criterion of testKnowledge().criteria) {
      for (const option of criterion.options) {
        const value = encodeActionValue({ version: 999_999_999, criterion: criterion.id, option: option.id });
        expect(value.length).toBeLessThanOrEqual(LIMITS.optionValue);
      }
    }
  });

  it('a value over 150 characters is refused when encoding, not sent', () => {
    expect(() => encodeActionValue({ version: 1, criterion: 'c'.repeat(80), option: 'o'.repeat(80) })).toThrow(ActionValueTooLongError);
  });
});

describe('toConversationEvent', () => {
  it('carries the version for state-changing controls', () => {
    expect(toConversationEvent('answer', { version: 4, criterion: 'database', option: 'sql' })).toEqual({ type: 'answer', criterion: 'database', option: 'sql', version: 4 });
    expect(toConversationEvent('skip', { version: 4, criterion: 'database' })).toEqual({ type: 'skip', criterion: 'database', version: 4 });
    expect(toConversationEvent('back', { version: 4 })).toEqual({ type: 'back', version: 4 });
    expect(toConversationEvent('why', { version: 4, criterion: 'database' })).toEqual({ type: 'why', criterion: 'database' });
    expect(toConversationEvent('restart', { version: 9 })).toEqual({ type: 'restart', version: 9 });
  });

  it('an answer without its option is no event', () => {
    expect(toConversationEvent('answer', { version: 1, criterion: 'database' })).toBeUndefined();
  });
});
