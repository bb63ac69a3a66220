import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Context } from "hono";
import { verifyClaimedKey, type GuardDependencies } from "./auth.js";
import { HttpError } from "./http-errors.js";
import { limitBody, readJson } from "./request-body.js";
import { sameOrigin } from "./same-origin.js";
import { sessionCookieName } from "./sessions.js";
import type { Guards, LedgerApp } from "./app.js";

/**
 * `/v1/session`, the dashboard's sign-in: `POST` trades a read key for a session cookie, `GET` says
 * who is signed in (200, else 401), `DELETE` signs out. Signing in and out are same-origin only, so
 * another site can neither sign a visitor's browser in with its own key (login CSRF) nor make wrong
 * attempts from the visitor's address.
 */
export function createSessionRoutes(
  dependencies: GuardDependencies & { guards: Guards; secureCookies?: boolean | undefined },
): LedgerApp {
  const { guards, sessions, trustProxy } = dependencies;
  const routes: LedgerApp = new Hono();

  // The declared size is refused before the origin is looked at, as the body limit runs first.
  routes.on("POST", "/", limitBody(4096), sameOrigin({ json: true, trustProxy }));
  routes.on("GET", "/", guards.read);
  routes.on("DELETE", "/", sameOrigin({ json: false, trustProxy }));

  routes.post("/", async (context) => {
    const body = await readJson(context.req.raw);
    const key = typeof body === "object" && body !== null ? (body as { key?: unknown }).key : undefined;
    if (typeof key !== "string") throw new HttpError("E_BODY", 'send { "key": "<read key>" }');
    const principal = await verifyClaimedKey(key, context, dependencies);
    if (!principal.scopes.includes("read") && !principal.scopes.includes("admin")) {
      throw new HttpError("E_SCOPE", "this key lacks the 'read' scope");
    }
    const session = sessions.create(principal);
    setCookie(context, sessionCookieName, session.token, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: session.maxAgeSeconds,
      secure: dependencies.secureCookies === true || isHttps(context, trustProxy),
    });
    return context.json({ name: principal.name, scopes: principal.scopes, project: principal.project });
  });

  routes.get("/", (context) => {
    const principal = context.get("principal");
    return context.json({ name: principal.name, scopes: principal.scopes, project: principal.project });
  });

  routes.delete("/", (context) => {
    const token = getCookie(context, sessionCookieName);
    if (token) sessions.delete(token);
    deleteCookie(context, sessionCookieName, { path: "/" });
    return context.body(null, 204);
  });

  return routes;
}

/** Whether the browser reached us over HTTPS (as our own proxy says, with `trustProxy`): the cookie is then `Secure`. */
function isHttps(context: Context, trustProxy: boolean): boolean {
  return (
    new URL(context.req.url).protocol === "https:" ||
    (trustProxy && context.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https")
  );
}
