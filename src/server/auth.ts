import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { ApiKeyStore, Principal, Scope } from "./api-keys.js";
import type { FailureThrottle } from "./failure-throttle.js";
import { HttpError } from "./http-errors.js";
import { sessionCookieName, type SessionStore } from "./sessions.js";

export type AuthVariables = { principal: Principal };

const queryKeyNames = ["key", "api_key", "apikey", "apiKey", "token", "access_token"];

/** The client's address for throttling (the socket's; a proxy in front should be configured to pass it). */
export function clientAddress(context: Context): string {
  try {
    return getConnInfo(context).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Requires a principal with `scope`: a Bearer key, or (where `allowCookie`) the dashboard's session
 * cookie. No key or a wrong one → 401; the wrong scope → 403; too many failures from one address → 429.
 * Keys in the query string are refused, never read.
 */
export function requireScope(
  scope: Scope,
  dependencies: {
    keys: ApiKeyStore;
    sessions: SessionStore;
    throttle: FailureThrottle;
    allowCookie: boolean;
  },
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (context, next) => {
    const address = clientAddress(context);
    const wait = dependencies.throttle.retryAfter(address);
    if (wait > 0) {
      throw new HttpError(
        429,
        "E_AUTH_THROTTLED",
        "too many failed authentication attempts; try again later",
        {
          "Retry-After": String(Math.ceil(wait / 1000)),
        },
      );
    }
    const query = new URL(context.req.url).searchParams;
    if (queryKeyNames.some((name) => query.has(name))) {
      dependencies.throttle.recordFailure(address);
      throw new HttpError(
        401,
        "E_AUTH_QUERY_KEY",
        "API keys are not accepted in the query string; send Authorization: Bearer <key>",
      );
    }
    const principal = await authenticate(context, dependencies);
    if (!principal) {
      dependencies.throttle.recordFailure(address);
      throw new HttpError(401, "E_AUTH", "a valid API key is required (Authorization: Bearer <key>)", {
        "WWW-Authenticate": 'Bearer realm="llm-ledger"',
      });
    }
    dependencies.throttle.recordSuccess(address);
    if (!principal.scopes.includes(scope) && !principal.scopes.includes("admin")) {
      throw new HttpError(403, "E_SCOPE", `this key lacks the '${scope}' scope`);
    }
    context.set("principal", principal);
    await next();
  };
}

async function authenticate(
  context: Context,
  dependencies: { keys: ApiKeyStore; sessions: SessionStore; allowCookie: boolean },
): Promise<Principal | undefined> {
  const header = context.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? dependencies.keys.verify(match[1]!) : undefined;
  }
  if (dependencies.allowCookie) {
    const token = getCookie(context, sessionCookieName);
    if (token) return dependencies.sessions.get(token);
  }
  return undefined;
}
