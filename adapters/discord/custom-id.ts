/**
 * Component custom ids: what a button, select or modal means, compact enough
 * for Discord's 100 characters and parsed back with zod.
 *
 *   adv1:<kind>:<owner>:<version>[:<criterion>[:<option>]]
 *
 * `owner` is the interview owner's user id and `version` the session version
 * the component was rendered for, both in base 36. Criterion and option ids
 * are the knowledge pack's ids; when they would not fit, they are written as
 * `#<index>` into the pack's lists (ids start with a letter, so the two never
 * clash) and resolved against the knowledge on the way back in.
 */
import { z } from 'zod';
import { DISCORD_LIMITS } from './limits.ts';

export const CUSTOM_ID_PREFIX = 'adv1';

/** Every component the interview renders. */
export const ACTION_KINDS = {
  answer: 'a',
  select: 's',
  skip: 'k',
  back: 'b',
  why: 'w',
  result: 'r',
  typeAnswer: 't',
  modal: 'm',
  refine: 'f',
  restart: 'o',
  postToChannel: 'p',
  channelChosen: 'c',
} as const;

export type ActionKind = keyof typeof ACTION_KINDS;

const KIND_BY_CODE = new Map<string, ActionKind>(Object.entries(ACTION_KINDS).map(([kind, code]) => [code, kind as ActionKind]));

/** Kinds whose id carries a criterion, and those that also carry an option. */
const WITH_CRITERION: ReadonlySet<ActionKind> = new Set(['answer', 'select', 'skip', 'why', 'typeAnswer', 'modal']);
const WITH_OPTION: ReadonlySet<ActionKind> = new Set(['answer']);

export interface ComponentAction {
  kind: ActionKind;
  /** The interview owner's Discord user id. */
  owner: string;
  /** The session version the component was rendered for. */
  version: number;
  /** A criterion id, or `#<index>` into the knowledge's criteria. */
  criterion?: string;
  /** An option id, or `#<index>` into the criterion's options. */
  option?: string;
  /** Which of several selects on one message (more than 25 options); absent for the first. */
  group?: number;
}

const snowflake = z.string().regex(/^\d{1,25}$/);
const ref = z.string().regex(/^([a-z][a-z0-9_]*|#[0-9a-z]+)$/);
const base36 = z.string().regex(/^[0-9a-z]+$/);

const customIdSchema = z
  .string()
  .max(DISCORD_LIMITS.customId)
  .transform((raw) => raw.split(':'))
  .pipe(
    z
      .tuple([z.literal(CUSTOM_ID_PREFIX), z.string(), base36, base36], ref)
      .transform(([, code, owner, version, ...refs], context) => {
        const kind = KIND_BY_CODE.get(code);
        if (!kind) {
          context.addIssue({ code: 'custom', message: `unknown action kind ${code}` });
          return z.NEVER;
        }
        const wanted = (WITH_CRITERION.has(kind) ? 1 : 0) + (WITH_OPTION.has(kind) ? 1 : 0);
        const group = kind === 'select' && refs.length === 2 ? refs.pop() : undefined;
        if (refs.length !== wanted || (group !== undefined && !/^#[0-9a-z]+$/.test(group))) {
          context.addIssue({ code: 'custom', message: `${kind} takes ${wanted} references, got ${refs.length}` });
          return z.NEVER;
        }
        const action: ComponentAction = { kind, owner: base36ToDecimal(owner), version: parseInt(version, 36) };
        if (refs[0] !== undefined) action.criterion = refs[0];
        if (refs[1] !== undefined) action.option = refs[1];
        if (group !== undefined) action.group = parseInt(group.slice(1), 36);
        return action;
      }),
  );

function decimalToBase36(value: string): string {
  return BigInt(value).toString(36);
}

function base36ToDecimal(value: string): string {
  let result = 0n;
  for (const char of value) result = result * 36n + BigInt(parseInt(char, 36));
  return result.toString();
}

/** A reference to an item of a list: its id when it is short enough, else `#<index>`. */
export interface Referable {
  id: string;
  index: number;
}

export interface EncodeInput {
  kind: ActionKind;
  owner: string;
  version: number;
  criterion?: Referable;
  option?: Referable;
  /** For the second and later selects of one question (custom ids must differ within a message). */
  group?: number;
}

/** Builds the custom id; falls back to indexes when ids would overflow 100 characters. */
export function encodeCustomId(input: EncodeInput): string {
  snowflake.parse(input.owner);
  const head = [CUSTOM_ID_PREFIX, ACTION_KINDS[input.kind], decimalToBase36(input.owner), input.version.toString(36)];
  const tail = input.group ? [indexRef(input.group)] : [];
  const byId = [...head, ...(input.criterion ? [input.criterion.id] : []), ...(input.option ? [input.option.id] : []), ...tail].join(':');
  if (byId.length <= DISCORD_LIMITS.customId) return byId;
  const byIndex = [
    ...head,
    ...(input.criterion ? [indexRef(input.criterion.index)] : []),
    ...(input.option ? [indexRef(input.option.index)] : []),
    ...tail,
  ].join(':');
  if (byIndex.length > DISCORD_LIMITS.customId) throw new RangeError(`custom id longer than ${DISCORD_LIMITS.customId}: ${byIndex}`);
  return byIndex;
}

export function indexRef(index: number): string {
  return `#${index.toString(36)}`;
}

/** Parses a custom id this adapter made; undefined for anything else (another bot's, an older format, garbage). */
export function parseCustomId(raw: string): ComponentAction | undefined {
  const parsed = customIdSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Resolves a `#<index>` reference (or passes an id through) against a list of ids. */
export function resolveRef(reference: string, ids: readonly string[]): string | undefined {
  if (!reference.startsWith('#')) return ids.includes(reference) ? reference : undefined;
  const index = parseInt(reference.slice(1), 36);
  return Number.isInteger(index) ? ids[index] : undefined;
}
