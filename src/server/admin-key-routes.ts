import { Hono } from "hono";
import { parseScopes, type ApiKeyStore } from "./api-keys.js";
import { HttpError, parseClientInput } from "./http-errors.js";
import { limitBody, readJson } from "./request-body.js";
import type { SessionStore } from "./sessions.js";
import type { Guards, LedgerApp } from "./app.js";

/**
 * `/v1/admin/keys` (admin scope, Bearer key only): `GET` lists the keys, `POST { name, scopes, project }`
 * creates one (its key is in this answer only), `DELETE /:id` revokes one by id or prefix and ends
 * the dashboard sessions signed in with it. `project` is a slug, or null for a key of every project
 * (absent: see `defaultKeyProject`). An admin key bound to a project manages that project's keys
 * only: it lists them, creates keys bound to it, and revokes them (another project's key is "no such
 * key", as a key that does not exist).
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

  routes.get("/", async (context) => {
    return context.json({ keys: await keys.list(context.get("principal").project ?? undefined) });
  });

  routes.post("/", async (context) => {
    const body = (await readJson(context.req.raw)) as {
      name?: unknown;
      scopes?: unknown;
      project?: unknown;
    } | null;
    if (
      typeof body?.name !== "string" ||
      !Array.isArray(body.scopes) ||
      !(body.project === undefined || body.project === null || typeof body.project === "string")
    ) {
      throw new HttpError(
        "E_BODY",
        'send { "name": "…", "scopes": ["read" | "ingest" | "admin", …], "project": "slug" | null }',
      );
    }
    const scopes = parseClientInput(() => parseScopes(body.scopes as unknown[]));
    const project = keyProject(context.get("principal").project, body.project);
    const created = await parseClientInput(() => keys.create({ name: body.name as string, scopes, project }));
    return context.json(created, 201);
  });

  routes.delete("/:id", async (context) => {
    const own = context.get("principal").project ?? undefined;
    const revoked = await parseClientInput(() => keys.revoke(context.req.param("id"), own));
    if (!revoked) throw new HttpError("E_NOT_FOUND", "no such key");
    sessions.endForKey(revoked.id);
    return context.json({ revoked });
  });

  return routes;
}

/**
 * The project a new key is bound to (null: every project; undefined: the store's default for its
 * scopes). A key of every project may name any project or none; an admin bound to a project creates
 * keys of that project only.
 */
function keyProject(creator: string | null, asked: string | null | undefined) {
  if (creator === null) return asked;
  if (asked === undefined || asked === creator) return creator;
  throw new HttpError(
    "E_PROJECT_SCOPE",
    `this key manages project "${creator}" only; it cannot create keys of ${asked === null ? "every project" : "another project"}`,
  );
}
