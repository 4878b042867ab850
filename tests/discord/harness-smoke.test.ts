import { Client, GatewayIntentBits, MessageFlags } from 'discord.js';
import { afterEach, expect, test, vi } from 'vitest';
import { FakeDiscord } from './harness/fake-discord.ts';
import { watchProcessErrors } from './harness/process-errors.ts';
import { slashCommand } from './harness/payloads.ts';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

test('a real discord.js client logs in to the stand-in and answers an interaction', async () => {
  const watch = watchProcessErrors();
  const fake = await FakeDiscord.start();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  watch.watch(client);
  cleanup.push(async () => { watch.stop(); await client.destroy(); await fake.close(); });
  client.on('interactionCreate', async (interaction) => {
    if (interaction.isChatInputCommand()) await interaction.reply({ content: 'pong', flags: MessageFlags.Ephemeral });
  });
  const ready = new Promise((resolve) => client.once('clientReady', resolve));
  await client.login(fake.token);
  await ready;
  expect(client.guilds.cache.get(fake.world.guild.id)?.channels.cache.size).toBe(3);
  const interaction = fake.slash(fake.world.alice, fake.world.general, 'help');
  const callback = await fake.waitForRequest((r) => r.route === 'interactionCallback' && r.params['interactionId'] === interaction.id);
  expect(callback.body).toMatchObject({ type: 4, data: { content: 'pong', flags: 64 } });
  expect(watch.errors).toEqual([]);
});

test('the error watch sees what discord.js throws on an INTERACTION_CREATE without entitlements', async () => {
  const watch = watchProcessErrors();
  const fake = await FakeDiscord.start();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  watch.watch(client);
  cleanup.push(async () => { watch.stop(); await client.destroy(); await fake.close(); });
  const ready = new Promise((resolve) => client.once('clientReady', resolve));
  await client.login(fake.token);
  await ready;
  const { entitlements: _dropped, ...broken } = slashCommand(fake.world, { user: fake.world.alice, channel: fake.world.general, subcommand: 'help' });
  fake.gateway.dispatch('INTERACTION_CREATE', broken);
  await vi.waitFor(() => expect(watch.errors.length).toBeGreaterThan(0));
  expect(String(watch.errors[0])).toMatch(/reduce/);
});
