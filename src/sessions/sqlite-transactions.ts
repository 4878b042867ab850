/**
 * The SQLite store's write transactions: the bodies of `commitTurn`,
 * `claimOutbox` and one batch of `deleteExpired`, each run inside one
 * IMMEDIATE transaction by the store.
 */
import { AdvisorError } from '../errors.ts';
import { threadId } from '../turns/types.ts';
import type { OutboxRow, Statements } from './sqlite-statements.ts';
import { handleOf, parseOperation } from './stored-json.ts';
import { appendedEntries, sessionId, type ClaimOptions, type OutboxEntry, type TurnCommit, type TurnCommitted } from './store.ts';

/** The JSON texts a commit writes, made once: they are also what the store remembers as decoded. */
export interface CommitTexts {
  session?: string;
  thread?: string;
}

/** SESSION_CONFLICT unless the row is at the version the commit expects (0: no row yet). */
function expectVersion(what: 'session' | 'thread', id: string, stored: number, expected: number, details: Record<string, unknown>): void {
  if (stored === expected) return;
  throw new AdvisorError('SESSION_CONFLICT', `${what} ${id} is at version ${stored}, the commit expected ${expected}`, {
    ...details,
    expectedVersion: expected,
    storedVersion: stored,
  });
}

/** The body of `commitTurn`, run inside one IMMEDIATE transaction. */
export function applyTurn(s: Statements, input: TurnCommit, texts: CommitTexts): TurnCommitted {
  const { now } = input;
  if (input.delivery) {
    // An expired claim is free again; a live one means the turn was applied already.
    s.deleteExpiredDelivery.run(input.delivery.id, now);
    const { changes } = s.claimDelivery.run(input.delivery.id, input.delivery.expiresAt);
    if (changes === 0) {
      throw new AdvisorError('DUPLICATE_DELIVERY', `delivery ${input.delivery.id} was already applied`, { deliveryId: input.delivery.id });
    }
  }
  if (input.session) {
    const { session, expectedVersion } = input.session;
    const id = sessionId(session.key);
    expectVersion('session', id, s.selectSessionVersion.get(id)?.version ?? 0, expectedVersion, { sessionId: id });
    const k = session.key;
    s.upsertSession.run({ id, platform: k.platform, workspace: k.workspace, conversation: k.conversation, user: k.user, version: session.version, state: texts.session ?? JSON.stringify(session), now });
  }
  if (input.thread) {
    const { key, state, expectedVersion } = input.thread;
    const id = threadId(key);
    expectVersion('thread', id, s.selectThreadVersion.get(id)?.version ?? 0, expectedVersion, { thread: id });
    s.upsertThread.run({ id, platform: key.platform, workspace: key.workspace, conversation: key.conversation, version: expectedVersion + 1, state: texts.thread ?? JSON.stringify(state), now });
  }
  let leased: OutboxEntry[] = [];
  if (input.outbox) {
    const { thread, operations, deliveryId, actor } = input.outbox;
    const id = threadId(thread);
    // Claimed here only when nothing unsent is ahead of them (commits are serialized, so this read is exact).
    const lease = input.lease && s.hasUnsent.get(id) === undefined ? input.lease : undefined;
    const seqs: number[] = [];
    for (const operation of operations) {
      const { lastInsertRowid } = s.insertOutbox.run({
        threadId: id,
        platform: thread.platform,
        workspace: thread.workspace,
        conversation: thread.conversation,
        handle: handleOf(operation),
        operation: JSON.stringify(operation),
        deliveryId: deliveryId ?? null,
        actor: actor ?? null,
        leaseOwner: lease?.owner ?? null,
        leaseUntil: lease ? now + lease.leaseMs : 0,
        now,
      });
      seqs.push(Number(lastInsertRowid));
    }
    if (lease) leased = appendedEntries(input.outbox, seqs, now);
  }
  if (input.completes) s.completeOutbox.run({ seq: input.completes.seq, messageId: input.completes.messageId ?? null, now });
  return { leased };
}

