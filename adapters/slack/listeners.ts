/**
 * The Bolt listeners: decode a payload into a delivery, commit its turn,
 * acknowledge, then send what the turn queued. Everything about the turn
 * itself (queueing, ownership, expiry, dedupe, what to post or edit) is the
 * turn layer's (src/turns).
 *
 * Durable before acknowledged: the receivers send Slack's answer (the HTTP
 * response, or the socket ack) only when the listener returns, so the order is
 * commit → ack → response, and the Web API calls follow without holding the
 * response (`void drain`, which never throws).
 *
 * When the commit fails (database locked, disk full) nothing was recorded:
 * - an event's listener throws, so Slack gets a 5xx (or no socket ack) and redelivers;
 * - a slash command is acknowledged with an ephemeral "nothing was recorded";
 * - a click is acknowledged and told the same through its response_url.
 */
import type { AllMiddlewareArgs, App, RespondFn } from '@slack/bolt';
import type { Logger } from '../../src/logger.ts';
import type { TurnService } from '../../src/turns/service.ts';
import { threadId, type TurnResult } from '../../src/turns/types.ts';
import { ACTION_ID_PATTERN } from './action-codec.ts';
import { textMessage } from './blocks.ts';
import { decodeAction, decodeCommand, decodeMention, decodeThreadMessage, isIgnored, type Decoded, type DecodeResult } from './inbound.ts';
import type { Respond, SlackLive } from './port.ts';
import { COMMAND, FAILURES } from './wording.ts';

export interface ListenerDeps {
  turns: TurnService<SlackLive>;
  log: Logger;
}

function toRespond(respond: RespondFn | undefined): Respond | undefined {
  if (!respond) return undefined;
  return async (message) => {
    await respond({ text: message.text, blocks: message.blocks, response_type: 'ephemeral', replace_original: false });
  };
}

function logContext(decoded: Decoded, kind: string): Record<string, unknown> {
  return { kind, delivery: decoded.delivery.id, thread: threadId(decoded.delivery.thread), user: decoded.delivery.actor, inbound: decoded.inbound.kind };
}

/** Logs a payload the advisor leaves alone; true when there is nothing to do. */
function skipped(result: DecodeResult, log: Logger, kind: string, quietly = false): result is Extract<DecodeResult, { ignored: string }> {
  if (!isIgnored(result)) return false;
  if (quietly) log.debug({ kind, reason: result.ignored }, 'Slack payload not for the advisor');
  else log.warn({ kind, ...result.details }, `ignoring ${result.ignored}`);
  return true;
}

export function registerListeners(app: App, { turns, log }: ListenerDeps): void {
  app.command(COMMAND, async ({ ack, body, respond }) => {
    const decoded = decodeCommand(body);
    if (skipped(decoded, log, 'command')) return ack();
    const context = logContext(decoded, 'command');
    let result: TurnResult;
    try {
      result = await turns.accept(decoded.delivery, decoded.inbound);
    } catch (error) {
      log.error({ err: error, ...context }, 'slash command not recorded; the person is asked to try again');
      return ack({ response_type: 'ephemeral', text: FAILURES.notRecorded });
    }
    await ack();
    const live: SlackLive = { ...liveOf(decoded, result), command: true };
    const reply = toRespond(respond);
    if (reply) live.respond = reply;
    void turns.outbox.drain(decoded.delivery.thread, live);
  });

  app.action(ACTION_ID_PATTERN, async ({ ack, body, respond }) => {
    const decoded = decodeAction(body);
    if (skipped(decoded, log, 'action')) return ack();
    const context = logContext(decoded, 'action');
    const reply = toRespond(respond);
    let result: TurnResult;
    try {
      result = await turns.accept(decoded.delivery, decoded.inbound);
    } catch (error) {
      log.error({ err: error, ...context }, 'click not recorded; the person is asked to try again');
      await ack();
      await reply?.(textMessage(FAILURES.notRecorded)).catch((respondError: unknown) => {
        log.warn({ err: respondError, ...context }, 'could not tell the person through response_url');
      });
      return;
    }
    await ack();
    const live: SlackLive = { ...liveOf(decoded, result), command: false };
    if (reply) live.respond = reply;
    void turns.outbox.drain(decoded.delivery.thread, live);
  });

  // Events: Bolt acknowledged them before this runs, but the receivers answer Slack only after it returns.
  app.event('message', async ({ event, body, context }: { event: unknown; body: unknown } & AllMiddlewareArgs) => {
    const decoded = decodeThreadMessage(event, body, context.botUserId);
    if (skipped(decoded, log, 'message', true)) return;
    await acceptEvent(turns, decoded, log, 'message');
  });

  app.event('app_mention', async ({ event, body, context }: { event: unknown; body: unknown } & AllMiddlewareArgs) => {
    const decoded = decodeMention(event, body, context.botUserId);
    if (skipped(decoded, log, 'mention')) return;
    await acceptEvent(turns, decoded, log, 'mention');
  });

  // Rethrown, not swallowed: the receiver logs it and Slack gets a 5xx (HTTP) or no ack (Socket Mode), so it redelivers.
  app.error(async (error) => {
    throw error;
  });
}

async function acceptEvent(turns: TurnService<SlackLive>, decoded: Decoded, log: Logger, kind: string): Promise<void> {
  let result: TurnResult;
  try {
    result = await turns.accept(decoded.delivery, decoded.inbound);
  } catch (error) {
    log.error({ err: error, ...logContext(decoded, kind) }, 'event not recorded; Slack will redeliver it');
    throw error;
  }
  // No response_url for an event, but a live handle all the same: it tells the port whether these sends may have gone out before.
  void turns.outbox.drain(decoded.delivery.thread, { ...liveOf(decoded, result), command: false });
}

/** The delivery's live handle, less what only some deliveries have (response_url, being a command). */
function liveOf(decoded: Decoded, result: TurnResult): Omit<SlackLive, 'command'> {
  return { user: decoded.delivery.actor, redelivered: result.duplicate };
}
