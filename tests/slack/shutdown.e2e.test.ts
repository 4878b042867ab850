/**
 * Graceful shutdown of the real program (`node bin/start.js`, Slack HTTP
 * mode, on this run's store): a burst of signed requests (answers to running
 * interviews, new /advisor commands) with SIGTERM in the middle of it.
 *
 * - Every request answered 200 before the process went is applied, and what
 *   its turn queued is sent; every request refused (503, or the port closed)
 *   left nothing behind.
 * - The exit status is 0.
 * - With Slack answering slowly, the sends in flight finish before the exit
 *   and the outbox is empty; with Slack failing, what could not go stays
 *   pending, and the next start sends it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseActionValue } from '../../adapters/slack/action-codec.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { testStoreKind } from '../support/test-store.ts';
import { blockAction, CHANNEL, slashCommand, TEAM } from './harness/payloads.ts';
import { nextControl, ReplicaSet, type ReplicaDatabase } from './harness/replicas.ts';
import type { SignedSlackClient } from './harness/signer.ts';

const STARTED = Array.from({ length: 8 }, (_, i) => `U0SHUT${i}`);
const NEWCOMERS = Array.from({ length: 20 }, (_, i) => `U0BURST${String(i).padStart(2, '0')}`);
/** SIGTERM goes once this many requests of the burst were answered 200. */
const SIGTERM_AFTER_ACKS = 6;
const STAGGER_MS = 15;
/** Requests of the burst on their way at once. */
const IN_FLIGHT = 4;

type Request = { kind: 'click'; user: string; criterion: string; option: string; payload: Record<string, unknown> } | { kind: 'command'; user: string; fields: Record<string, string> };
interface Outcome {
  request: Request;
  status: number | 'refused';
}

let set: ReplicaSet | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await set?.stop();
  await database?.drop();
  set = undefined;
  database = undefined;
});

async function startOne(): Promise<ReplicaSet> {
  let where: ReplicaDatabase = { sqlite: true };
  if (testStoreKind() === 'postgres') {
    database = await createTestDatabase('shutdown');
    where = { url: database.url };
  }
  set = await ReplicaSet.start(1, where, { LOG_LEVEL: 'info' });
  return set;
}

/** Starts an interview for each of STARTED and returns a click on each one's current question. */
async function runningInterviews(replicas: ReplicaSet): Promise<Request[]> {
  for (const user of STARTED) expect((await replicas.client(0).command(slashCommand({ user, responseUrl: replicas.webApi.responseUrl(`start-${user}`) }))).status).toBe(200);
  await replicas.settled();
  return STARTED.map((user) => {
    const threadTs = replicas.parentOf(user)!;
    const live = replicas.liveMessage(threadTs)!;
    const control = nextControl(live)!;
    const value = parseActionValue(control.value)!;
    const payload = blockAction({ user, messageTs: live.ts, threadTs, responseUrl: replicas.webApi.responseUrl(`click-${user}`), actionId: control.actionId, blockId: control.blockId, button: { value: control.value } });
    return { kind: 'click', user, criterion: value.criterion!, option: value.option!, payload };
  });
}

/** Clicks spread among new /advisor commands. */
function burstOf(clicks: Request[], responseUrl: (id: string) => string): Request[] {
  const requests: Request[] = [];
  NEWCOMERS.forEach((user, index) => {
    if (index % 2 === 0 && clicks[index / 2]) requests.push(clicks[index / 2]!);
    requests.push({ kind: 'command', user, fields: slashCommand({ user, responseUrl: responseUrl(`start-${user}`) }) });
  });
  return requests;
}

/**
 * Sends the requests from IN_FLIGHT senders, each waiting for its answer and a
 * few milliseconds before the next; `stop` runs once enough were acknowledged.
 * Paced by the answers rather than by the clock, so that however busy the
 * machine, most of the burst is still to be sent when SIGTERM goes.
 */
async function burst(client: SignedSlackClient, requests: readonly Request[], stop: () => void): Promise<Outcome[]> {
  let acks = 0;
  let stopped = false;
  let next = 0;
  const outcomes: Outcome[] = [];
  const once = (): void => {
    if (stopped) return;
    stopped = true;
    stop();
  };
  const sender = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next++]!;
      let status: Outcome['status'];
      try {
        status = (request.kind === 'click' ? await client.interaction(request.payload) : await client.command(request.fields)).status;
      } catch {
        status = 'refused';
      }
      outcomes.push({ request, status });
      if (status === 200 && ++acks >= SIGTERM_AFTER_ACKS) once();
      await new Promise((resolve) => setTimeout(resolve, STAGGER_MS));
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
  once();
  return outcomes;
}

