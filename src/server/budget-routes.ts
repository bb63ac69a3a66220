import { Hono } from "hono";
import {
  budgetStatus,
  createBudget,
  deleteBudget,
  getBudget,
  listBudgets,
  updateBudget,
  type BudgetSpec,
} from "../budgets/index.js";
import type { QueryStore } from "../query/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { HttpError, parseClientInput } from "./http-errors.js";
import { everyProjectOnly } from "./project-scope.js";
import { limitBody, readJson } from "./request-body.js";

// A budget spec with a thousand scope values and twenty targets fits with room to spare.
const maxSpecBytes = 64 * 1024;

/**
 * `/v1/budgets`: `GET` lists budgets (read), `POST` creates one (admin); `/v1/budgets/{id}` (an id or
 * a name): `GET` (read), `PATCH` with the fields to change and `DELETE` (admin);
 * `/v1/budgets/{id}/status?at=` one budget's status (read).
 */
export function createBudgetRoutes(store: QueryStore, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", ["/", "/:id", "/:id/status"], guards.read);
  routes.on("POST", "/", guards.admin);
  routes.on(["PATCH", "DELETE"], "/:id", guards.admin);
  routes.use("*", everyProjectOnly("budgets (not yet divided by project)"));
  // Measured only once the key is known good: without one the answer is 401 or 403, whatever was sent.
  routes.on("POST", "/", limitBody(maxSpecBytes));
  routes.on("PATCH", "/:id", limitBody(maxSpecBytes));

  routes.get("/", async (context) => context.json({ budgets: await listBudgets(store) }));

  routes.post("/", async (context) => {
    const spec = (await readJson(context.req.raw)) as BudgetSpec;
    const budget = await parseClientInput(() => createBudget(store, spec));
    return context.json({ budget }, 201);
  });

  routes.get("/:id", async (context) => {
    const budget = await getBudget(store, context.req.param("id"));
    if (!budget) throw new HttpError("E_NOT_FOUND", "no such budget");
    return context.json({ budget });
  });

  routes.patch("/:id", async (context) => {
    const changes = (await readJson(context.req.raw)) as Partial<BudgetSpec>;
    const budget = await parseClientInput(() => updateBudget(store, context.req.param("id"), changes));
    if (!budget) throw new HttpError("E_NOT_FOUND", "no such budget");
    return context.json({ budget });
  });

  routes.delete("/:id", async (context) => {
    const budget = await deleteBudget(store, context.req.param("id"));
    if (!budget) throw new HttpError("E_NOT_FOUND", "no such budget");
    return context.json({ deleted: budget });
  });

  routes.get("/:id/status", async (context) => {
    const id = context.req.param("id");
    if (!(await getBudget(store, id))) throw new HttpError("E_NOT_FOUND", "no such budget");
    const at = context.req.query("at");
    const { budgets } = await parseClientInput(() => budgetStatus(store, { at, budgets: [id] }));
    return context.json(budgets[0]);
  });

  return routes;
}

/** `GET /v1/budget-status?at=` (read): every budget's status. */
export function createBudgetStatusRoutes(store: QueryStore, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", "/", guards.read);
  routes.use("*", everyProjectOnly("budgets (not yet divided by project)"));
  routes.get("/", async (context) =>
    context.json(await parseClientInput(() => budgetStatus(store, { at: context.req.query("at") }))),
  );
  return routes;
}

/** The budget routes, as one group for `AppDependencies.routes`. */
export function mountBudgetRoutes(store: QueryStore) {
  return (app: LedgerApp, guards: Guards): void => {
    app.route("/v1/budgets", createBudgetRoutes(store, guards));
    app.route("/v1/budget-status", createBudgetStatusRoutes(store, guards));
  };
}
