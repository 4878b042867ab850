/**
 * The Web API calls the advisor makes, with failures turned into one coded
 * error (`SlackCallError`) that says what went wrong in terms the rest of the
 * adapter can act on: not in the channel, channel not found, rate limited,
 * Slack unavailable, or another refusal. Every failure is logged here with the
 * method and channel, once.
 */
import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../src/logger.ts';
import type { SlackMessage } from './blocks.ts';

export type SlackClient = webApi.WebClient;

export type SlackFailureCode = 'not_in_channel' | 'channel_not_found' | 'ratelimited' | 'slack_unavailable' | 'slack_refused';

export class SlackCallError extends Error {
  readonly code: SlackFailureCode;
  readonly method: string;
  readonly channel: string | undefined;
  /** Slack's own error string (`not_in_channel`, `invalid_blocks`, ...), when it gave one. */
  readonly slackError: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly httpStatus: number | undefined;

  constructor(input: {
    code: SlackFailureCode;
    method: string;
    channel?: string | undefined;
    slackError?: string | undefined;
    retryAfterSeconds?: number | undefined;
    httpStatus?: number | undefined;
    cause: unknown;
  }) {
    super(`${input.method} failed: ${input.slackError ?? input.code}${input.httpStatus ? ` (HTTP ${input.httpStatus})` : ''}`, { cause: input.cause });
    this.name = 'SlackCallError';
    this.code = input.code;
    this.method = input.method;
    this.channel = input.channel;
    this.slackError = input.slackError;
    this.retryAfterSeconds = input.retryAfterSeconds;
    this.httpStatus = input.httpStatus;
  }
}

export function isSlackCallError(error: unknown, code?: SlackFailureCode): error is SlackCallError {
  return error instanceof SlackCallError && (code === undefined || error.code === code);
}

/** The shapes @slack/web-api gives its errors (`code` plus details), parsed rather than trusted. */
const webApiErrorSchema = z.union([
  z.object({ code: z.literal('slack_webapi_platform_error'), data: z.object({ error: z.string() }) }),
  z.object({ code: z.literal('slack_webapi_rate_limited_error'), retryAfter: z.number().optional() }),
  z.object({ code: z.literal('slack_webapi_http_error'), statusCode: z.number() }),
  z.object({ code: z.literal('slack_webapi_request_error') }),
]);

const PLATFORM_CODES: Readonly<Record<string, SlackFailureCode>> = {
  not_in_channel: 'not_in_channel',
  channel_not_found: 'channel_not_found',
  is_archived: 'channel_not_found',
  ratelimited: 'ratelimited',
  rate_limited: 'ratelimited',
  fatal_error: 'slack_unavailable',
  internal_error: 'slack_unavailable',
  service_unavailable: 'slack_unavailable',
  request_timeout: 'slack_unavailable',
};

/** Turns whatever a Web API call threw into a SlackCallError. */
export function toSlackCallError(error: unknown, method: string, channel?: string): SlackCallError {
  if (error instanceof SlackCallError) return error;
  const parsed = webApiErrorSchema.safeParse(error);
  if (!parsed.success) return new SlackCallError({ code: 'slack_unavailable', method, channel, cause: error });
  const known = parsed.data;
  switch (known.code) {
    case 'slack_webapi_platform_error':
      return new SlackCallError({ code: PLATFORM_CODES[known.data.error] ?? 'slack_refused', method, channel, slackError: known.data.error, cause: error });
    case 'slack_webapi_rate_limited_error':
      return new SlackCallError({ code: 'ratelimited', method, channel, slackError: 'ratelimited', retryAfterSeconds: known.retryAfter, httpStatus: 429, cause: error });
    case 'slack_webapi_http_error':
      return new SlackCallError({ code: known.statusCode === 429 ? 'ratelimited' : 'slack_unavailable', method, channel, httpStatus: known.statusCode, cause: error });
    case 'slack_webapi_request_error':
      return new SlackCallError({ code: 'slack_unavailable', method, channel, cause: error });
  }
}

const postedSchema = z.object({ ts: z.string().min(1), channel: z.string().optional() });
const permalinkSchema = z.object({ permalink: z.string().url() });

export interface PostOptions {
  threadTs?: string;
}

/** Web API calls for one incoming request, bound to that request's client and log context. */
export class SlackCalls {
  constructor(
    private readonly client: SlackClient,
    private readonly logger: Logger,
  ) {}

  /** Posts a message; resolves with its ts. */
  async postMessage(channel: string, message: SlackMessage, options: PostOptions = {}): Promise<string> {
    return this.call('chat.postMessage', channel, async () => {
      const result = await this.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return postedSchema.parse(result).ts;
    });
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.call('chat.update', channel, () => this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks }));
  }

  async postEphemeral(channel: string, user: string, message: SlackMessage, options: PostOptions = {}): Promise<void> {
    await this.call('chat.postEphemeral', channel, () =>
      this.client.chat.postEphemeral({
        channel,
        user,
        text: message.text,
        blocks: message.blocks,
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
      }),
    );
  }

  async permalink(channel: string, messageTs: string): Promise<string> {
    return this.call('chat.getPermalink', channel, async () => {
      const result = await this.client.chat.getPermalink({ channel, message_ts: messageTs });
      return permalinkSchema.parse(result).permalink;
    });
  }

  private async call<T>(method: string, channel: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const failure = toSlackCallError(error, method, channel);
      this.logger.warn(
        { method, channel, code: failure.code, slackError: failure.slackError, httpStatus: failure.httpStatus, retryAfterSeconds: failure.retryAfterSeconds },
        'Slack Web API call failed',
      );
      throw failure;
    }
  }
}
