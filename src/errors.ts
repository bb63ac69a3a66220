/**
 * Every code a `LedgerError` can carry, by the part of the library that raises it. A code is part of
 * the public contract (callers, the CLI's exit line and the HTTP API's `{ error: { code } }` show
 * it), so it is spelled once here and the compiler refuses any other; the HTTP status of each is in
 * `src/server/error-statuses.ts`.
 */
export type LedgerErrorCode =
  // Pricing: the catalog, overrides and the arguments of its functions.
  | "E_PRICING_ARGUMENT"
  | "E_PRICING_DATA"
  | "E_PRICING_OVERRIDES"
  | "E_USAGE"
  // Pricing updates: fetching a newer catalog.
  | "E_PRICING_FETCH"
  | "E_PRICING_STALE"
  | "E_PRICING_URL_INTERNAL"
  // The store: opening a database, its schema, migrations, writes and purges.
  | "E_DB_AUTH"
  | "E_DB_CLOSED"
  | "E_DB_CONNECT"
  | "E_DB_DIR"
  | "E_DB_IN_USE"
  | "E_DB_NOT_FOUND"
  | "E_DB_OPEN"
  | "E_DB_REFUSED"
  | "E_DB_UNAVAILABLE"
  | "E_DB_UNREACHABLE"
  | "E_DB_URL"
  | "E_DB_WORKER"
  | "E_MIGRATION"
  | "E_MIGRATION_CHECKSUM"
  | "E_MIGRATION_FILES"
  | "E_MIGRATION_RETIRED"
  | "E_MIGRATION_TARGET"
  | "E_MIGRATION_UNKNOWN"
  | "E_OPTIONS"
  | "E_PURGE_BATCH"
  | "E_PURGE_DAYS"
  | "E_SCHEMA_NAME"
  // Queries: report options, filters, cursors and event ids.
  | "E_QUERY_CURSOR"
  | "E_QUERY_DIMENSION"
  | "E_QUERY_EVENT_ID"
  | "E_QUERY_FILTER"
  | "E_QUERY_GRAIN"
  | "E_QUERY_LIMIT"
  | "E_QUERY_OPTIONS"
  | "E_QUERY_ORDER"
  | "E_QUERY_PARAM"
  | "E_QUERY_RANGE"
  | "E_QUERY_TIME_ZONE"
  // Budgets: their specs, names, and the guard's refusal.
  | "E_BUDGET_SPEC"
  | "E_BUDGET_CONFLICT"
  | "E_WEBHOOK_REFUSED"
  | "E_BUDGET_EXCEEDED"
  // The tracker's HTTP sink.
  | "E_SINK_KEY"
  | "E_SINK_REFUSED"
  | "E_SINK_UNAVAILABLE"
  | "E_SINK_URL"
  | "E_SPOOL_WRITE"
  // Integrations: SDK results, token usage and task routes.
  | "E_AGENT_RESULT_INVALID"
  | "E_ROUTE_INVALID"
  | "E_ROUTE_UNKNOWN"
  | "E_USAGE_INVALID"
  | "E_USAGE_MISSING"
  // Bills: importing what the providers charged (cost APIs and files).
  | "E_BILLS_FILE"
  | "E_BILLS_FETCH"
  | "E_BILLS_KEY"
  | "E_BILLS_PAGINATION"
  | "E_BILLS_PROVIDER"
  | "E_BILLS_RESPONSE"
  | "E_BILLS_URL_INTERNAL"
  // The CLI, and its calls to a running service.
  | "E_CLI_USAGE"
  | "E_IMPORT_FORMAT"
  | "E_SERVER"
  | "E_SERVER_UNREACHABLE"
  // The service: starting it, API keys, and what it answers a request.
  | "E_ADMIN_KEY"
  | "E_LISTEN"
  | "E_PORT_IN_USE"
  | "E_KEY_AMBIGUOUS"
  | "E_KEY_NAME"
  | "E_SCOPES"
  // Projects: their slugs and names, and which project a key may see and manage.
  | "E_PROJECT_EXISTS"
  | "E_PROJECT_NAME"
  | "E_PROJECT_SCOPE"
  | "E_PROJECT_SLUG"
  | "E_PROJECT_UNKNOWN"
  | "E_AUTH"
  | "E_AUTH_QUERY_KEY"
  | "E_AUTH_THROTTLED"
  | "E_SCOPE"
  | "E_CROSS_ORIGIN"
  | "E_CONTENT_TYPE"
  | "E_BODY"
  | "E_JSON"
  | "E_PATH"
  | "E_TOO_LARGE"
  | "E_TOO_MANY_EVENTS"
  | "E_OTLP_BODY"
  | "E_NOT_FOUND"
  | "E_UNPRICED"
  | "E_TIMEOUT"
  | "E_INTERNAL";

/**
 * The one error base class of llm-ledger. Every error the library raises on purpose is a
 * `LedgerError` with a stable `code`, so callers (and the CLI and HTTP layers, each in one place)
 * can map it without parsing messages.
 *
 * @example
 * try { await openDatabase("mysql://x") } catch (error) {
 *   if (error instanceof LedgerError && error.code === "E_DB_URL") { ... }
 * }
 */
export class LedgerError extends Error {
  /** What went wrong, stable across releases: branch on it, never on the message. */
  readonly code: LedgerErrorCode;

  constructor(code: LedgerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LedgerError";
    this.code = code;
  }
}

/**
 * True when `error` is a LedgerError, optionally with the given code. The code is any string, so a
 * caller holding a code in a `string` (a table of expected codes, a code read back from JSON) can ask.
 */
export function isLedgerError(error: unknown, code?: string): error is LedgerError {
  return error instanceof LedgerError && (code === undefined || error.code === code);
}
