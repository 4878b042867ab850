/**
 * Core figures: the engine (recommendations per second, latency), how many
 * questions interviews need before the result is offered under each
 * next-question rule (see interviews.ts), and a full turn
 * through the turn layer (TurnService.commit: duplicate check, ownership,
 * state machine + engine, plan, and the SQLite commit of session, thread state,
 * delivery id and outbox) on an empty store and with 100,000 idle sessions,
 * with SQLite's WAL checkpoints inside the commits and on the app's checkpoint thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recommend } from '../src/engine/recommend.ts';
import { loadKnowledge, type Knowledge } from '../src/knowledge/load.ts';
import { createConversation, createSession } from '../src/conversation/step.ts';
import type { Session, SessionKey } from '../src/conversation/types.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { WalCheckpointer } from '../src/sessions/wal-checkpointer.ts';
import { threadOf } from '../src/sessions/store.ts';
import { silentLogger } from '../src/logger.ts';
import type { PlatformPort } from '../src/turns/port.ts';
import { TurnService } from '../src/turns/service.ts';
import type { Delivery, ThreadKey } from '../src/turns/types.ts';
import { interviewFigures } from './interviews.ts';
import { fixedCpuTask, fmtMs, nowMs, seeded, summarise } from './stats.ts';
import { NEXT_QUESTION_RULE } from '../src/engine/next-question.ts';

function randomAnswers(knowledge: Knowledge, random: () => number, answeredShare: number): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const c of knowledge.criteria) {
    if (random() > answeredShare) continue;
    const ids = [...c.options.map((o) => o.id), 'skip'];
    answers[c.id] = ids[Math.floor(random() * ids.length)]!;
  }
  return answers;
}

function engineFigures(knowledge: Knowledge, iterations: number): string[] {
  const random = seeded(1);
  const inputs = Array.from({ length: 1000 }, () => randomAnswers(knowledge, random, 0.5));
  for (let i = 0; i < 2000; i++) recommend(knowledge, inputs[i % inputs.length]!); // warm up
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = nowMs();
    recommend(knowledge, inputs[i % inputs.length]!);
    samples.push(nowMs() - start);
  }
  const single = summarise(samples);
  const batchStart = nowMs();
  const lines = inputs.map((answers) => JSON.stringify({ answers }));
  for (let round = 0; round < 5; round++) {
    for (const line of lines) JSON.stringify(recommend(knowledge, (JSON.parse(line) as { answers: Record<string, string> }).answers));
  }
  const batchMs = nowMs() - batchStart;
  return [
    `engine: one recommendation with next question: median ${fmtMs(single.median)}, p99 ${fmtMs(single.p99)} (${iterations} runs, half the criteria answered)`,
    `engine: single recommendations per second: ${Math.round(1000 / single.mean).toLocaleString('en')}`,
    `engine: batch (JSON line in, JSON line out) per second: ${Math.round((lines.length * 5) / (batchMs / 1000)).toLocaleString('en')}`,
  ];
}

/** A platform that accepts everything at once: the figures are the turn layer's, not a network's. */
export function instantPort(): PlatformPort {
  let id = 0;
  return {
    platform: 'bench',
    post: async () => `m${++id}`,
    edit: async () => {},
    retire: async () => {},
    notify: async () => {},
    openThread: async (where) => ({ conversation: `${where.conversation}/${++id}`, messageId: `m${id}` }),
    classify: () => ({ retry: false, explanation: 'bench' }),
  };
}

/**
 * Answers `turns` questions by clicks, each a new delivery; times `commit` (the
 * whole turn up to and including its commit). What it queued is sent after the
 * clock stops, so the outbox stays as small as in a running bot.
 */
async function measureTurns(
  service: TurnService,
  store: SqliteSessionStore,
  knowledge: Knowledge,
  turns: number,
  label: string,
  fixedTask?: () => number,
): Promise<{ turns: number[]; fixed: number[] }> {
  const samples: number[] = [];
  const fixed: number[] = [];
  const random = seeded(3);
  let threadIndex = 0;
  const deliveryIn = (thread: ThreadKey, id: string): Delivery => ({ id, thread, inThread: true, actor: 'u' });
  let thread: ThreadKey = { platform: 'bench', workspace: 'w', conversation: `${label}-0` };
  await service.run(deliveryIn(thread, `${label}-start-0`), { kind: 'start' });
  for (let i = 0; i < turns; i++) {
    const current = (await store.load({ ...thread, user: 'u' }))?.session;
    if (!current || current.phase !== 'asking') {
      thread = { ...thread, conversation: `${label}-${++threadIndex}` };
      await service.run(deliveryIn(thread, `${label}-start-${threadIndex}`), { kind: 'start' });
      continue;
    }
    const criterion = knowledge.criterionById.get(current.current!)!;
    const option = criterion.options[Math.floor(random() * criterion.options.length)]!.id;
    const start = nowMs();
    const committed = await service.commit(deliveryIn(thread, `${label}-ev-${i}`), { kind: 'control', event: { type: 'answer', criterion: criterion.id, option, version: current.version } });
    samples.push(nowMs() - start);
    await committed.send();
    // A bot goes back to its event loop between deliveries; without this the loop never would (the SQLite store
    // and the instant port answer at once), and the checkpoint timer could not run while turns are measured.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (fixedTask) {
      // Right after the turn, so both see the same moments of the machine.
      const taskStart = nowMs();
      fixedTask();
      fixed.push(nowMs() - taskStart);
    }
  }
  return { turns: samples, fixed };
}

