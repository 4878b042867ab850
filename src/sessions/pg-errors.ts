/**
 * How the PostgreSQL store reports what goes wrong: every driver or server
 * error becomes AdvisorError('STORE_FAILURE') with the cause kept, the
 * SQLSTATE (or the socket's errno) in `details`, and words a person running
 * the advisor can act on. Connection strings are shown without their password.
 */
import { AdvisorError } from '../errors.ts';

/** Words for the SQLSTATEs and socket errors an operator is likely to meet. */
const EXPLAINED: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is PostgreSQL running and listening at that address?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  '28P01': 'password authentication failed (check the user and password in DATABASE_URL)',
  '28000': 'the server refused this user (check DATABASE_URL and pg_hba.conf)',
  '3D000': 'the database does not exist (create it first, then run npm run db:migrate)',
  '53300': 'the server has no free connection slots',
  '57P01': 'the server is shutting down',
  '57P03': 'the server is starting up or in recovery',
  '57014': 'the statement took too long and was cancelled',
  '55P03': 'a lock was not granted in time (another process holds it)',
  '40001': 'serialization failure (a concurrent transaction changed the same rows; the turn can be tried again)',
  '40P01': 'deadlock detected (the turn can be tried again)',
  '25P02': 'the transaction was aborted',
};

/** Errors after which trying the same work again may succeed. */
const RETRYABLE = new Set(['40001', '40P01', '55P03', '57014', '57P01', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

function codeOf(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node reports a refused connection to every address of a name (::1 and 127.0.0.1) as an AggregateError.
  if (cause instanceof AggregateError) return cause.errors.map(codeOf).find((each) => each !== undefined);
  return undefined;
}

function reasonOf(cause: unknown, code: string | undefined): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  const explained = code === undefined ? undefined : EXPLAINED[code];
  if (explained === undefined) return text === '' ? (code ?? 'unknown error') : text;
  // The server's own words are often more precise ("database \"x\" does not exist"); keep both when they differ.
  return text === '' || text === code || explained.startsWith(text) ? explained : `${explained}: ${text}`;
}

/** Wraps an unexpected error as STORE_FAILURE, keeping the cause; AdvisorErrors pass through unchanged. */
export function pgFailure(message: string, cause: unknown, details: Record<string, unknown> = {}): AdvisorError {
  if (cause instanceof AdvisorError) return cause;
  const code = codeOf(cause);
  const error = new AdvisorError('STORE_FAILURE', `${message}: ${reasonOf(cause, code)}`, {
    ...details,
    ...(code === undefined ? {} : { pgCode: code, retryable: RETRYABLE.has(code) }),
  });
  error.cause = cause;
  return error;
}

/** Connection-string parameters shown in messages: they say how it connects and hold no secret. */
const SHOWN_PARAMETERS = ['sslmode'];

/** `postgres://user@host:port/db` without the password nor other parameters than `sslmode` (for messages and logs). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    const shown = new URLSearchParams([...parsed.searchParams].filter(([name]) => SHOWN_PARAMETERS.includes(name)));
    parsed.search = shown.toString();
    return parsed.toString();
  } catch {
    return 'an unreadable connection string';
  }
}
