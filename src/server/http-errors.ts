import { LedgerError } from "../errors.js";

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

/** An error with an HTTP status, thrown by route handlers and rendered by the app's one error handler. */
export class HttpError extends LedgerError {
  readonly status: HttpErrorStatus;
  readonly headers: Record<string, string>;

  constructor(status: HttpErrorStatus, code: string, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.name = "HttpError";
    this.status = status;
    this.headers = headers;
  }
}

/**
 * Runs a parser of client input (sync or async); its validation errors (LedgerErrors other than
 * database faults) become 400s with the parser's precise message.
 */
export function parseClientInput<T>(parse: () => T): T {
  try {
    const result = parse();
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      throw asClientError(error);
    }) as T;
  } catch (error) {
    throw asClientError(error);
  }
}

function asClientError(error: unknown): unknown {
  if (error instanceof LedgerError && !(error instanceof HttpError) && !error.code.startsWith("E_DB_")) {
    return new HttpError(400, error.code, error.message);
  }
  return error;
}

/** The one place that maps errors to HTTP statuses. */
export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof LedgerError && error.code.startsWith("E_DB_")) return 503;
  return 500;
}
