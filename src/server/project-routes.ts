import { Hono } from "hono";
import type { ProjectStore } from "../projects/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { HttpError, parseClientInput } from "./http-errors.js";
import { requireEveryProject, visibleProjectsOf } from "./project-scope.js";
import { limitBody, readJson } from "./request-body.js";

/**
 * `/v1/projects`: `GET` (any key, or the dashboard's session) lists the projects the key can see: its
 * own, or every project for a key of every project; `POST { slug, name }` creates one and
 * `PATCH /:slug { name }` renames one (admin keys of every project: a project's own admin manages its
 * keys, not the list of projects). The slug never changes.
 */
export function createProjectRoutes(dependencies: { projects: ProjectStore; guards: Guards }): LedgerApp {
  const { projects, guards } = dependencies;
  const routes: LedgerApp = new Hono();

  routes.on("GET", "/", guards.anyKey);
  routes.on("POST", "/", guards.admin);
  routes.on("PATCH", "/:slug", guards.admin);
  routes.on(["POST", "PATCH"], ["/", "/:slug"], limitBody(4096));

  routes.get("/", async (context) => {
    return context.json({ projects: await projects.list(visibleProjectsOf(context.get("principal"))) });
  });

  routes.post("/", async (context) => {
    requireEveryProject(context.get("principal"), "creating a project");
    const body = (await readJson(context.req.raw)) as { slug?: unknown; name?: unknown } | null;
    if (typeof body?.slug !== "string" || (body.name !== undefined && typeof body.name !== "string")) {
      throw new HttpError("E_BODY", 'send { "slug": "alpha", "name": "Team Alpha" } (name optional)');
    }
    const created = await parseClientInput(() =>
      projects.create({ slug: body.slug as string, name: body.name as string | undefined }),
    );
    return context.json({ project: created }, 201);
  });

  routes.patch("/:slug", async (context) => {
    requireEveryProject(context.get("principal"), "renaming a project");
    const body = (await readJson(context.req.raw)) as { name?: unknown; slug?: unknown } | null;
    if (body?.slug !== undefined) {
      throw new HttpError("E_BODY", 'a project\'s slug never changes; send only { "name": "…" }');
    }
    if (typeof body?.name !== "string") throw new HttpError("E_BODY", 'send { "name": "…" }');
    const renamed = await parseClientInput(() =>
      projects.rename(context.req.param("slug"), body.name as string),
    );
    if (!renamed) throw new HttpError("E_NOT_FOUND", "no such project");
    return context.json({ project: renamed });
  });

  return routes;
}
