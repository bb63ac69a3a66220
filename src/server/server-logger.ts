/** A pino-compatible logger: `logger.warn(fields, message)`. */
export interface ServerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** One JSON line per entry on the given stream (stderr by default in the CLI). */
export function createJsonLogger(stream: { write(text: string): unknown }): ServerLogger {
  const write = (level: string, fields: Record<string, unknown>, message: string) => {
    const { err, ...rest } = fields;
    const error = err instanceof Error ? { error: err.message, code: (err as { code?: unknown }).code } : {};
    stream.write(
      JSON.stringify({ time: new Date().toISOString(), level, message, ...rest, ...error }) + "\n",
    );
  };
  return {
    info: (fields, message) => write("info", fields, message),
    warn: (fields, message) => write("warn", fields, message),
    error: (fields, message) => write("error", fields, message),
  };
}
