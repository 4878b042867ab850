/** Sessions, thread states and operations for the store contract and the SQLite tests. */
import { expect } from 'vitest';
import type { Session, SessionKey } from '../../src/conversation/types.ts';
import { AdvisorError } from '../../src/errors.ts';
import type { SessionStore, TurnCommit } from '../../src/sessions/store.ts';
import { threadOf } from '../../src/sessions/store.ts';
import type { Operation, ThreadKey, ThreadState } from '../../src/turns/types.ts';

export const T0 = 1_700_000_000_000;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function keyOf(overrides: Partial<SessionKey> = {}): SessionKey {
  return { platform: 'slack', workspace: 'T1', conversation: 'C1:1700000000.000100', user: 'U1', ...overrides };
}

export function makeSession(key: SessionKey, version: number, overrides: Partial<Omit<Session, 'key' | 'version'>> = {}): Session {
  return {
    key,
    version,
    phase: 'asking',
    current: 'admin_panel',
    answers: { project_type: 'web_app', team_size: 'skip' },
    history: ['project_type', 'team_size'],
    refining: false,
    ...overrides,
  };
}

export function threadState(overrides: Partial<ThreadState> = {}): ThreadState {
  return { questions: {}, hinted: [], pickerAttempts: 0, ...overrides };
}

/** A post whose content says `text` (a notice is the smallest content there is). */
export function post(handle: string, text = handle): Operation {
  return { op: 'post', handle, content: { kind: 'notice', notice: { kind: 'notice', code: 'not_applicable', text } } };
}

export function notify(user: string, text: string): Operation {
  return { op: 'notify', user, content: { kind: 'notice', notice: { kind: 'notice', code: 'not_applicable', text } } };
}

/** The text an operation's content says (the fixtures' operations all carry a notice). */
export function textOf(operation: Operation): string {
  return 'content' in operation && operation.content.kind === 'notice' ? operation.content.notice.text : '';
}

/** Appends operations to a thread's outbox in a commit of their own. */
export async function enqueue(store: SessionStore, thread: ThreadKey, operations: Operation[], now = T0, extra: Partial<TurnCommit> = {}): Promise<void> {
  await store.commitTurn({ now, outbox: { thread, operations, actor: 'U1' }, ...extra });
}

/** Creates a session at version 1 (expectedVersion 0). */
export async function createSession(store: SessionStore, key: SessionKey, now = T0, overrides: Partial<Omit<Session, 'key' | 'version'>> = {}): Promise<Session> {
  const session = makeSession(key, 1, overrides);
  await store.commitTurn({ now, session: { session, expectedVersion: 0 } });
  return session;
}

/** Resolves to the AdvisorError a promise rejected with; fails the test if it resolved or rejected with something else. */
export async function rejection(promise: Promise<unknown>): Promise<AdvisorError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AdvisorError);
    return error as AdvisorError;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export { threadOf };
