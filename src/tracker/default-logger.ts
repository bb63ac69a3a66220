import type { LedgerLogger } from "../logger.js";

/**
 * The logger used when none is given: one JSON line per message on stderr, so that "logged" never
 * means silent. (The library never uses console.*.)
 */
export function stderrLogger(): LedgerLogger {
  const write = (level: string) => (fields: Record<string, unknown>, message: string) => {
    let line: string;
    try {
      line = JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...fields });
    } catch {
      line = JSON.stringify({ level, time: new Date().toISOString(), msg: message });
    }
    process.stderr.write(`${line}\n`);
  };
  return { warn: write("warn"), error: write("error"), info: write("info") };
}

/** `logger.error` when the logger has one, else `logger.warn`. */
export function logError(logger: LedgerLogger, fields: Record<string, unknown>, message: string): void {
  if (logger.error) logger.error(fields, message);
  else logger.warn(fields, message);
}
