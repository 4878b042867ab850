#!/usr/bin/env node
// `npm start`: runs the TypeScript sources through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../adapters/start.ts');
process.exitCode = await main();
