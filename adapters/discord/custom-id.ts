/**
 * Component custom ids: what a button, select or modal means, within Discord's
 * 100 characters, parsed back with zod.
 *
 *   adv1:<kind>:<owner>:<version>[:<criterion>[:<option>]][:#<group>]
 *
 * `owner` (the interview owner's user id) and `version` are in base 36.
 * Criterion and option are knowledge ids or, when those would not fit,
 * `#<index>` into the pack's lists (ids start with a letter, so the two never
 * clash), resolved against the knowledge on the way back in. `group` numbers
 * the second and later selects of one question (ids must differ in a message).
 */
import { z } from 'zod';
import type { Knowledge } from '../../src/knowledge/load.ts';
import type { ControlKind, ControlValue } from '../../src/turns/controls.ts';
import { DISCORD_LIMITS } from './limits.ts';

export const CUSTOM_ID_PREFIX = 'adv1';

/** Every component the interview renders: the neutral controls, an answer select, the typed-answer modal and the channel picker. */
const CODES = {
  answer: 'a',
  select: 's',
  skip: 'k',
  back: 'b',
  why: 'w',
  result: 'r',
  details: 'd',
  typeAnswer: 't',
  modal: 'm',
  refine: 'f',
  restart: 'o',
  share: 'p',
  shareTo: 'c',
} as const satisfies Record<ControlKind, string> & Record<string, string>;

export type ActionKind = keyof typeof CODES;

const KIND_BY_CODE = new Map<string, ActionKind>(Object.entries(CODES).map(([kind, code]) => [code, kind as ActionKind]));

/** How many references (criterion, then option) each kind carries. */
const REFS: Readonly<Record<ActionKind, 0 | 1 | 2>> = { answer: 2, select: 1, skip: 1, why: 1, typeAnswer: 1, modal: 1, back: 0, result: 0, details: 0, refine: 0, restart: 0, share: 0, shareTo: 0 };

const base36 = z.string().regex(/^[0-9a-z]+$/);
const ref = z.string().regex(/^([a-z][a-z0-9_]*|#[0-9a-z]+)$/);

const customIdSchema = z
  .string()
  .max(DISCORD_LIMITS.customId)
  .transform((raw) => raw.split(':'))
  .pipe(
    z.tuple([z.literal(CUSTOM_ID_PREFIX), z.string(), base36, base36], ref).transform(([, code, owner, version, ...refs], context) => {
      const kind = KIND_BY_CODE.get(code);
      const group = kind === 'select' && refs.length === 2 ? refs.pop() : undefined;
      if (!kind || refs.length !== REFS[kind] || (group !== undefined && !group.startsWith('#'))) {
        context.addIssue({ code: 'custom', message: `not a custom id of this adapter: ${code} with ${refs.length} references` });
        return z.NEVER;
      }
      // A criterion id, or `#<index>` into the knowledge's criteria; an option id, or `#<index>` into the criterion's options.
      const [criterion, option] = refs;
      return {
        kind,
        /** The interview owner's Discord user id. */
        owner: [...owner].reduce((sum, char) => sum * 36n + BigInt(parseInt(char, 36)), 0n).toString(),
        /** The session version the component was rendered for. */
        version: parseInt(version, 36),
        ...(criterion === undefined ? {} : { criterion }),
        ...(option === undefined ? {} : { option }),
        ...(group === undefined ? {} : { group: parseInt(group.slice(1), 36) }),
      };
    }),
  );

export type ComponentAction = z.output<typeof customIdSchema>;

/** A reference to an item of a list: its id when it is short enough, else `#<index>`. */
export interface Referable {
  id: string;
  index: number;
}

export function indexRef(index: number): string {
  return `#${index.toString(36)}`;
}

/** Builds the custom id; falls back to indexes when ids would overflow 100 characters. */
export function encodeCustomId(input: { kind: ActionKind; owner: string; version: number; criterion?: Referable; option?: Referable; group?: number }): string {
  const head = [CUSTOM_ID_PREFIX, CODES[input.kind], BigInt(z.string().regex(/^\d{1,25}$/).parse(input.owner)).toString(36), input.version.toString(36)];
  const refs = [input.criterion, input.option].filter((r): r is Referable => r !== undefined).slice(0, REFS[input.kind]);
  const tail = input.group ? [indexRef(input.group)] : [];
  const byId = [...head, ...refs.map((r) => r.id), ...tail].join(':');
  if (byId.length <= DISCORD_LIMITS.customId) return byId;
  const byIndex = [...head, ...refs.map((r) => indexRef(r.index)), ...tail].join(':');
  if (byIndex.length > DISCORD_LIMITS.customId) throw new RangeError(`custom id longer than ${DISCORD_LIMITS.customId}: ${byIndex}`);
  return byIndex;
}

/** The custom id of a control of `owner`'s interview, its criterion referred to in `knowledge`'s list. */
export function controlId(knowledge: Knowledge, owner: string, kind: ActionKind, value: ControlValue, extra: { option?: Referable; group?: number } = {}): string {
  const { criterion, version } = value;
  const index = criterion === undefined ? -1 : knowledge.criteria.findIndex((c) => c.id === criterion);
  return encodeCustomId({ kind, owner, version, ...(criterion === undefined ? {} : { criterion: { id: criterion, index } }), ...extra });
}

/** Parses a custom id this adapter made; undefined for anything else (another bot's, an older format, garbage). */
export function parseCustomId(raw: string): ComponentAction | undefined {
  return customIdSchema.safeParse(raw).data;
}

/** Resolves a `#<index>` reference (or passes a known id through) against a list of ids. */
export function resolveRef(reference: string, ids: readonly string[]): string | undefined {
  if (!reference.startsWith('#')) return ids.includes(reference) ? reference : undefined;
  const index = parseInt(reference.slice(1), 36);
  return Number.isInteger(index) ? ids[index] : undefined;
}
