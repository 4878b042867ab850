/**
 * Issue 10, part 5: two advisor processes (`node bin/start.js`, Slack HTTP
 * mode) on one PostgreSQL database, as two replicas behind a load balancer.
 * Ten interviews run at once; each click goes to one process, alternating
 * between them, and its double click (at once, or just after) or Slack's
 * retry of a typed answer goes to the OTHER process. Required: 0 lost
 * answers, 0 doubled answers, 0 doubled replies. Then both stop (SIGTERM,
 * exit 0) and a third process started later continues interviews at their
 * current question.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseActionValue } from '../../adapters/slack/action-codec.ts';
import type { Session } from '../../src/conversation/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { blockAction, CHANNEL, messageEvent, slashCommand, TEAM } from './harness/payloads.ts';
import { nextControl, ReplicaSet } from './harness/replicas.ts';
import type { Control } from './harness/thread-view.ts';

const USERS = Array.from({ length: 10 }, (_, i) => `U0PGREP${i}`);
const ROUNDS = 6;

let database: TestDatabase;
let set: ReplicaSet;
/** Per person, the criteria answered in order, and the option each got: what the store must hold. */
const expected = new Map<string, { history: string[]; answers: Record<string, string> }>(USERS.map((u) => [u, { history: [], answers: {} }]));
const parents = new Map<string, string>();
let eventCounter = 0;
/** Deliveries sent again because a process did not answer 200 in time (a starved machine can pass Slack's 3 s). */
let resent = 0;

beforeAll(async () => {
  // Not migrated: the replicas apply the schema at start-up (DATABASE_MIGRATE=true), together.
  database = await createTestDatabase('replicas');
  set = await ReplicaSet.start(2, { url: database.url });
}, 90_000);
afterAll(async () => {
  await set?.stop();
  await database?.drop();
});

