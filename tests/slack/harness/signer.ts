/**
 * Produces requests as Slack signs them (v0: HMAC-SHA256 over
 * `v0:<timestamp>:<raw body>` with the app's signing secret) and sends them to
 * a Bolt HTTP receiver on 127.0.0.1:
 * - slash commands: form-encoded fields,
 * - interactivity (`block_actions`): a form with one `payload` field holding JSON,
 * - Events API: a JSON body, with the retry headers when it is a redelivery.
 */
import { createHmac } from 'node:crypto';
import { stringify as formEncode } from 'node:querystring';

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export function slackSignature(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return `v0=${digest}`;
}

export interface SignedHeaders {
  'content-type': string;
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

export function signedHeaders(signingSecret: string, rawBody: string, contentType: string, timestampSeconds = Math.floor(Date.now() / 1000)): SignedHeaders {
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestampSeconds),
    'x-slack-signature': slackSignature(signingSecret, timestampSeconds, rawBody),
  };
}

export interface SlackHttpResponse {
  status: number;
  body: string;
}

export interface SendOptions {
  /** Override the signing timestamp (seconds), e.g. to send a stale request. */
  timestampSeconds?: number;
  /** Sign with this secret instead of the app's (a forged request). */
  signWith?: string;
  /** Leave the signature headers out entirely. */
  unsigned?: boolean;
  /** Extra headers, e.g. `x-slack-retry-num`. */
  headers?: Record<string, string>;
}

export interface RetryHeaders {
  retryNum: number;
  retryReason?: string;
}

/** Sends signed requests to a Bolt HTTP endpoint such as `http://127.0.0.1:1234/slack/events`. */
export class SignedSlackClient {
  constructor(
    private readonly endpoint: string,
    private readonly signingSecret: string,
  ) {}

  /** A slash command, form-encoded as Slack sends it. */
  command(fields: Record<string, string>, options: SendOptions = {}): Promise<SlackHttpResponse> {
    return this.send(formEncode(fields), FORM, options);
  }

  /** An interactivity payload (`block_actions`, ...): `payload=<json>`. */
  interaction(payload: object, options: SendOptions = {}): Promise<SlackHttpResponse> {
    return this.send(formEncode({ payload: JSON.stringify(payload) }), FORM, options);
  }

  /** An Events API envelope (`event_callback`), optionally marked as Slack's retry. */
  event(envelope: object, retry?: RetryHeaders, options: SendOptions = {}): Promise<SlackHttpResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (retry) {
      headers['x-slack-retry-num'] = String(retry.retryNum);
      headers['x-slack-retry-reason'] = retry.retryReason ?? 'http_timeout';
    }
    return this.send(JSON.stringify(envelope), JSON_TYPE, { ...options, headers });
  }

  /** Sends a raw body with the given content type, signed unless told otherwise. */
  async send(rawBody: string, contentType: string, options: SendOptions = {}): Promise<SlackHttpResponse> {
    const signed = signedHeaders(options.signWith ?? this.signingSecret, rawBody, contentType, options.timestampSeconds);
    const headers: Record<string, string> = options.unsigned ? { 'content-type': contentType } : { ...signed };
    Object.assign(headers, options.headers);
    const response = await fetch(this.endpoint, { method: 'POST', headers, body: rawBody });
    return { status: response.status, body: await response.text() };
  }
}