/** The body of `claimOutbox`: leases every unsent entry of thread `id`, unless another owner holds one or the first is not due. */
export function leaseUnsent(s: Statements, id: string, options: ClaimOptions): OutboxEntry[] {
  const rows = s.selectUnsent.all(id);
  const first = rows[0];
  if (first === undefined || first.next_attempt_at > options.now) return [];
  if (rows.some((row) => row.lease_until > options.now && row.lease_owner !== options.owner)) return [];
  const until = options.now + options.leaseMs;
  const entries: OutboxEntry[] = [];
  for (const row of rows) {
    let entry: OutboxEntry;
    try {
      entry = decodeOutbox(row, options);
    } catch (error) {
      // An entry nobody can read is given up, so it cannot block its thread forever.
      s.failOutbox.run({ seq: row.seq, status: 'failed', nextAttemptAt: 0, error: error instanceof Error ? error.message.slice(0, 500) : 'unreadable', now: options.now, owner: null });
      continue;
    }
    s.leaseOutbox.run(options.owner, until, row.seq);
    entries.push(entry);
  }
  return entries;
}

function decodeOutbox(row: OutboxRow, claim: ClaimOptions): OutboxEntry {
  const ownRenewed = claim.renewing === true && row.lease_owner === claim.owner;
  const entry: OutboxEntry = {
    seq: row.seq,
    thread: { platform: row.platform, workspace: row.workspace, conversation: row.conversation },
    operation: parseOperation(row.operation, { seq: row.seq }),
    attempts: row.attempts,
    // Read before this claim: a claim still recorded here was never completed nor given back.
    mayHaveBeenSent: row.attempts > 0 || (row.lease_owner !== null && !ownRenewed),
    createdAt: row.created_at,
  };
  if (row.delivery_id !== null) entry.deliveryId = row.delivery_id;
  if (row.actor !== null) entry.actor = row.actor;
  return entry;
}

/** Where a cleanup cuts: rows last written before `olderThan`, deliveries expired by `now`, outbox entries below seq `outboxBefore`. */
export interface CleanupCut {
  olderThan: number;
  now: number;
  outboxBefore: number;
}

/** What one cleanup batch removed: its sessions, and whether any table may still hold more to remove. */
export interface CleanupBatch {
  sessions: number;
  more: boolean;
}

/**
 * The body of one `deleteExpired` batch: at most `limit` rows of each table, in one IMMEDIATE transaction. Outbox
 * entries are looked for only below seq `outboxBefore` (see `firstOutboxSince`).
 */
export function deleteExpiredBatch(s: Statements, cut: CleanupCut, limit: number): CleanupBatch {
  const { olderThan, now } = cut;
  const sessions = s.deleteExpiredSessions.run(olderThan, limit).changes;
  const threads = s.deleteExpiredThreads.run(olderThan, limit).changes;
  const outbox = s.deleteOldOutbox.run({ before: cut.outboxBefore, olderThan, limit }).changes;
  const deliveries = s.deleteExpiredDeliveries.run(now, limit).changes;
  return { sessions, more: Math.max(sessions, threads, outbox, deliveries) >= limit };
}

/**
 * A seq below which every outbox entry old enough to remove lies: the first entry created since `olderThan`, found
 * by bisecting seq (entries are appended in time order), so a long backlog costs a few lookups, not a scan. An entry
 * stamped in the future (a clock set ahead, then corrected) is stepped over rather than taken as the bound. Clocks
 * that disagree a little only move the bound by a few entries: the cleanup's own filter on `updated_at` still
 * decides what goes, and what the bound leaves out goes in a later cleanup.
 */
export function firstOutboxSince(s: Statements, olderThan: number, now: number): number {
  const range = s.outboxSeqRange.get();
  if (range?.lo == null || range.hi == null) return Number.MAX_SAFE_INTEGER;
  let [lo, hi] = [range.lo, range.hi];
  let bound = range.hi + 1;
  while (lo <= hi) {
    const row = s.outboxAtOrAfter.get(Math.floor((lo + hi) / 2));
    if (row === undefined) break;
    if (row.created_at >= olderThan && row.created_at <= now) {
      bound = Math.min(bound, row.seq);
      hi = Math.floor((lo + hi) / 2) - 1;
    } else {
      lo = row.seq + 1;
    }
  }
  return bound;
}
