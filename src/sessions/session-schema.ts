/**
 * A zod schema of `Session`, for stores that read sessions back from storage
 * they do not fully trust (a file, a server database). Shared by every store.
 */
import { z } from 'zod';
import type { Session } from '../conversation/types.ts';
import { AdvisorError } from '../errors.ts';
import type { OwnDocuments } from './own-documents.ts';
import { sessionId, type StoredSession } from './store.ts';

export const sessionKeySchema = z.object({
  platform: z.string(),
  workspace: z.string(),
  conversation: z.string(),
  user: z.string(),
});

export const phaseSchema = z.enum(['new', 'asking', 'settled', 'result', 'cancelled']);

const shownSchema = z.object({ criterion: z.string(), number: z.number().int().positive() });

export const turnSchema = z.object({
  asked: z.string().nullable(),
  shown: shownSchema.nullable(),
  changes: z.array(z.object({ criterion: z.string(), before: z.string().nullable(), position: z.number().int().min(-1) })),
  phase: phaseSchema.optional(),
  kind: z.enum(['cancel', 'revisit']).optional(),
});

export const sessionSchema = z.object({
  key: sessionKeySchema,
  version: z.number().int().nonnegative(),
  phase: phaseSchema,
  current: z.string().nullable(),
  answers: z.record(z.string(), z.string()),
  history: z.array(z.string()),
  refining: z.boolean(),
  // Absent in sessions stored before `back` undid whole messages; they load without them.
  turns: z.array(turnSchema).optional(),
  shown: shownSchema.nullable().optional(),
  questions: z.array(z.string()).optional(),
}) satisfies z.ZodType<Session>; // unknown keys (the retired `meta`) are dropped

export type SessionParseResult = { ok: true; session: Session } | { ok: false; reason: string };

/** Parses stored JSON text into a `Session`, never throwing: the caller decides how to report a bad row. */
export function parseStoredSession(json: string): SessionParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const result = sessionSchema.safeParse(raw);
  if (!result.success) {
    return { ok: false, reason: `not a session: ${z.prettifyError(result.error)}` };
  }
  return { ok: true, session: result.data };
}

/**
 * A stored session row, decoded: STORE_FAILURE when its document does not
 * parse, or disagrees with the row's id and version columns (what conflict
 * checks and queries use), so a corrupt row is never silently replaced.
 * With `documents`, text this store wrote there itself skips the schema check.
 */
export function decodeSessionRow(
  row: { id: string; version: number; state: string; createdAt: number; updatedAt: number },
  documents?: OwnDocuments<Session>,
): StoredSession {
  const parse = (text: string): Session => {
    const parsed = parseStoredSession(text);
    if (!parsed.ok) throw new AdvisorError('STORE_FAILURE', `stored session ${row.id} is unreadable (${parsed.reason})`, { sessionId: row.id });
    return parsed.session;
  };
  const session = documents ? documents.decode(row.id, row.state, parse) : parse(row.state);
  if (sessionId(session.key) !== row.id || session.version !== row.version) {
    throw new AdvisorError(
      'STORE_FAILURE',
      `stored session ${row.id} is inconsistent: its state says ${sessionId(session.key)} at version ${session.version}, the row says version ${row.version}`,
      { sessionId: row.id },
    );
  }
  return { session, createdAt: row.createdAt, updatedAt: row.updatedAt };
}
