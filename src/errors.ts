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
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LedgerError";
    this.code = code;
  }
}

/** True when `error` is a LedgerError, optionally with the given code. */
export function isLedgerError(error: unknown, code?: string): error is LedgerError {
  return error instanceof LedgerError && (code === undefined || error.code === code);
}
