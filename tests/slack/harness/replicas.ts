/**
 * Several advisor processes (`node bin/start.js`, Slack HTTP mode) on one
 * database, as replicas behind a load balancer run: the Web API stand-in they
 * all post to, a signed client per process, and what the replica tests check
 * afterwards: that every process has sent what it committed (`settled`), that
 * nothing was posted twice (`doubledPosts`), and where each interview lives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgSessionStore } from '../../../src/sessions/pg-store.ts';
import { SqliteSessionStore } from '../../../src/sessions/sqlite-store.ts';
import type { SessionStore } from '../../../src/sessions/store.ts';
import { freePort, startAdvisorProcess, type AdvisorProcess } from './advisor-process.ts';
import { CHANNEL } from './payloads.ts';
import { SIGNING_SECRET } from './rig.ts';
import { SignedSlackClient } from './signer.ts';
import { controlsOf, liveMessages, shownMessages, type Control, type ShownMessage } from './thread-view.ts';
import { SlackWebApiStandIn } from './web-api-stand-in.ts';

/** The replicas' database: a SQLite file in the set's folder, or a PostgreSQL URL. */
export type ReplicaDatabase = { sqlite: true } | { url: string };

export class ReplicaSet {
  readonly replicas: AdvisorProcess[] = [];
  readonly clients: SignedSlackClient[] = [];

  private constructor(
    readonly webApi: SlackWebApiStandIn,
    readonly folder: string,
    private readonly database: string | { url: string },
    private readonly env: Record<string, string | undefined>,
  ) {}

  /**
   * Starts the stand-in and `count` processes at once (on PostgreSQL they
   * migrate the schema together); `env` adds settings to every process.
   */
  static async start(count: number, database: ReplicaDatabase, env: Record<string, string | undefined> = {}): Promise<ReplicaSet> {
    const webApi = await SlackWebApiStandIn.start();
    const folder = mkdtempSync(join(tmpdir(), 'advisor-replicas-'));
    const set = new ReplicaSet(webApi, folder, 'url' in database ? { url: database.url } : join(folder, 'advisor.db'), env);
    try {
      await Promise.all(Array.from({ length: count }, () => set.add()));
    } catch (error) {
      await set.stop();
      throw error;
    }
    return set;
  }

  /** Starts one more process on the same database; resolves with its index. */
  async add(): Promise<number> {
    const replica = await startAdvisorProcess({ port: await freePort(), database: this.database, apiUrl: this.webApi.apiUrl, cwd: this.folder, env: this.env });
    this.replicas.push(replica);
    this.clients.push(new SignedSlackClient(replica.endpoint, SIGNING_SECRET));
    return this.replicas.length - 1;
  }

  client(index: number): SignedSlackClient {
    const client = this.clients[index];
    if (!client) throw new Error(`no replica ${index}`);
    return client;
  }

  /** Sends the same signed delivery to the replicas named (default: all) at once; resolves with their HTTP statuses. */
  async toEach(send: (client: SignedSlackClient) => Promise<{ status: number }>, indexes: readonly number[] = this.clients.map((_, i) => i)): Promise<number[]> {
    return (await Promise.all(indexes.map((i) => send(this.client(i))))).map((r) => r.status);
  }

  /** A store on the replicas' database, for reading what they committed (close it after). */
  openStore(): Promise<SessionStore> {
    const database = this.database;
    return typeof database === 'string' ? Promise.resolve(SqliteSessionStore.open(database)) : PgSessionStore.open({ url: database.url, maxConnections: 2 });
  }

  /** Waits until every replica has sent everything (the outbox is empty) and Slack has been quiet for a moment. */
  async settled(timeoutMs = 30_000): Promise<void> {
    const store = await this.openStore();
    try {
      let quietSince = Date.now();
      let seen = this.webApi.calls.length;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (this.webApi.calls.length !== seen) {
          seen = this.webApi.calls.length;
          quietSince = Date.now();
        }
        if ((await store.pendingOutboxCount()) === 0 && Date.now() - quietSince > 300) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the replicas did not settle within ${timeoutMs / 1000} s`);
    } finally {
      await store.close();
    }
  }

  /** Messages posted more than once: the same text and blocks in the same place. */
  doubledPosts(): string[] {
    const seen = new Map<string, number>();
    for (const call of this.webApi.calls) {
      if ((call.method !== 'chat.postMessage' && call.method !== 'chat.postEphemeral') || call.response['ok'] !== true) continue;
      const where = `${String(call.body['channel'])}|${String(call.body['thread_ts'] ?? '')}|${String(call.body['user'] ?? '')}`;
      const what = `${String(call.body['text'])}|${JSON.stringify(call.body['blocks'] ?? null)}`;
      seen.set(`${where}|${what}`, (seen.get(`${where}|${what}`) ?? 0) + 1);
    }
    return [...seen.entries()].filter(([, n]) => n > 1).map(([key, n]) => `${n}× ${key.slice(0, 160)}`);
  }

  /** The thread (its parent's ts) of `user`'s interview in #general. */
  parentOf(user: string): string | undefined {
    return shownMessages(this.webApi).filter((m) => m.channel === CHANNEL && m.threadTs === undefined && m.text.includes(user)).at(-1)?.ts;
  }

  /** The thread's messages that still carry controls: one once everything is sent (the current question or the result). */
  liveMessages(threadTs: string): ShownMessage[] {
    return liveMessages(this.webApi, CHANNEL, threadTs);
  }

  liveMessage(threadTs: string): ShownMessage | undefined {
    return this.liveMessages(threadTs).at(-1);
  }

  /** Ends every process (SIGTERM: a graceful stop), the stand-in, and the folder. */
  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.kill('SIGTERM')));
    await this.webApi.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** The control that moves an interview on: an answer to the current question, or "keep refining" on a settled verdict. */
export function nextControl(message: ShownMessage): Control | undefined {
  const controls = controlsOf(message);
  return controls.find((c) => c.actionId.startsWith('advisor:answer')) ?? controls.find((c) => c.actionId.startsWith('advisor:refine'));
}
