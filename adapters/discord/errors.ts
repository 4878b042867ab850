/**
 * Discord call failures: classified into a few coded kinds (for logs with
 * context), and turned into the turn layer's verdict with the reason in words
 * for the person (the turn layer says what failed).
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { verdictOf, type FailureRule } from '../../src/turns/failure-rules.ts';
import type { FailureVerdict } from '../../src/turns/port.ts';
import { FAILURE_REASONS } from '../../src/turns/wording.ts';

/** Discord's JSON error code for "a thread has already been created for this message". */
export const THREAD_ALREADY_CREATED = 160004;

export interface DiscordFailure {
  kind: DiscordFailureKind;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Discord's JSON error code. */
  code?: number | string;
  /** For rate limits: how long Discord asked us to wait. */
  retryAfterMs?: number;
  message: string;
}

const UNKNOWN = 'Something went wrong talking to Discord.';
const NO_ACCESS = "I can't see that channel.";

/**
 * Per kind: whether waiting may help (rate limits, Discord's 5xx, the network;
 * a missing permission or an unknown channel will not pass), and why, in the
 * person's words. A gone interaction token is retried too: the next attempt
 * has no live interaction and uses the bot token.
 */
const KINDS = {
  missing_permissions: {
    retry: false,
    explain: () => "I'm missing a permission for that (Send Messages, Embed Links or Create Public Threads); a server admin can grant it.",
  },
  missing_access: { retry: false, explain: () => NO_ACCESS },
  not_found: { retry: false, explain: () => NO_ACCESS },
  rate_limited: { retry: true, explain: (f: DiscordFailure) => FAILURE_REASONS.rateLimited('Discord', Math.max(1, Math.ceil((f.retryAfterMs ?? 1000) / 1000))) },
  discord_unavailable: { retry: true, explain: (f: DiscordFailure) => FAILURE_REASONS.unavailable('Discord', f.status ?? 500) },
  /** Discord could not be reached at all (refused, reset, timed out). */
  network: { retry: true, explain: () => 'Discord could not be reached.' },
  /** The interaction token is gone (answered too late, or unknown). */
  interaction_expired: { retry: true, explain: () => UNKNOWN },
  /** The interaction was answered already (a redelivery, or another process). */
  already_acknowledged: { retry: true, explain: () => UNKNOWN },
  unknown: { retry: false, explain: () => UNKNOWN },
} satisfies Record<string, FailureRule<DiscordFailure>>;

export type DiscordFailureKind = keyof typeof KINDS;

/** What a port call was for, in its logs and the live delivery's journal (run-turn.ts reads the outcome from it). */
export type DiscordStep = 'post in the thread' | 'post the summary' | 'edit a message' | 'tell the person' | 'open a thread';

/** A failed Discord call with what it was for (in its message, for logs); `verdictFor` explains its cause. */
export class DiscordCallError extends Error {
  constructor(
    readonly step: DiscordStep,
    override readonly cause: unknown,
    readonly channelId?: string,
  ) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DiscordCallError';
  }
}

/** Discord's JSON error codes the adapter tells apart. */
const BY_CODE = new Map<number, DiscordFailureKind>([
  [50013, 'missing_permissions'],
  [50001, 'missing_access'],
  [10062, 'interaction_expired'], // unknown interaction
  [10015, 'interaction_expired'], // unknown webhook
  [50027, 'interaction_expired'], // invalid webhook token
  [40060, 'already_acknowledged'],
  [10003, 'not_found'], // unknown channel
  [10008, 'not_found'], // unknown message
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** A request that never got an answer (undici puts the socket error in `cause`). */
function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (current.name === 'AbortError' || (typeof code === 'string' && NETWORK_CODES.has(code))) return true;
  }
  return false;
}

export function classifyDiscordError(error: unknown): DiscordFailure {
  if (error instanceof DiscordCallError) return classifyDiscordError(error.cause);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RateLimitError) return { kind: 'rate_limited', status: 429, retryAfterMs: error.retryAfter, message };
  if (error instanceof DiscordAPIError) {
    const known = typeof error.code === 'number' ? BY_CODE.get(error.code) : undefined;
    const byStatus: DiscordFailureKind = error.status === 403 ? 'missing_permissions' : error.status === 429 ? 'rate_limited' : error.status >= 500 ? 'discord_unavailable' : 'unknown';
    return { kind: known ?? byStatus, status: error.status, code: error.code, message };
  }
  if (error instanceof HTTPError) return { kind: error.status >= 500 ? 'discord_unavailable' : 'unknown', status: error.status, message };
  return { kind: isNetworkError(error) ? 'network' : 'unknown', message };
}

/** After these, nothing more can be sent with the interaction's token: the bot token takes over. */
export function interactionIsGone(failure: DiscordFailure): boolean {
  return failure.kind === 'interaction_expired' || failure.kind === 'already_acknowledged';
}

/** The turn layer's verdict on a failed call, with the reason in the person's words. */
export function verdictFor(error: unknown): FailureVerdict {
  const failure = classifyDiscordError(error);
  return verdictOf(KINDS[failure.kind], failure, failure.retryAfterMs);
}
