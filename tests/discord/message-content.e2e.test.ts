/**
 * The Message Content option: off by default (Guilds intent only); when on,
 * the owner's plain messages in the interview thread are answers, parsed by
 * the core (several criteria at once), and other people's chatter is ignored.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { GatewayIntentBits } from 'discord.js';
import { BotUnderTest, stopStartedBots, firstEmbed } from './harness/bot-under-test.ts';

let t: BotUnderTest;
afterEach(stopStartedBots);

describe('intents', () => {
  test('Guilds only by default', async () => {
    t = await BotUnderTest.start();
    expect(t.fake.gateway.identifies.map((i) => i.intents)).toEqual([GatewayIntentBits.Guilds]);
  });

  test('Guilds, GuildMessages and MessageContent with the option on', async () => {
    t = await BotUnderTest.start({ messageContent: true });
    expect(t.fake.gateway.identifies.map((i) => i.intents)).toEqual([GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent]);
  });
});

describe('typed answers in the thread', () => {
  test("the owner's message answers several questions; the open question becomes a record; others' chatter is ignored", async () => {
    t = await BotUnderTest.start({ messageContent: true });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const thread = fake.channel(threadId);
    const q1 = t.liveMessage(threadId);

    const chatter = fake.say(world.bob, thread, 'we are building a REST API');
    await t.logs.waitFor((l) => l.msg === 'message handled' && l['messageId'] === chatter.id, 'the chatter');
    expect((await t.service.get(t.key(threadId)))?.answers).toEqual({});

    const typed = fake.say(world.alice, thread, 'a REST API, built by 3 devs');
    const handled = await t.logs.waitFor((l) => l.msg === 'message handled' && l['messageId'] === typed.id, 'the typed answer');
    expect(handled['outcome']).toBe('ok');
    expect((await t.service.get(t.key(threadId)))?.answers).toMatchObject({ project_type: 'api', team_size: 'small' });

    const edit = fake.requests.find((r) => r.route === 'channelMessageEdit' && r.params['messageId'] === q1.id);
    expect(edit?.status).toBe(200);
    expect(fake.message(q1.id).components).toEqual([]);
    expect(firstEmbed(fake.message(q1.id)).description).toContain('“rest api”');
    const posted = fake.messagesIn(threadId).filter((m) => m.author.id === world.bot.id && m.id !== q1.id);
    expect(posted.some((m) => m.content.includes('Got several answers'))).toBe(true);
    expect(firstEmbed(t.liveMessage(threadId)).title).not.toBe('Project type');
  });

  test('with the option off, plain messages are not read', async () => {
    t = await BotUnderTest.start({ messageContent: false });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    fake.say(world.alice, fake.channel(threadId), 'a REST API, built by 3 devs');
    // The bot has no MESSAGE_CREATE handler: prove it by finishing another interaction afterwards, then checking nothing changed.
    const help = fake.slash(world.alice, world.general, 'help');
    await t.handled(help);
    expect(t.logs.lines.some((l) => l.msg === 'message handled')).toBe(false);
    expect((await t.service.get(t.key(threadId)))?.answers).toEqual({});
  });
});
