import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { ApiKeyStore, Principal, Scope } from "./api-keys.js";
import type { FailureThrottle } from "./failure-throttle.js";
import { HttpError } from "./http-errors.js";
import { assertSameOrigin, lastValue } from "./same-origin.js";
import { sessionCookieName, type SessionStore } from "./sessions.js";

export type AuthVariables = { principal: Principal };

/** What the guards share: the key store, sessions, the failure throttle and the proxy policy. */
export interface GuardDependencies {
  keys: ApiKeyStore;
  sessions: SessionStore;
  throttle: FailureThrottle;
  /** Believe `X-Forwarded-For` / `X-Forwarded-Host` (only behind a proxy that sets them). */
  trustProxy: boolean;
  /** Told of each authenticated request (the connection guard stops treating its socket as idle). */
  onAuthenticated?: ((context: Context) => void) | undefined;
}

const queryKeyNames = ["key", "api_key", "apikey", "apiKey", "token", "access_token"];
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The client's address: the socket's, or with `trustProxy` the last `X-Forwarded-For` entry (the one
 * the proxy in front added; earlier entries are whatever the client sent).
 */
export function clientAddress(context: Context, trustProxy = false): string {
  const forwarded = trustProxy ? lastValue(context.req.header("x-forwarded-for")) : undefined;
  if (forwarded) return forwarded;
  try {
    return getConnInfo(context).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Verifies a key a client presented. Failures are throttled per address and claimed key prefix;
 * the key is checked first, so a valid key is never refused however many wrong ones came from the
 * same address. Wrong key → 401, or 429 with Retry-After once that address and prefix failed too often.
 */
export async function verifyClaimedKey(
  key: string,
  context: Context,
  dependencies: Pick<GuardDependencies, "keys" | "throttle" | "trustProxy">,
): Promise<Principal> {
  const subject = `${clientAddress(context, dependencies.trustProxy)} ${key.slice(0, 12)}`;
  const principal = await dependencies.keys.verify(key);
  if (principal) {
    dependencies.throttle.recordSuccess(subject);
    return principal;
  }
  const wait = dependencies.throttle.retryAfter(subject);
  if (wait > 0) {
    throw new HttpError("E_AUTH_THROTTLED", "too many failed authentication attempts; try again later", {
      "Retry-After": String(Math.ceil(wait / 1000)),
    });
  }
  dependencies.throttle.recordFailure(subject);
  throw new HttpError("E_AUTH", "a valid API key is required (Authorization: Bearer <key>)", {
    "WWW-Authenticate": 'Bearer realm="llm-ledger"',
  });
}

/**
 * Requires a principal with `scope` (`any`: any valid key): a Bearer key, or (where `allowCookie`) the dashboard's session
 * cookie. No key or a wrong one → 401; the wrong scope → 403; repeated wrong keys → 429. Keys in the
 * query string are refused, never read. A cookie-authenticated request that changes state must be
 * same-origin JSON (see same-origin.ts).
 */
export function requireScope(
  scope: Scope | "any",
  dependencies: GuardDependencies & { allowCookie: boolean },
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (context, next) => {
    const query = new URL(context.req.url).searchParams;
    if (queryKeyNames.some((name) => query.has(name))) {
      throw new HttpError(
        "E_AUTH_QUERY_KEY",
        "API keys are not accepted in the query string; send Authorization: Bearer <key>",
      );
    }
    const principal = await authenticate(context, dependencies);
    if (!principal) {
      // No credential at all: nothing was guessed, so nothing is counted.
      throw new HttpError("E_AUTH", "a valid API key is required (Authorization: Bearer <key>)", {
        "WWW-Authenticate": 'Bearer realm="llm-ledger"',
      });
    }
    dependencies.onAuthenticated?.(context);
    if (scope !== "any" && !principal.scopes.includes(scope) && !principal.scopes.includes("admin")) {
      throw new HttpError("E_SCOPE", `this key lacks the '${scope}' scope`);
    }
    context.set("principal", principal);
    await next();
  };
}

async function authenticate(
  context: Context,
  dependencies: GuardDependencies & { allowCookie: boolean },
): Promise<Principal | undefined> {
  const header = context.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return verifyClaimedKey(match ? match[1]! : header, context, dependencies);
  }
  if (!dependencies.allowCookie) return undefined;
  const token = getCookie(context, sessionCookieName);
  if (!token) return undefined;
  const principal = dependencies.sessions.get(token);
  if (!principal) return undefined;
  // A key revoked elsewhere (another server, the CLI on the database) ends its sessions too.
  if (!(await dependencies.keys.isActive(principal.keyId))) {
    dependencies.sessions.delete(token);
    return undefined;
  }
  if (!safeMethods.has(context.req.method)) {
    assertSameOrigin(context, { json: context.req.method !== "DELETE", trustProxy: dependencies.trustProxy });
  }
  return principal;
}
