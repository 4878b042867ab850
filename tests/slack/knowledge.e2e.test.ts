/**
 * Knowledge questions (`/advisor ask ...`, mentioning the bot in a thread),
 * `/advisor help`, and escaping of echoed user text.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessionKey } from '../../adapters/slack/session-key.ts';
import { ALICE, CHANNEL, TEAM, mentionEvent, messageEvent, slashCommand } from './harness/payloads.ts';
import { lastPost, posts, readableText } from './harness/recorded.ts';
import { startHttpRig, type HttpRig, storedSession } from './harness/rig.ts';

let rig: HttpRig;
beforeAll(async () => {
  rig = await startHttpRig();
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => rig.webApi.reset());

describe('/advisor ask', () => {
  it('answers in the channel from the knowledge base, with sources, naming who asked', async () => {
    const response = await rig.client.command(slashCommand({ text: 'ask does flask have an ORM?', responseUrl: rig.webApi.responseUrl('ask') }));
    expect(response.status).toBe(200);
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
    const answer = lastPost(rig.webApi);
    expect(answer.channel).toBe(CHANNEL);
    const text = readableText(answer.blocks);
    expect(text).toContain(`<@${ALICE}> asked: “does flask have an ORM?”`);
    expect(text).toMatch(/ORM/i);
    expect(text).toMatch(/Sources: \S/);
  });

  it('where the bot may not post, the asker still gets the answer privately, with the reason', async () => {
    rig.webApi.fail('chat.postMessage', { kind: 'slack_error', error: 'channel_not_found' }, 1);
    await rig.client.command(slashCommand({ channel: 'D0DIRECT', text: 'ask does flask have an ORM?', responseUrl: rig.webApi.responseUrl('ask-dm') }));
    const [response] = rig.webApi.responses;
    expect(response?.id).toBe('ask-dm');
    expect(response?.body['response_type']).toBe('ephemeral');
    const text = readableText(response?.body['blocks'] as never);
    expect(text).toContain("I can't see that channel: it may be private, archived or a DM I'm not part of.");
    expect(text).toMatch(/Sources: \S/);
  });

  it('escapes the echoed question, so it can never ping @channel or forge a link', async () => {
    // Slack delivers what the person typed; a crafted message may carry raw control sequences.
    await rig.client.command(slashCommand({ text: 'ask <!channel> is flask & django <https://evil.example|safe>? &lt;!here&gt;', responseUrl: rig.webApi.responseUrl('x') }));
    const post = lastPost(rig.webApi);
    const everything = `${post.text}\n${JSON.stringify(post.blocks)}`;
    expect(everything).not.toContain('<!channel>');
    expect(everything).not.toContain('<!here>');
    expect(everything).not.toContain('<https://evil');
    expect(readableText(post.blocks)).toContain('asked: “@channel is flask &amp; django safe? &lt;!here&gt;”');
  });
});

describe('mentioning the bot', () => {
  it('answers in the thread it was mentioned in, with sources', async () => {
    const threadTs = '1700005000.000100';
    await rig.client.event(mentionEvent({ eventId: 'Ev0ASK', threadTs, text: '<@U0ADVISOR> does Flask have an ORM?' }));
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
    const answer = lastPost(rig.webApi);
    expect(answer).toMatchObject({ channel: CHANNEL, threadTs });
    expect(readableText(answer.blocks)).toMatch(/Sources: \S/);
  });

  it('outside a thread, the answer starts a thread under the mention', async () => {
    await rig.client.event(mentionEvent({ eventId: 'Ev0ASKTOP', ts: '1700005000.000200', text: '<@U0ADVISOR> is django good for an online shop?' }));
    expect(lastPost(rig.webApi).threadTs).toBe('1700005000.000200');
  });
});

describe('ask <question> typed in an interview thread', () => {
  it('is answered from the knowledge base in the thread, and leaves the interview as it was', async () => {
    await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('start') }));
    const parent = posts(rig.webApi)[0]!;
    const key = sessionKey(TEAM, CHANNEL, parent.ts, ALICE);
    const before = await storedSession(rig.store, key);
    rig.webApi.reset();
    const typed = messageEvent({ eventId: 'Ev0ASKTHREAD', threadTs: parent.ts, text: 'ask does flask have an ORM?' });
    await rig.client.event(typed);
    await rig.client.event(typed, { retryNum: 1 });
    expect(rig.webApi.methods()).toEqual(['chat.postMessage']);
    const answer = lastPost(rig.webApi);
    expect(answer.threadTs).toBe(parent.ts);
    expect(readableText(answer.blocks)).toMatch(/Sources: \S/);
    expect(await storedSession(rig.store, key)).toEqual(before);
  });
});

describe('/advisor help', () => {
  it('explains the commands privately', async () => {
    await rig.client.command(slashCommand({ text: 'help', responseUrl: rig.webApi.responseUrl('help') }));
    expect(rig.webApi.calls).toEqual([]);
    const [response] = rig.webApi.responses;
    expect(response).toMatchObject({ id: 'help', body: { response_type: 'ephemeral' } });
    const text = readableText(response!.body['blocks'] as never);
    expect(text).toContain('`/advisor ask &lt;question&gt;`');
    expect(text).toContain('`/advisor help`');
    expect(text).toContain('`back`');
  });

  it('an unknown subcommand gets the help, saying what was not understood', async () => {
    await rig.client.command(slashCommand({ text: 'frobnicate <!here>', responseUrl: rig.webApi.responseUrl('unknown') }));
    const text = readableText(rig.webApi.responses[0]!.body['blocks'] as never);
    expect(text).toContain('I don\'t know “frobnicate &lt;!here&gt;”.');
    expect(text).toContain('`/advisor help`');
  });
});
