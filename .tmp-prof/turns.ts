import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { loadKnowledge } from '../src/knowledge/load.ts';
import { silentLogger } from '../src/logger.ts';
import { SqliteSessionStore } from '../src/sessions/sqlite-store.ts';
import { TurnService } from '../src/turns/service.ts';
import type { PlatformPort } from '../src/turns/port.ts';
import { renderContent } from '../adapters/slack/render.ts';
let n = 0;
const render = process.argv[3] === 'render';
const port: PlatformPort<undefined> = {
  platform: 'slack',
  async post(_t, c) { if (render) JSON.stringify(renderContent(c)); return `1.${++n}`; },
  async edit() {}, async notify() {},
  async openThread(w, c) { if (render) JSON.stringify(renderContent(c)); const ts = `2.${++n}`; return { conversation: `${w.conversation}:${ts}`, messageId: ts }; },
  classify: () => ({ retry: false, explanation: '' }),
};
const store = SqliteSessionStore.open(process.argv[2] ?? ':memory:');
const turns = new TurnService({ store, knowledge: loadKnowledge(), port, logger: silentLogger(), ttlMs: 3_600_000 });
const one = async (i: number) => {
  const d = { id: `command:${i}`, thread: { platform: 'slack', workspace: 'T', conversation: 'C1' }, inThread: false, actor: 'U1' };
  await turns.accept(d, { kind: 'start' });
  await turns.outbox.drain(d.thread);
};
for (let i = 0; i < 300; i++) await one(i);
const session = new Session(); session.connect();
const prof = process.argv[4] === 'prof';
if (prof) { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
const N = 2000;
const t = performance.now();
for (let i = 300; i < 300 + N; i++) await one(i);
console.log('per start turn (accept+drain):', ((performance.now() - t) / N * 1000).toFixed(0), 'µs');
if (prof) { const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/prof/turns.cpuprofile', JSON.stringify(profile)); }
