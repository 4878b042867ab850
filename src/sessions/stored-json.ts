/**
 * Parsing of the JSON documents a store keeps (thread states, outbox
 * operations), for stores that read them back from storage they do not fully
 * trust. A bad document is reported, never thrown as a TypeError later.
 *
 * Operation contents are view models the core wrote itself; only their outer
 * shape is checked here.
 */
import { z } from 'zod';
import { AdvisorError } from '../errors.ts';
import type { Content, Operation, ThreadState } from '../turns/types.ts';

const contentSchema = z.looseObject({ kind: z.string() }).transform((value) => value as unknown as Content);

const liveSchema = z.object({
  handle: z.string(),
  version: z.number().int(),
  view: z.string(),
  content: contentSchema,
});

const threadStateSchema = z.object({
  owner: z.string().optional(),
  live: liveSchema.optional(),
  questions: z.record(z.string(), z.string()),
  hinted: z.array(z.string()),
  picker: z.string().optional(),
  pickerAttempts: z.number().int().nonnegative(),
});

const targetSchema = z.union([z.object({ handle: z.string() }), z.object({ messageId: z.string() })]);

const operationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('post'), handle: z.string(), content: contentSchema, channel: z.string().optional() }),
  z.object({
    op: z.literal('edit'),
    target: targetSchema,
    content: contentSchema,
    when: z.object({ handle: z.string(), sent: z.boolean() }).optional(),
  }),
  z.object({ op: z.literal('notify'), user: z.string(), content: contentSchema }),
  z.object({ op: z.literal('openThread'), handle: z.string(), content: contentSchema, owner: z.string(), startDelivery: z.string() }),
  z.object({ op: z.literal('retire'), messageId: z.string() }),
]);

function parseJson<T>(schema: z.ZodType<T>, text: string, what: string, details: Record<string, unknown>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AdvisorError('STORE_FAILURE', `stored ${what} is not JSON (${error instanceof Error ? error.message : String(error)})`, details);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new AdvisorError('STORE_FAILURE', `stored ${what} is unreadable: ${z.prettifyError(parsed.error)}`, details);
  return parsed.data;
}

export function parseThreadState(text: string, details: Record<string, unknown>): ThreadState {
  const state = parseJson(threadStateSchema, text, 'thread state', details);
  const result: ThreadState = { questions: state.questions, hinted: state.hinted, pickerAttempts: state.pickerAttempts };
  if (state.owner !== undefined) result.owner = state.owner;
  if (state.live !== undefined) result.live = state.live;
  if (state.picker !== undefined) result.picker = state.picker;
  return result;
}

export function parseOperation(text: string, details: Record<string, unknown>): Operation {
  return parseJson(operationSchema, text, 'outbox operation', details) as Operation;
}

/** The handle an operation posts under, if it posts. */
export function handleOf(operation: Operation): string | null {
  return operation.op === 'post' || operation.op === 'openThread' ? operation.handle : null;
}
