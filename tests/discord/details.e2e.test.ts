/**
 * The result and its details in Discord, through a real discord.js client
 * against the local stand-in: a full 16-answer interview ends in a compact
 * embed (every framework's strongest reason, no sources yet) with a Details
 * button; Details, clicked or typed, posts every reason, caveat and change with
 * the sources in the thread, each page one embed within Discord's limits with
 * nothing cut; words the core cannot read after the result get a hint, not the
 * result again.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { parseCustomId } from '../../adapters/discord/custom-id.ts';
import { DISCORD_LIMITS, embedLength } from '../../adapters/discord/limits.ts';
import { effectiveReasons, favouring } from '../../src/conversation/result-view.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { BotUnderTest, components, firstEmbed, testKnowledge } from './harness/bot-under-test.ts';
import type { StoredMessage } from './harness/fake-rest.ts';
import { disputeHeadingOf } from '../../src/conversation/labels.ts';

const knowledge = testKnowledge();
let t: BotUnderTest;
afterEach(async () => {
  await t.stop();
  expect(t.errors.errors).toEqual([]);
});

interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: { text: string };
}

function embedsOf(message: StoredMessage): Embed[] {
  return message.embeds as Embed[];
}

/** Within every embed limit, and nothing was cut to get there (no field value or description ends in an ellipsis). */
function expectWithinLimits(message: StoredMessage): void {
  const embeds = embedsOf(message);
  expect(embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
  expect(embeds.reduce((sum, e) => sum + embedLength(e as never), 0)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
  for (const embed of embeds) {
    expect((embed.title ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.embedTitle);
    expect((embed.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.embedFields);
    for (const field of embed.fields ?? []) {
      expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFieldName);
      expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedFieldValue);
      expect(field.value.endsWith('…'), field.value).toBe(false);
    }
  }
}

const textOf = (message: StoredMessage): string =>
  embedsOf(message)
    .map((e) => [e.title, e.description, ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text].filter(Boolean).join('\n'))
    .join('\n');

/** Answers every question (the second option where there is one), refining past the offer, up to the result. */
async function interviewToResult(threadId: string): Promise<StoredMessage> {
  const { fake, world } = t;
  for (let turn = 0; turn < 40; turn++) {
    const message = t.liveMessage(threadId);
    const kinds = components(message).map((c) => parseCustomId(c.custom_id)?.kind);
    if (kinds.includes('details')) return message;
    let interaction;
    if (kinds.includes('refine')) interaction = fake.click(world.alice, message, t.control(message, 'refine').custom_id);
    else if (kinds.includes('select')) {
      const select = t.control(message, 'select');
      interaction = fake.select(world.alice, message, select.custom_id, [select.options![1]!.value]);
    } else {
      const answers = components(message).filter((c) => parseCustomId(c.custom_id)?.kind === 'answer');
      interaction = fake.click(world.alice, message, (answers[1] ?? answers[0]!).custom_id);
    }
    expect(await t.handled(interaction)).toBe('ok');
  }
  throw new Error('the interview did not end');
}

describe('the result and Details in Discord', () => {
  test('a full interview ends in a compact embed with a Details button; Details posts every reason, caveat and change with sources, page by page', async () => {
    t = await BotUnderTest.start();
    const { fake, world } = t;
    const { threadId } = await t.startInterview();
    const card = await interviewToResult(threadId);
    const session = (await t.session(threadId))!;
    expect(session.phase).toBe('result');
    expect(Object.keys(session.answers)).toHaveLength(knowledge.criteria.length);

    expect(components(card).map((c) => c.label)).toEqual(['Start over', 'Details', 'Post to channel']);
    expectWithinLimits(card);
    const verdict = firstEmbed(card);
    expect(verdict.footer).toBeUndefined();
    const rec = recommend(knowledge, session.answers);
    const cardText = textOf(card);
    for (const framework of rec.ranking) {
      const mine = effectiveReasons(rec.reasons).filter((r) => favouring(r)?.framework === framework);
      if (mine.length === 0) continue;
      const name = knowledge.frameworkById.get(framework)!.name;
      // A group that leaves reasons out counts them in its own heading: "For Django (3 of 8 reasons)".
      expect(verdict.fields?.map((f) => f.name)).toContainEqual(expect.stringMatching(new RegExp(`^For ${name}(?: \\(\\d+ of \\d+ reasons\\))?$`)));
      const strongest = mine.find((r) => favouring(r)!.by === Math.max(...mine.map((m) => favouring(m)!.by)))!;
      const c = knowledge.criterionById.get(strongest.criterion)!;
      expect(cardText).toContain(`• ${c.title}: ${c.options.find((o) => o.id === session.answers[c.id])!.label}`);
    }
    expect(cardText).not.toMatch(/\b1 points\b|\b1 smaller reasons\b/);

    const before = fake.messagesIn(threadId).length;
    const details = fake.click(world.alice, card, t.control(card, 'details').custom_id);
    expect(await t.handled(details)).toBe('ok');
    await t.turns.idle();
    const pages = fake.messagesIn(threadId).slice(before).filter((m) => m.embeds.length > 0);
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((page, index) => {
      expectWithinLimits(page);
      expect(page.components).toEqual([]);
      expect(firstEmbed(page).title).toBe(`Everything behind the result (${index + 1} of ${pages.length})`);
    });
    const all = pages.map(textOf).join('\n');
    for (const reason of effectiveReasons(rec.reasons)) {
      const c = knowledge.criterionById.get(reason.criterion)!;
      expect(all).toContain(`${c.title}: ${c.options.find((o) => o.id === reason.answer)!.label} (`);
      expect(all).toContain(reason.claims[0]!.text);
    }
    for (const caveat of rec.caveats) {
      if (caveat.kind === 'dispute') expect(all).toContain(`${disputeHeadingOf(knowledge, caveat.sides.map((side) => side.sources))}: ${caveat.topic}`);
    }
    expect(firstEmbed(pages.at(-1)!).footer?.text).toMatch(/^Sources: .*USSLLC/);
    // The result keeps its controls.
    expect(components(fake.message(card.id)).map((c) => c.label)).toContain('Details');
    expect((await t.session(threadId))?.version).toBe(session.version);
  });

  test('typed in the thread, "details" posts the same pages, and words it cannot read get a hint, not the result again', async () => {
    t = await BotUnderTest.start({ messageContent: true });
    const { fake, world } = t;
    const { threadId } = await t.startInterview();
    const card = await interviewToResult(threadId);
    const thread = fake.channel(threadId);

    const before = fake.messagesIn(threadId).length;
    const typed = fake.say(world.alice, thread, 'details');
    const handled = await t.logs.waitFor((l) => l.msg === 'message handled' && l['messageId'] === typed.id, 'the typed details');
    expect(handled['outcome']).toBe('ok');
    await t.turns.idle();
    const pages = fake.messagesIn(threadId).slice(before).filter((m) => m.author.id === world.bot.id && m.embeds.length > 0);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expectWithinLimits(page);

    const afterDetails = fake.messagesIn(threadId).length;
    const garbage = fake.say(world.alice, thread, 'qwertyuiop zxcv');
    await t.logs.waitFor((l) => l.msg === 'message handled' && l['messageId'] === garbage.id, 'the garbage');
    await t.turns.idle();
    const replies = fake.messagesIn(threadId).slice(afterDetails).filter((m) => m.author.id === world.bot.id);
    expect(replies.some((m) => m.content.includes('The result is above: say details for everything behind it'))).toBe(true);
    expect(replies.some((m) => m.embeds.length > 0)).toBe(false);
    expect(t.liveMessage(threadId).id).toBe(card.id);
  });
});
