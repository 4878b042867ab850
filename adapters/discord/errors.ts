/**
 * Discord call failures, classified into a few coded kinds so the adapter can
 * log them with context and tell the user what happened in plain words.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { FAILURE_REASONS } from './platform-text.ts';

/** Discord's JSON error codes the adapter reacts to. */
export const DISCORD_ERROR_CODES = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  unknownInteraction: 10062,
  missingAccess: 50001,
  missingPermissions: 50013,
  alreadyAcknowledged: 40060,
} as const;

export type DiscordFailureKind =
  | 'missing_permissions'
  | 'missing_access'
  | 'rate_limited'
  | 'discord_unavailable'
  /** The interaction token is gone (answered too late, or an unknown interaction). */
  | 'interaction_expired'
  /** The interaction was already answered (a redelivery raced us). */
  | 'already_acknowledged'
  | 'not_found'
  | 'unknown';

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

export function classifyDiscordError(error: unknown): DiscordFailure {
  if (error instanceof RateLimitError) {
    return { kind: 'rate_limited', status: 429, retryAfterMs: error.retryAfter, message: error.message };
  }
  if (error instanceof DiscordAPIError) {
    const base = { status: error.status, code: error.code, message: error.message };
    switch (error.code) {
      case DISCORD_ERROR_CODES.missingPermissions:
        return { kind: 'missing_permissions', ...base };
      case DISCORD_ERROR_CODES.missingAccess:
        return { kind: 'missing_access', ...base };
      case DISCORD_ERROR_CODES.unknownInteraction:
        return { kind: 'interaction_expired', ...base };
      case DISCORD_ERROR_CODES.alreadyAcknowledged:
        return { kind: 'already_acknowledged', ...base };
      case DISCORD_ERROR_CODES.unknownChannel:
      case DISCORD_ERROR_CODES.unknownMessage:
        return { kind: 'not_found', ...base };
      default:
        if (error.status === 403) return { kind: 'missing_permissions', ...base };
        if (error.status === 429) return { kind: 'rate_limited', ...base };
        return { kind: 'unknown', ...base };
    }
  }
  if (error instanceof HTTPError) {
    return { kind: error.status >= 500 ? 'discord_unavailable' : 'unknown', status: error.status, message: error.message };
  }
  return { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };
}

/** One sentence for the user about what went wrong. */
export function explainFailure(failure: DiscordFailure): string {
  switch (failure.kind) {
    case 'missing_permissions':
      return FAILURE_REASONS.missingPermissions;
    case 'missing_access':
    case 'not_found':
      return FAILURE_REASONS.missingAccess;
    case 'rate_limited':
      return FAILURE_REASONS.rateLimited((failure.retryAfterMs ?? 1000) / 1000);
    case 'discord_unavailable':
      return FAILURE_REASONS.discordUnavailable(failure.status ?? 500);
    default:
      return FAILURE_REASONS.unknown;
  }
}

/** Failures after which nothing more can be sent for this interaction. */
export function interactionIsGone(failure: DiscordFailure): boolean {
  return failure.kind === 'interaction_expired' || failure.kind === 'already_acknowledged';
}
