/**
 * Stores that misbehave on purpose, wrapped around the real one: a commit that
 * waits for the test's signal (a slow disk, a held lock) or fails the way a
 * locked or full database does (STORE_FAILURE). Everything else passes through.
 */
import { AdvisorError } from '../../../src/errors.ts';
import type { SessionStore, TurnCommit, TurnCommitted } from '../../../src/sessions/store.ts';

/** `store` with its `commitTurn` replaced; every other method is the real store's. */
export function withCommit(store: SessionStore, commitTurn: (input: TurnCommit, real: (input: TurnCommit) => Promise<TurnCommitted>) => Promise<TurnCommitted>): SessionStore {
  const real = (input: TurnCommit): Promise<TurnCommitted> => store.commitTurn(input);
  return new Proxy(store, {
    get(target, property) {
      if (property === 'commitTurn') return (input: TurnCommit) => commitTurn(input, real);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface Switch {
  on: boolean;
}

/** Commits fail with STORE_FAILURE (as SQLite's busy timeout or a full disk makes them) while `failing.on`. */
export function failingCommits(store: SessionStore, failing: Switch): SessionStore {
  return withCommit(store, async (input, real) => {
    if (failing.on) throw new AdvisorError('STORE_FAILURE', 'cannot commit the turn: database is locked', { sqliteCode: 'SQLITE_BUSY' });
    return real(input);
  });
}

/** Commits wait for `gate` while `slow.on`. */
export function slowCommits(store: SessionStore, slow: Switch, gate: Promise<void>): SessionStore {
  return withCommit(store, async (input, real) => {
    if (slow.on) await gate;
    return real(input);
  });
}
