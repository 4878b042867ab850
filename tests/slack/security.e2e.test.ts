/**
 * HTTP mode refuses requests Slack did not sign: a forged signature, no
 * signature, or a timestamp more than five minutes old (a replay) or ahead.
 * Each is answered 401 and reaches neither the core nor the Web API. Signed
 * bodies that are malformed get 400 and oversized ones 413 (see below).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify as formEncode } from 'node:querystring';
import { App, LogLevel } from '@slack/bolt';
import { boltLogger } from '../../adapters/slack/bolt.ts';
import { MAX_BODY_BYTES, SlackHttpReceiver } from '../../adapters/slack/receiver.ts';
import { silentLogger } from '../../src/logger.ts';
import { blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { streamUnendingBody } from './harness/raw-http.ts';
import { SIGNING_SECRET, startHttpRig, type HttpRig, type LogEntry } from './harness/rig.ts';
import { FORM, JSON_TYPE, SignedSlackClient } from './harness/signer.ts';

let rig: HttpRig;
beforeAll(async () => {
  rig = await startHttpRig();
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => rig.webApi.reset());

const SIX_MINUTES = 6 * 60;

async function expectNothingHappened(): Promise<void> {
  expect(rig.webApi.calls).toEqual([]);
  expect(rig.webApi.responses).toEqual([]);
  expect(await rig.store.count()).toBe(0);
}

describe('requests without a valid Slack signature', () => {
  it('a slash command signed with the wrong secret is refused with 401', async () => {
    const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('forged') }), { signWith: 'not-the-signing-secret' });
    expect(response.status).toBe(401);
    await expectNothingHappened();
  });

  it('a slash command without signature headers is refused with 401', async () => {
    const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('unsigned') }), { unsigned: true });
    expect(response.status).toBe(401);
    await expectNothingHappened();
  });

  it('a correctly signed request with a timestamp over five minutes old is refused with 401', async () => {
    const stale = Math.floor(Date.now() / 1000) - SIX_MINUTES;
    const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('stale') }), { timestampSeconds: stale });
    expect(response.status).toBe(401);
    await expectNothingHappened();
  });

  it('a forged button click and a forged event are refused with 401', async () => {
    const click = await rig.client.interaction(
      blockAction({ messageTs: '1700000000.000002', threadTs: '1700000000.000001', responseUrl: rig.webApi.responseUrl('x'), actionId: 'advisor:skip', button: { value: '1|project_type|' } }),
      { signWith: 'forged' },
    );
    const event = await rig.client.event(messageEvent({ eventId: 'Ev0FORGED', threadTs: '1700000000.000001', text: 'skip' }), undefined, { signWith: 'forged' });
    expect([click.status, event.status]).toEqual([401, 401]);
    await expectNothingHappened();
  });

  it('a body changed after signing is refused with 401', async () => {
    const fields = slashCommand({ responseUrl: rig.webApi.responseUrl('tampered') });
    const signedBody = new URLSearchParams(fields).toString();
    const { signedHeaders } = await import('./harness/signer.ts');
    const headers = signedHeaders('test-signing-secret-0123456789abcdef', signedBody, 'application/x-www-form-urlencoded');
    const tampered = signedBody.replace('user_id=U0ALICE', 'user_id=U0MALLORY');
    const response = await fetch(rig.endpoint, { method: 'POST', headers: { ...headers }, body: tampered });
    expect(response.status).toBe(401);
    await expectNothingHappened();
  });

  it('the same request correctly signed is accepted (the refusals above are about the signature)', async () => {
    const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('good') }));
    expect(response.status).toBe(200);
    expect(rig.webApi.methods()).toEqual(['chat.postMessage', 'chat.postMessage']);
  });
});

/*
 * Signed but malformed, future-dated or oversized requests (issue 8): each is
 * refused with a 4xx and exactly one log line saying what failed, never a crash
 * or a 5xx, and the server goes on serving the next request.
 */

