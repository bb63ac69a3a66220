// Helpers shared by the tracker suites: temp spool directories. Loggers and valid inputs are shared
// by every suite, in test/support/.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh, empty spool directory. */
export function tempSpoolDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "llm-ledger-spool-"));
}
