import { App, LogLevel } from '@slack/bolt';
import { startSlack } from '../adapters/slack/start.ts';
import { loadKnowledge } from '../src/knowledge/load.ts';
import { silentLogger } from '../src/logger.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { slashCommand } from '../tests/slack/harness/payloads.ts';
import { SignedSlackClient } from '../tests/slack/harness/signer.ts';
import { SlackWebApiStandIn } from '../tests/slack/harness/web-api-stand-in.ts';

const N = Number(process.argv[2] ?? 600);
const webApi = await SlackWebApiStandIn.start();
async function run(client: SignedSlackClient, n: number, after: () => Promise<void>): Promise<number> {
  let remaining = n;
  const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (remaining > 0) { remaining--; await client.command(slashCommand({ responseUrl: webApi.responseUrl('x') })); }
  }));
  await after();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / n;
}
const app = new App({ token: 't', signingSecret: 's', logLevel: LogLevel.ERROR, tokenVerificationEnabled: false, botId: 'B', botUserId: 'U', clientOptions: { slackApiUrl: webApi.apiUrl } });
app.command('/advisor', async ({ ack }) => { await ack(); });
const server = await app.start({ port: 0, host: '127.0.0.1' });
const a = server.address();
const ackClient = new SignedSlackClient(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/slack/events`, 's');
await run(ackClient, 100, async () => {});
const ackCpu = await run(ackClient, N, async () => {});
await app.stop();
const store = SqliteSessionStore.open(':memory:');
const running = await startSlack({ config: { botToken: 'xoxb', signingSecret: 's', port: 0, apiUrl: webApi.apiUrl }, store, knowledge: loadKnowledge(), ttlMs: 3_600_000, logger: silentLogger(), host: '127.0.0.1', botIdentity: { botId: webApi.botId, botUserId: webApi.botUserId }, sweepIntervalMs: 0 });
const client = new SignedSlackClient(`http://127.0.0.1:${running.port}/slack/events`, 's');
await run(client, 100, () => running.turns.idle());
const fullCpu = await run(client, N, () => running.turns.idle());
console.log(`cpu/command: ack-only ${ackCpu.toFixed(3)} ms, advisor ${fullCpu.toFixed(3)} ms, ratio ${(100 * ackCpu / fullCpu).toFixed(0)}%`);
await running.stop(); await store.close(); await webApi.close();
