/**
 * Socket Mode's receiver: envelopes from Slack's WebSocket (through
 * @slack/socket-mode's client) handed to `app.processEvent`, and acknowledged
 * on the socket only once processing has resolved.
 *
 * Why not Bolt's SocketModeReceiver: it acknowledges an events_api envelope
 * before any listener runs, so an event whose commit then fails (database
 * locked, disk full) is lost: Slack never redelivers an acknowledged envelope.
 * Here `ack()` inside Bolt only records the answer; the socket ack (carrying it,
 * e.g. a slash command's ephemeral reply) goes after the listener has committed.
 * When a listener throws, nothing is acknowledged and Slack redelivers.
 *
 * A body Bolt cannot even route is the payload's fault, not ours: it is
 * acknowledged (and logged) so Slack does not redeliver it forever.
 */
import type { Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import { z } from 'zod';
import type { Logger } from '../../src/logger.ts';
import { Intake } from '../shutdown.ts';
import { AppReceiver, boltLevelFor, boltLogger } from './bolt.ts';

export interface SlackSocketReceiverOptions {
  appToken: string;
  logger: Logger;
  /** The Web API base URL for apps.connections.open (tests, proxies). */
  apiUrl?: string;
  autoReconnect?: boolean;
}

type SocketAck = (response?: Record<string, unknown>) => Promise<void>;

/** What the Socket Mode client emits for every envelope (`slack_event`); parsed, not trusted. */
const envelopeSchema = z.object({
  ack: z.custom<SocketAck>((value) => typeof value === 'function'),
  envelope_id: z.string().optional(),
  type: z.string(),
  body: z.record(z.string(), z.unknown()),
  retry_num: z.number().int().nonnegative().optional(),
  retry_reason: z.string().optional(),
});

const answerSchema = z.record(z.string(), z.unknown()).optional();

export class SlackSocketReceiver extends AppReceiver implements Receiver {
  readonly client: SocketModeClient;
  private readonly log: Logger;
  /** Closed by `stop()`: envelopes arriving after it are left to Slack's redelivery. */
  private readonly intake = new Intake();

  constructor(options: SlackSocketReceiverOptions) {
    super();
    this.log = options.logger.child({ component: 'socket-receiver' });
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: boltLogger(options.logger, 'socket-mode'),
      logLevel: boltLevelFor(options.logger),
      autoReconnectEnabled: options.autoReconnect ?? true,
      clientOptions: {
        ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
        retryConfig: { retries: 5, factor: 1.5, minTimeout: 500 },
      },
    });
    this.client.on('slack_event', (args: unknown) => {
      // Not acknowledged: Slack redelivers it (to another connection, or after the restart).
      if (!this.intake.take(() => this.onEnvelope(args))) this.log.info('not taking a Socket Mode envelope: shutting down');
    });
  }

  start(): Promise<unknown> {
    this.intake.open();
    return this.client.start();
  }

  /** Takes no new envelopes, lets the ones in progress commit and be acknowledged, then disconnects. */
  async stop(): Promise<void> {
    await this.intake.close();
    await this.client.disconnect();
  }

  private async onEnvelope(args: unknown): Promise<void> {
    const parsed = envelopeSchema.safeParse(args);
    if (!parsed.success) {
      this.log.warn({ issues: parsed.error.issues.slice(0, 5) }, 'ignoring a Socket Mode envelope without a body');
      const ack = (args as { ack?: unknown } | null)?.ack;
      if (typeof ack === 'function') await (ack as SocketAck)().catch(() => undefined);
      return;
    }
    const envelope = parsed.data;
    const log = this.log.child({ envelopeId: envelope.envelope_id, type: envelope.type, retryNum: envelope.retry_num });
    if (!this.app) {
      log.error('an envelope arrived before App#init; not acknowledged, Slack will redeliver it');
      return;
    }
    const processed = await this.process(envelope.body, { retryNum: envelope.retry_num, retryReason: envelope.retry_reason });
    if (processed.kind === 'failed') {
      log.error({ err: processed.error }, 'processing a Slack envelope failed; not acknowledged, Slack will redeliver it');
      return;
    }
    if (processed.kind === 'unroutable') log.warn({ err: processed.error }, 'Bolt could not route a Slack envelope; acknowledged and dropped');
    // No listener acknowledged (or Bolt could not route it): acknowledged all the same, with no answer.
    const answer = processed.kind === 'acked' ? processed.answer : undefined;
    const response = answerSchema.safeParse(typeof answer === 'string' ? { text: answer } : answer);
    try {
      await envelope.ack(response.success ? response.data : undefined);
    } catch (error) {
      log.warn({ err: error }, 'could not acknowledge a Slack envelope; Slack will redeliver it (applied once: it is deduplicated)');
    }
  }
}
