/**
 * `npm run bench`: prints speed and memory figures. Targets are read here,
 * never asserted in tests. `--quick` runs fewer iterations.
 *
 * Each section runs in a process of its own, one after the other, as a bot's
 * process would run: a section's figures then never carry an earlier one's heap
 * (the core section stores 100,000 sessions), its garbage collections or its
 * leftover timers. Comparisons stay side by side inside their section (SQLite
 * next to PostgreSQL, the advisor next to an ack-only app). `--section <name>`
 * runs one section in this process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchCore } from './core.ts';
import { benchDiscord } from './discord.ts';
import { benchParse } from './parse.ts';
import { benchPostgres } from './postgres.ts';
import { benchReplicas } from './replicas.ts';
import { benchSlack } from './slack.ts';

const quick = process.argv.includes('--quick');
const iterations = quick ? 2_000 : 20_000;

const SECTIONS: Record<string, { title: string; run: () => Promise<string[]> }> = {
  core: { title: 'core', run: () => benchCore({ iterations, idleSessions: quick ? 10_000 : 100_000, interviews: quick ? 500 : 2_000 }) },
  parse: { title: 'free-text parsing', run: () => benchParse({ iterations: quick ? 2_000 : 20_000, longMessages: quick ? 50 : 300 }) },
  store: { title: 'store: SQLite and PostgreSQL', run: () => benchPostgres({ turns: quick ? 1_000 : 5_000 }) },
  replicas: { title: 'replicas: one and two processes on one PostgreSQL', run: () => benchReplicas({ iterations: quick ? 200 : 1_000 }) },
  slack: { title: 'slack adapter', run: () => benchSlack({ iterations: quick ? 200 : 1_000 }) },
  discord: { title: 'discord adapter', run: () => benchDiscord({ iterations: quick ? 200 : 1_000 }) },
};

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Runs one section here and prints its figures, then the process's memory; false if it failed. */
async function runSection(name: string): Promise<boolean> {
  const section = SECTIONS[name];
  if (!section) {
    console.log(`unknown section "${name}"; the sections are ${Object.keys(SECTIONS).join(', ')}`);
    return false;
  }
  console.log(`\n== ${section.title}`);
  try {
    for (const line of await section.run()) console.log(`  ${line}`);
    const memory = process.memoryUsage();
    console.log(`  memory of this section's process: rss ${mib(memory.rss)}, heap used ${mib(memory.heapUsed)}`);
    return true;
  } catch (error) {
    console.log(`  failed: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

/** Runs one section in a fresh process with this one's node options (the TypeScript loader), its output passed through. */
function runSectionProcess(name: string): Promise<boolean> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--section', name, ...(quick ? ['--quick'] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.on('error', (error) => {
      console.log(`  failed to start the ${name} section: ${error.message}`);
      resolve(false);
    });
    child.on('exit', (code, signal) => {
      if (code !== 0) console.log(`  the ${name} section ended with ${signal ?? `exit code ${code}`}`);
      resolve(code === 0);
    });
  });
}

const sectionFlag = process.argv.indexOf('--section');
if (sectionFlag >= 0) {
  const ok = await runSection(process.argv[sectionFlag + 1] ?? '');
  process.exitCode = ok ? 0 : 1;
} else {
  console.log(`advisor benchmarks (node ${process.version}, ${quick ? 'quick' : 'full'} run; each section in a process of its own)`);
  let failed = 0;
  for (const name of Object.keys(SECTIONS)) {
    if (!(await runSectionProcess(name))) failed += 1;
  }
  if (failed > 0) process.exitCode = 1;
}
