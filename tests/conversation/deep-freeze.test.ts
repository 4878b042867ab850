import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/deep-freeze.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';

describe('deepFreeze', () => {
  it('freezes every nested object and array, returns the same value, and survives cycles', () => {
    const value: { list: { n: number }[]; inner: { deep: { s: string } }; self?: unknown } = { list: [{ n: 1 }], inner: { deep: { s: 'x' } } };
    value.self = value;
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.list)).toBe(true);
    expect(Object.isFrozen(value.list[0])).toBe(true);
    expect(Object.isFrozen(value.inner.deep)).toBe(true);
    expect(() => {
      value.list[0]!.n = 2;
    }).toThrow(TypeError);
  });

  it('reaches through an object that was frozen only on its surface', () => {
    const inner = { n: 1 };
    const shallow = Object.freeze({ inner });
    deepFreeze({ shallow });
    expect(Object.isFrozen(inner)).toBe(true);
  });

  it('leaves a frozen recommendation equal to a fresh one (what the first question of every interview shares)', () => {
    const knowledge = loadKnowledge();
    expect(deepFreeze(recommend(knowledge, {}))).toEqual(recommend(knowledge, {}));
  });
});
