import { Hono } from "hono";
import {
  addAlertTarget,
  findAlertTarget,
  listAlerts,
  listAlertTargets,
  removeAlertTarget,
  sendTestAlert,
  type DeliveryOptions,
} from "../budgets/index.js";
import type { QueryStore } from "../query/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { HttpError, parseClientInput } from "./http-errors.js";
import { ownerProjectOf, ownViewOf } from "./project-scope.js";
import { limitBody, readJson } from "./request-body.js";

/**
 * `GET /v1/alerts?limit=` (read): the delivery history, newest first; `POST /v1/alerts/test
 * { target }` (admin): sends a test message now and answers how it went. A key bound to a project
 * sees the deliveries to its project's targets, and tests those only.
 */
export function createAlertRoutes(store: QueryStore, guards: Guards, delivery: DeliveryOptions): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", "/", guards.read);
  routes.on("POST", "/test", guards.admin, limitBody(8192));
  routes.get("/", async (context) => {
    const limitText = context.req.query("limit");
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000)) {
      throw new HttpError("E_QUERY_LIMIT", "limit: expected a whole number from 1 to 1000");
    }
    const view = ownViewOf(context.get("principal"));
    return context.json({ alerts: await listAlerts(store, { limit, ...view }) });
  });
  routes.post("/test", async (context) => {
    const body = (await readJson(context.req.raw)) as { target?: unknown } | null;
    if (typeof body?.target !== "string")
      throw new HttpError("E_BODY", 'send { "target": "webhook:URL" | "slack:URL" | id }');
    const target = body.target;
    const view = ownViewOf(context.get("principal"));
    const found = await parseClientInput(() => findAlertTarget(store, target, view));
    if (!found) {
      throw new HttpError(
        "E_NOT_FOUND",
        `no alert target ${JSON.stringify(target)}; add it with alerts targets add`,
      );
    }
    return context.json(await parseClientInput(() => sendTestAlert(store, found.id, delivery)));
  });
  return routes;
}

/**
 * `/v1/alert-targets` (admin only: a Slack webhook's URL is a secret): `GET` lists, `POST { target,
 * secret?, project? }` adds a default target (its secret in this answer only), `DELETE /{id}` removes
 * one. A key bound to a project manages its project's targets only (another's is "no such alert
 * target"); a key of every project adds the organization's, or a project's when it names one.
 */
export function createAlertTargetRoutes(store: QueryStore, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on(["GET", "POST"], "/", guards.admin);
  routes.on("DELETE", "/:id", guards.admin);
  routes.on("POST", "/", limitBody(8192));
  routes.get("/", async (context) =>
    context.json({ targets: await listAlertTargets(store, ownViewOf(context.get("principal"))) }),
  );
  routes.post("/", async (context) => {
    const body = (await readJson(context.req.raw)) as {
      target?: unknown;
      secret?: unknown;
      project?: unknown;
    } | null;
    if (typeof body?.target !== "string" || (body.secret !== undefined && typeof body.secret !== "string")) {
      throw new HttpError(
        "E_BODY",
        'send { "target": "webhook:URL" | "slack:URL", "secret"?: "…", "project"?: "slug" }',
      );
    }
    const project = ownerProjectOf(context.get("principal"), body.project, "alert targets");
    const input = { target: body.target, secret: body.secret, project };
    return context.json(await parseClientInput(() => addAlertTarget(store, input)), 201);
  });
  routes.delete("/:id", async (context) => {
    const view = ownViewOf(context.get("principal"));
    const removed = await parseClientInput(() => removeAlertTarget(store, context.req.param("id"), view));
    if (!removed) throw new HttpError("E_NOT_FOUND", "no such alert target");
    return context.json({ removed });
  });
  return routes;
}

/** The alert routes, as one group for `AppDependencies.routes`. */
export function mountAlertRoutes(store: QueryStore, delivery: DeliveryOptions) {
  return (app: LedgerApp, guards: Guards): void => {
    app.route("/v1/alerts", createAlertRoutes(store, guards, delivery));
    app.route("/v1/alert-targets", createAlertTargetRoutes(store, guards));
  };
}
