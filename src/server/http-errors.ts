import { LedgerError, type LedgerErrorCode } from "../errors.js";
import { errorStatuses, isClientErrorCode, isUnavailableCode, type HttpErrorCode } from "./error-statuses.js";

/**
 * An error a route answers with as it is, thrown by handlers and guards and rendered by the app's one
 * error handler. Its status is its code's, from the table in error-statuses.ts.
 */
export class HttpError extends LedgerError {
  declare readonly code: HttpErrorCode;
  /** The code's status: 4xx, or 503 for "try again later". */
  readonly status: (typeof errorStatuses)[HttpErrorCode];
  /** Sent with the answer (`WWW-Authenticate`, `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(code: HttpErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.name = "HttpError";
    this.status = errorStatuses[code];
    this.headers = headers;
  }
}

/** Seconds a client is asked to wait before retrying a 503. */
export const retryAfterSeconds = 5;

/**
 * Runs a parser of client input (sync or async); its validation errors (LedgerErrors whose code is a
 * client error) become 4xx answers with the parser's precise message. Any other error passes through
 * as it is: a database code still answers 503, and the server's own faults 500.
 */
export function parseClientInput<T>(parse: () => T): T {
  try {
    const result = parse();
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      throw asClientError(error);
    }) as T;
  } catch (error) {
    throw asClientError(error);
  }
}

function asClientError(error: unknown): unknown {
  if (error instanceof LedgerError && !(error instanceof HttpError) && isClientErrorCode(error.code)) {
    return new HttpError(error.code, error.message);
  }
  return error;
}

// Driver and socket codes (postgres.js, Node) and Postgres SQLSTATEs that mean the database cannot be
// reached or is going away, as opposed to a fault in our code: 08 connection exceptions, 53
// insufficient resources, 57P01-57P03 shutdowns and startup.
const unavailableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01",
  "57P02",
  "57P03",
]);

// What node-postgres says, with no code, when a connection drops or cannot be had in time.
const unavailableMessages =
  /connection terminated|connection error|not queryable|connection ended|timeout exceeded when trying to connect/i;

/** Whether `error` (or any error in its `cause` chain) says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (current instanceof LedgerError && isUnavailableCode(current.code)) return true;
    if (typeof code === "string" && (unavailableCodes.has(code) || /^(08|53)/.test(code))) return true;
    if (current instanceof Error && !(current instanceof LedgerError)) {
      if (unavailableMessages.test(current.message)) return true;
      if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The status of any error reaching the HTTP layer: an HttpError's own (its code's), 503 when the
 * database is unavailable, else 500 (a LedgerError outside client-input parsing is the server's fault).
 */
export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (isDatabaseUnavailable(error)) return 503;
  return 500;
}

/**
 * The response for an error: `{ error: { code, message } }` and its headers. A 500 says only
 * "internal error"; a database outage says only that (its own message names the database's URL,
 * user, host and port, which are the operator's business, and goes to the log instead), with
 * `Retry-After`, as does every 503.
 */
export function errorResponse(error: unknown): {
  status: number;
  body: { error: { code: LedgerErrorCode; message: string } };
  headers: Record<string, string>;
} {
  const status = statusOf(error);
  if (error instanceof HttpError) {
    const headers =
      status === 503 ? { "Retry-After": String(retryAfterSeconds), ...error.headers } : error.headers;
    return { status, body: { error: { code: error.code, message: error.message } }, headers };
  }
  if (status === 503) {
    return {
      status,
      body: { error: { code: "E_DB_UNAVAILABLE", message: "the database is unavailable; try again later" } },
      headers: { "Retry-After": String(retryAfterSeconds) },
    };
  }
  return { status: 500, body: { error: { code: "E_INTERNAL", message: "internal error" } }, headers: {} };
}
