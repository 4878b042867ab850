/**
 * HEALTH_PORT: validated like PORT, optional, and not the same port as Slack's
 * HTTP mode (which answers /healthz on PORT itself).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { isAdvisorError } from '../../src/errors.ts';

const SLACK_HTTP = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shhh' };
const SLACK_SOCKET = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (isAdvisorError(error, 'CONFIG_INVALID')) return error.details['problems'] as string[];
    throw error;
  }
  return [];
}

describe('HEALTH_PORT', () => {
  it('is absent by default, and a port in plain decimal digits when set', () => {
    expect(loadConfig({}).healthPort).toBeUndefined();
    expect(loadConfig({ HEALTH_PORT: '' }).healthPort).toBeUndefined();
    expect(loadConfig({ ...SLACK_SOCKET, HEALTH_PORT: ' 8081 ' }).healthPort).toBe(8081);
  });

  it.each(['0x50', '1e3', '0', '65536', '80.0', 'abc'])('HEALTH_PORT=%j is refused, naming HEALTH_PORT and the range', (value) => {
    expect(problems({ HEALTH_PORT: value })).toEqual([`HEALTH_PORT: expected a port number from 1 to 65535 in decimal digits, got ${JSON.stringify(value)}`]);
  });

  it("may not be Slack HTTP mode's PORT (that port answers /healthz already); another port is fine", () => {
    expect(problems({ ...SLACK_HTTP, PORT: '8080', HEALTH_PORT: '8080' })).toEqual([
      "HEALTH_PORT and PORT: both 8080; Slack's HTTP mode already answers /healthz on PORT, so leave HEALTH_PORT empty or pick another port",
    ]);
    expect(loadConfig({ ...SLACK_HTTP, PORT: '8080', HEALTH_PORT: '8081' }).healthPort).toBe(8081);
    // Socket Mode does not listen on PORT.
    expect(loadConfig({ ...SLACK_SOCKET, PORT: '8080', HEALTH_PORT: '8080' }).healthPort).toBe(8080);
  });
});
