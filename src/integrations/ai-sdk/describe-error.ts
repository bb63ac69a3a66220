// Reading AI SDK errors without importing `ai`: errors are recognised by their documented fields
// (`APICallError.statusCode`, `RetryError.lastError`), which both majors share.

const MAX_ERROR_LENGTH = 2000;

/** The error that caused `error`: a `RetryError`'s last attempt, otherwise the error itself. */
export function unwrapError(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const last = property(current, "lastError");
    if (last === undefined || !isNamed(current, "AI_RetryError")) return current;
    current = last;
  }
  return current;
}

/** The HTTP status of a provider error (`APICallError.statusCode`, or `status`), if any. */
export function statusCodeOf(error: unknown): number | undefined {
  const inner = unwrapError(error);
  for (const key of ["statusCode", "status"]) {
    const value = property(inner, key);
    if (typeof value === "number" && Number.isInteger(value)) return value;
  }
  return undefined;
}

/** True when `error` is an abort, and `"timeout"` when the abort was a timeout. */
export function abortKind(error: unknown): "timeout" | "abort" | undefined {
  const inner = unwrapError(error);
  const name = property(inner, "name");
  if (name === "TimeoutError") return "timeout";
  if (name === "AbortError" || name === "ResponseAborted") {
    const cause = property(inner, "cause");
    return property(cause, "name") === "TimeoutError" ? "timeout" : "abort";
  }
  return undefined;
}

/**
 * The text recorded as an event's `error`: `HTTP <status>: <message>` for a provider's HTTP error,
 * `timeout: …` / `aborted: …` for aborts, otherwise the message; at most 2000 characters.
 */
export function describeError(error: unknown): string {
  const inner = unwrapError(error);
  const message = messageOf(inner);
  const status = statusCodeOf(inner);
  const abort = abortKind(inner);
  let text = message;
  if (status !== undefined) text = `HTTP ${status}: ${message}`;
  else if (abort === "timeout") text = `timeout: ${message}`;
  else if (abort === "abort") text = `aborted: ${message}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function messageOf(error: unknown): string {
  const message = property(error, "message");
  if (typeof message === "string" && message.length > 0) return message;
  if (typeof error === "string") return error;
  const name = property(error, "name");
  return typeof name === "string" ? name : "unknown error";
}

function isNamed(error: unknown, name: string): boolean {
  return property(error, "name") === name;
}

export function property(value: unknown, key: string): unknown {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
