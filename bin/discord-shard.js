#!/usr/bin/env node
// One Discord shard, as forked by the ShardingManager that `npm start` runs when DISCORD_SHARDS is set
// (adapters/discord/shard-manager.ts). Loads the TypeScript sources through tsx, like bin/start.js.
import { register } from 'tsx/esm/api';

register();
const { runShard } = await import('../adapters/discord/shard.ts');
// Exit explicitly: the IPC channel to the manager would otherwise keep the process alive.
process.exit(await runShard());
