/**
 * Crash safety of the real program. `node bin/start.js` runs in Slack HTTP
 * mode against the Web API stand-in and a SQLite file, while six people click
 * and type their way through interviews; the process is killed with SIGKILL at
 * random moments, at least 30 times, and started again. As Slack does, an
 * event that got no 200 is sent again (with retry headers) to the new process;
 * a click or command that got no 200 is not (the person saw it fail).
 *
 * Then: no answer that got a 200 is lost, no delivery is applied twice, and
 * every thread shows exactly one message with live controls, the one that
 * matches its interview, once the restarted process has sent what was left.
 *
 * Part of `npm test` (about 80 s on a quiet 2-core machine); `npm run test:soak`
 * runs it with 100 kills. A failure prints its seed: replay it with CRASH_SEED.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../src/sessions/sqlite-store.ts';
import { freePort, startAdvisorProcess, type AdvisorProcess } from './harness/advisor-process.ts';
import { blockAction, CHANNEL, messageEvent, slashCommand, TEAM } from './harness/payloads.ts';
import { SIGNING_SECRET } from './harness/rig.ts';
import { SignedSlackClient, type SlackHttpResponse } from './harness/signer.ts';
import { controlsOf, liveMessages, shownMessages } from './harness/thread-view.ts';
import { SlackWebApiStandIn } from './harness/web-api-stand-in.ts';

const KILLS = Number(process.env['CRASH_KILLS'] ?? 30);
const USERS = ['U0CRASH1', 'U0CRASH2', 'U0CRASH3', 'U0CRASH4', 'U0CRASH5', 'U0CRASH6'];

/** A seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Sent {
  user: string;
  threadTs: string;
  /** The criterion the person meant to answer. */
  criterion: string;
  acknowledged: boolean;
}

interface PendingEvent {
  envelope: object;
  sent: Sent;
  retries: number;
}

