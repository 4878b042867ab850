/**
 * A failed delivery reads the same on Slack and Discord: the turn layer says
 * what failed (a reply, the summary in a channel, a new interview thread), the
 * platform only why, in one shape where the reasons agree.
 */
import { HTTPError, RateLimitError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { verdictFor } from '../../adapters/discord/errors.ts';
import { renderContent as renderDiscord } from '../../adapters/discord/render.ts';
import { renderContent as renderSlack } from '../../adapters/slack/blocks.ts';
import { classifyFailure } from '../../adapters/slack/port.ts';
import { SlackCallError } from '../../adapters/slack/web-api.ts';
import { loadKnowledge } from '../../src/knowledge/load.ts';
import type { FailureVerdict } from '../../src/turns/port.ts';
import { failedDelivery, type Content, type FailedDelivery, type Operation } from '../../src/turns/types.ts';

const knowledge = loadKnowledge();
const SLACK_CHANNEL = 'C0SUMMARY';
const DISCORD_CHANNEL = '333333333333333333';

function notice(failed: FailedDelivery, verdict: FailureVerdict): Content {
  return { kind: 'turnNotice', notice: { code: 'delivery_failed', failed, explanation: verdict.explanation, retrying: verdict.retry } };
}

/** What each platform tells the person when `failed` did not go out, with the channel and platform named alike. */
function told(failed: (channel: string) => FailedDelivery, slack: FailureVerdict, discord: FailureVerdict): { slack: string; discord: string } {
  const onSlack = renderSlack(notice(failed(SLACK_CHANNEL), slack)).text;
  const onDiscord = renderDiscord(notice(failed(DISCORD_CHANNEL), discord), knowledge).content ?? '';
  return { slack: onSlack.replaceAll(SLACK_CHANNEL, 'X').replaceAll('Slack', 'P'), discord: onDiscord.replaceAll(DISCORD_CHANNEL, 'X').replaceAll('Discord', 'P') };
}

const rateLimited = {
  slack: classifyFailure(new SlackCallError({ code: 'ratelimited', method: 'chat.postMessage', retryAfterSeconds: 30, httpStatus: 429 })),
  discord: verdictFor(
    new RateLimitError({ timeToReset: 30_000, limit: 5, method: 'POST', hash: 'h', url: 'u', route: 'r', majorParameter: 'm', global: false, retryAfter: 30_000, sublimitTimeout: 0, scope: 'user' }),
  ),
};
const unavailable = {
  slack: classifyFailure(new SlackCallError({ code: 'slack_unavailable', method: 'chat.postMessage', httpStatus: 503 })),
  discord: verdictFor(new HTTPError(503, 'Service Unavailable', 'POST', 'u', {})),
};

describe('what failed', () => {
  const post = { op: 'post', handle: 'h', content: { kind: 'threadParent', owner: 'U1' } } as const satisfies Operation;

  it('is named from the operation: a post here, the summary in its channel, or the interview thread; edits and notes are not told', () => {
    expect(failedDelivery(post)).toEqual({ what: 'post' });
    expect(failedDelivery({ ...post, channel: 'C2' })).toEqual({ what: 'summary', channel: 'C2' });
    expect(failedDelivery({ op: 'openThread', handle: 'h', content: post.content, owner: 'U1', startDelivery: 'd' })).toEqual({ what: 'openThread' });
    expect(failedDelivery({ op: 'edit', target: { handle: 'h' }, content: post.content })).toBeUndefined();
    expect(failedDelivery({ op: 'notify', user: 'U1', content: post.content })).toBeUndefined();
    expect(failedDelivery({ op: 'retire', messageId: 'm' })).toBeUndefined();
  });
});

describe('a failed delivery on Slack and on Discord', () => {
  it('gives the same lead-in and reason for the same operation and failure', () => {
    const cases: [(channel: string) => FailedDelivery, string][] = [
      [() => ({ what: 'post' }), "I couldn't post my reply here. "],
      [(channel) => ({ what: 'summary', channel }), "I couldn't post the summary in <#X>. "],
      [() => ({ what: 'openThread' }), "I couldn't open a thread for the interview here. "],
    ];
    for (const [failed, lead] of cases) {
      const limited = told(failed, rateLimited.slack, rateLimited.discord);
      expect(limited.slack).toBe(`${lead}P asked me to slow down for about 30 s. I will try again shortly; your answers are saved.`);
      expect(limited.discord).toBe(limited.slack);
      const down = told(failed, unavailable.slack, unavailable.discord);
      expect(down.slack).toBe(`${lead}P had a problem on its side (HTTP 503). I will try again shortly; your answers are saved.`);
      expect(down.discord).toBe(down.slack);
    }
  });

  it('keeps each platform its own remedy after the shared lead-in', () => {
    const slack = classifyFailure(new SlackCallError({ code: 'not_in_channel', method: 'chat.postMessage', channel: SLACK_CHANNEL, slackError: 'not_in_channel' }));
    expect(renderSlack(notice({ what: 'summary', channel: SLACK_CHANNEL }, slack)).text).toBe(
      `I couldn't post the summary in <#${SLACK_CHANNEL}>. I need to be invited to the channel first: use \`/invite @advisor\` in it, then try again. Your answers are saved.`,
    );
  });
});
