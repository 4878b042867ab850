/**
 * The interview's controls, platform-neutral: what each one is, the value it
 * carries back (the session version it was drawn for, and the criterion and
 * option it is about), and the inbound a click comes to. Adapters write kind
 * and value into their own ids, within their own length limits.
 *
 * The text form of a value is `<version>|<criterion>|<option>` (empty fields
 * allowed). Knowledge ids are lower-case letters, digits and underscores, so
 * `|` never occurs in them.
 */
import { z } from 'zod';
import type { ConversationEvent } from '../conversation/types.ts';
import type { Inbound } from './types.ts';

export const CONTROL_KINDS = ['answer', 'skip', 'back', 'why', 'result', 'details', 'refine', 'restart', 'share', 'typeAnswer'] as const;
export type ControlKind = (typeof CONTROL_KINDS)[number];

export interface ControlValue {
  version: number;
  criterion?: string;
  option?: string;
}

/** A knowledge pack id, as controls carry it. */
export const knowledgeId = z.string().regex(/^[a-z][a-z0-9_]*$/).max(64);
const field = z.union([z.literal(''), knowledgeId]);

const valueText = z
  .string()
  .transform((raw) => raw.split('|'))
  .pipe(z.tuple([z.string().regex(/^\d{1,12}$/), field, field]))
  .transform(([version, criterion, option]): ControlValue => ({
    version: Number(version),
    ...(criterion === '' ? {} : { criterion }),
    ...(option === '' ? {} : { option }),
  }));

export class ControlValueTooLongError extends Error {
  readonly code = 'CONTROL_VALUE_TOO_LONG';
  constructor(
    readonly value: string,
    readonly max: number,
  ) {
    super(`control value of ${value.length} characters exceeds the ${max}-character limit`);
  }
}

/** The text form of a value; throws rather than send one over `max` characters (the platform would refuse it). */
export function encodeControlValue(value: ControlValue, max: number): string {
  const encoded = `${value.version}|${value.criterion ?? ''}|${value.option ?? ''}`;
  if (encoded.length > max) throw new ControlValueTooLongError(encoded, max);
  return encoded;
}

/** A value this bot wrote, or undefined for anything else (another app's, a forgery, garbage). */
export function parseControlValue(raw: string, max: number): ControlValue | undefined {
  if (raw.length > max) return undefined;
  const parsed = valueText.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** What a control means for the core; undefined when its value lacks what the kind needs. */
export function controlEvent(kind: Exclude<ControlKind, 'share' | 'typeAnswer'>, value: ControlValue): ConversationEvent | undefined {
  const { version, criterion, option } = value;
  switch (kind) {
    case 'answer':
      return criterion && option ? { type: 'answer', criterion, option, version } : undefined;
    case 'skip':
      return criterion ? { type: 'skip', criterion, version } : { type: 'skip', version };
    case 'why':
      return criterion ? { type: 'why', criterion } : { type: 'why' };
    case 'back':
    case 'result':
    case 'details':
    case 'refine':
    case 'restart':
      return { type: kind, version };
  }
}

/** The inbound of a click on a control of `kind` (typing an answer opens a form first: no inbound of its own). */
export function controlInbound(kind: Exclude<ControlKind, 'typeAnswer'>, value: ControlValue): Inbound | undefined {
  if (kind === 'share') return { kind: 'share', version: value.version };
  const event = controlEvent(kind, value);
  return event ? { kind: 'control', event } : undefined;
}
