import { BudgetExceededError } from "./budget-check.js";
import { abortKind, property, statusCodeOf, unwrapError } from "./describe-error.js";

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * Why a failed call may fall back to the next model, or `undefined` when it must not: `"timeout"`
 * for an abort by timeout, the status (`"429"`, `"503"`, …) for HTTP 429 and 5xx, `"network"` for a
 * connection failure, `"overloaded"` for a provider's overloaded stream error, `"budget"` when a
 * budget guard refused the model's scope. A 400, 401, 403, 404
 * or 422 (the request itself is wrong), and an abort by the caller, never fall back. AI SDK errors
 * arrive wrapped (`RetryError` around `APICallError`): they are unwrapped first.
 */
export function fallbackReason(error: unknown): string | undefined {
  // A budget that blocks this model's scope: the next model may sit in another scope.
  if (error instanceof BudgetExceededError) return "budget";
  const inner = unwrapError(error);
  const abort = abortKind(inner);
  if (abort === "timeout") return "timeout";
  if (abort === "abort") return undefined;
  const status = statusCodeOf(inner);
  if (status !== undefined) {
    if (status === 408) return "timeout";
    if (status === 429 || status >= 500) return String(status);
    return undefined;
  }
  if (isNetworkError(inner)) return "network";
  // Errors that providers send inside a stream carry their type instead of a status.
  const type = property(property(inner, "error") ?? inner, "type");
  if (typeof type === "string") {
    if (/overloaded/i.test(type)) return "overloaded";
    if (/rate_limit/i.test(type)) return "429";
    if (/server_error|api_error|internal/i.test(type)) return "5xx";
  }
  return undefined;
}

function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const code = property(current, "code");
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    const message = property(current, "message");
    if (typeof message === "string" && /fetch failed|socket hang up|Cannot connect to API/i.test(message))
      return true;
    current = property(current, "cause");
  }
  return false;
}
