/**
 * Slack adapter benchmark: signed `/advisor` slash commands through the real
 * app (its HTTP receiver with signature check, parsing, the turn's commit, the
 * ack, then the outbox: the parent message, the interview's start committed in
 * the new thread, its first question) on 127.0.0.1, against the local Web API
 * stand-in, next to a Bolt app that only acknowledges, measured in the same run.
 *
 * - latency: one command at a time, from sending the request until the stand-in
 *   has recorded the interview's first question (chat.postMessage in the thread):
 *   the whole visible reaction. The HTTP acknowledgement (after the commit) is shown too.
 * - throughput: commands per second with several in flight, each counted when
 *   its first question is posted. The two apps take turns (in alternating
 *   order), round after round, so that a noisy moment of the machine hits both;
 *   each round's ratio is taken, and the median of those is the figure.
 *
 * The load generator and the stand-in share the apps' thread (so the stand-in's
 * work counts against the advisor, the only app that calls it). A stand-in on
 * a thread of its own was tried: cross-thread wake-ups made the advisor slower.
 *
 * Nothing leaves the machine; every loop is bounded by `iterations`.
 */
import { performance } from 'node:perf_hooks';
import { App, LogLevel } from '@slack/bolt';
import { startSlack } from '../adapters/slack/start.ts';
import { loadKnowledge } from '../src/knowledge/load.ts';
import { silentLogger } from '../src/logger.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { slashCommand } from '../tests/slack/harness/payloads.ts';
import { SignedSlackClient } from '../tests/slack/harness/signer.ts';
import { SlackWebApiStandIn } from '../tests/slack/harness/web-api-stand-in.ts';

const SECRET = 'bench-signing-secret';
const TOKEN = 'xoxb-bench';
const IN_FLIGHT = 8;
const ROUNDS = 5;

/** Slack's side: where the apps call, and how many interviews' first questions were posted so far. */
interface WebApi {
  apiUrl: string;
  botId: string;
  botUserId: string;
  responseUrl: string;
  /** Resolves once `n` first questions were posted since the start. */
  questionsPosted(n: number): Promise<void>;
  close(): Promise<void>;
}

interface Target {
  client: SignedSlackClient;
  /** Resolves when the work behind the `n`-th command (1-based, counted since start) is visible. */
  done(n: number): Promise<void>;
  stop(): Promise<void>;
}

async function startWebApi(): Promise<WebApi> {
  const standIn = await SlackWebApiStandIn.start();
  // Counted incrementally and then forgotten: rescanning every recorded call on each check would make the bench measure itself.
  let questions = 0;
  const count = (): number => {
    for (const call of standIn.calls) {
      if (call.method === 'chat.postMessage' && call.body['thread_ts'] !== undefined) questions += 1;
    }
    standIn.calls.length = 0;
    return questions;
  };
  return {
    apiUrl: standIn.apiUrl,
    botId: standIn.botId,
    botUserId: standIn.botUserId,
    responseUrl: standIn.responseUrl('bench'),
    questionsPosted: (n) => standIn.waitFor(() => count() >= n, 60_000),
    close: () => standIn.close(),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const median = (values: readonly number[]): number => quantile([...values].sort((a, b) => a - b), 0.5);
const ms = (value: number): string => `${value.toFixed(2)} ms`;

async function fullApp(webApi: WebApi): Promise<Target> {
  const store = SqliteSessionStore.open(':memory:');
  const running = await startSlack({
    config: { botToken: TOKEN, signingSecret: SECRET, port: 0, apiUrl: webApi.apiUrl },
    store,
    knowledge: loadKnowledge(),
    ttlMs: 3_600_000,
    logger: silentLogger(),
    host: '127.0.0.1',
    botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId },
  });
  return {
    client: new SignedSlackClient(`http://127.0.0.1:${running.port}/slack/events`, SECRET),
    // Each /advisor posts two messages: the parent, then the first question in its thread.
    done: (n) => webApi.questionsPosted(n),
    async stop() {
      await running.stop();
      await store.close();
    },
  };
}

async function ackOnlyApp(webApi: WebApi): Promise<Target> {
  const app = new App({
    token: TOKEN,
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    tokenVerificationEnabled: false,
    botId: webApi.botId,
    botUserId: webApi.botUserId,
    clientOptions: { slackApiUrl: webApi.apiUrl },
  });
  app.command('/advisor', async ({ ack }) => {
    await ack();
  });
  const server = await app.start({ port: 0, host: '127.0.0.1' });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    client: new SignedSlackClient(`http://127.0.0.1:${port}/slack/events`, SECRET),
    done: () => Promise.resolve(),
    stop: () => app.stop().then(() => undefined),
  };
}

