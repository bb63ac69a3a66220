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
import { namedViewOf, ownerProjectOf, ownViewOf } from "./project-scope.js";
import { limitBody, readJson } from "./request-body.js";

// A budget spec with a thousand scope values and twenty targets fits with room to spare.
const maxSpecBytes = 64 * 1024;

/** The one answer for a budget that is missing or another project's, so the two cannot be told apart. */
const noSuchBudget = () => new HttpError("E_NOT_FOUND", "no such budget");

/**
 * `/v1/budgets`: `GET` lists budgets (read; `?project=` one project's, see `namedViewOf`), `POST`
 * creates one (admin); `/v1/budgets/{id}` (an id or
 * a name): `GET` (read), `PATCH` with the fields to change and `DELETE` (admin);
 * `/v1/budgets/{id}/status?at=` one budget's status (read). Writes take an admin key, Bearer or the
 * session of a dashboard signed in with one (same-origin JSON). A key bound to a project sees and
 * manages that project's budgets only; another project's budget is "no such budget", as a missing one.
 */
export function createBudgetRoutes(store: QueryStore, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", ["/", "/:id", "/:id/status"], guards.read);
  routes.on("POST", "/", guards.adminSession);
  routes.on(["PATCH", "DELETE"], "/:id", guards.adminSession);
  // Measured only once the key is known good: without one the answer is 401 or 403, whatever was sent.
  routes.on("POST", "/", limitBody(maxSpecBytes));
  routes.on("PATCH", "/:id", limitBody(maxSpecBytes));

  routes.get("/", async (context) => {
    const view = parseClientInput(() => namedViewOf(context.get("principal"), context.req.query("project")));
    return context.json({ budgets: view ? await listBudgets(store, view) : [] });
  });

  routes.post("/", async (context) => {
    const spec = (await readJson(context.req.raw)) as BudgetSpec | null;
    const principal = context.get("principal");
    const asked = typeof spec === "object" && spec !== null ? spec.project : undefined;
    const project = ownerProjectOf(principal, asked, "budgets");
    const owned = typeof spec === "object" && spec !== null ? { ...spec, project } : spec;
    const budget = await parseClientInput(() => createBudget(store, owned as BudgetSpec));
    return context.json({ budget }, 201);
  });

  routes.get("/:id", async (context) => {
    const view = ownViewOf(context.get("principal"));
    const budget = await parseClientInput(() => getBudget(store, context.req.param("id"), view));
    if (!budget) throw noSuchBudget();
    return context.json({ budget });
  });

  routes.patch("/:id", async (context) => {
    const changes = (await readJson(context.req.raw)) as Partial<BudgetSpec>;
    const view = ownViewOf(context.get("principal"));
    const budget = await parseClientInput(() => updateBudget(store, context.req.param("id"), changes, view));
    if (!budget) throw noSuchBudget();
    return context.json({ budget });
  });

  routes.delete("/:id", async (context) => {
    const view = ownViewOf(context.get("principal"));
    const budget = await parseClientInput(() => deleteBudget(store, context.req.param("id"), view));
    if (!budget) throw noSuchBudget();
    return context.json({ deleted: budget });
  });

  routes.get("/:id/status", async (context) => {
    const view = ownViewOf(context.get("principal"));
    const budget = await parseClientInput(() => getBudget(store, context.req.param("id"), view));
    if (!budget) throw noSuchBudget();
    const at = context.req.query("at");
    // By id: the budget just found in the view, whatever other owners call their budgets.
    const { budgets } = await parseClientInput(() => budgetStatus(store, { at, budgets: [budget.id] }));
    return context.json(budgets[0]);
  });

  return routes;
}

/**
 * `GET /v1/budget-status?at=&project=` (read): the status of every budget the key sees, or of one
 * project's budgets (see `namedViewOf`: a key bound to another project gets none).
 */
export function createBudgetStatusRoutes(store: QueryStore, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", "/", guards.read);
  routes.get("/", async (context) => {
    const view = parseClientInput(() => namedViewOf(context.get("principal"), context.req.query("project")));
    const at = context.req.query("at");
    // No budget in view: the time is still checked, and the answer has the shape of any other.
    const status = await parseClientInput(() =>
      budgetStatus(store, view ? { at, ...view } : { at, budgets: [] }),
    );
    return context.json(status);
  });
  return routes;
}

/** The budget routes, as one group for `AppDependencies.routes`. */
export function mountBudgetRoutes(store: QueryStore) {
  return (app: LedgerApp, guards: Guards): void => {
    app.route("/v1/budgets", createBudgetRoutes(store, guards));
    app.route("/v1/budget-status", createBudgetStatusRoutes(store, guards));
  };
}
