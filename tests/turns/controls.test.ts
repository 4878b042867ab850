/** The neutral control values: their text form, at its length limit, and what a click means. */
import { describe, expect, it } from 'vitest';
import { controlEvent, controlInbound, ControlValueTooLongError, encodeControlValue, parseControlValue } from '../../src/turns/controls.ts';

describe('control values', () => {
  it('round-trip version, criterion and option', () => {
    expect(parseControlValue(encodeControlValue({ version: 12, criterion: 'team_size', option: 'small' }, 150), 150)).toEqual({ version: 12, criterion: 'team_size', option: 'small' });
    expect(parseControlValue(encodeControlValue({ version: 0 }, 150), 150)).toEqual({ version: 0 });
  });

  it('refuse malformed values', () => {
    for (const raw of ['', '1', '1|a', 'x|a|b', '1|A|b', '1|a|b|c', '1|a b|c', '-1|a|b', `1|${'a'.repeat(65)}|b`]) {
      expect(parseControlValue(raw, 150)).toBeUndefined();
    }
  });

  it('a value exactly at the limit passes; one character more is refused both ways', () => {
    const exact = { version: 1, criterion: 'c'.repeat(10), option: 'o'.repeat(7) };
    expect(encodeControlValue(exact, 20)).toHaveLength(20);
    expect(parseControlValue(encodeControlValue(exact, 20), 20)).toEqual(exact);
    const over = { ...exact, option: 'o'.repeat(8) };
    expect(() => encodeControlValue(over, 20)).toThrow(ControlValueTooLongError);
    expect(parseControlValue(encodeControlValue(over, 21), 20)).toBeUndefined();
  });
});

describe('controlEvent', () => {
  it('carries the version for state-changing controls', () => {
    expect(controlEvent('answer', { version: 4, criterion: 'database', option: 'sql' })).toEqual({ type: 'answer', criterion: 'database', option: 'sql', version: 4 });
    expect(controlEvent('skip', { version: 4, criterion: 'database' })).toEqual({ type: 'skip', criterion: 'database', version: 4 });
    expect(controlEvent('back', { version: 4 })).toEqual({ type: 'back', version: 4 });
    expect(controlEvent('why', { version: 4, criterion: 'database' })).toEqual({ type: 'why', criterion: 'database' });
    expect(controlEvent('restart', { version: 9 })).toEqual({ type: 'restart', version: 9 });
  });

  it('an answer without its option is no event; share is a share, not an event', () => {
    expect(controlEvent('answer', { version: 1, criterion: 'database' })).toBeUndefined();
    expect(controlInbound('answer', { version: 1, criterion: 'database' })).toBeUndefined();
    expect(controlInbound('share', { version: 3 })).toEqual({ kind: 'share', version: 3 });
    expect(controlInbound('result', { version: 3 })).toEqual({ kind: 'control', event: { type: 'result', version: 3 } });
  });
});
