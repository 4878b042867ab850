import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startSlack } from '../adapters/slack/start.ts';
import { loadKnowledge } from '../src/knowledge/load.ts';
import { silentLogger } from '../src/logger.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { slashCommand } from '../tests/slack/harness/payloads.ts';
import { SignedSlackClient } from '../tests/slack/harness/signer.ts';
import { SlackWebApiStandIn } from '../tests/slack/harness/web-api-stand-in.ts';

const N = Number(process.argv[2] ?? 600);
const webApi = await SlackWebApiStandIn.start();
const store = SqliteSessionStore.open(':memory:');
const running = await startSlack({
  config: { botToken: 'xoxb', signingSecret: 's', port: 0, apiUrl: webApi.apiUrl },
  store, knowledge: loadKnowledge(), ttlMs: 3_600_000, logger: silentLogger(), host: '127.0.0.1',
  botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId }, sweepIntervalMs: 0,
});
const client = new SignedSlackClient(`http://127.0.0.1:${running.port}/slack/events`, 's');
async function batch(n: number): Promise<number> {
  let remaining = n;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (remaining > 0) { remaining--; await client.command(slashCommand({ responseUrl: webApi.responseUrl('x') })); }
  }));
  await running.turns.idle();
  return n / ((performance.now() - t0) / 1000);
}
await batch(100);
const session = new Session();
session.connect();
const profile = process.argv[3] === 'prof';
if (profile) { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
const rate = await batch(N);
if (profile) { const { profile: p } = await session.post('Profiler.stop'); writeFileSync('/tmp/prof/app.cpuprofile', JSON.stringify(p)); }
console.log(`${rate.toFixed(0)} commands/s`);
await running.stop(); await store.close(); await webApi.close();
