/**
 * Discord call failures: classified into a few coded kinds (for logs with
 * context), turned into the turn layer's verdict (try again later or not),
 * and explained to the person in plain words.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import type { FailureVerdict } from '../../src/turns/port.ts';
import { FAILURE_REASONS, STEP_FAILED } from './platform-text.ts';

/** Discord's JSON error codes the adapter reacts to. */
export const DISCORD_ERROR_CODES = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  unknownWebhook: 10015,
  unknownInteraction: 10062,
  alreadyAcknowledged: 40060,
  missingAccess: 50001,
  missingPermissions: 50013,
  invalidWebhookToken: 50027,
  threadAlreadyCreated: 160004,
} as const;

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

/**
 * Per kind: whether it may pass (rate limits, Discord's 5xx, the network: the
 * operation is tried again; a missing permission or an unknown channel will
 * not pass by waiting), and what to tell the person. A gone interaction token
 * is retried too: the next attempt has no live interaction and uses the bot token.
 */
const KINDS = {
  missing_permissions: { retry: false, explain: () => FAILURE_REASONS.missingPermissions },
  missing_access: { retry: false, explain: () => FAILURE_REASONS.missingAccess },
  not_found: { retry: false, explain: () => FAILURE_REASONS.missingAccess },
  rate_limited: { retry: true, explain: (f: DiscordFailure) => FAILURE_REASONS.rateLimited((f.retryAfterMs ?? 1000) / 1000) },
  discord_unavailable: { retry: true, explain: (f: DiscordFailure) => FAILURE_REASONS.discordUnavailable(f.status ?? 500) },
  /** Discord could not be reached at all (refused, reset, timed out). */
  network: { retry: true, explain: () => FAILURE_REASONS.network },
  /** The interaction token is gone (answered too late, or unknown). */
  interaction_expired: { retry: true, explain: () => FAILURE_REASONS.unknown },
  /** The interaction was answered already (a redelivery, or another process). */
  already_acknowledged: { retry: true, explain: () => FAILURE_REASONS.unknown },
  unknown: { retry: false, explain: () => FAILURE_REASONS.unknown },
} satisfies Record<string, { retry: boolean; explain: (failure: DiscordFailure) => string }>;

export type DiscordFailureKind = keyof typeof KINDS;

/** What the adapter was doing when a call failed: names the step in logs and in what the person is told. */
export type DiscordStep = keyof typeof STEP_FAILED;

/** A failed Discord call with what it was for; the port throws it so `verdictFor` can explain it in context. */
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

const BY_CODE = new Map<number, DiscordFailureKind>([
  [DISCORD_ERROR_CODES.missingPermissions, 'missing_permissions'],
  [DISCORD_ERROR_CODES.missingAccess, 'missing_access'],
  [DISCORD_ERROR_CODES.unknownInteraction, 'interaction_expired'],
  [DISCORD_ERROR_CODES.unknownWebhook, 'interaction_expired'],
  [DISCORD_ERROR_CODES.invalidWebhookToken, 'interaction_expired'],
  [DISCORD_ERROR_CODES.alreadyAcknowledged, 'already_acknowledged'],
  [DISCORD_ERROR_CODES.unknownChannel, 'not_found'],
  [DISCORD_ERROR_CODES.unknownMessage, 'not_found'],
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

/** The turn layer's verdict on a failed call, with the person's explanation in the step's words. */
export function verdictFor(error: unknown): FailureVerdict {
  const failure = classifyDiscordError(error);
  const { retry, explain } = KINDS[failure.kind];
  const reason = explain(failure);
  const explanation = error instanceof DiscordCallError ? STEP_FAILED[error.step](reason, error.channelId) : reason;
  return { retry, explanation, ...(retry && failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) };
}
