// Loggers for the tests: one that says nothing, for tests about something else, and one that keeps
// what it was told, for tests about what is logged.
import type { LedgerLogger } from "../../src/logger.js";
import type { ServerLogger } from "../../src/server/index.js";

/** A logger that drops everything; it serves the library (`LedgerLogger`) and the server alike. */
export const silentLogger: LedgerLogger & ServerLogger = { info() {}, warn() {}, error() {} };

/** One entry a `memoryLogger` kept. */
export interface LogEntry {
  level: "warn" | "error" | "info";
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps every entry, for assertions. */
export function memoryLogger(): LedgerLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry["level"]) => (fields: Record<string, unknown>, message: string) => {
    entries.push({ level, fields, message });
  };
  return { entries, warn: at("warn"), error: at("error"), info: at("info") };
}
