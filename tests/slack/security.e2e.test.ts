/**
 * HTTP mode refuses requests Slack did not sign: a forged signature, no
 * signature, or a timestamp older than five minutes (a replay). Each is
 * answered 401 and reaches neither the core nor the Web API.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blockAction, messageEvent, slashCommand } from './harness/payloads.ts';
import { startHttpRig, type HttpRig } from './harness/rig.ts';

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
