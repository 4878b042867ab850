/**
 * The result and its details in Slack, through a real Bolt app in HTTP mode:
 * a full 16-answer interview ends in a compact card (every framework's
 * strongest reason, no sources yet) with a Details button; Details, clicked or
 * typed, posts every reason, caveat and change with the sources in the thread,
 * within Block Kit's limits and without cutting anything; words the core cannot
 * read after the result get a private hint, not the card again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { effectiveReasons, favouring } from '../../src/conversation/result-view.ts';
import { recommend } from '../../src/engine/recommend.ts';
import { blockKitViolations } from './harness/block-kit-rules.ts';
import { ALICE, CHANNEL, TEAM, blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { control, controls, posts, readableText, type PostedMessage } from './harness/recorded.ts';
import { startHttpRig, storedSession, testKnowledge, type HttpRig } from './harness/rig.ts';
import { disputeHeadingOf } from '../../src/conversation/labels.ts';

const knowledge = testKnowledge();
let rig: HttpRig;
let parent: PostedMessage;
let card: PostedMessage;

beforeAll(async () => {
  rig = await startHttpRig();
});
afterAll(async () => {
  // Also fails when any message the app sent broke a Block Kit limit.
  await rig.stop();
});

/** The newest message in the thread that carries controls: the live question, offer or result. */
function live(): PostedMessage {
  const found = posts(rig.webApi)
    .filter((m) => m.threadTs === parent.ts && controls(m.blocks).length > 0)
    .at(-1);
  if (!found) throw new Error('no live message');
  return found;
}

async function click(message: PostedMessage, actionId: string, value: string, select = false): Promise<void> {
  const response = await rig.client.interaction(
    blockAction({
      messageTs: message.ts,
      threadTs: parent.ts,
      responseUrl: rig.webApi.responseUrl('action'),
      actionId,
      ...(select ? { select: { value } } : { button: { value } }),
    }),
  );
  expect(response.status).toBe(200);
}

let typed = 0;
async function type(text: string): Promise<void> {
  typed += 1;
  const response = await rig.client.event(messageEvent({ eventId: `Ev0DETAILS${typed}`, threadTs: parent.ts, text }));
  expect(response.status).toBe(200);
}

function expectWithinLimits(message: PostedMessage): void {
  expect(blockKitViolations({ text: message.text, blocks: message.blocks })).toEqual([]);
  expect(readableText(message.blocks)).not.toMatch(/more not shown/);
}

describe('the result and Details in Slack', () => {
  it('a full interview ends in a compact card with every framework\'s strongest reason and a Details button', async () => {
    await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
    parent = posts(rig.webApi)[0]!;
    // Answer every question with its second option (the first when there is one), keep refining past the offer.
    for (let turn = 0; turn < 40; turn++) {
      const message = live();
      const captions = controls(message.blocks).map((c) => c.caption);
      if (captions.includes('Details')) break;
      if (captions.includes('Keep refining')) {
        await click(message, control(message, 'Keep refining').actionId, control(message, 'Keep refining').value!);
        continue;
      }
      const select = controls(message.blocks).find((c) => c.type === 'static_select');
      if (select) await click(message, select.actionId, select.options[1]!.value, true);
      else {
        const answers = controls(message.blocks).filter((c) => c.actionId.startsWith('advisor:answer'));
        const chosen = answers[1] ?? answers[0]!;
        await click(message, chosen.actionId, chosen.value!);
      }
    }
    card = live();
    const session = (await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE)))!;
    expect(session.phase).toBe('result');
    expect(Object.keys(session.answers)).toHaveLength(knowledge.criteria.length);

    expect(controls(card.blocks).map((c) => c.caption)).toEqual(['Start over', 'Details', 'Post to channel']);
    expectWithinLimits(card);
    const text = readableText(card.blocks);
    expect(text).not.toContain('Sources:');
    const rec = recommend(knowledge, session.answers);
    for (const framework of rec.ranking) {
      const mine = effectiveReasons(rec.reasons).filter((r) => favouring(r)?.framework === framework);
      if (mine.length === 0) continue;
      // A group that leaves reasons out counts them in its own heading: "For Django (3 of 8 reasons)".
      expect(text).toMatch(new RegExp(`\\*For ${knowledge.frameworkById.get(framework)!.name}(?: \\(\\d+ of \\d+ reasons\\))?\\*`));
      const strongest = mine.find((r) => favouring(r)!.by === Math.max(...mine.map((m) => favouring(m)!.by)))!;
      const c = knowledge.criterionById.get(strongest.criterion)!;
      expect(text).toContain(`${c.title}: ${c.options.find((o) => o.id === session.answers[c.id])!.label}`.replace(/&/g, '&amp;'));
    }
    expect(text).toMatch(/Based on 16 answers/);
    expect(text).not.toMatch(/\b1 points\b|\b1 smaller reasons\b/);
  });

  let pages: PostedMessage[] = [];

  it('Details posts every reason, caveat and change with the sources in the thread, page by page, nothing cut', async () => {
    rig.webApi.reset();
    await click(card, control(card, 'Details').actionId, control(card, 'Details').value!);
    expect(new Set(rig.webApi.methods())).toEqual(new Set(['chat.postMessage']));
    pages = posts(rig.webApi);
    expect(pages.length).toBeGreaterThan(1);
    const all = pages.map((p) => readableText(p.blocks)).join('\n');
    pages.forEach((page, index) => {
      expect(page.threadTs).toBe(parent.ts);
      expect(controls(page.blocks)).toEqual([]);
      expectWithinLimits(page);
      expect(readableText(page.blocks)).toContain(`Everything behind the result (${index + 1} of ${pages.length})`);
    });
    const session = (await storedSession(rig.store, sessionKey(TEAM, CHANNEL, parent.ts, ALICE)))!;
    const rec = recommend(knowledge, session.answers);
    for (const reason of effectiveReasons(rec.reasons)) {
      const c = knowledge.criterionById.get(reason.criterion)!;
      expect(all).toContain(`*${c.title}: ${c.options.find((o) => o.id === reason.answer)!.label}`.replace(/&/g, '&amp;'));
    }
    for (const caveat of rec.caveats) {
      if (caveat.kind === 'dispute') expect(all).toContain(`${disputeHeadingOf(knowledge, caveat.sides.map((side) => side.sources))}: ${caveat.topic}`.replace(/&/g, '&amp;'));
    }
    expect(readableText(pages.at(-1)!.blocks)).toMatch(/Sources: .*USSLLC/);
    // The card keeps its controls: nothing was retired.
    expect(rig.webApi.callsTo('chat.update')).toEqual([]);
  });

  it('typing "details" in the thread posts the same pages', async () => {
    rig.webApi.reset();
    await type('details');
    const typedPages = posts(rig.webApi);
    expect(typedPages.map((p) => readableText(p.blocks))).toEqual(pages.map((p) => readableText(p.blocks)));
  });

  it('words the core cannot read after the result get a private hint, and the card is not posted again', async () => {
    rig.webApi.reset();
    await type('qwertyuiop zxcv');
    expect(rig.webApi.methods()).toEqual(['chat.postEphemeral']);
    const hint = String(rig.webApi.callsTo('chat.postEphemeral')[0]!.body['text']);
    expect(hint).toContain("I didn't catch that. The result is above: say details for everything behind it");
  });
});
