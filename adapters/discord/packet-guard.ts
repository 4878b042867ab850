/**
 * Guards discord.js against malformed INTERACTION_CREATE dispatches.
 *
 * discord.js builds its Interaction straight from the gateway payload, inside
 * the gateway's message handler and before any listener runs. When a field it
 * dereferences is missing or of the wrong kind the constructor throws, nobody
 * awaits the rejected promise, and Node ends the process (and the Slack bot
 * sharing it). Where it throws (discord.js 14.28):
 * - `member` missing (and no `user`), or `member.user` missing;
 * - `data` missing (the action reads `data.type`, a modal `data.custom_id`);
 * - `message` missing on a component interaction;
 * - `entitlements` or `authorizing_integration_owners` missing;
 * - `app_permissions` not a decimal string (a JSON number too: only strings parse);
 * - a modal's `data.components: null` (`components.reduce`).
 *
 * The hook is the client's own `client.actions.InteractionCreate.handle`,
 * wrapped per client: it receives exactly the interaction payload, for this
 * client only, after sequence tracking, the `raw` event and the ready queue.
 * (`raw` and the ws `dispatch` events are notifications that cannot stop a
 * packet; wrapping `handlePacket` would have to redo its ready queue; the
 * handlers module is shared by every Client.) It is not public API, so
 * installing checks its shape and throws at start-up if an upgrade moves it.
 *
 * The schema checks only what discord.js dereferences while building the
 * object, so DMs, guild-less and unknown interaction types still pass (the
 * handler answers or ignores them). A payload it passes that discord.js still
 * cannot build (a deeper field, say `member.flags`) is caught, logged and
 * dropped rather than left to end the process.
 */
import { InteractionType, type Client } from 'discord.js';
import { z } from 'zod';
import type { Logger } from '../../src/logger.ts';

/** Any JSON object (not null, not an array); unknown keys kept. */
const anyObject = z.looseObject({});
/** Something discord.js caches by id (users, messages). */
const withId = z.looseObject({ id: z.string().min(1) });
/** discord.js turns these into a BigInt bitfield: only a decimal string parses. */
const permissionBits = z.string().regex(/^\d+$/, 'expected a decimal permission bit string');

interface ModalComponent {
  components?: ModalComponent[] | undefined;
  component?: ModalComponent | undefined;
  [key: string]: unknown;
}
/** A modal's component tree: discord.js recurses through `components` (rows) and `component` (labels). */
const modalComponent: z.ZodType<ModalComponent> = z.lazy(() =>
  z.looseObject({ components: z.array(modalComponent).optional(), component: modalComponent.optional() }),
);

/** Fields BaseInteraction reads for every interaction type. */
const baseSchema = z
  .looseObject({
    user: withId.nullish(),
    member: z.looseObject({ user: withId, permissions: permissionBits.nullish() }).nullish(),
    channel: anyObject.nullish(),
    // Absent means "no permissions" to discord.js; present, it must parse.
    app_permissions: permissionBits.optional(),
    entitlements: z.array(withId),
    authorizing_integration_owners: anyObject,
    // `'message' in data` is enough for a modal submit to build a Message from it.
    message: withId.optional(),
  })
  .refine((p) => p.user != null || p.member != null, { message: 'neither member nor user is present', path: ['member'] });

const dataObject = z.object({ data: anyObject });

/** What each interaction class dereferences beyond the base; other types are ignored by discord.js. */
const byType: ReadonlyMap<number, z.ZodType> = new Map<number, z.ZodType>([
  [InteractionType.ApplicationCommand, dataObject],
  [InteractionType.ApplicationCommandAutocomplete, dataObject],
  [InteractionType.MessageComponent, z.object({ data: anyObject, message: withId })],
  [InteractionType.ModalSubmit, z.object({ data: z.looseObject({ components: z.array(modalComponent) }) })],
]);

export interface PacketProblem {
  /** Dotted path of the field that failed (`member.user`, `data.components`, …). */
  field: string;
  problem: string;
}

export type PacketCheck = { ok: true } | { ok: false; problems: PacketProblem[] };

function problemsOf(error: z.ZodError): PacketProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(payload)', problem: issue.message }));
}

/** Whether discord.js can build an Interaction from this INTERACTION_CREATE payload (`d` of the dispatch). */
export function checkInteractionPayload(payload: unknown): PacketCheck {
  const base = baseSchema.safeParse(payload);
  const type = z.object({ type: z.number() }).safeParse(payload);
  const specific = type.success ? byType.get(type.data.type)?.safeParse(payload) : undefined;
  const problems = [...(base.success ? [] : problemsOf(base.error)), ...(specific && !specific.success ? problemsOf(specific.error) : [])];
  // Both schemas may flag the same field (e.g. `message`): report it once.
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.field === p.field) === i);
  return unique.length === 0 ? { ok: true } : { ok: false, problems: unique };
}

type InteractionCreateAction = Record<PropertyKey, unknown> & { handle: (data: unknown) => unknown };

const GUARDED = Symbol.for('advisor.discord.interactionPacketGuard');

function isObject(value: unknown): value is Record<PropertyKey, unknown> {
  return typeof value === 'object' && value !== null;
}

function findInteractionCreateAction(client: Client): InteractionCreateAction {
  const actions: unknown = Reflect.get(client, 'actions');
  const action = isObject(actions) ? actions['InteractionCreate'] : undefined;
  if (!isObject(action) || typeof action['handle'] !== 'function') {
    throw new Error(
      'packet guard: discord.js no longer has client.actions.InteractionCreate.handle; ' +
        'find where this version builds interactions from INTERACTION_CREATE and move the guard there',
    );
  }
  return action as InteractionCreateAction;
}

/** Log context that is safe to read from any payload, however broken. */
function identify(payload: unknown): { interactionId: unknown; interactionType: unknown; guildId: unknown; channelId: unknown } {
  const field = (key: string): unknown => {
    const value = isObject(payload) ? payload[key] : undefined;
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  };
  return { interactionId: field('id'), interactionType: field('type'), guildId: field('guild_id'), channelId: field('channel_id') };
}

/**
 * Makes this client drop INTERACTION_CREATE payloads discord.js cannot build
 * an Interaction from, with one warning each, instead of throwing inside the
 * gateway handler. Call once, right after `new Client(...)`; returns a
 * function that removes the guard.
 */
export function installInteractionPacketGuard(client: Client, logger: Logger): () => void {
  const action = findInteractionCreateAction(client);
  if (action[GUARDED]) return () => undefined;
  const original = action.handle;
  const guarded = (payload: unknown): unknown => {
    const check = checkInteractionPayload(payload);
    if (!check.ok) {
      const [first] = check.problems;
      logger.warn(
        { ...identify(payload), field: first?.field, problem: first?.problem, fields: check.problems.map((p) => p.field) },
        'dropped a malformed INTERACTION_CREATE',
      );
      return undefined;
    }
    try {
      return original.call(action, payload);
    } catch (error) {
      // Past the schema but still unbuildable (a field it does not check): drop it rather than end the process.
      logger.error({ ...identify(payload), err: error }, 'discord.js could not build an interaction; dropped it');
      return undefined;
    }
  };
  action.handle = guarded;
  action[GUARDED] = true;
  return () => {
    if (action.handle === guarded) action.handle = original;
    delete action[GUARDED];
  };
}
