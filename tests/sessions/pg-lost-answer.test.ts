/**
 * A commit whose answer never arrives: the connection breaks after the
 * statement reached the server. PostgreSQL may have committed it anyway, so
 * the store asks the server (by the delivery id) instead of reporting
 * "nothing recorded", which would make the person try again and apply it twice.
 * A TCP relay between the store and the server cuts the connection on cue.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgSessionStore } from '../../src/sessions/pg-store.ts';
import { migratedTestDatabase, truncateAdvisorTables, type TestDatabase } from '../support/pg.ts';
import { keyOf, makeSession, MINUTE, post, rejection, T0, threadOf } from './store-fixtures.ts';

/**
 * A relay to `target` that can cut the next connection sending a turn's commit: once the server has answered it
 * (`answered`: the answer is lost on the way back), while forwarding it (`after`: the client sees the break while
 * the statement is still on its way), before forwarding it, or hang it (the commit is never forwarded, nothing
 * is answered, the connection stays open: a paused server).
 */
class CuttingRelay {
  cut: 'answered' | 'after' | 'before' | 'hang' | undefined;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: URL) {
    this.server = createServer((client) => this.relay(client));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const url = new URL(this.target);
    url.port = String((this.server.address() as { port: number }).port);
    return url.toString();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket): void {
    const upstream = connect(Number(this.target.port), this.target.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    }
    let answering = true;
    let cutOnAnswer = false;
    client.on('data', (chunk: Buffer) => {
      const mode = this.cut;
      if (mode !== undefined && chunk.includes('advisor_commit_')) {
        this.cut = undefined;
        if (mode === 'hang') {
          answering = false;
          return;
        }
        if (mode === 'answered') {
          cutOnAnswer = true;
          upstream.write(chunk);
          return;
        }
        // Still on its way when the client sees the break (a middlebox holds it a moment).
        if (mode === 'after') setTimeout(() => upstream.write(chunk), 100);
        // Whatever the server answers is lost; the server side closes once it is done.
        answering = false;
        client.destroy();
        setTimeout(() => upstream.destroy(), 500);
        return;
      }
      if (answering) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutOnAnswer) {
        cutOnAnswer = false;
        answering = false;
        client.destroy();
        setTimeout(() => upstream.destroy(), 500);
        return;
      }
      if (answering) client.write(chunk);
    });
    client.on('close', () => (answering ? upstream.destroy() : undefined));
    upstream.on('close', () => client.destroy());
  }
}

let database: TestDatabase;
let relay: CuttingRelay;
let relayed: PgSessionStore;
let direct: PgSessionStore;

beforeAll(async () => {
  database = await migratedTestDatabase('lost_answer');
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await truncateAdvisorTables(database.url);
  relay = new CuttingRelay(new URL(database.url));
  const url = await relay.start();
  relayed = await PgSessionStore.open({ url, clock: 'caller' });
  direct = await PgSessionStore.open({ url: database.url, clock: 'caller' });
});

afterEach(async () => {
  await Promise.all([relayed.close(), direct.close()]);
  await relay.close();
});

const A = threadOf(keyOf());
const turn = (id: string) => ({
  now: T0,
  delivery: { id, expiresAt: T0 + 60 * MINUTE },
  session: { session: makeSession(keyOf(), 1), expectedVersion: 0 },
  outbox: { thread: A, operations: [post('q1')], deliveryId: id },
  lease: { owner: 'p1#1', leaseMs: MINUTE },
});

describe('a commit whose answer was lost', () => {
  it('is reported as committed when the server committed it, with its claim ended so its own drain claims the entries at once', async () => {
    relay.cut = 'answered';
    expect(await relayed.commitTurn(turn('Ev1'))).toEqual({ leased: [] });
    expect(await direct.hasDelivery('Ev1', T0 + 1)).toBe(true);
    expect((await direct.load(keyOf()))?.session.version).toBe(1);
    // Claimable by the retry's drain right away (not after the lease), and fresh: nothing was sent under that claim.
    const claimed = await direct.claimOutbox(A, { now: T0 + 2, leaseMs: MINUTE, owner: 'p1' });
    expect(claimed.map((entry) => entry.mayHaveBeenSent)).toEqual([false]);
  });

  it('cut while the statement is still on its way: what the store reports is what the database holds, every time', async () => {
    // The server may or may not have run it by then; its process is ended before the store looks, so it cannot land later.
    for (let i = 0; i < 5; i++) {
      relay.cut = 'after';
      const id = `EvRace${i}`;
      const outcome = await relayed.commitTurn(turn(id)).then(
        () => 'committed',
        (error: { code?: string }) => error.code,
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      const recorded = await direct.hasDelivery(id, T0 + 1);
      expect(outcome === 'committed' ? recorded : outcome === 'STORE_FAILURE' && !recorded, `${id}: ${outcome}, recorded: ${recorded}`).toBe(true);
      await truncateAdvisorTables(database.url);
    }
  });

  it('fails as usual when the statement never reached the server: nothing was recorded', async () => {
    relay.cut = 'before';
    const error = await rejection(relayed.commitTurn(turn('Ev2')));
    expect(error.code).toBe('STORE_FAILURE');
    expect(await direct.hasDelivery('Ev2', T0 + 1)).toBe(false);
    expect(await direct.load(keyOf())).toBeUndefined();
    // The probe's own insert was rolled back: the platform's retry commits normally.
    await relayed.commitTurn(turn('Ev2'));
    expect(await direct.hasDelivery('Ev2', T0 + 1)).toBe(true);
  });
});

describe('a server that stops answering', () => {
  it('fails the commit after the query time limit instead of waiting for ever, and the next commit goes through', async () => {
    relay.cut = 'hang';
    const started = Date.now();
    const error = await rejection(relayed.commitTurn(turn('Ev3')));
    expect(error.code).toBe('STORE_FAILURE');
    // The default lock wait (2 s) plus 1.5 s, then the look-up by delivery id on a fresh connection.
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await direct.hasDelivery('Ev3', T0 + 1)).toBe(false);
    await relayed.commitTurn(turn('Ev3'));
    expect(await direct.hasDelivery('Ev3', T0 + 1)).toBe(true);
  });
});
