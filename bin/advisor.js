#!/usr/bin/env node
// The `advisor` CLI. Runs the TypeScript sources through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

// A reader that stops early (`advisor ... | head`) closes the pipe: that ends the output, as for any Unix tool, without a stack trace.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
