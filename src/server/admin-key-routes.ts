import { Hono } from "hono";
import { parseScopes, type ApiKeyStore } from "./api-keys.js";
import { HttpError, parseClientInput } from "./http-errors.js";
import { limitBody, readJson } from "./request-body.js";
import type { SessionStore } from "./sessions.js";
import type { Guards, LedgerApp } from "./app.js";

/**
 * `/v1/admin/keys` (admin scope, Bearer key only): `GET` lists the keys, `POST { name, scopes }`
 * creates one (its key is in this answer only), `DELETE /:id` revokes one by id or prefix and ends
 * the dashboard sessions signed in with it.
 */
export function createAdminKeyRoutes(dependencies: {
  keys: ApiKeyStore;
  sessions: SessionStore;
  guards: Guards;
}): LedgerApp {
  const { keys, sessions, guards } = dependencies;
  const routes: LedgerApp = new Hono();

  routes.on(["GET", "POST"], "/", guards.admin);
  routes.on("DELETE", "/:id", guards.admin);
  // Measured only once the key is known good: without one the answer is 401 or 403, whatever was sent.
  routes.on("POST", "/", limitBody(4096));

  routes.get("/", async (context) => context.json({ keys: await keys.list() }));

  routes.post("/", async (context) => {
    const body = (await readJson(context.req.raw)) as { name?: unknown; scopes?: unknown } | null;
    if (typeof body?.name !== "string" || !Array.isArray(body.scopes)) {
      throw new HttpError("E_BODY", 'send { "name": "…", "scopes": ["read" | "ingest" | "admin", …] }');
    }
    const scopes = parseClientInput(() => parseScopes(body.scopes as unknown[]));
    const created = await parseClientInput(() => keys.create({ name: body.name as string, scopes }));
    return context.json(created, 201);
  });

  routes.delete("/:id", async (context) => {
    const revoked = await parseClientInput(() => keys.revoke(context.req.param("id")));
    if (!revoked) throw new HttpError("E_NOT_FOUND", "no such key");
    sessions.endForKey(revoked.id);
    return context.json({ revoked });
  });

  return routes;
}
