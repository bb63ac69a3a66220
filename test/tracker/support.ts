// Helpers shared by the tracker suites: a logger that remembers what it was told, temp spool
// directories, and valid inputs.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LedgerLogger } from "../../src/logger.js";
import type { AiSdkCallParams } from "../../src/tracker/track-types.js";

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

/** A fresh, empty spool directory. */
export function tempSpoolDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "llm-ledger-spool-"));
}

/** A valid AI SDK call for a priced model; `overrides` change any field. */
export function aiCall(overrides: Partial<AiSdkCallParams> = {}): AiSdkCallParams {
  return {
    repo: "acme/api",
    taskType: "review",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    inputTokens: 1000,
    outputTokens: 200,
    durationMs: 850,
    usedFallback: false,
    ...overrides,
  };
}