async function sessionOf(user: string): Promise<Session | undefined> {
  const store = await set.openStore();
  try {
    return (await store.load({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${parents.get(user)!}`, user }))?.session;
  } finally {
    await store.close();
  }
}

function record(user: string, criterion: string, option: string): void {
  const mine = expected.get(user)!;
  mine.history = [...mine.history.filter((c) => c !== criterion), criterion];
  mine.answers[criterion] = option;
}

/**
 * What Slack and people do about a delivery that got no 200: Slack sends an
 * event again, a person clicks again. Here the same delivery goes once more to
 * the other process, up to three times; it must then be acknowledged.
 */
async function untilAcknowledged(statuses: readonly number[], sentTo: readonly number[], again: (replica: number, attempt: number) => Promise<{ status: number }>): Promise<void> {
  for (const [index, first] of statuses.entries()) {
    let status = first;
    let replica = sentTo[index]!;
    for (let attempt = 1; status !== 200 && attempt <= 3; attempt++) {
      replica = 1 - replica;
      resent += 1;
      status = (await again(replica, attempt)).status;
    }
    expect(status, 'acknowledged, at the latest after a retry').toBe(200);
  }
}

/** One move of `user`'s interview: to replica `primary`, duplicated (as `kind` says) to the other one. */
async function move(user: string, primary: number, kind: 'at-once' | 'after' | 'typed-retry'): Promise<void> {
  const threadTs = parents.get(user)!;
  const live = set.liveMessage(threadTs);
  const control: Control | undefined = live ? nextControl(live) : undefined;
  if (!live || !control) throw new Error(`${user}'s thread has nothing to click`);
  const other = 1 - primary;
  const value = parseActionValue(control.value);
  const answering = control.actionId.startsWith('advisor:answer') && value?.criterion !== undefined;

  if (kind === 'typed-retry' && answering) {
    // Typed in the thread; Slack's retry of the same event (same event id) reaches the other process at the same time.
    const typed = messageEvent({ eventId: `Ev0PGREP${++eventCounter}`, user, threadTs, text: 'skip' });
    const statuses = await Promise.all([set.client(primary).event(typed), set.client(other).event(typed, { retryNum: 1, retryReason: 'http_timeout' })]);
    await untilAcknowledged(
      statuses.map((r) => r.status),
      [primary, other],
      (replica, attempt) => set.client(replica).event(typed, { retryNum: attempt + 1, retryReason: 'http_error' }),
    );
    record(user, value.criterion!, 'skip');
    return;
  }
  const click = blockAction({ user, messageTs: live.ts, threadTs, responseUrl: set.webApi.responseUrl(`click-${user}`), actionId: control.actionId, blockId: control.blockId, button: { value: control.value } });
  const statuses =
    kind === 'after'
      ? [await set.client(primary).interaction(click), await set.client(other).interaction(click)].map((r) => r.status)
      : await set.toEach((c) => c.interaction(click), [primary, other]);
  await untilAcknowledged(statuses, [primary, other], (replica) => set.client(replica).interaction(click));
  if (answering && value.option !== undefined) record(user, value.criterion!, value.option);
}

describe('two replicas on one PostgreSQL database', () => {
  it('lose no answer, apply none twice and post nothing twice, under ten interviews with every delivery sent to both processes', { timeout: 180_000 }, async () => {
    // Each /advisor reaches one process, and its replay the other.
    await Promise.all(
      USERS.map(async (user, index) => {
        const fields = slashCommand({ user, responseUrl: set.webApi.responseUrl(`start-${user}`) });
        const sentTo = [index % 2, 1 - (index % 2)];
        await untilAcknowledged(await set.toEach((c) => c.command(fields), sentTo), sentTo, (replica) => set.client(replica).command(fields));
      }),
    );
    await set.settled();
    for (const user of USERS) {
      const parent = set.parentOf(user);
      expect(parent, `${user}'s interview thread`).toBeDefined();
      parents.set(user, parent!);
    }

    const kinds = ['at-once', 'typed-retry', 'after'] as const;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(USERS.map((user, index) => move(user, (round + index) % 2, kinds[(round + index) % kinds.length]!)));
      await set.settled();
    }

    expect(set.doubledPosts()).toEqual([]);
    for (const user of USERS) {
      const session = await sessionOf(user);
      const mine = expected.get(user)!;
      expect(mine.history.length, `${user} answered something`).toBeGreaterThan(2);
      // Nothing lost, nothing applied twice, each at the question it was given for.
      expect(session?.history, `${user}'s answers, in order`).toEqual(mine.history);
      expect(session?.answers, `${user}'s answers`).toEqual(mine.answers);
      expect(liveMessagesCount(user), `${user}'s thread has one live message`).toBe(1);
    }
    expect(set.replicas.every((r) => r.child.exitCode === null)).toBe(true);
    if (resent > 0) console.info(`replicas on PostgreSQL: ${resent} deliveries were sent again after a process missed Slack's 3 s`);
  });

  it('a third process started after both stopped continues interviews at their current question', { timeout: 90_000 }, async () => {
    // Both replicas stop gracefully: everything they acknowledged is in the database.
    await Promise.all(set.replicas.map((r) => r.kill('SIGTERM')));
    expect(await Promise.all(set.replicas.map((r) => r.exited))).toEqual([0, 0]);
    const third = await set.add();

    const asking: { user: string; session: Session }[] = [];
    for (const user of USERS) {
      const session = await sessionOf(user);
      if (session?.phase === 'asking' && session.current !== null) asking.push({ user, session });
    }
    expect(asking.length, 'interviews still asking').toBeGreaterThanOrEqual(2);

    // One continues with a click on the question on screen, one by typing.
    const [byClick, byTyping] = asking;
    for (const [{ user, session }, how] of [
      [byClick!, 'click'],
      [byTyping!, 'typed'],
    ] as const) {
      const threadTs = parents.get(user)!;
      const live = set.liveMessage(threadTs)!;
      const control = nextControl(live)!;
      const value = parseActionValue(control.value);
      expect(value?.criterion, `${user}'s thread shows the current question`).toBe(session.current);
      const response =
        how === 'click'
          ? await set.client(third).interaction(blockAction({ user, messageTs: live.ts, threadTs, responseUrl: set.webApi.responseUrl('third'), actionId: control.actionId, blockId: control.blockId, button: { value: control.value } }))
          : await set.client(third).event(messageEvent({ eventId: `Ev0PGTHIRD${user}`, user, threadTs, text: 'skip' }));
      expect(response.status).toBe(200);
      await set.settled();
      const after = await sessionOf(user);
      expect(after?.history.at(-1)).toBe(session.current);
      expect(after?.answers[session.current!]).toBe(how === 'click' ? value?.option : 'skip');
      expect(after?.version).toBe(session.version + 1);
      // The thread moved on to the next question (or the result), with one live message.
      expect(liveMessagesCount(user)).toBe(1);
      const next = nextControl(set.liveMessage(threadTs)!);
      if (after?.phase === 'asking') expect(parseActionValue(next!.value)?.criterion).toBe(after.current);
    }
    expect(set.doubledPosts()).toEqual([]);
  });
});

function liveMessagesCount(user: string): number {
  return set.liveMessages(parents.get(user)!).length;
}
