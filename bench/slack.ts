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
 *   its first question is posted.
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

interface Target {
  client: SignedSlackClient;
  /** Resolves when the work behind the `n`-th command (1-based, counted since start) is visible. */
  done(n: number): Promise<void>;
  stop(): Promise<void>;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;

async function fullApp(webApi: SlackWebApiStandIn): Promise<Target> {
  const store = SqliteSessionStore.open(':memory:');
  const logger = silentLogger();
  const running = await startSlack({
    config: { botToken: TOKEN, signingSecret: SECRET, port: 0, apiUrl: webApi.apiUrl },
    store,
    knowledge: loadKnowledge(),
    ttlMs: 3_600_000,
    logger,
    host: '127.0.0.1',
    botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId },
  });
  // Each /advisor posts two messages: the parent, then the first question in its thread.
  // Counted incrementally: rescanning every recorded call on each check would make the bench measure itself.
  let scanned = 0;
  let questions = 0;
  const questionsPosted = (): number => {
    for (; scanned < webApi.calls.length; scanned++) {
      const call = webApi.calls[scanned]!;
      if (call.method === 'chat.postMessage' && call.body['thread_ts'] !== undefined) questions += 1;
    }
    return questions;
  };
  return {
    client: new SignedSlackClient(`http://127.0.0.1:${running.port}/slack/events`, SECRET),
    done: (n) => webApi.waitFor(() => questionsPosted() >= n, 60_000),
    async stop() {
      await running.stop();
      await store.close();
    },
  };
}

async function ackOnlyApp(webApi: SlackWebApiStandIn): Promise<Target> {
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

interface Measured {
  ack: number[];
  complete: number[];
  perSecond: number;
}

async function measure(target: Target, webApi: SlackWebApiStandIn, iterations: number): Promise<Measured> {
  let sent = 0;
  const send = async (): Promise<{ ack: number; complete: number }> => {
    sent += 1;
    const n = sent;
    const started = performance.now();
    const response = await target.client.command(slashCommand({ responseUrl: webApi.responseUrl(`bench-${n}`) }));
    if (response.status !== 200) throw new Error(`/advisor answered HTTP ${response.status}`);
    const acked = performance.now();
    await target.done(n);
    return { ack: acked - started, complete: performance.now() - started };
  };

  const warmup = Math.min(50, Math.max(5, Math.floor(iterations / 10)));
  for (let i = 0; i < warmup; i++) await send();

  const ack: number[] = [];
  const complete: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const result = await send();
    ack.push(result.ack);
    complete.push(result.complete);
  }

  // Throughput: IN_FLIGHT workers share `iterations` commands.
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
  const perSecond = iterations / ((performance.now() - started) / 1000);
  return { ack: ack.sort((a, b) => a - b), complete: complete.sort((a, b) => a - b), perSecond };
}

export async function benchSlack(options: { iterations: number }): Promise<string[]> {
  const iterations = Math.max(1, Math.floor(options.iterations));
  const webApi = await SlackWebApiStandIn.start();
  const lines: string[] = [];
  try {
    const baseline = await ackOnlyApp(webApi);
    let bare: Measured;
    try {
      bare = await measure(baseline, webApi, iterations);
    } finally {
      await baseline.stop();
    }

    const advisor = await fullApp(webApi);
    let full: Measured;
    try {
      full = await measure(advisor, webApi, iterations);
    } finally {
      await advisor.stop();
    }

    lines.push(
      `signed /advisor, ${iterations} sequential + ${iterations} with ${IN_FLIGHT} in flight, the app's HTTP receiver on 127.0.0.1`,
      `advisor app:  ${full.perSecond.toFixed(0)} commands/s (${((100 * full.perSecond) / bare.perSecond).toFixed(0)}% of ack-only; target >= 50%); to first question posted: median ${ms(quantile(full.complete, 0.5))}, p99 ${ms(quantile(full.complete, 0.99))}; HTTP ack (after the commit): median ${ms(quantile(full.ack, 0.5))}, p99 ${ms(quantile(full.ack, 0.99))}`,
      `ack-only app: ${bare.perSecond.toFixed(0)} commands/s; HTTP ack: median ${ms(quantile(bare.ack, 0.5))}, p99 ${ms(quantile(bare.ack, 0.99))}`,
      `the advisor's work (2 commits, 2 chat.postMessage, the outbox bookkeeping) costs ${ms(quantile(full.complete, 0.5) - quantile(bare.ack, 0.5))} at the median over a bare ack`,
    );
  } finally {
    await webApi.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const iterations = Number(process.argv[2] ?? 200);
  for (const line of await benchSlack({ iterations })) console.log(line);
}