/** The request's warnings and errors: the refusal's one log line, and nothing else. */
async function refusedWith(status: number, send: () => Promise<{ status: number }>): Promise<LogEntry> {
  const sessions = await rig.store.count();
  const logged = rig.logs.length;
  const response = await send();
  expect(response.status).toBe(status);
  expect(rig.webApi.calls).toEqual([]);
  expect(rig.webApi.responses).toEqual([]);
  expect(await rig.store.count()).toBe(sessions);
  const lines = rig.logs.slice(logged).filter((entry) => entry.level >= 40);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ msg: 'refused a Slack request', component: 'http-receiver', status, path: '/slack/events' });
  return lines[0]!;
}

async function expectStillServing(): Promise<void> {
  rig.webApi.reset();
  const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('next') }));
  expect(response.status).toBe(200);
  expect(rig.webApi.methods()).toEqual(['chat.postMessage', 'chat.postMessage']);
}

function click(): Record<string, unknown> {
  return blockAction({ messageTs: '1700000000.000002', threadTs: '1700000000.000001', responseUrl: rig.webApi.responseUrl('click'), actionId: 'advisor:skip', button: { value: '1|project_type|' } });
}

describe('correctly signed requests with a malformed body are refused with 400', () => {
  it('payload=null does not crash the process, and the next request is served', async () => {
    const line = await refusedWith(400, () => rig.client.send('payload=null', FORM));
    expect(line['reason']).toBe('the interactivity payload does not have the shape Slack sends');
    await expectStillServing();
  });

  it('a block_actions payload with actions: null', async () => {
    const line = await refusedWith(400, () => rig.client.interaction({ ...click(), actions: null }));
    expect(line['reason']).toBe('the block_actions payload does not have the shape Slack sends');
    expect(line['issues']).toEqual([expect.objectContaining({ path: 'actions' })]);
    await expectStillServing();
  });

  it('a block_actions payload without a user', async () => {
    const { user: _user, ...withoutUser } = click();
    const line = await refusedWith(400, () => rig.client.interaction(withoutUser));
    expect(line['issues']).toEqual([expect.objectContaining({ path: 'user' })]);
    await expectStillServing();
  });

  it('a payload field that is not JSON', async () => {
    const line = await refusedWith(400, () => rig.client.send(formEncode({ payload: '{"type": "block_actions", ' }), FORM));
    expect(line['reason']).toBe('the interactivity payload is not JSON');
    await expectStillServing();
  });

  it('an Events API body that is JSON but not an object', async () => {
    for (const body of ['null', '[1,2,3]', '"event_callback"', '42']) {
      const line = await refusedWith(400, () => rig.client.send(body, JSON_TYPE));
      expect(line['reason']).toBe('the event body does not have the shape Slack sends');
    }
    await expectStillServing();
  });

  it('an Events API body that is not JSON at all', async () => {
    const line = await refusedWith(400, () => rig.client.send('{"type": "event_callback", "event": ', JSON_TYPE));
    expect(line['reason']).toBe('the body is not JSON');
    await expectStillServing();
  });

  it('a slash command without its user', async () => {
    const { user_id: _user, ...fields } = slashCommand({ responseUrl: rig.webApi.responseUrl('nobody') });
    const line = await refusedWith(400, () => rig.client.command(fields));
    expect(line['issues']).toEqual([expect.objectContaining({ path: 'user_id' })]);
    await expectStillServing();
  });

  it('a body that passes the shape checks but that Bolt itself cannot route is still a 400, not a 500', async () => {
    // Bolt reads event.subteam.created_by when an event has no user: a null subteam throws inside App.processEvent.
    const envelope = { ...messageEvent({ eventId: 'Ev0ODD', text: 'x' }), event: { type: 'subteam_created', subteam: null } };
    const line = await refusedWith(400, () => rig.client.event(envelope));
    expect(line['reason']).toBe('Bolt could not route the body');
    await expectStillServing();
  });
});

describe('requests timestamped in the future are refused like stale ones', () => {
  it.each([
    ['six minutes', SIX_MINUTES],
    ['a day', 24 * 60 * 60],
  ])('a correctly signed command dated %s ahead is refused with 401', async (_label, ahead) => {
    const future = Math.floor(Date.now() / 1000) + ahead;
    const line = await refusedWith(401, () => rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('future') }), { timestampSeconds: future }));
    expect(line['reason']).toBe('the request timestamp is in the future');
    await expectStillServing();
  });

  it('a timestamp a little ahead (clock skew under five minutes) is accepted', async () => {
    const response = await rig.client.command(slashCommand({ responseUrl: rig.webApi.responseUrl('skew') }), { timestampSeconds: Math.floor(Date.now() / 1000) + 60 });
    expect(response.status).toBe(200);
    expect(rig.webApi.methods()).toEqual(['chat.postMessage', 'chat.postMessage']);
  });
});

