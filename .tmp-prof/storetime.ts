import { performance } from 'node:perf_hooks';
import { startSlack } from '../adapters/slack/start.ts';
import { loadKnowledge } from '../src/knowledge/load.ts';
import { silentLogger } from '../src/logger.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { slashCommand } from '../tests/slack/harness/payloads.ts';
import { SignedSlackClient } from '../tests/slack/harness/signer.ts';
import { SlackWebApiStandIn } from '../tests/slack/harness/web-api-stand-in.ts';
const N = 600;
const webApi = await SlackWebApiStandIn.start();
const store = SqliteSessionStore.open(process.argv[2] ?? ':memory:');
const times = new Map<string, { n: number; ms: number }>();
for (const name of ['commitTurn', 'claimOutbox', 'completeOutbox', 'hasDelivery', 'loadThread', 'listByConversation', 'load', 'messageIdOf'] as const) {
  const original = (store as any)[name].bind(store);
  (store as any)[name] = async (...args: unknown[]) => {
    const t0 = process.cpuUsage();
    try { return await original(...args); } finally { const e = times.get(name) ?? { n: 0, ms: 0 }; e.n++; const d = process.cpuUsage(t0); e.ms += (d.user + d.system) / 1000; times.set(name, e); }
  };
}
const running = await startSlack({ config: { botToken: 'xoxb', signingSecret: 's', port: 0, apiUrl: webApi.apiUrl }, store, knowledge: loadKnowledge(), ttlMs: 3_600_000, logger: silentLogger(), host: '127.0.0.1', botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId }, sweepIntervalMs: 0 });
const client = new SignedSlackClient(`http://127.0.0.1:${running.port}/slack/events`, 's');
for (let i = 0; i < N; i++) await client.command(slashCommand({ responseUrl: webApi.responseUrl('x') }));
await running.turns.idle();
for (const [k, v] of times) console.log(k.padEnd(20), v.n, (v.ms / v.n * 1000).toFixed(0), 'µs avg', (v.ms / N).toFixed(3), 'ms/command');
await running.stop(); await store.close(); await webApi.close();
