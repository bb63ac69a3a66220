import type { Context, MiddlewareHandler } from "hono";
import { HttpError } from "./http-errors.js";

/**
 * Refuses a cross-site request to a route that a browser can reach with ambient authority (the
 * session cookie) or that signs a browser in (`POST /v1/session`). A page on another site can send a
 * "simple" request (a form, a `no-cors` fetch) without a preflight, but only with a `text/plain`,
 * form or multipart body, and its browser always sends that site's `Origin` on a POST or DELETE. So
 * the request must carry an `Origin` naming this server's host, and a body (if `json`) must be
 * declared `application/json`, which no simple request can declare.
 *
 * Routes authenticated only by a Bearer key are not CSRF-able (a browser never attaches one on its
 * own) and do not call this.
 */
export function assertSameOrigin(context: Context, options: { json: boolean; trustProxy: boolean }): void {
  const origin = context.req.header("origin");
  const host =
    (options.trustProxy ? lastValue(context.req.header("x-forwarded-host")) : undefined) ??
    context.req.header("host") ??
    new URL(context.req.url).host;
  if (origin === undefined || hostOf(origin) !== host.toLowerCase()) {
    throw new HttpError(
      "E_CROSS_ORIGIN",
      "this route accepts only same-origin requests from the dashboard (an Origin header naming this server)",
    );
  }
  if (options.json) {
    const type = (context.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") {
      throw new HttpError("E_CONTENT_TYPE", "send the body as Content-Type: application/json");
    }
  }
}

/** `assertSameOrigin` as a guard: the routes a browser signs in and out with use it. */
export function sameOrigin(options: { json: boolean; trustProxy: boolean }): MiddlewareHandler {
  return async (context, next) => {
    assertSameOrigin(context, options);
    await next();
  };
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined; // "null" (a sandboxed or file: page) and anything malformed
  }
}

/** The last entry of a comma-separated proxy header: the one our own proxy added. */
export function lastValue(header: string | undefined): string | undefined {
  const value = header?.split(",").at(-1)?.trim();
  return value === "" ? undefined : value;
}