describe('bodies over the size limit are refused with 413 before they are read in full', () => {
  it(`a signed 2 MiB command (over ${MAX_BODY_BYTES} bytes) is refused, and the server keeps serving`, async () => {
    const fields = { ...slashCommand({ responseUrl: rig.webApi.responseUrl('huge') }), text: 'x'.repeat(2 * 1024 * 1024) };
    const line = await refusedWith(413, () => rig.client.command(fields));
    expect(line).toMatchObject({ limit: MAX_BODY_BYTES });
    await expectStillServing();
  });

  it('a body that never ends is answered 413 and hung up on as soon as it passes the limit', async () => {
    const logged = rig.logs.length;
    const maxBytes = 64 * 1024 * 1024;
    const result = await streamUnendingBody(rig.endpoint, { headers: { 'content-type': JSON_TYPE }, maxBytes });
    expect(result.status).toBe(413);
    // The server closed the connection while the client was still sending (it never ends the body).
    expect(result.bytesWritten).toBeLessThan(maxBytes);
    const lines = rig.logs.slice(logged).filter((entry) => entry.level >= 40);
    expect(lines).toEqual([expect.objectContaining({ status: 413, reason: 'the body is over the size limit', limit: MAX_BODY_BYTES })]);
    expect(Number(lines[0]!['received'])).toBeLessThanOrEqual(MAX_BODY_BYTES + 64 * 1024);
    await expectStillServing();
  });

  it('a body that claims 2 MiB is refused without waiting for it', async () => {
    const result = await streamUnendingBody(rig.endpoint, { headers: { 'content-type': JSON_TYPE, 'content-length': String(2 * 1024 * 1024) }, maxBytes: 64 * 1024 });
    expect(result.status).toBe(413);
    await expectStillServing();
  });
});

/*
 * The receiver always keeps Bolt's processBeforeResponse contract, which
 * "durable before acknowledged" relies on: the HTTP response leaves only once
 * the listener has finished, and a listener failing after ack() is a 500 (Slack
 * retries) rather than a 200 for work that did not happen.
 */
describe('processBeforeResponse with the receiver', () => {
  async function bareApp(listener: (ack: () => Promise<void>) => Promise<void>): Promise<{ client: SignedSlackClient; stop: () => Promise<void> }> {
    const receiver = new SlackHttpReceiver({ signingSecret: SIGNING_SECRET, path: '/slack/events', port: 0, logger: silentLogger() });
    const app = new App({ token: 'xoxb-bare', receiver, tokenVerificationEnabled: false, botId: 'B0BARE', botUserId: 'U0BARE', logger: boltLogger(silentLogger()), logLevel: LogLevel.ERROR });
    app.command('/durable', ({ ack }) => listener(() => ack()));
    const server = await receiver.start({ port: 0, host: '127.0.0.1' });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { client: new SignedSlackClient(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET), stop: () => receiver.stop() };
  }
  const durable = (): Record<string, string> => slashCommand({ command: '/durable', responseUrl: 'http://127.0.0.1:9/unused' });

  it('the response waits for the listener to finish after its ack', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const bare = await bareApp(async (ack) => {
      await ack();
      order.push('acked');
      await gate;
      order.push('committed');
    });
    try {
      const response = bare.client.command(durable()).then((r) => {
        order.push('responded');
        return r;
      });
      await new Promise((resolve) => setTimeout(resolve, 100)); // ample time for a response sent at ack() to arrive
      expect(order).toEqual(['acked']);
      release();
      expect((await response).status).toBe(200);
      expect(order).toEqual(['acked', 'committed', 'responded']);
    } finally {
      await bare.stop();
    }
  });

  it('a listener that fails after its ack gets Slack a 500', async () => {
    const bare = await bareApp(async (ack) => {
      await ack();
      throw new Error('the commit failed');
    });
    try {
      expect((await bare.client.command(durable())).status).toBe(500);
    } finally {
      await bare.stop();
    }
  });
});
