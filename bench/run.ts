/**
 * `npm run bench`: prints speed and memory figures. Targets are read here,
 * never asserted in tests. `--quick` runs fewer iterations.
 */
import { existsSync } from 'node:fs';
import { benchCore } from './core.ts';

const quick = process.argv.includes('--quick');
const iterations = quick ? 2_000 : 20_000;

async function section(name: string, run: () => Promise<string[]>): Promise<void> {
  console.log(`\n== ${name}`);
  try {
    for (const line of await run()) console.log(`  ${line}`);
  } catch (error) {
    console.log(`  failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

console.log(`advisor benchmarks (node ${process.version}, ${quick ? 'quick' : 'full'} run)`);
await section('core', () => benchCore({ iterations, idleSessions: quick ? 10_000 : 100_000, interviews: quick ? 500 : 2_000 }));
if (existsSync(new URL('./parse.ts', import.meta.url))) {
  const { benchParse } = (await import('./parse.ts')) as { benchParse: (o: { iterations: number; longMessages: number }) => Promise<string[]> };
  await section('free-text parsing', () => benchParse({ iterations: quick ? 2_000 : 20_000, longMessages: quick ? 50 : 300 }));
}
if (existsSync(new URL('./postgres.ts', import.meta.url))) {
  const { benchPostgres } = (await import('./postgres.ts')) as { benchPostgres: (o: { turns: number }) => Promise<string[]> };
  await section('store: SQLite and PostgreSQL', () => benchPostgres({ turns: quick ? 1_000 : 5_000 }));
}
if (existsSync(new URL('./replicas.ts', import.meta.url))) {
  const { benchReplicas } = (await import('./replicas.ts')) as { benchReplicas: (o: { iterations: number }) => Promise<string[]> };
  await section('replicas: one and two processes on one PostgreSQL', () => benchReplicas({ iterations: quick ? 200 : 1_000 }));
}
if (existsSync(new URL('./slack.ts', import.meta.url))) {
  const { benchSlack } = (await import('./slack.ts')) as { benchSlack: (o: { iterations: number }) => Promise<string[]> };
  await section('slack adapter', () => benchSlack({ iterations: quick ? 200 : 1_000 }));
}
if (existsSync(new URL('./discord.ts', import.meta.url))) {
  const { benchDiscord } = (await import('./discord.ts')) as { benchDiscord: (o: { iterations: number }) => Promise<string[]> };
  await section('discord adapter', () => benchDiscord({ iterations: quick ? 200 : 1_000 }));
}
const memory = process.memoryUsage();
console.log(`\nmemory: rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`);
