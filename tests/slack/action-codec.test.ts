import { describe, expect, it } from 'vitest';
import { actionId, encodeActionValue, parseActionKind, parseActionValue } from '../../adapters/slack/action-codec.ts';
import { LIMITS } from '../../adapters/slack/limits.ts';
import { ControlValueTooLongError } from '../../src/turns/controls.ts';
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
  });

  it('every value the knowledge pack can produce fits a select option value (150 characters)', () => {
    for (const criterion of testKnowledge().criteria) {
      for (const option of criterion.options) {
        const value = encodeActionValue({ version: 999_999_999, criterion: criterion.id, option: option.id });
        expect(value.length).toBeLessThanOrEqual(LIMITS.optionValue);
      }
    }
  });

  it('a value over 150 characters is refused when encoding, not sent, and not read back', () => {
    expect(() => encodeActionValue({ version: 1, criterion: 'c'.repeat(80), option: 'o'.repeat(80) })).toThrow(ControlValueTooLongError);
    expect(parseActionValue(`1|${'c'.repeat(74)}|${'o'.repeat(74)}`)).toBeUndefined();
  });
});
