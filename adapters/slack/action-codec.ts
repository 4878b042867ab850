/**
 * The `action_id`s and values the advisor puts on buttons and selects, and
 * their parsing (zod) when Slack sends them back.
 *
 * - `action_id` = `advisor:<kind>` plus an optional `:<suffix>` that keeps ids
 *   unique inside one actions block (`advisor:answer:0`, `advisor:answer:1`).
 * - value = `<version>|<criterion>|<option>` (empty fields allowed). Knowledge ids
 *   are lower-case letters, digits and underscores, so `|` never occurs in them.
 *   A value is at most a few dozen characters, far below Slack's 150 (option)
 *   and 2000 (button) limits; `encodeActionValue` refuses anything longer than 150.
 */
import { z } from 'zod';
import type { ConversationEvent } from '../../src/conversation/types.ts';
import { LIMITS } from './limits.ts';

export const ACTION_PREFIX = 'advisor:';
/** Matches every action the advisor owns (for `app.action`). */
export const ACTION_ID_PATTERN = /^advisor:/;

export const ACTION_KINDS = ['answer', 'skip', 'back', 'why', 'result', 'refine', 'restart', 'share', 'share_to'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

const idSchema = z.string().regex(/^[a-z][a-z0-9_]*$/).max(64);

const actionIdSchema = z
  .string()
  .max(LIMITS.actionId)
  .regex(/^advisor:[a-z_]+(?::[a-z0-9_]+)?$/)
  .transform((id) => id.slice(ACTION_PREFIX.length).split(':')[0])
  .pipe(z.enum(ACTION_KINDS));

export interface ActionValue {
  version: number;
  criterion?: string;
  option?: string;
}

const actionValueSchema = z
  .string()
  .max(LIMITS.optionValue)
  .transform((raw) => raw.split('|'))
  .pipe(z.tuple([z.string().regex(/^\d{1,12}$/), z.union([z.literal(''), idSchema]), z.union([z.literal(''), idSchema])]))
  .transform(([version, criterion, option]): ActionValue => {
    const value: ActionValue = { version: Number(version) };
    if (criterion !== '') value.criterion = criterion;
    if (option !== '') value.option = option;
    return value;
  });

export class ActionValueTooLongError extends Error {
  readonly code = 'SLACK_ACTION_VALUE_TOO_LONG';
  constructor(readonly value: string) {
    super(`action value of ${value.length} characters exceeds Slack's ${LIMITS.optionValue}-character option value limit`);
  }
}

export function actionId(kind: ActionKind, suffix?: string | number): string {
  return suffix === undefined ? `${ACTION_PREFIX}${kind}` : `${ACTION_PREFIX}${kind}:${suffix}`;
}

export function encodeActionValue(value: ActionValue): string {
  const encoded = `${value.version}|${value.criterion ?? ''}|${value.option ?? ''}`;
  if (encoded.length > LIMITS.optionValue) throw new ActionValueTooLongError(encoded);
  return encoded;
}

export function parseActionKind(id: string): ActionKind | undefined {
  const parsed = actionIdSchema.safeParse(id);
  return parsed.success ? parsed.data : undefined;
}

export function parseActionValue(raw: string): ActionValue | undefined {
  const parsed = actionValueSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** A control's meaning for the core; undefined when the value lacks what the kind needs. */
export function toConversationEvent(kind: Exclude<ActionKind, 'share' | 'share_to'>, value: ActionValue): ConversationEvent | undefined {
  const { version, criterion, option } = value;
  switch (kind) {
    case 'answer':
      return criterion && option ? { type: 'answer', criterion, option, version } : undefined;
    case 'skip':
      return criterion ? { type: 'skip', criterion, version } : { type: 'skip', version };
    case 'back':
      return { type: 'back', version };
    case 'why':
      return criterion ? { type: 'why', criterion } : { type: 'why' };
    case 'result':
      return { type: 'result', version };
    case 'refine':
      return { type: 'refine', version };
    case 'restart':
      return { type: 'restart', version };
  }
}
