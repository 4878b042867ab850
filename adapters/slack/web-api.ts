/**
 * The Web API calls the advisor makes: one POST each over a keep-alive
 * connection, the bot token in the Authorization header, JSON for the write
 * methods (as Slack recommends for Block Kit) and a form for the rest. Every
 * failure comes out as one coded `SlackCallError`, logged once with the method
 * and channel.
 *
 * Why not @slack/web-api's WebClient: its queue, retry wrapper and fetch stack
 * cost about half a millisecond of CPU per call, and retrying (after the wait
 * Slack asks for) is the outbox's job here.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { z } from 'zod';
import type { Logger } from '../../src/logger.ts';
import type { SlackMessage } from './blocks.ts';

export type SlackFailureCode = 'not_in_channel' | 'channel_not_found' | 'ratelimited' | 'slack_unavailable' | 'slack_refused';

export interface SlackCallFailure {
  code: SlackFailureCode;
  method: string;
  channel?: string | undefined;
  /** Slack's own error string (`not_in_channel`, `invalid_blocks`, ...), when it gave one. */
  slackError?: string | undefined;
  retryAfterSeconds?: number | undefined;
  httpStatus?: number | undefined;
  cause?: unknown;
}

/** The failure's fields, set by the constructor (`Object.assign`). */
export interface SlackCallError extends Readonly<Omit<SlackCallFailure, 'cause'>> {}

export class SlackCallError extends Error {
  constructor({ cause, ...failure }: SlackCallFailure) {
    super(`${failure.method} failed: ${failure.slackError ?? failure.code}${failure.httpStatus ? ` (HTTP ${failure.httpStatus})` : ''}`, { cause });
    this.name = 'SlackCallError';
    Object.assign(this, failure);
  }
}

/** Slack's error strings the adapter tells apart; any other is a refusal. */
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

export const DEFAULT_API_URL = 'https://slack.com/api/';
/** A call Slack has not answered in this time fails as "Slack unavailable" (the outbox tries again later). */
const TIMEOUT_MS = 10_000;
/** Slack answers with small JSON documents; anything bigger is not an answer we can use. */
const MAX_ANSWER_BYTES = 1024 * 1024;

type SlackAnswer = Record<string, unknown>;

const answerSchema = z.looseObject({ ok: z.boolean(), error: z.string().optional() });
const postedSchema = z.looseObject({ ts: z.string().min(1) });
/**
 * How far a resend looks for the message it may have posted: a thread's replies come oldest first and a channel's
 * messages newest first, so 5 pages of 200 cover any interview thread and far more channel traffic than a retry's delay.
 */
const LOOKUP_PAGES = 5;
const LOOKUP_PAGE_SIZE = 200;
/** The metadata event type that carries an outbox handle on the bot's messages. */
const HANDLE_EVENT = 'advisor_message';
const historySchema = z.looseObject({
  response_metadata: z.looseObject({ next_cursor: z.string().optional() }).optional(),
  messages: z.array(
    z.looseObject({
      ts: z.string(),
      metadata: z.looseObject({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
    }),
  ),
});
const permalinkSchema = z.looseObject({ permalink: z.string().url() });
const listedSchema = z.looseObject({
  messages: z.array(z.looseObject({ ts: z.string(), text: z.string().optional(), blocks: z.array(z.looseObject({ type: z.string() })).optional() })),
});

/** A message as Slack lists it: its fallback text and its blocks, as Slack keeps them. */
export interface ListedMessage {
  text: string;
  blocks: z.infer<typeof listedSchema>['messages'][number]['blocks'] & {};
}

function formBody(args: Record<string, unknown>): string {
  return new URLSearchParams(Object.entries(args).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)])).toString();
}

interface SlackWebApiOptions {
  botToken: string;
  /** Base URL of the methods, e.g. `https://slack.com/api/` (the default). */
  apiUrl?: string | undefined;
  logger: Logger;
}

export class SlackWebApi {
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly log: Logger;

