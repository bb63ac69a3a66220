import { Hono } from "hono";
import { costReportCsv, queryCosts, type QueryStore } from "../query/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { costQueryFromParams } from "./cost-query-params.js";
import { createEventRoutes } from "./event-routes.js";
import { createMetadataKeyRoutes } from "./metadata-key-routes.js";
import { parseClientInput } from "./http-errors.js";
import { readFiltersOf } from "./project-scope.js";

/**
 * `GET /v1/costs` (scope read): `queryCosts` over query parameters; JSON, or CSV with `Accept: text/csv`.
 * A key bound to a project reads that project's figures only.
 */
export function createCostRoutes(store: QueryStore, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", "/", guards.read);
  routes.get("/", async (context) => {
    const asked = parseClientInput(() => costQueryFromParams(new URL(context.req.url).searchParams));
    const options = { ...asked, filters: readFiltersOf(context.get("principal"), asked.filters) };
    const report = await parseClientInput(() => queryCosts(store, options));
    if ((context.req.header("accept") ?? "").includes("text/csv")) {
      return context.body(costReportCsv(report, options.groupBy ?? [], options.grain !== undefined), 200, {
        "content-type": "text/csv; charset=utf-8",
      });
    }
    return context.json(report);
  });
  return routes;
}

/**
 * The read routes over the ledger, as one group for `AppDependencies.routes`: `/v1/costs` (the
 * figures), `/v1/events` (the events behind them; see event-routes.ts) and `/v1/metadata-keys` (the
 * metadata keys present, for the dashboard's filter).
 */
export function mountCostRoutes(store: QueryStore) {
  return (app: LedgerApp, guards: Guards): void => {
    app.route("/v1/costs", createCostRoutes(store, guards));
    app.route("/v1/events", createEventRoutes(store, guards));
    app.route("/v1/metadata-keys", createMetadataKeyRoutes(store, guards));
  };
}
