/**
 * The logger llm-ledger writes to: pino-compatible (`logger.warn(fields, message)`), so a pino or
 * bunyan logger can be passed as is. Only `warn` is required; `error` and `info` fall back to it.
 */
export interface LedgerLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error?(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
}
