/**
 * /advisor ask and /advisor help through the real client, the command
 * definitions, and registering them with deploy-commands against the stand-in.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { commandDefinitions } from '../../adapters/discord/commands.ts';
import { deployCommands } from '../../adapters/discord/deploy-commands.ts';
import { silentLogger } from '../../src/logger.ts';
import { BotUnderTest, stopStartedBots } from './harness/bot-under-test.ts';
import { FakeDiscord } from './harness/fake-discord.ts';

const EPHEMERAL = 64;

let t: BotUnderTest;
afterEach(stopStartedBots);

describe('/advisor ask', () => {
  test('answers from the knowledge base with sources, in the channel', async () => {
    t = await BotUnderTest.start();
    const ask = t.fake.slash(t.world.alice, t.world.general, 'ask', { question: 'Does Flask have an ORM? @everyone' });
    expect(await t.handled(ask)).toBe('ok');
    const [callback] = t.fake.callbacksFor(ask);
    const { type, data } = callback!.body as { type: number; data: { flags?: number; embeds: { title: string; description: string; footer?: { text: string } }[]; allowed_mentions: unknown } };
    expect(type).toBe(4);
    expect(data.flags ?? 0).toBe(0);
    const [embed] = data.embeds;
    expect(embed!.title).toMatch(/orm/i);
    expect(embed!.description).toContain('SQLAlchemy');
    expect(embed!.description).toContain('> Does Flask have an ORM?');
    expect(embed!.footer?.text).toMatch(/^Sources: .+/);
    expect(data.allowed_mentions).toEqual({ parse: [], replied_user: false });
  });

  test('says plainly when the knowledge base has nothing on the question', async () => {
    t = await BotUnderTest.start();
    const ask = t.fake.slash(t.world.alice, t.world.general, 'ask', { question: 'what is the airspeed of an unladen swallow' });
    expect(await t.handled(ask)).toBe('ok');
    const { data } = t.fake.callbacksFor(ask)[0]!.body as { data: { embeds: { title: string; footer?: unknown }[] } };
    expect(data.embeds[0]!.title.length).toBeGreaterThan(0);
    expect(data.embeds[0]!.footer).toBeUndefined();
  });
});

describe('/advisor help', () => {
  test('explains the commands, only to the one who asked', async () => {
    t = await BotUnderTest.start();
    const help = t.fake.slash(t.world.bob, t.world.general, 'help');
    expect(await t.handled(help)).toBe('ok');
    const { type, data } = t.fake.callbacksFor(help)[0]!.body as { type: number; data: { flags: number; embeds: { description: string; fields: { name: string; value: string }[] }[] } };
    expect(type).toBe(4);
    expect(data.flags).toBe(EPHEMERAL);
    const text = JSON.stringify(data.embeds[0]);
    for (const usage of ['/advisor start', '/advisor ask question:<text>', '/advisor help']) expect(text).toContain(usage);
    expect(text).toContain('skip');
  });

  test("a component this adapter did not make gets a plain answer instead of silence", async () => {
    t = await BotUnderTest.start();
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    const click = t.fake.click(t.world.alice, q1, 'someone-elses-button');
    expect(await t.handled(click)).toBe('unknown_component');
    expect((t.fake.callbacksFor(click)[0]!.body as { data: { flags: number } }).data.flags).toBe(EPHEMERAL);
  });
});

describe('command definitions and deploy-commands', () => {
  test('one /advisor command with start, ask question:<text> and help, for servers only', () => {
    const [advisor, ...others] = commandDefinitions();
    expect(others).toEqual([]);
    expect(advisor!.name).toBe('advisor');
    expect(advisor!.contexts).toEqual([0]);
    const subcommands = (advisor!.options ?? []) as { name: string; type: number; options?: { name: string; required?: boolean; max_length?: number }[] }[];
    expect(subcommands.map((s) => [s.name, s.type])).toEqual([
      ['start', 1],
      ['ask', 1],
      ['help', 1],
    ]);
    expect(subcommands[1]!.options).toEqual([expect.objectContaining({ name: 'question', required: true, max_length: 300 })]);
  });

  test('registers to the guild when DISCORD_GUILD_ID is set, globally otherwise', async () => {
    const fake = await FakeDiscord.start();
    try {
      const base = { token: fake.token, applicationId: fake.world.applicationId, apiUrl: fake.apiUrl, messageContent: false };
      const guild = await deployCommands({ ...base, guildId: fake.world.guild.id }, silentLogger());
      expect(guild).toEqual({ scope: 'guild', registered: ['advisor'] });
      // DISCORD_API_URL as often written, with a trailing slash: still /api/v10/..., not /api//v10/...
      const global = await deployCommands({ ...base, apiUrl: `${fake.apiUrl}/` }, silentLogger());
      expect(global).toEqual({ scope: 'global', registered: ['advisor'] });
      const calls = fake.requests.filter((r) => r.method === 'PUT');
      expect(calls.map((r) => r.path)).toEqual([
        `/applications/${fake.world.applicationId}/guilds/${fake.world.guild.id}/commands`,
        `/applications/${fake.world.applicationId}/commands`,
      ]);
      expect(calls[0]!.body).toEqual(commandDefinitions());
      expect(calls[0]!.authorization).toBe(`Bot ${fake.token}`);
    } finally {
      await fake.close();
    }
  });
});
