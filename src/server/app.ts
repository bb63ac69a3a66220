import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import type { Context } from "hono";
import { parseScopes, type ApiKeyStore } from "./api-keys.js";
import { requireScope, verifyClaimedKey, type AuthVariables } from "./auth.js";
import { decodeUtf8MarkingInvalid } from "./decode-utf8.js";
import { createFailureThrottle, type FailureThrottle } from "./failure-throttle.js";
import { errorResponse, HttpError, parseClientInput } from "./http-errors.js";
import { requestDeadline } from "./request-deadline.js";
import { assertSameOrigin } from "./same-origin.js";
import { createSessionStore, sessionCookieName, type SessionStore } from "./sessions.js";
import type { ServerLogger } from "./server-logger.js";

/** Everything the HTTP app needs, injected: the app holds no global state. */
export interface AppDependencies {
  keys: ApiKeyStore;
  logger: ServerLogger;
  sessions?: SessionStore;
  throttle?: FailureThrottle;
  /** Route groups mounted under the app (data routes, dashboard), each given the scope guards. */
  routes?: ReadonlyArray<(app: LedgerApp, guards: Guards) => void>;
  /**
   * Behind a reverse proxy that sets them: believe `X-Forwarded-For` (the client's address, for
   * throttling), `X-Forwarded-Host` (same-origin checks) and `X-Forwarded-Proto` (Secure cookies).
   */
  trustProxy?: boolean | undefined;
  /** Always mark the session cookie `Secure` (the service is reached over HTTPS). */
  secureCookies?: boolean | undefined;
  /** Answer 503 to a request still unanswered after this long (default 30 s). */
  requestTimeoutMs?: number | undefined;
  /** Told of each request that authenticated (the connection guard keeps its socket open). */
  onAuthenticated?: ((context: Context) => void) | undefined;
}

export type LedgerApp = Hono<{ Variables: AuthVariables }>;

export interface Guards {
  /** Bearer key or session cookie with the `read` scope. */
  read: ReturnType<typeof requireScope>;
  /** Bearer key with the `ingest` scope. */
  ingest: ReturnType<typeof requireScope>;
  /** Bearer key with the `admin` scope. */
  admin: ReturnType<typeof requireScope>;
}

/** The Content-Security-Policy of every response: the dashboard loads only its own scripts and styles. */
export const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * The llm-ledger HTTP app: `/healthz`, sessions, admin key routes, and the route groups passed in.
 * Errors are rendered in one place, as `{ error: { code, message } }`, never with a stack trace.
 */
export function createApp(dependencies: AppDependencies): LedgerApp {
  const sessions = dependencies.sessions ?? createSessionStore();
  const throttle = dependencies.throttle ?? createFailureThrottle();
  const trustProxy = dependencies.trustProxy ?? false;
  const guardDependencies = {
    keys: dependencies.keys,
    sessions,
    throttle,
    trustProxy,
    onAuthenticated: dependencies.onAuthenticated,
  };
  const guards: Guards = {
    read: requireScope("read", { ...guardDependencies, allowCookie: true }),
    ingest: requireScope("ingest", { ...guardDependencies, allowCookie: false }),
    admin: requireScope("admin", { ...guardDependencies, allowCookie: false }),
  };
  const app: LedgerApp = new Hono();

  app.use("*", secureHeaders({ contentSecurityPolicy, referrerPolicy: "no-referrer" }));
  app.use("*", requestDeadline(dependencies.requestTimeoutMs ?? 30_000));

  app.onError((error, context) => {
    const { status, body, headers } = errorResponse(error);
    if (status >= 500) dependencies.logger.error({ err: error, path: context.req.path }, "request failed");
    return context.json(body, status as 400, headers);
  });
  app.notFound((context) => context.json({ error: { code: "E_NOT_FOUND", message: "no such route" } }, 404));

  app.get("/healthz", (context) => context.json({ status: "ok" }));

  // Signing in is for the dashboard only: same-origin JSON, so another site cannot sign a visitor's
  // browser in with its own key (login CSRF) nor make wrong attempts from the visitor's address.
  app.post("/v1/session", bodyLimit({ maxSize: 4096, onError: tooLarge }), async (context) => {
    assertSameOrigin(context, { json: true, trustProxy });
    const body = await readJson(context.req.raw);
    const key = typeof body === "object" && body !== null ? (body as { key?: unknown }).key : undefined;
    if (typeof key !== "string") throw new HttpError("E_BODY", 'send { "key": "<read key>" }');
    const principal = await verifyClaimedKey(key, context, guardDependencies);
    if (!principal.scopes.includes("read") && !principal.scopes.includes("admin")) {
      throw new HttpError("E_SCOPE", "this key lacks the 'read' scope");
    }
    const session = sessions.create(principal);
    setCookie(context, sessionCookieName, session.token, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: session.maxAgeSeconds,
      secure:
        dependencies.secureCookies === true ||
        new URL(context.req.url).protocol === "https:" ||
        (trustProxy && context.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https"),
    });
    return context.json({ name: principal.name, scopes: principal.scopes });
  });

  // Whether the dashboard's cookie (or a Bearer key) is signed in: 200 with who, else 401.
  app.get("/v1/session", guards.read, (context) => {
    const principal = context.get("principal");
    return context.json({ name: principal.name, scopes: principal.scopes });
  });

  app.delete("/v1/session", (context) => {
    assertSameOrigin(context, { json: false, trustProxy });
    const token = getCookie(context, sessionCookieName);
    if (token) sessions.delete(token);
    deleteCookie(context, sessionCookieName, { path: "/" });
    return context.body(null, 204);
  });

  app.get("/v1/admin/keys", guards.admin, async (context) =>
    context.json({ keys: await dependencies.keys.list() }),
  );

  app.post(
    "/v1/admin/keys",
    guards.admin,
    bodyLimit({ maxSize: 4096, onError: tooLarge }),
    async (context) => {
      const body = (await readJson(context.req.raw)) as { name?: unknown; scopes?: unknown } | null;
      if (typeof body?.name !== "string" || !Array.isArray(body.scopes)) {
        throw new HttpError("E_BODY", 'send { "name": "…", "scopes": ["read" | "ingest" | "admin", …] }');
      }
      const scopes = parseClientInput(() => parseScopes(body.scopes as unknown[]));
      const created = await parseClientInput(() =>
        dependencies.keys.create({ name: body.name as string, scopes }),
      );
      return context.json(created, 201);
    },
  );

  app.delete("/v1/admin/keys/:id", guards.admin, async (context) => {
    const revoked = await parseClientInput(() => dependencies.keys.revoke(context.req.param("id")));
    if (!revoked) throw new HttpError("E_NOT_FOUND", "no such key");
    sessions.endForKey(revoked.id);
    return context.json({ revoked });
  });

  for (const mount of dependencies.routes ?? []) mount(app, guards);
  return app;
}

/**
 * Parses a request body as JSON, or a 400 saying it is not JSON. Invalid UTF-8 inside a string
 * arrives as lone surrogates, which the event parser refuses per event (see decode-utf8.ts).
 */
export async function readJson(request: Request): Promise<unknown> {
  const text = decodeUtf8MarkingInvalid(new Uint8Array(await request.arrayBuffer()));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError("E_JSON", "the request body is not valid JSON");
  }
}

function tooLarge(): never {
  throw new HttpError("E_TOO_LARGE", "the request body is too large");
}