/** A store as `npm start` opens it (checkpoints on their own thread, once a second), or with SQLite's checkpoints inside commits. */
export function openBenchStore(path: string, walCheckpoint: 'auto' | 'background'): { store: SqliteSessionStore; stopUpkeep: () => Promise<void> } {
  const store = SqliteSessionStore.open(path, { walCheckpoint });
  if (walCheckpoint === 'auto') return { store, stopUpkeep: async () => {} };
  const checkpointer = WalCheckpointer.start(path);
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = checkpointer.run().catch(() => undefined);
  }, 1_000);
  return {
    store,
    stopUpkeep: async () => {
      clearInterval(timer);
      await running;
      await checkpointer.close();
    },
  };
}

async function turnFigures(knowledge: Knowledge, turns: number, idleSessions: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'advisor-bench-'));
  try {
    const conversation = createConversation(knowledge);
    const serviceOn = (store: SqliteSessionStore): TurnService => new TurnService({ store, knowledge, port: instantPort(), logger: silentLogger(), ttlMs: 86_400_000 });
    // Side by side: SQLite checkpointing inside the commits against the app's background checkpoints.
    const inside = openBenchStore(join(dir, 'auto.db'), 'auto');
    const insideTurns = summarise((await measureTurns(serviceOn(inside.store), inside.store, knowledge, turns, 'auto')).turns);
    // The machine's own spread: a CPU-only task as long as a median turn, timed right after each turn below.
    const fixedTask = fixedCpuTask(insideTurns.median);
    await inside.stopUpkeep();
    await inside.store.close();

    const { store, stopUpkeep } = openBenchStore(join(dir, 'bench.db'), 'background');
    const service = serviceOn(store);
    const emptyRun = await measureTurns(service, store, knowledge, turns, 'before', fixedTask);
    const [empty, emptyFixed] = [summarise(emptyRun.turns), summarise(emptyRun.fixed)];

    // Store throughput: commit idle interviews (session + thread state) one transaction each, as real first turns would.
    const fillStart = nowMs();
    for (let i = 0; i < idleSessions; i++) {
      const key: SessionKey = { platform: 'bench', workspace: 'w', conversation: `idle-${i}`, user: 'u' };
      const session: Session = conversation.step(createSession(key), { type: 'start' }).session;
      await store.commitTurn({
        now: Date.now(),
        session: { session, expectedVersion: 0 },
        thread: { key: threadOf(key), state: { owner: 'u', questions: {}, hinted: [], pickerAttempts: 0 }, expectedVersion: 0 },
      });
    }
    const fillSeconds = (nowMs() - fillStart) / 1000;
    const fullRun = await measureTurns(service, store, knowledge, turns, 'after', fixedTask);
    const [full, fullFixed] = [summarise(fullRun.turns), summarise(fullRun.fixed)];
    const stored = await store.count();
    await service.idle();
    await stopUpkeep();
    await store.close();
    const what = 'TurnService.commit (as Slack and Discord call it): step + engine + plan + SQLite commit of session, thread, delivery id, outbox, claimed for its drain';
    return [
      `store: ${Math.round(idleSessions / fillSeconds).toLocaleString('en')} interview commits per second (WAL, synchronous=NORMAL), ${stored.toLocaleString('en')} sessions stored`,
      `turn (${what}), nearly empty store, WAL checkpoints inside commits (SQLite's default): median ${fmtMs(insideTurns.median)}, p99 ${fmtMs(insideTurns.p99)}`,
      `turn, nearly empty store, WAL checkpoints on their own thread every second (as npm start runs): median ${fmtMs(empty.median)}, p99 ${fmtMs(empty.p99)} (target p99 < 1 ms)`,
      `  the machine's own spread meanwhile: a fixed CPU-only task (no allocation, no I/O) timed after each of those turns: median ${fmtMs(emptyFixed.median)}, p99 ${fmtMs(emptyFixed.p99)}`,
      `turn with ${idleSessions.toLocaleString('en')} idle sessions stored, checkpoints on their thread: median ${fmtMs(full.median)}, p99 ${fmtMs(full.p99)} (target p99 < 1 ms)`,
      `  the same fixed task after each of those turns: median ${fmtMs(fullFixed.median)}, p99 ${fmtMs(fullFixed.p99)}`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCore(options: { iterations: number; idleSessions: number; interviews: number }): Promise<string[]> {
  const knowledge = loadKnowledge();
  return [
    ...engineFigures(knowledge, options.iterations),
    ...interviewFigures(knowledge, options.interviews, NEXT_QUESTION_RULE),
    ...(await turnFigures(knowledge, Math.min(options.iterations, 5000), options.idleSessions)),
  ];
}
