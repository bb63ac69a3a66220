import type { ServerLogger } from "../server/server-logger.js";

/**
 * The service's log as a person reads it beside `serve`'s own lines: `HH:MM:SS level message`, the
 * fields after it as `key=value`. (`serve --log-format json` keeps one JSON line per entry, for a log
 * collector.) The clock is the local time of day: the lines are read as they appear.
 */
export function createTextLogger(stream: { write(text: string): unknown }): ServerLogger {
  const write = (level: string, fields: Record<string, unknown>, message: string) => {
    const { err, ...rest } = fields;
    const details = Object.entries(rest).map(([key, value]) => `${key}=${fieldText(value)}`);
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      details.push(
        `error=${fieldText(err.message)}`,
        ...(code === undefined ? [] : [`code=${fieldText(code)}`]),
      );
    }
    const time = new Date().toTimeString().slice(0, 8);
    const label = level === "info" ? "" : `${level}: `;
    stream.write(`${time} ${label}${message}${details.length > 0 ? ` (${details.join(", ")})` : ""}\n`);
  };
  return {
    info: (fields, message) => write("info", fields, message),
    warn: (fields, message) => write("warn", fields, message),
    error: (fields, message) => write("error", fields, message),
  };
}

/** A field's value on one line: strings as they are unless they hold spaces or line breaks. */
function fieldText(value: unknown): string {
  if (typeof value === "string")
    return /[\s,()"]/.test(value) || value === "" ? JSON.stringify(value) : value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return JSON.stringify(value) ?? String(value);
}
