/**
 * Replicas on one PostgreSQL: commands per second with one advisor process
 * and with two, side by side in one run. Each replica is the real program
 * (`node bin/start.js`, Slack HTTP mode) on an embedded PostgreSQL this bench
 * starts itself (durable commits), posting to the local Web API stand-in.
 * Signed `/advisor` commands go round-robin to the replicas, IN_FLIGHT at a
 * time, each counted once its interview's first question is posted (two
 * commits and two chat.postMessage per command). Commands come from
 * CHANNELS channels, as a workspace's load would.
 *
 * The load generator, the stand-in, PostgreSQL and the replicas share this
 * machine's cores, so the second replica's gain is bounded by what is left
 * of them; the figures say how many cores there are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { freePort, startAdvisorProcess, type AdvisorProcess } from '../tests/slack/harness/advisor-process.ts';
import { slashCommand } from '../tests/slack/harness/payloads.ts';
import { SIGNING_SECRET } from '../tests/slack/harness/rig.ts';
import { SignedSlackClient } from '../tests/slack/harness/signer.ts';
import { SlackWebApiStandIn } from '../tests/slack/harness/web-api-stand-in.ts';
import { startEmbeddedPostgres } from '../tests/support/pg-server.ts';

const IN_FLIGHT = 16;
const CHANNELS = 32;

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Counts first questions (posts in a thread) as they are recorded, without rescanning. */
function questionCounter(webApi: SlackWebApiStandIn): () => number {
  let scanned = 0;
  let questions = 0;
  return () => {
    for (; scanned < webApi.calls.length; scanned++) {
      const call = webApi.calls[scanned]!;
      if (call.method === 'chat.postMessage' && call.body['thread_ts'] !== undefined && call.response['ok'] === true) questions += 1;
    }
    return questions;
  };
}

/** Commands per second through `replicas` processes on a fresh database of `serverUrl`, and the machine's load average just before. */
async function commandsPerSecond(serverUrl: string, replicas: number, iterations: number): Promise<{ perSecond: number; load: number }> {
  const url = await createDatabase(serverUrl, `bench_replicas_${replicas}`);
  const webApi = await SlackWebApiStandIn.start();
  const folder = mkdtempSync(join(tmpdir(), 'advisor-bench-replicas-'));
  const processes: AdvisorProcess[] = [];
  try {
    // Started together: they apply the schema together, as a deploy would.
    processes.push(...(await Promise.all(Array.from({ length: replicas }, async () => startAdvisorProcess({ port: await freePort(), database: { url }, apiUrl: webApi.apiUrl, cwd: folder })))));
    const clients = processes.map((p) => new SignedSlackClient(p.endpoint, SIGNING_SECRET));
    const posted = questionCounter(webApi);
    let sent = 0;
    const send = async (): Promise<void> => {
      const n = (sent += 1);
      const channel = `C0BENCH${n % CHANNELS}`;
      const response = await clients[n % clients.length]!.command(slashCommand({ user: `U0BENCH${n}`, channel, responseUrl: webApi.responseUrl(`bench-${n}`) }));
      if (response.status !== 200) throw new Error(`/advisor answered HTTP ${response.status}`);
    };
    const run = async (count: number): Promise<number> => {
      const target = posted() + count;
      let remaining = count;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (remaining > 0) {
            remaining -= 1;
            await send();
          }
        }),
      );
      await webApi.waitFor(() => posted() >= target, 60_000);
      return count / ((performance.now() - started) / 1000);
    };
    await run(Math.max(20, Math.floor(iterations / 5)));
    const load = loadavg()[0] ?? 0;
    return { perSecond: await run(iterations), load };
  } finally {
    await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    await webApi.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function benchReplicas(options: { iterations: number }): Promise<string[]> {
  const iterations = Math.max(20, Math.floor(options.iterations));
  const server = await startEmbeddedPostgres();
  try {
    const one = await commandsPerSecond(server.url, 1, iterations);
    const two = await commandsPerSecond(server.url, 2, iterations);
    return [
      `signed /advisor to real processes (node bin/start.js, Slack HTTP mode) on one embedded PostgreSQL (loopback, durable commits), ${iterations} commands, ${IN_FLIGHT} in flight from ${CHANNELS} channels, each counted when its first question is posted; ${availableParallelism()} cores shared by load, stand-in, PostgreSQL and replicas`,
      `1 replica:  ${one.perSecond.toFixed(0)} commands/s (load average before: ${one.load.toFixed(1)})`,
      `2 replicas: ${two.perSecond.toFixed(0)} commands/s, ${(two.perSecond / one.perSecond).toFixed(2)}× one (load average before: ${two.load.toFixed(1)})`,
    ];
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchReplicas({ iterations: Number(process.argv[2] ?? 400) })) console.log(line);
}
