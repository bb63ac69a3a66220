import type { LedgerErrorCode } from "../errors.js";

/** The statuses the service answers an error with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503;

/**
 * The HTTP status of each error code: the one place that decides it, and exhaustive, so a new code
 * does not compile until it has a status here.
 *
 * - 4xx: the request is at fault. The HTTP layer raises these itself, or they come from the parsers
 *   of client input (query parameters, key names and scopes) run through `parseClientInput`.
 * - 503 (with `Retry-After`): the service cannot answer now — its database is unavailable, or the
 *   answer took too long — and the same request may succeed later.
 * - 500: a fault or a misconfiguration on the server's side; the client is told only "internal
 *   error". Every code that no request can cause is here, whatever it means to a library caller.
 */
export const errorStatuses = {
  // The request: authentication, origin, body and path.
  E_AUTH: 401,
  E_AUTH_QUERY_KEY: 401,
  E_AUTH_THROTTLED: 429,
  E_SCOPE: 403,
  E_CROSS_ORIGIN: 403,
  E_CONTENT_TYPE: 415,
  E_BODY: 400,
  E_JSON: 400,
  E_PATH: 400,
  E_TOO_LARGE: 413,
  E_TOO_MANY_EVENTS: 413,
  E_OTLP_BODY: 400,
  E_NOT_FOUND: 404,
  E_UNPRICED: 404,
  // Client input parsed by the library: report options, filters, cursors, event ids, keys.
  E_QUERY_CURSOR: 400,
  E_QUERY_DIMENSION: 400,
  E_QUERY_EVENT_ID: 400,
  E_QUERY_FILTER: 400,
  E_QUERY_GRAIN: 400,
  E_QUERY_LIMIT: 400,
  E_QUERY_OPTIONS: 400,
  E_QUERY_ORDER: 400,
  E_QUERY_PARAM: 400,
  E_QUERY_RANGE: 400,
  E_QUERY_TIME_ZONE: 400,
  E_KEY_AMBIGUOUS: 400,
  E_KEY_NAME: 400,
  E_SCOPES: 400,
  E_BUDGET_SPEC: 400,
  E_BUDGET_CONFLICT: 409,
  E_PROJECT_NAME: 400,
  E_PROJECT_SLUG: 400,
  E_PROJECT_UNKNOWN: 400,
  // A key bound to one project acting beyond it; a slug already taken.
  E_PROJECT_SCOPE: 403,
  E_PROJECT_EXISTS: 409,
  // Try again later: the database, or the request deadline.
  E_DB_AUTH: 503,
  E_DB_CLOSED: 503,
  E_DB_CONNECT: 503,
  E_DB_DIR: 503,
  E_DB_IN_USE: 503,
  E_DB_NOT_FOUND: 503,
  E_DB_OPEN: 503,
  E_DB_REFUSED: 503,
  E_DB_UNAVAILABLE: 503,
  E_DB_UNREACHABLE: 503,
  E_DB_URL: 503,
  E_DB_WORKER: 503,
  E_TIMEOUT: 503,
  // The server's side.
  E_INTERNAL: 500,
  E_ADMIN_KEY: 500,
  E_LISTEN: 500,
  E_PORT_IN_USE: 500,
  E_OPTIONS: 500,
  E_SCHEMA_NAME: 500,
  E_MIGRATION: 500,
  E_MIGRATION_CHECKSUM: 500,
  E_MIGRATION_FILES: 500,
  E_MIGRATION_RETIRED: 500,
  E_MIGRATION_TARGET: 500,
  E_MIGRATION_UNKNOWN: 500,
  E_PURGE_BATCH: 500,
  E_PURGE_DAYS: 500,
  E_PRICING_ARGUMENT: 500,
  E_PRICING_DATA: 500,
  E_PRICING_OVERRIDES: 500,
  E_PRICING_FETCH: 500,
  E_PRICING_STALE: 500,
  E_PRICING_URL_INTERNAL: 500,
  E_USAGE: 500,
  E_USAGE_INVALID: 500,
  E_USAGE_MISSING: 500,
  E_AGENT_RESULT_INVALID: 500,
  E_ROUTE_INVALID: 500,
  E_ROUTE_UNKNOWN: 500,
  E_WEBHOOK_REFUSED: 500,
  E_BUDGET_EXCEEDED: 500,
  E_SINK_KEY: 500,
  E_SINK_REFUSED: 500,
  E_SINK_UNAVAILABLE: 500,
  E_SINK_URL: 500,
  E_SPOOL_WRITE: 500,
  E_BILLS_FILE: 500,
  E_BILLS_FETCH: 500,
  E_BILLS_KEY: 500,
  E_BILLS_PAGINATION: 500,
  E_BILLS_PROVIDER: 500,
  E_BILLS_RESPONSE: 500,
  E_BILLS_URL_INTERNAL: 500,
  E_CLI_USAGE: 500,
  E_IMPORT_FORMAT: 500,
  E_SERVER: 500,
  E_SERVER_UNREACHABLE: 500,
} as const satisfies Record<LedgerErrorCode, ErrorStatus>;

/** The codes a route may answer with as they are: the request's fault (4xx) or "try again later" (503). */
export type HttpErrorCode = {
  [Code in LedgerErrorCode]: (typeof errorStatuses)[Code] extends 500 ? never : Code;
}[LedgerErrorCode];

/** The codes that describe a fault of the client's request. */
export type ClientErrorCode = {
  [Code in LedgerErrorCode]: (typeof errorStatuses)[Code] extends 500 | 503 ? never : Code;
}[LedgerErrorCode];

/** Whether `code` says the client's request is at fault (a 4xx). */
export function isClientErrorCode(code: LedgerErrorCode): code is ClientErrorCode {
  return errorStatuses[code] < 500;
}

/** Whether `code` says the service cannot answer now (a 503): its database is unavailable, or time ran out. */
export function isUnavailableCode(code: LedgerErrorCode): boolean {
  return errorStatuses[code] === 503;
}
