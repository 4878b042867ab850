import { describe, expect, test } from 'vitest';
import { CUSTOM_ID_PREFIX, encodeCustomId, parseCustomId, resolveRef } from '../../adapters/discord/custom-id.ts';
import { DISCORD_LIMITS } from '../../adapters/discord/limits.ts';

const owner = '1234567890123456789';

describe('custom ids', () => {
  test('an answer button round-trips kind, owner, version, criterion and option', () => {
    const id = encodeCustomId({ kind: 'answer', owner, version: 12, criterion: { id: 'admin_panel', index: 5 }, option: { id: 'yes', index: 0 } });
    expect(id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    expect(id.startsWith(`${CUSTOM_ID_PREFIX}:a:`)).toBe(true);
    expect(parseCustomId(id)).toEqual({ kind: 'answer', owner, version: 12, criterion: 'admin_panel', option: 'yes' });
  });

  test('controls without references round-trip', () => {
    for (const kind of ['back', 'result', 'refine', 'restart', 'share', 'shareTo'] as const) {
      expect(parseCustomId(encodeCustomId({ kind, owner, version: 0 }))).toEqual({ kind, owner, version: 0 });
    }
  });

  test('ids that would pass 100 characters fall back to indexes, which resolve back', () => {
    const criterion = { id: `c${'x'.repeat(60)}`, index: 14 };
    const option = { id: `o${'y'.repeat(40)}`, index: 3 };
    const id = encodeCustomId({ kind: 'answer', owner, version: 3, criterion, option });
    expect(id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
    const parsed = parseCustomId(id)!;
    expect(parsed.criterion).toBe('#e');
    const criteria = Array.from({ length: 16 }, (_, i) => (i === 14 ? criterion.id : `c${i}`));
    expect(resolveRef(parsed.criterion!, criteria)).toBe(criterion.id);
    expect(resolveRef(parsed.option!, ['a', 'b', 'c', option.id])).toBe(option.id);
  });

  test('an id exactly at 100 characters is kept as ids; one more switches to indexes', () => {
    const head = encodeCustomId({ kind: 'why', owner, version: 1, criterion: { id: 'a', index: 0 } });
    const room = DISCORD_LIMITS.customId - head.length + 1;
    const exact = encodeCustomId({ kind: 'why', owner, version: 1, criterion: { id: 'a'.repeat(room), index: 7 } });
    expect(exact).toHaveLength(100);
    expect(parseCustomId(exact)?.criterion).toBe('a'.repeat(room));
    const over = encodeCustomId({ kind: 'why', owner, version: 1, criterion: { id: 'a'.repeat(room + 1), index: 7 } });
    expect(parseCustomId(over)?.criterion).toBe('#7');
  });

  test('rejects what this adapter did not make', () => {
    for (const raw of ['', 'hello', 'adv1:z:1:1', 'adv1:a:1:1:only_criterion', 'adv1:b:1:1:extra', 'adv2:b:1:1', `adv1:a:1:1:Bad-Id:x`, 'x'.repeat(101)]) {
      expect(parseCustomId(raw), raw).toBeUndefined();
    }
  });

  test('resolveRef refuses unknown ids and out-of-range indexes', () => {
    expect(resolveRef('nope', ['a'])).toBeUndefined();
    expect(resolveRef('#5', ['a'])).toBeUndefined();
  });
});

test('the second select of a question carries its group so the custom ids differ', () => {
  const first = encodeCustomId({ kind: 'select', owner, version: 4, criterion: { id: 'project_type', index: 0 } });
  const second = encodeCustomId({ kind: 'select', owner, version: 4, criterion: { id: 'project_type', index: 0 }, group: 1 });
  expect(second).not.toBe(first);
  expect(parseCustomId(first)).toEqual({ kind: 'select', owner, version: 4, criterion: 'project_type' });
  expect(parseCustomId(second)).toEqual({ kind: 'select', owner, version: 4, criterion: 'project_type', group: 1 });
});
