/**
 * The Message Content option: off by default (Guilds intent only); when on,
 * the owner's plain messages in the interview thread are answers and commands,
 * parsed by the core (several criteria at once, `ask …`), and other people's
 * chatter is not taken as answers.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { GatewayIntentBits } from 'discord.js';
import { BotUnderTest, stopStartedBots, firstEmbed } from './harness/bot-under-test.ts';
import { FIRST, FIRST_ANSWER, titleOf } from './harness/first-question.ts';

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
    expect((await t.session(threadId))?.answers).toEqual({});

    // The open question's answer in words (its first option), and two more.
    const words = FIRST_ANSWER.label.toLowerCase();
    const typed = fake.say(world.alice, thread, `${words}: a REST API, built by 3 devs`);
    const handled = await t.logs.waitFor((l) => l.msg === 'message handled' && l['messageId'] === typed.id, 'the typed answer');
    expect(handled['outcome']).toBe('ok');
    expect((await t.session(threadId))?.answers).toEqual({ [FIRST]: FIRST_ANSWER.id, project_type: 'api', team_size: 'small' });

    const edit = fake.requests.find((r) => r.route === 'channelMessageEdit' && r.params['messageId'] === q1.id);
    expect(edit?.status).toBe(200);
    expect(fake.message(q1.id).components).toEqual([]);
    expect(firstEmbed(fake.message(q1.id)).description).toContain(`“${words}”`);
    const posted = fake.messagesIn(threadId).filter((m) => m.author.id === world.bot.id && m.id !== q1.id);
    // The open question's answer is its record; the note names only the others.
    expect(posted.some((m) => m.content.includes('Also got from that'))).toBe(true);
    expect(firstEmbed(t.liveMessage(threadId)).title).not.toBe(titleOf(FIRST));
  });

  test("a typed `ask` in the thread is answered in the thread, with sources; the interview stays where it was", async () => {
    t = await BotUnderTest.start({ messageContent: true });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const q1 = t.liveMessage(threadId);
    const typed = fake.say(world.alice, fake.channel(threadId), 'ask does flask have an ORM?');
    const handled = await t.logs.waitFor((l) => l.msg === 'message handled' && l['messageId'] === typed.id, 'the typed ask');
    expect(handled['outcome']).toBe('ok');
    const answer = fake.messagesIn(threadId).filter((m) => m.author.id === world.bot.id && m.embeds.length > 0).at(-1)!;
    expect(firstEmbed(answer).title).toMatch(/orm/i);
    expect(firstEmbed(answer).description).toContain('SQLAlchemy');
    expect(firstEmbed(answer).footer?.text).toMatch(/^Sources: /);
    expect(answer.content).not.toMatch(/didn.t catch/i);
    expect(t.logs.lines.some((l) => l.msg === 'message handled' && String(l['outcome']) === 'failed')).toBe(false);
    expect((await t.session(threadId))?.answers).toEqual({});
    expect(t.liveMessage(threadId).id).toBe(q1.id);
  });

  test("someone else's chatter in the thread is told once whose interview it is, then left alone", async () => {
    t = await BotUnderTest.start({ messageContent: true });
    const { world, fake } = t;
    const { threadId } = await t.startInterview();
    const thread = fake.channel(threadId);
    for (const text of ['is this the framework thing?', 'cool, following along']) {
      const said = fake.say(world.bob, thread, text);
      const handled = await t.logs.waitFor((l) => l.msg === 'message handled' && l['messageId'] === said.id, 'the chatter');
      expect(handled['outcome']).toBe('refused_not_owner');
    }
    const replies = fake.requests.filter((r) => r.route === 'channelMessageCreate' && r.params['channelId'] === threadId && (r.body as { message_reference?: unknown }).message_reference);
    expect(replies).toHaveLength(1);
    expect(String((replies[0]!.body as { content: string }).content)).toContain(`<@${world.alice.id}>`);
    expect(await t.session(threadId, world.bob)).toBeUndefined();
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
    expect((await t.session(threadId))?.answers).toEqual({});
  });
});
