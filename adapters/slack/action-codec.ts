/**
 * The `action_id`s of the advisor's buttons and selects: `advisor:<kind>`, plus
 * an optional `:<suffix>` that keeps ids unique inside one actions block
 * (`advisor:answer:0`). Their values are the neutral control values
 * (src/turns/controls.ts), held to an option value's 150 characters.
 */
import { z } from 'zod';
import { encodeControlValue, parseControlValue, type ControlValue } from '../../src/turns/controls.ts';
import { LIMITS } from './limits.ts';

/** Matches every action the advisor owns (for `app.action`). */
export const ACTION_ID_PATTERN = /^advisor:/;

const ACTION_KINDS = ['answer', 'skip', 'back', 'why', 'result', 'details', 'refine', 'restart', 'share', 'share_to'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

const actionIdSchema = z
  .string()
  .max(LIMITS.actionId)
  .regex(/^advisor:[a-z_]+(?::[a-z0-9_]+)?$/)
  .transform((id) => id.split(':')[1])
  .pipe(z.enum(ACTION_KINDS));

export function isActionKind(kind: string): kind is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(kind);
}

export function actionId(kind: ActionKind, suffix?: string | number): string {
  return suffix === undefined ? `advisor:${kind}` : `advisor:${kind}:${suffix}`;
}

export function parseActionKind(id: string): ActionKind | undefined {
  return actionIdSchema.safeParse(id).data;
}

export function encodeActionValue(value: ControlValue): string {
  return encodeControlValue(value, LIMITS.optionValue);
}

export function parseActionValue(raw: string): ControlValue | undefined {
  return parseControlValue(raw, LIMITS.optionValue);
}
