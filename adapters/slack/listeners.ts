/**
 * The Bolt listeners: decode a payload into a delivery, commit its turn,
 * acknowledge, then send what the turn queued (`void send`, which never
 * throws, so the Web API calls never hold the response). Everything about the
 * turn itself is the turn layer's (src/turns).
 *
 * The receivers answer Slack (the HTTP response, or the socket ack) only when
 * the listener returns, so the order is commit → ack → response. When the
 * commit fails (database locked, disk full) nothing was recorded:
 * - an event's listener throws, so Slack gets a 5xx (or no socket ack) and redelivers;
 * - a slash command is acknowledged with an ephemeral "nothing was recorded";
 * - a click is acknowledged and told the same through its response_url.
 */
import type { AllMiddlewareArgs, App, RespondFn } from '@slack/bolt';
import type { Logger } from '../../src/logger.ts';
import type { CommittedTurn, TurnService } from '../../src/turns/service.ts';
import { threadId, turnOutcome, type TurnOutcome } from '../../src/turns/types.ts';
import { NOT_SAVED } from '../../src/turns/wording.ts';
import { ACTION_ID_PATTERN } from './action-codec.ts';
import { textMessage } from './blocks.ts';
import { decodeAction, decodeCommand, decodeMention, decodeThreadMessage, isIgnored, type Decoded, type DecodeResult } from './inbound.ts';
import type { SlackLive } from './port.ts';
import { COMMAND } from './wording.ts';

type EventArgs = { event: unknown; body: unknown } & AllMiddlewareArgs;

export function registerListeners(app: App, { turns, log }: { turns: TurnService<SlackLive>; log: Logger }): void {
  /** Logs a payload the advisor leaves alone; true when there is nothing to do. */
  const skipped = (result: DecodeResult, kind: string, quietly = false): result is Extract<DecodeResult, { ignored: string }> => {
    if (!isIgnored(result)) return false;
    if (quietly) log.debug({ kind, reason: result.ignored }, 'Slack payload not for the advisor');
    else log.warn({ kind, ...result.details }, `ignoring ${result.ignored}`);
    return true;
  };

  /**
   * One line per delivery the advisor took, as on Discord: its outcome, and how long it took until Slack could be
   * answered (the commit; the sends follow from the outbox and log their own failures).
   */
  const handled = (decoded: Decoded, kind: string, startedAt: number, outcome: TurnOutcome | 'not_saved'): void => {
    const { delivery, inbound } = decoded;
    const ms = Math.round((performance.now() - startedAt) * 10) / 10;
    log.info({ kind, delivery: delivery.id, thread: threadId(delivery.thread), user: delivery.actor, inbound: inbound.kind, outcome, ms }, 'delivery handled');
  };

  /** Commits the delivery's turn; a failure is logged with its context and returned. */
  const commit = (decoded: Decoded, kind: string, failed: string): Promise<CommittedTurn<SlackLive> | { failure: unknown }> =>
    turns.commit(decoded.delivery, decoded.inbound).catch((error: unknown) => {
      const { delivery, inbound } = decoded;
      log.error({ err: error, kind, delivery: delivery.id, thread: threadId(delivery.thread), user: delivery.actor, inbound: inbound.kind }, failed);
      return { failure: error };
    });

  /** Sends what the turn queued, through the delivery's live handle (a response_url, when it has one). */
  const send = (decoded: Decoded, committed: CommittedTurn<SlackLive>, command: boolean, respond?: RespondFn): void => {
    const live: SlackLive = { user: decoded.delivery.actor, command };
    if (respond) live.respond = (message) => respond({ text: message.text, blocks: message.blocks, response_type: 'ephemeral', replace_original: false }).then(() => undefined);
    void committed.send(live);
  };

  /**
   * Acknowledges. The receivers only record the ack here (Slack is answered once the listener returns), so this
   * throws only on a second ack; then the turn's claim on what it queued is given back rather than held.
   */
  const acknowledge = async (ack: () => Promise<void>, committed: CommittedTurn<SlackLive>): Promise<void> => {
    try {
      await ack();
    } catch (error) {
      committed.cancel();
      throw error;
    }
  };

  app.command(COMMAND, async ({ ack, body, respond }) => {
    const startedAt = performance.now();
    const decoded = decodeCommand(body);
    if (skipped(decoded, 'command')) return ack();
    const committed = await commit(decoded, 'command', 'slash command not recorded; the person is asked to try again');
    if ('failure' in committed) {
      handled(decoded, 'command', startedAt, 'not_saved');
      return ack({ response_type: 'ephemeral', text: NOT_SAVED });
    }
    await acknowledge(ack, committed);
    send(decoded, committed, true, respond);
    handled(decoded, 'command', startedAt, turnOutcome(committed.result));
  });

  app.action(ACTION_ID_PATTERN, async ({ ack, body, respond }) => {
    const startedAt = performance.now();
    const decoded = decodeAction(body);
    if (skipped(decoded, 'action')) return ack();
    const committed = await commit(decoded, 'action', 'click not recorded; the person is asked to try again');
    if (!('failure' in committed)) {
      await acknowledge(ack, committed);
      send(decoded, committed, false, respond);
      return handled(decoded, 'action', startedAt, turnOutcome(committed.result));
    }
    handled(decoded, 'action', startedAt, 'not_saved');
    await ack();
    await respond?.({ ...textMessage(NOT_SAVED), response_type: 'ephemeral', replace_original: false }).catch((error: unknown) => {
      log.warn({ err: error, kind: 'action', delivery: decoded.delivery.id }, 'could not tell the person through response_url');
    });
  });

  // Events: Bolt acknowledged them before this runs, but the receivers answer Slack only after it returns.
  const onEvent = (kind: string, decode: (event: unknown, body: unknown, botUserId: string | undefined) => DecodeResult, quietly: boolean) =>
    async ({ event, body, context }: EventArgs): Promise<void> => {
      const startedAt = performance.now();
      const decoded = decode(event, body, context.botUserId);
      if (skipped(decoded, kind, quietly)) return;
      const committed = await commit(decoded, kind, 'event not recorded; Slack will redeliver it');
      if ('failure' in committed) {
        handled(decoded, kind, startedAt, 'not_saved');
        throw committed.failure;
      }
      // No response_url for an event; the live handle still names who acted.
      send(decoded, committed, false);
      handled(decoded, kind, startedAt, turnOutcome(committed.result));
    };
  app.event('message', onEvent('message', decodeThreadMessage, true));
  app.event('app_mention', onEvent('mention', decodeMention, false));

  // Rethrown, not swallowed: the receiver logs it and Slack gets a 5xx (HTTP) or no ack (Socket Mode), so it redelivers.
  app.error(async (error) => {
    throw error;
  });
}
