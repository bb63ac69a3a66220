import type { MiddlewareHandler } from "hono";
import { HttpError, retryAfterSeconds } from "./http-errors.js";

/**
 * Answers 503 with `Retry-After` when a request has not been answered within `milliseconds`: a
 * database connection that froze (no error, no answer) must not hold clients forever. The handler
 * itself runs on, and whatever it ends with is discarded (the error handler still logs a failure);
 * ingest is idempotent by `eventId`, so a client that retries after the 503 cannot duplicate events.
 */
export function requestDeadline(milliseconds: number): MiddlewareHandler {
  return async (_context, next) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HttpError("E_TIMEOUT", `no answer within ${milliseconds} ms; try again later`, {
              "Retry-After": String(retryAfterSeconds),
            }),
          ),
        milliseconds,
      );
    });
    const handled = next();
    handled.catch(() => {}); // settled after the deadline: already answered
    try {
      await Promise.race([handled, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
