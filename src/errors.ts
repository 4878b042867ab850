/**
 * Coded errors. Every error the advisor raises on purpose carries a stable `code`
 * so callers (CLI exit codes, adapters' user messages, logs) can react to it
 * without parsing text.
 */
export type ErrorCode =
  | 'KNOWLEDGE_INVALID'
  | 'CONFIG_INVALID'
  | 'UNKNOWN_CRITERION'
  | 'UNKNOWN_OPTION'
  | 'SESSION_CONFLICT'
  /** A delivery id that was already applied (a platform retry, a replay, a double click). */
  | 'DUPLICATE_DELIVERY'
  | 'STORE_FAILURE'
  | 'USAGE';

export class AdvisorError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AdvisorError';
    this.code = code;
    this.details = details;
  }
}

export function isAdvisorError(error: unknown, code?: ErrorCode): error is AdvisorError {
  return error instanceof AdvisorError && (code === undefined || error.code === code);
}
