/**
 * Rows of the PostgreSQL store, decoded into the store contract's types. A
 * stored document that does not parse, or disagrees with its row's columns,
 * is STORE_FAILURE: corrupt, never silently replaced.
 */
import type { Bigint, OutboxRow, SessionRow, ThreadRow } from './pg-statements.ts';
import { decodeSessionRow } from './session-schema.ts';
import { parseOperation, parseThreadState } from './stored-json.ts';
import type { OutboxEntry, StoredSession, StoredThread, TurnRead } from './store.ts';

/** bigint columns arrive as strings; times fit a double exactly. */
export const toMs = (value: Bigint): number => Number(value);

/** SQL.readTurn's one row: the delivery check, and the thread's and session's columns (NULL when there is none). */
export interface TurnReadRow {
  applied: boolean;
  thread_version: number | null;
  thread_state: string | null;
  thread_updated_at: Bigint | null;
  session_id: string | null;
  session_version: number | null;
  session_state: string | null;
  session_created_at: Bigint | null;
  session_updated_at: Bigint | null;
}

export function decodeTurnRead(row: TurnReadRow, thread: string): TurnRead {
  const read: TurnRead = { applied: row.applied };
  if (row.thread_version !== null && row.thread_state !== null && row.thread_updated_at !== null) {
    read.thread = decodeThread({ version: row.thread_version, state: row.thread_state, updated_at: row.thread_updated_at }, thread);
  }
  if (row.session_id !== null && row.session_version !== null && row.session_state !== null && row.session_created_at !== null && row.session_updated_at !== null) {
    read.session = decodeSession({ id: row.session_id, version: row.session_version, state: row.session_state, created_at: row.session_created_at, updated_at: row.session_updated_at });
  }
  return read;
}

export function decodeThread(row: ThreadRow, thread: string): StoredThread {
  return { state: parseThreadState(row.state, { thread }), version: row.version, updatedAt: toMs(row.updated_at) };
}

export function decodeSession(row: SessionRow): StoredSession {
  return decodeSessionRow({ id: row.id, version: row.version, state: row.state, createdAt: toMs(row.created_at), updatedAt: toMs(row.updated_at) });
}

export function decodeOutbox(row: OutboxRow): OutboxEntry {
  const seq = Number(row.seq);
  const entry: OutboxEntry = {
    seq,
    thread: { platform: row.platform, workspace: row.workspace, conversation: row.conversation },
    operation: parseOperation(row.operation, { seq }),
    attempts: row.attempts,
    mayHaveBeenSent: row.attempts > 0 || row.claimed,
    createdAt: toMs(row.created_at),
  };
  if (row.delivery_id !== null) entry.deliveryId = row.delivery_id;
  if (row.actor !== null) entry.actor = row.actor;
  return entry;
}