let webApi: SlackWebApiStandIn;
let folder: string;
beforeAll(async () => {
  webApi = await SlackWebApiStandIn.start();
  folder = mkdtempSync(join(tmpdir(), 'advisor-crash-'));
});
afterAll(async () => {
  await webApi.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('SIGKILL at random moments during interviews', () => {
  it(`loses no acknowledged answer, doubles none, and leaves no thread without its live question (${KILLS} kills)`, { timeout: 60_000 + KILLS * 12_000 }, async () => {
    const seed = Number(process.env['CRASH_SEED'] ?? Date.now() % 100_000);
    const next = random(seed);
    const databasePath = join(folder, 'advisor.db');
    const sent: Sent[] = [];
    let pendingEvents: PendingEvent[] = [];
    let eventCounter = 0;
    let kills = 0;

    const start = async (): Promise<{ advisor: AdvisorProcess; client: SignedSlackClient }> => {
      const advisor = await startAdvisorProcess({ port: await freePort(), database: databasePath, apiUrl: webApi.apiUrl, cwd: folder });
      return { advisor, client: new SignedSlackClient(advisor.endpoint, SIGNING_SECRET) };
    };
    const post = async (request: () => Promise<SlackHttpResponse>): Promise<number> => {
      try {
        return (await request()).status;
      } catch {
        return 0; // the process died mid-request
      }
    };
    const sendEvent = async (client: SignedSlackClient, pending: PendingEvent): Promise<void> => {
      const retry = pending.retries > 0 ? { retryNum: pending.retries, retryReason: 'http_error' } : undefined;
      const status = await post(() => client.event(pending.envelope, retry));
      if (status === 200) pending.sent.acknowledged = true;
      else if (pending.retries < 3) pendingEvents.push({ ...pending, retries: pending.retries + 1 });
    };

    /** The question the interview is asking right now, as stored (read through a fresh connection). */
    const askedNow = async (user: string, threadTs: string): Promise<string | undefined> => {
      const reader = SqliteSessionStore.open(databasePath);
      try {
        const stored = await reader.load({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${threadTs}`, user });
        return stored?.session.phase === 'asking' ? (stored.session.current ?? undefined) : undefined;
      } finally {
        await reader.close();
      }
    };

    /** Per person, how many interview threads they had when their last acknowledged /advisor went in. */
    const awaitingThread = new Map<string, number>();
    const parentsOf = (user: string): number => shownMessages(webApi).filter((m) => m.channel === CHANNEL && m.threadTs === undefined && m.text.includes(user)).length;

    /** The person's newest interview thread (a parent message naming them), if any. */
    const currentThread = (user: string): string | undefined =>
      shownMessages(webApi).filter((m) => m.channel === CHANNEL && m.threadTs === undefined && m.text.includes(user)).at(-1)?.ts;

    /**
     * One action by one person: start an interview (or a new one once theirs has
     * its result), keep refining a settled one, or answer the live question by
     * clicking its first option or typing "skip".
     */
    const act = async (client: SignedSlackClient, user: string): Promise<void> => {
      // Like a person whose message has not gone through yet, wait for Slack's retry before typing again:
      // then the stored interview is exactly what the next message will answer.
      if (pendingEvents.some((pending) => pending.sent.user === user)) return;
      const threadTs = currentThread(user);
      const live = threadTs === undefined ? undefined : liveMessages(webApi, CHANNEL, threadTs).at(-1);
      const controls = live ? controlsOf(live) : [];
      const answer = controls.find((c) => c.actionId.startsWith('advisor:answer'));
      const refine = controls.find((c) => c.actionId.startsWith('advisor:refine'));
      if (threadTs === undefined || (live && !answer && !refine)) {
        // Like a person, wait for the thread of an /advisor that went through before typing it again.
        const parents = parentsOf(user);
        const waiting = awaitingThread.get(user);
        if (waiting !== undefined && parents <= waiting) return;
        const status = await post(() => client.command(slashCommand({ user, responseUrl: webApi.responseUrl(`start-${user}`) })));
        if (status === 200) awaitingThread.set(user, parents);
        else awaitingThread.delete(user);
        return;
      }
      if (!live) return; // its question is still on the way (or waits for the next process's sweep)
      if (!answer && refine) {
        const click = blockAction({ user, messageTs: live.ts, threadTs, responseUrl: webApi.responseUrl(`refine-${user}`), actionId: refine.actionId, blockId: refine.blockId, button: { value: refine.value } });
        await post(() => client.interaction(click));
        return;
      }
      if (!answer) return;
      const typed = next() >= 0.5;
      // A click names its question (and version); typed text answers whatever the interview is asking now,
      // which may be a question still on its way to the thread.
      const criterion = typed ? await askedNow(user, threadTs) : (answer.value.split('|')[1] ?? '');
      if (criterion === undefined) return;
      const record: Sent = { user, threadTs, criterion, acknowledged: false };
      sent.push(record);
      if (!typed) {
        const click = blockAction({ user, messageTs: live.ts, threadTs, responseUrl: webApi.responseUrl(`click-${user}`), actionId: answer.actionId, blockId: answer.blockId, button: { value: answer.value } });
        record.acknowledged = (await post(() => client.interaction(click))) === 200;
      } else {
        eventCounter += 1;
        await sendEvent(client, { envelope: messageEvent({ eventId: `Ev0CRASH${eventCounter}`, user, threadTs, text: 'skip' }), sent: record, retries: 0 });
      }
    };

    while (kills < KILLS) {
      const { advisor, client } = await start();
      // Slack's retries of events the last process did not acknowledge reach this one.
      const retries = pendingEvents;
      pendingEvents = [];
      for (const pending of retries) await sendEvent(client, pending);
      // The kill comes at a random moment after this process first acknowledged something (at most 15 s on), so every
      // life sees work, however busy the machine; before that, its start-up and the retries were at risk too.
      const acknowledgedBefore = sent.filter((s) => s.acknowledged).length;
      const lifeStarted = Date.now();
      const delay = 50 + next() * 1_200;
      let killAt: number | undefined;
      let timer: NodeJS.Timeout | undefined;
      while (advisor.child.exitCode === null && advisor.child.signalCode === null && (killAt === undefined || Date.now() < killAt + 50)) {
        if (killAt === undefined && (sent.filter((s) => s.acknowledged).length > acknowledgedBefore || Date.now() - lifeStarted > 15_000)) {
          killAt = Date.now() + delay;
          timer = setTimeout(() => void advisor.kill('SIGKILL'), delay);
        }
        await Promise.all(USERS.map((user) => act(client, user)));
        // When nobody had anything to do, the round made no request: give the event loop (and the stand-in's answers) a turn.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      clearTimeout(timer);
      await advisor.kill('SIGKILL');
      kills += 1;
    }

    // Back up for good: retries arrive, the start-up sweep sends what was left.
    const { advisor, client } = await start();
    for (const pending of pendingEvents) await sendEvent(client, pending);
    const store = SqliteSessionStore.open(databasePath);
    try {
      const deadline = Date.now() + 20_000;
      while ((await store.pendingOutboxCount()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await store.pendingOutboxCount()).toBe(0);

      let acknowledgedAnswers = 0;
      const parents = shownMessages(webApi).filter((m) => m.channel === CHANNEL && m.threadTs === undefined);
      for (const parent of parents) {
        const user = USERS.find((u) => parent.text.includes(u));
        if (user === undefined) continue;
        const threadTs = parent.ts;
        const stored = await store.load({ platform: 'slack', workspace: TEAM, conversation: `${CHANNEL}:${threadTs}`, user });
        const session = stored?.session;
        expect(session, `the interview of ${user} in ${threadTs}`).toBeDefined();
        if (!session) continue;
        const mine = sent.filter((s) => s.user === user && s.threadTs === threadTs);
        // Lost: an answer that got a 200 is recorded.
        for (const s of mine.filter((m) => m.acknowledged)) {
          acknowledgedAnswers += 1;
          expect(session.answers[s.criterion], `${user}: acknowledged answer to ${s.criterion}`).toBeDefined();
        }
        // Doubled: a delivery applied twice would answer a question nobody answered.
        const meant = new Set(mine.map((m) => m.criterion));
        for (const criterion of Object.keys(session.answers)) {
          expect(meant.has(criterion), `${user}: ${criterion} answered by no delivery; history ${session.history.join(',')}; sent ${mine.map((m) => `${m.criterion}${m.acknowledged ? '+' : '-'}`).join(',')}`).toBe(true);
        }
        expect(new Set(session.history).size).toBe(session.history.length);
        // Live: exactly one message with controls, matching the interview.
        const live = liveMessages(webApi, CHANNEL, threadTs);
        if (live.length !== 1 && process.env['CRASH_DEBUG']) {
          const { default: Database } = await import('better-sqlite3');
          const raw = new Database(databasePath, { readonly: true });
          const rows = raw.prepare("SELECT seq, handle, status, attempts, message_id, error, substr(operation, 1, 120) AS op FROM outbox WHERE conversation = ? ORDER BY seq").all(`${CHANNEL}:${threadTs}`);
          raw.close();
          const calls = webApi.calls.filter((c) => c.body['thread_ts'] === threadTs || c.body['ts'] === threadTs || live.some((m) => m.ts === c.body['ts'])).map((c) => ({ method: c.method, ts: c.body['ts'] ?? c.response['ts'], meta: c.body['metadata'], controls: JSON.stringify(c.body['blocks'] ?? '').includes('"actions"') }));
          const { writeFileSync } = await import('node:fs');
          writeFileSync('/tmp/crash-debug.json', JSON.stringify({ threadTs, version: session.version, phase: session.phase, live: live.map((m) => [m.ts, controlsOf(m)[0]?.value]), rows, calls }, null, 1));
        }
        expect(live, `${user} in ${threadTs}: messages with live controls`).toHaveLength(1);
        if (session.phase === 'asking') expect(controlsOf(live[0]!).some((c) => c.value.split('|')[1] === session.current)).toBe(true);
        for (const control of controlsOf(live[0]!)) expect(Number(control.value.split('|')[0]), `${user}: controls at the session's version`).toBe(session.version);
      }
      console.log(`crash soak (seed ${seed}): ${kills} SIGKILLs, ${parents.length} threads, ${sent.length} answers sent, ${acknowledgedAnswers} acknowledged; 0 lost, 0 doubled, one live message per thread`);
      expect(kills).toBeGreaterThanOrEqual(KILLS);
      expect(acknowledgedAnswers, `seed ${seed}`).toBeGreaterThan(KILLS);
    } finally {
      await store.close();
      await advisor.kill('SIGTERM');
    }
  });
});
