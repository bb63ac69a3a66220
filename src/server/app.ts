import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { Context } from "hono";
import { createAdminKeyRoutes } from "./admin-key-routes.js";
import { createProjectRoutes } from "./project-routes.js";
import type { ApiKeyStore } from "./api-keys.js";
import type { ProjectStore } from "../projects/index.js";
import { requireScope, type AuthVariables, type GuardDependencies } from "./auth.js";
import { createFailureThrottle, type FailureThrottle } from "./failure-throttle.js";
import { errorResponse } from "./http-errors.js";
import { requestDeadline } from "./request-deadline.js";
import { createSessionRoutes } from "./session-routes.js";
import { createSessionStore, type SessionStore } from "./sessions.js";
import type { ServerLogger } from "./server-logger.js";

// ingest-routes.ts imports the body parser from here, where it lived before request-body.ts.
export { readJson } from "./request-body.js";

/** Everything the HTTP app needs, injected: the app holds no global state. */
export interface AppDependencies {
  /** The API keys that authenticate requests (and that the admin routes manage). */
  keys: ApiKeyStore;
  /** The projects keys are bound to: `/v1/projects` manages them (not mounted without a store). */
  projects?: ProjectStore | undefined;
  /** Told of every request that failed with a 5xx. */
  logger: ServerLogger;
  /** The dashboard's sessions (default: a fresh in-memory store). */
  sessions?: SessionStore;
  /** Slows down repeated wrong keys (default: 10 failures a minute per address and key prefix). */
  throttle?: FailureThrottle;
  /**
   * Route groups mounted under the app (data routes, dashboard), each given the scope guards: a
   * group mounts its sub-app with `app.route()` and protects its routes with the guards.
   */
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

/** The Hono app of the service and of each of its route groups: a guard puts the `principal` in it. */
export type LedgerApp = Hono<{ Variables: AuthVariables }>;

/**
 * The scope guards a route group registers before its handlers, for the methods and paths it serves.
 * They are registered with `on(method, path, guard)`, not `use(path, guard)`, because `use` matches
 * every method: a method a route does not serve must stay a 404 for everyone, not become a 401.
 */
export interface Guards {
  /** Bearer key or session cookie with the `read` scope. */
  read: ReturnType<typeof requireScope>;
  /** Bearer key with the `ingest` scope. */
  ingest: ReturnType<typeof requireScope>;
  /** Bearer key with the `admin` scope. */
  admin: ReturnType<typeof requireScope>;
  /** Any valid key, Bearer or session cookie, whatever its scopes (`GET /v1/projects`). */
  anyKey: ReturnType<typeof requireScope>;
  /**
   * Bearer key or the session cookie of a dashboard signed in with an `admin` key: the dashboard's
   * admin panels (budgets, estimated vs billed). Key management stays Bearer-only (`admin`); a
   * cookie-authenticated write must still be same-origin JSON.
   */
  adminSession: ReturnType<typeof requireScope>;
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
 * The llm-ledger HTTP app: `/healthz`, sessions, admin key routes, projects, and the route groups passed in.
 * Errors are rendered in one place, as `{ error: { code, message } }`, never with a stack trace.
 *
 * @example
 * const app = createApp({ keys, projects, logger, routes: [mountCostRoutes(store)] });
 * const response = await app.request("/v1/costs", { headers: { authorization: `Bearer ${readKey}` } });
 */
export function createApp(dependencies: AppDependencies): LedgerApp {
  const sessions = dependencies.sessions ?? createSessionStore();
  const guardDependencies: GuardDependencies = {
    keys: dependencies.keys,
    sessions,
    throttle: dependencies.throttle ?? createFailureThrottle(),
    trustProxy: dependencies.trustProxy ?? false,
    onAuthenticated: dependencies.onAuthenticated,
  };
  const guards: Guards = {
    read: requireScope("read", { ...guardDependencies, allowCookie: true }),
    ingest: requireScope("ingest", { ...guardDependencies, allowCookie: false }),
    admin: requireScope("admin", { ...guardDependencies, allowCookie: false }),
    anyKey: requireScope("any", { ...guardDependencies, allowCookie: true }),
    adminSession: requireScope("admin", { ...guardDependencies, allowCookie: true }),
  };
  const app: LedgerApp = new Hono();

  // First, for every request: the security headers reach every answer (refusals and 404s too), and
  // the deadline covers the guards' key lookups as well as the handlers.
  app.use("*", secureHeaders({ contentSecurityPolicy, referrerPolicy: "no-referrer" }));
  app.use("*", requestDeadline(dependencies.requestTimeoutMs ?? 30_000));

  // Sub-apps set no error or not-found handler of their own, so these two answer for every route.
  app.onError((error, context) => {
    const { status, body, headers } = errorResponse(error);
    if (status >= 500) dependencies.logger.error({ err: error, path: context.req.path }, "request failed");
    return context.json(body, status as 400, headers);
  });
  app.notFound((context) => context.json({ error: { code: "E_NOT_FOUND", message: "no such route" } }, 404));

  app.get("/healthz", (context) => context.json({ status: "ok" }));
  app.route(
    "/v1/session",
    createSessionRoutes({ ...guardDependencies, guards, secureCookies: dependencies.secureCookies }),
  );
  app.route("/v1/admin/keys", createAdminKeyRoutes({ keys: dependencies.keys, sessions, guards }));
  if (dependencies.projects) {
    app.route("/v1/projects", createProjectRoutes({ projects: dependencies.projects, guards }));
  }
  for (const mount of dependencies.routes ?? []) mount(app, guards);
  return app;
}