  constructor(private readonly options: SlackWebApiOptions) {
    this.base = new URL(options.apiUrl ?? DEFAULT_API_URL);
    // `https://slack.com/api` and `https://slack.com/api/` both mean the folder the methods live in.
    if (!this.base.pathname.endsWith('/')) this.base.pathname += '/';
    this.agent = this.base.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.log = options.logger.child({ component: 'web-api' });
  }

  /**
   * Posts a message (in a thread when `threadTs` is given); resolves with its ts.
   * `handle` goes along as message metadata, so that `findPosted` can tell later whether it went out.
   */
  async postMessage(channel: string, message: SlackMessage, options: { threadTs?: string; handle?: string } = {}): Promise<string> {
    const { threadTs, handle } = options;
    const args = {
      channel,
      text: message.text,
      blocks: message.blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(handle ? { metadata: { event_type: HANDLE_EVENT, event_payload: { handle } } } : {}),
      unfurl_links: false,
      unfurl_media: false,
    };
    return this.parsed('chat.postMessage', args, postedSchema, { channel }).then((answer) => answer.ts);
  }

  /**
   * The ts of a message the bot posted with `handle`, looked up in the thread
   * (or among the channel's latest messages, page by page up to LOOKUP_PAGES);
   * undefined when there is none, or when Slack refuses to say (a DM without
   * history access): then posting again is the way left. A look-up Slack could
   * not answer for now (a rate limit, an outage) throws, so the message waits
   * for a later try instead of going out a second time.
   */
  async findPosted(channel: string, handle: string, threadTs?: string): Promise<string | undefined> {
    const method = threadTs ? 'conversations.replies' : 'conversations.history';
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      const args = { channel, include_all_metadata: true, limit: LOOKUP_PAGE_SIZE, ...(threadTs ? { ts: threadTs } : {}), ...(cursor ? { cursor } : {}) };
      let answer: z.infer<typeof historySchema>;
      try {
        answer = await this.parsed(method, args, historySchema, { channel, form: true });
      } catch (error) {
        // Slack could not say for now: the message waits for a later try. Past the first page (some installs may read
        // only one page a minute) waiting could go on for ever, so there the message is posted after all.
        if (page === 0 && error instanceof SlackCallError && (error.code === 'ratelimited' || error.code === 'slack_unavailable')) throw error;
        return undefined; // Logged with the call.
      }
      const found = answer.messages.find((m) => m.metadata?.event_type === HANDLE_EVENT && m.metadata.event_payload?.['handle'] === handle);
      if (found) return found.ts;
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (cursor === undefined) return undefined;
    }
    this.log.warn({ method, channel, handle, pages: LOOKUP_PAGES }, 'message not found within the pages looked at; posting it');
    return undefined;
  }

  /**
   * The message at `ts`: a reply in the thread `threadTs`, or a channel message. Undefined when Slack lists none
   * there (deleted, or not readable by the bot); a failed call throws, as any call does.
   */
  async messageAt(channel: string, ts: string, threadTs?: string): Promise<ListedMessage | undefined> {
    const reply = threadTs !== undefined && threadTs !== ts;
    // A thread's listing may lead with its parent whatever the range, so a few are asked for and the one wanted picked.
    const args = { channel, oldest: ts, latest: ts, inclusive: true, limit: reply ? 5 : 1, ...(reply ? { ts: threadTs } : {}) };
    const answer = await this.parsed(reply ? 'conversations.replies' : 'conversations.history', args, listedSchema, { channel, form: true });
    const found = answer.messages.find((message) => message.ts === ts);
    return found && { text: found.text ?? '', blocks: found.blocks ?? [] };
  }

  async update(channel: string, ts: string, message: SlackMessage | ListedMessage): Promise<void> {
    await this.call('chat.update', { channel, ts, text: message.text, blocks: message.blocks }, { channel });
  }

  async postEphemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void> {
    await this.call('chat.postEphemeral', { channel, user, text: message.text, blocks: message.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }, { channel });
  }

  async permalink(channel: string, messageTs: string): Promise<string> {
    return this.parsed('chat.getPermalink', { channel, message_ts: messageTs }, permalinkSchema, { channel, form: true }).then((answer) => answer.permalink);
  }

  /** Calls `method`; resolves with Slack's answer when it says `ok`, otherwise logs and throws a SlackCallError. */
  async call(method: string, args: Record<string, unknown>, options: { channel?: string; form?: boolean } = {}): Promise<SlackAnswer> {
    try {
      return await this.callOnce(method, args, options);
    } catch (error) {
      const failure = error instanceof SlackCallError ? error : new SlackCallError({ code: 'slack_unavailable', method, channel: options.channel, cause: error });
      this.log.warn(
        { method, channel: failure.channel, code: failure.code, slackError: failure.slackError, httpStatus: failure.httpStatus, retryAfterSeconds: failure.retryAfterSeconds },
        'Slack Web API call failed',
      );
      throw failure;
    }
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }

  private async parsed<T>(method: string, args: Record<string, unknown>, schema: z.ZodType<T>, options: { channel?: string; form?: boolean }): Promise<T> {
    const answer = await this.call(method, args, options);
    const result = schema.safeParse(answer);
    if (result.success) return result.data;
    const failure = new SlackCallError({ code: 'slack_refused', method, channel: options.channel, slackError: 'unexpected_answer', cause: result.error });
    this.log.warn({ method, channel: options.channel, issues: result.error.issues.slice(0, 3) }, 'Slack answered without what the call needs');
    throw failure;
  }

  private async callOnce(method: string, args: Record<string, unknown>, options: { channel?: string; form?: boolean }): Promise<SlackAnswer> {
    const channel = options.channel;
    const body = options.form ? formBody(args) : JSON.stringify(args);
    const { status, headers, text } = await this.send(method, body, options.form ? 'application/x-www-form-urlencoded' : 'application/json; charset=utf-8');
    if (status === 429) {
      const retryAfter = Number(headers['retry-after']);
      const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined;
      throw new SlackCallError({ code: 'ratelimited', method, channel, slackError: 'ratelimited', retryAfterSeconds, httpStatus: 429 });
    }
    if (status >= 500) throw new SlackCallError({ code: 'slack_unavailable', method, channel, httpStatus: status });
    if (status !== 200) throw new SlackCallError({ code: 'slack_refused', method, channel, slackError: `http_${status}`, httpStatus: status });
    let answer: z.infer<typeof answerSchema>;
    try {
      answer = answerSchema.parse(JSON.parse(text));
    } catch (error) {
      // A proxy's error page, a cut-off answer: not Slack's word on the call.
      throw new SlackCallError({ code: 'slack_unavailable', method, channel, httpStatus: status, cause: error });
    }
    if (!answer.ok) {
      const slackError = answer.error ?? 'unknown_error';
      throw new SlackCallError({ code: PLATFORM_CODES[slackError] ?? 'slack_refused', method, channel, slackError });
    }
    return answer;
  }

  private send(method: string, body: string, contentType: string): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
    const { base } = this;
    const request = base.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const headers = { authorization: `Bearer ${this.options.botToken}`, 'content-type': contentType, 'content-length': Buffer.byteLength(body) };
      // Plain options rather than a URL per call: the method names are ours (`chat.postMessage`), never user input.
      const target = { protocol: base.protocol, hostname: base.hostname.replace(/^\[|\]$/g, ''), port: base.port, path: `${base.pathname}${method}` };
      const req = request({ ...target, method: 'POST', agent: this.agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) response.destroy(new Error(`the answer is over ${MAX_ANSWER_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.once('error', reject);
        response.once('close', () => {
          if (!response.complete) reject(new Error('the connection closed before the answer ended'));
        });
        response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.once('error', reject);
      req.end(body);
    });
  }
}
