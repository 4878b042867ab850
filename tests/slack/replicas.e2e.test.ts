/**
 * Two advisor processes (`node bin/start.js`, Slack HTTP mode) on one SQLite
 * file, as two replicas behind a load balancer would run. Every delivery is
 * sent to BOTH at once: a replayed slash command, a replayed `/advisor ask`, a
 * mention and its retry, a typed `ask` in a thread, the share picker, the
 * channel summary, and double clicks through whole interviews. Nothing is
 * posted twice and no answer is lost or applied twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockAction, CHANNEL, mentionEvent, messageEvent, OTHER_CHANNEL, slashCommand, TEAM } from './harness/payloads.ts';
import { nextControl, ReplicaSet } from './harness/replicas.ts';
import type { SignedSlackClient } from './harness/signer.ts';
import { controlsOf, liveMessages, shownMessages } from './harness/thread-view.ts';
import type { SlackWebApiStandIn } from './harness/web-api-stand-in.ts';

const USERS = ['U0REPL1', 'U0REPL2', 'U0REPL3', 'U0REPL4', 'U0REPL5', 'U0REPL6', 'U0REPL7', 'U0REPL8'];

let set: ReplicaSet;
let webApi: SlackWebApiStandIn;
let clients: SignedSlackClient[] = [];

beforeAll(async () => {
  set = await ReplicaSet.start(2, { sqlite: true });
  webApi = set.webApi;
  clients = set.clients;
}, 60_000);
afterAll(async () => {
  await set?.stop();
});

/** Sends the same signed delivery to both replicas at once; resolves with their HTTP statuses. */
const toBoth = (send: (client: SignedSlackClient) => Promise<{ status: number }>): Promise<number[]> => set.toEach(send);
const settled = (): Promise<void> => set.settled();
const doubledPosts = (): string[] => set.doubledPosts();
const parentOf = (user: string): string | undefined => set.parentOf(user);

describe('two replicas on one database', () => {
  it('apply each delivery once and post nothing twice, under eight interviews with double clicks and retries sent to both', { timeout: 120_000 }, async () => {
    // A replayed signed /advisor: one interview per person.
    for (const user of USERS) {
      const fields = slashCommand({ user, responseUrl: webApi.responseUrl(`start-${user}`) });
      expect(await toBoth((c) => c.command(fields))).toEqual([200, 200]);
    }
    // A replayed /advisor ask, and a mention with its retry: one answer each.
    const ask = slashCommand({ text: 'ask does flask have an ORM?', responseUrl: webApi.responseUrl('ask') });
    await toBoth((c) => c.command(ask));
    const mention = mentionEvent({ eventId: 'Ev0REPLMENTION', text: `<@${webApi.botUserId}> is django good for APIs?` });
    await Promise.all([clients[0]!.event(mention), clients[1]!.event(mention, { retryNum: 1, retryReason: 'http_timeout' })]);
    await settled();

    const parents = USERS.map(parentOf);
    expect(parents.every((p) => p !== undefined)).toBe(true);
    expect(shownMessages(webApi).filter((m) => m.channel === CHANNEL && m.threadTs === undefined && USERS.some((u) => m.text.includes(u)))).toHaveLength(USERS.length);

    // Interviews: every click is a double click that lands on both replicas; five rounds each.
    const answered = new Map<string, number>(USERS.map((u) => [u, 0]));
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        USERS.map(async (user, index) => {
          const threadTs = parents[index]!;
          const live = liveMessages(webApi, CHANNEL, threadTs).at(-1);
          // A settled verdict offers "keep refining": take it, so the interview goes on.
          const control = live ? nextControl(live) : undefined;
          if (!live || !control) return;
          const click = blockAction({ user, messageTs: live.ts, threadTs, responseUrl: webApi.responseUrl(`click-${user}`), actionId: control.actionId, blockId: control.blockId, button: { value: control.value } });
          const statuses = await toBoth((c) => c.interaction(click));
          expect(statuses).toEqual([200, 200]);
          if (control.actionId.startsWith('advisor:answer')) answered.set(user, (answered.get(user) ?? 0) + 1);
        }),
      );
      await settled();
    }

    // A typed `ask` in a thread, and the share picker and summary, each delivered to both.
    const firstThread = parents[0]!;
    const typedAsk = messageEvent({ eventId: 'Ev0REPLTYPEDASK', user: USERS[0]!, threadTs: firstThread, text: 'ask can flask do async views?' });
    await toBoth((c) => c.event(typedAsk));
    await settled();
    const live = liveMessages(webApi, CHANNEL, firstThread).at(-1)!;
    const result = controlsOf(live).find((c) => c.actionId.startsWith('advisor:result'));
    if (result) {
      const click = blockAction({ user: USERS[0]!, messageTs: live.ts, threadTs: firstThread, responseUrl: webApi.responseUrl('result'), actionId: result.actionId, blockId: result.blockId, button: { value: result.value } });
      await toBoth((c) => c.interaction(click));
      await settled();
    }
    const card = liveMessages(webApi, CHANNEL, firstThread).at(-1)!;
    const share = controlsOf(card).find((c) => c.actionId.startsWith('advisor:share'));
    expect(share, 'the result card offers Post to channel').toBeDefined();
    const shareClick = blockAction({ user: USERS[0]!, messageTs: card.ts, threadTs: firstThread, responseUrl: webApi.responseUrl('share'), actionId: share!.actionId, blockId: share!.blockId, button: { value: share!.value } });
    await toBoth((c) => c.interaction(shareClick));
    await settled();
    const picker = shownMessages(webApi).find((m) => m.threadTs === firstThread && controlsOf(m).some((c) => c.actionId.startsWith('advisor:share_to')));
    expect(picker, 'one channel picker').toBeDefined();
    const pickerControl = controlsOf(picker!).find((c) => c.actionId.startsWith('advisor:share_to'))!;
    const choose = blockAction({ user: USERS[0]!, messageTs: picker!.ts, threadTs: firstThread, responseUrl: webApi.responseUrl('share_to'), actionId: pickerControl.actionId, blockId: pickerControl.blockId, conversation: OTHER_CHANNEL });
    await toBoth((c) => c.interaction(choose));
    await settled();

    expect(doubledPosts()).toEqual([]);
    expect(shownMessages(webApi).filter((m) => m.channel === OTHER_CHANNEL)).toHaveLength(1);
    expect(webApi.callsTo('chat.postMessage').filter((c) => String(c.body['text']).toLowerCase().includes('orm')).length).toBeGreaterThanOrEqual(1);

    // No answer lost or applied twice: each person has exactly the answers they clicked.
    const store = await set.openStore();
    try {
      for (const [index, user] of USERS.entries()) {
        const conversation = `${CHANNEL}:${parents[index]!}`;
        const session = (await store.load({ platform: 'slack', workspace: TEAM, conversation, user }))?.session;
        expect(session?.history, `${user}'s answers`).toHaveLength(answered.get(user) ?? 0);
        expect(answered.get(user)).toBeGreaterThan(0);
        expect(liveMessages(webApi, CHANNEL, parents[index]!), `${user}'s thread has one live message`).toHaveLength(1);
      }
    } finally {
      await store.close();
    }
    expect(set.replicas.every((r) => r.child.exitCode === null)).toBe(true);
  });
});