/** Sends signed /advisor commands to one app, numbering them so that `done(n)` can wait for each one's work. */
function sender(target: Target, webApi: WebApi): () => Promise<{ ack: number; complete: number }> {
  let sent = 0;
  return async () => {
    sent += 1;
    const n = sent;
    const started = performance.now();
    const response = await target.client.command(slashCommand({ responseUrl: webApi.responseUrl }));
    if (response.status !== 200) throw new Error(`/advisor answered HTTP ${response.status}`);
    const acked = performance.now();
    await target.done(n);
    return { ack: acked - started, complete: performance.now() - started };
  };
}

/** One command at a time: the latencies, sorted. */
async function sequential(send: () => Promise<{ ack: number; complete: number }>, iterations: number): Promise<{ ack: number[]; complete: number[] }> {
  const ack: number[] = [];
  const complete: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const result = await send();
    ack.push(result.ack);
    complete.push(result.complete);
  }
  return { ack: ack.sort((a, b) => a - b), complete: complete.sort((a, b) => a - b) };
}

/** IN_FLIGHT workers share `iterations` commands: commands per second. */
async function throughput(send: () => Promise<unknown>, iterations: number): Promise<number> {
  let remaining = iterations;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (remaining > 0) {
        remaining -= 1;
        await send();
      }
    }),
  );
  return iterations / ((performance.now() - started) / 1000);
}

interface Compared {
  advisor: { ack: number[]; complete: number[]; perSecond: number };
  ackOnly: { ack: number[]; perSecond: number };
  /** The advisor's commands per second as a share of the ack-only app's, per round, sorted. */
  ratios: number[];
}

async function compare(webApi: WebApi, iterations: number): Promise<Compared> {
  const advisor = await fullApp(webApi);
  const baseline = await ackOnlyApp(webApi);
  try {
    const sendAdvisor = sender(advisor, webApi);
    const sendAckOnly = sender(baseline, webApi);
    const warmup = Math.min(50, Math.max(5, Math.floor(iterations / 10)));
    await sequential(sendAckOnly, warmup);
    await sequential(sendAdvisor, warmup);
    const bare = await sequential(sendAckOnly, iterations);
    const full = await sequential(sendAdvisor, iterations);
    const perRound = Math.max(IN_FLIGHT, Math.floor(iterations / 2));
    const advisorRates: number[] = [];
    const ackOnlyRates: number[] = [];
    // The apps swap places every round, and each round starts once the last one's trailing sends (the advisor's
    // outbox bookkeeping after its first questions were posted) are over, so neither app pays for the other.
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['ackOnly', 'advisor'] as const) : (['advisor', 'ackOnly'] as const);
      for (const app of order) {
        await settle();
        if (app === 'ackOnly') ackOnlyRates.push(await throughput(sendAckOnly, perRound));
        else advisorRates.push(await throughput(sendAdvisor, perRound));
      }
    }
    return {
      advisor: { ...full, perSecond: median(advisorRates) },
      ackOnly: { ack: bare.ack, perSecond: median(ackOnlyRates) },
      ratios: advisorRates.map((rate, round) => (100 * rate) / ackOnlyRates[round]!).sort((a, b) => a - b),
    };
  } finally {
    await advisor.stop();
    await baseline.stop();
  }
}

export async function benchSlack(options: { iterations: number }): Promise<string[]> {
  const iterations = Math.max(1, Math.floor(options.iterations));
  const webApi = await startWebApi();
  try {
    const { advisor, ackOnly, ratios } = await compare(webApi, iterations);
    // Each round's two apps ran back to back, so the median of the rounds' ratios is the fairest single figure.
    const share = median(ratios);
    return [
      `signed /advisor, ${iterations} sequential, then ${ROUNDS} rounds of ${Math.max(IN_FLIGHT, Math.floor(iterations / 2))} with ${IN_FLIGHT} in flight taking turns with the ack-only app; the apps' HTTP receivers on 127.0.0.1`,
      `advisor app:  ${advisor.perSecond.toFixed(0)} commands/s (median of the rounds), ${share.toFixed(0)}% of ack-only (median of the rounds, each: ${ratios.map((r) => r.toFixed(0)).join(', ')}%; target >= 50%); to first question posted: median ${ms(quantile(advisor.complete, 0.5))}, p99 ${ms(quantile(advisor.complete, 0.99))}; HTTP ack (after the commit): median ${ms(quantile(advisor.ack, 0.5))}, p99 ${ms(quantile(advisor.ack, 0.99))}`,
      `ack-only app: ${ackOnly.perSecond.toFixed(0)} commands/s; HTTP ack: median ${ms(quantile(ackOnly.ack, 0.5))}, p99 ${ms(quantile(ackOnly.ack, 0.99))}`,
      `the advisor's work (2 commits, 2 chat.postMessage, the outbox bookkeeping) costs ${ms(quantile(advisor.complete, 0.5) - quantile(ackOnly.ack, 0.5))} at the median over a bare ack`,
    ];
  } finally {
    await webApi.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const iterations = Number(process.argv[2] ?? 200);
  for (const line of await benchSlack({ iterations })) console.log(line);
}