/** The `stopped` log line's figures. */
function stoppedReport(stderr: readonly string[]): { drained: boolean; pending: number } {
  const line = stderr
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l['msg'] === 'stopped');
  if (!line) throw new Error(`no "stopped" line in the log:\n${stderr.join('').slice(-2_000)}`);
  return { drained: line['drained'] === true, pending: Number(line['pending']) };
}

/**
 * Every acknowledged request applied, with what it queued sent; every refused
 * one (503, or the connection refused) left no trace. A request answered 404
 * got no answer within Slack's 3 s (a machine too busy): Slack gave up on it,
 * so it may or may not have been applied, and is not checked either way.
 */
async function expectNothingAcknowledgedLost(replicas: ReplicaSet, outcomes: readonly Outcome[]): Promise<void> {
  const acknowledged = outcomes.filter((o) => o.status === 200);
  const refused = outcomes.filter((o) => o.status === 503 || o.status === 'refused');
  const late = outcomes.filter((o) => o.status === 404);
  expect(acknowledged.length).toBeGreaterThanOrEqual(SIGTERM_AFTER_ACKS);
  expect(refused.length, 'requests after SIGTERM are refused').toBeGreaterThan(0);
  expect(acknowledged.length + refused.length + late.length, 'no other answer than 200, 503, 404 or a refused connection').toBe(outcomes.length);
  if (late.length > 0) console.info(`shutdown: ${late.length} requests got no answer within Slack's 3 s (busy machine); not checked`);
  const store = await replicas.openStore();
  try {
    for (const { request, status } of [...acknowledged, ...refused]) {
      const applied = status === 200;
      if (request.kind === 'click') {
        const threadTs = replicas.parentOf(request.user)!;
        const session = (await store.load({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${threadTs}`, user: request.user }))?.session;
        expect(session?.answers[request.criterion], `${request.user}'s answer (${String(status)})`).toBe(applied ? request.option : undefined);
        // Its turn's reply went out: the thread shows one live message, the next question.
        if (applied) expect(replicas.liveMessages(threadTs), `${request.user}'s thread`).toHaveLength(1);
      } else {
        expect(await store.hasDelivery(`command:${request.fields['trigger_id']}`, Date.now()), `${request.user}'s /advisor (${String(status)})`).toBe(applied);
        const threadTs = replicas.parentOf(request.user);
        expect(threadTs !== undefined, `${request.user}'s interview thread (${String(status)})`).toBe(applied);
        if (threadTs) expect((await store.listByConversation({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${threadTs}` })).map((s) => s.session.key.user)).toEqual([request.user]);
      }
    }
    expect(await store.pendingOutboxCount()).toBe(0);
  } finally {
    await store.close();
  }
  expect(replicas.doubledPosts()).toEqual([]);
}

describe('SIGTERM during a burst of requests', () => {
  it('finishes the turns in flight, sends what they queued while Slack is slow, and exits 0 with the outbox empty', { timeout: 90_000 }, async () => {
    const replicas = await startOne();
    const requests = burstOf(await runningInterviews(replicas), (id) => replicas.webApi.responseUrl(id));
    const advisor = replicas.replicas[0]!;
    // Slack answers no post until a moment after SIGTERM: sends are in flight when it comes.
    const slow = replicas.webApi.hold('chat.postMessage');
    const outcomes = await burst(replicas.client(0), requests, () => {
      advisor.child.kill('SIGTERM');
      setTimeout(() => slow.release(), 500);
    });
    expect(await advisor.exited).toBe(0);
    expect(stoppedReport(advisor.stderr)).toEqual({ drained: true, pending: 0 });
    await expectNothingAcknowledgedLost(replicas, outcomes);
  });

  it('exits 0 without waiting for sends Slack refuses; they stay in the outbox and the next start sends them', { timeout: 90_000 }, async () => {
    const replicas = await startOne();
    const requests = burstOf(await runningInterviews(replicas), (id) => replicas.webApi.responseUrl(id));
    const advisor = replicas.replicas[0]!;
    replicas.webApi.fail('chat.postMessage', { kind: 'http_error', status: 503 });
    const outcomes = await burst(replicas.client(0), requests, () => advisor.child.kill('SIGTERM'));
    expect(await advisor.exited).toBe(0);
    const report = stoppedReport(advisor.stderr);
    expect(report.pending, 'posts Slack refused are still owed').toBeGreaterThan(0);

    replicas.webApi.clearFailures();
    await replicas.add();
    await replicas.settled();
    await expectNothingAcknowledgedLost(replicas, outcomes);
  });
});
