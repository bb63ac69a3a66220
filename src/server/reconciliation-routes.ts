import { Hono } from "hono";
import { LedgerError } from "../errors.js";
import { parseRates, reconcileCosts, type BillDimension, type QueryStore } from "../query/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { parseClientInput } from "./http-errors.js";
import { everyProjectOnly } from "./project-scope.js";

const params = ["against", "from", "to", "by", "rate"];
const DAY = 86_400_000;

/** The reconciliation options of the query string; without `from` and `to`, the last 30 UTC days as the CLI counts them. */
function optionsOf(search: URLSearchParams, now = new Date()) {
  for (const name of new Set(search.keys())) {
    if (!params.includes(name)) {
      throw new LedgerError(
        "E_QUERY_PARAM",
        `unknown query parameter '${name}'; accepted: ${params.join(", ")}`,
      );
    }
  }
  const against = search.get("against") ?? "bills";
  if (against !== "bills" && against !== "sdk") {
    throw new LedgerError("E_QUERY_PARAM", `against must be bills or sdk, got '${against}'`);
  }
  const from = search.get("from") ?? undefined;
  const to = search.get("to") ?? undefined;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const window = from === undefined && to === undefined ? { from: new Date(today - 29 * DAY) } : { from, to };
  const by = search.has("by")
    ? search
        .getAll("by")
        .join(",")
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== "")
    : undefined;
  const rateTexts = search.getAll("rate");
  const rates = rateTexts.length > 0 ? parseRates(rateTexts.join(",")) : undefined;
  if (against === "sdk" && (by !== undefined || rates !== undefined)) {
    throw new LedgerError("E_QUERY_PARAM", "by and rate apply to against=bills");
  }
  return { against, window, by: by as BillDimension[] | undefined, rates };
}

/**
 * `GET /v1/reconciliation` (scope admin, by Bearer key or an admin-signed dashboard session; a bill is
 * the organization's, not a project's, so a key bound to one project is refused): the ledger's
 * estimate beside the imported bills, as `reconcileCosts(store, { against: "bills" })` answers it;
 * `against=sdk` gives today's comparison with SDK-reported cost as `{ rows }`. Parameters: `from`,
 * `to`, `by=day,provider,model`, `rate=EUR=1.08` (repeatable).
 */
export function createReconciliationRoutes(store: QueryStore, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on(
    "GET",
    "/",
    guards.adminSession,
    everyProjectOnly("the bills reconciliation (a bill is the organization's)"),
  );
  routes.get("/", async (context) => {
    const options = parseClientInput(() => optionsOf(new URL(context.req.url).searchParams));
    if (options.against === "sdk") {
      return context.json({ rows: await parseClientInput(() => reconcileCosts(store, options.window)) });
    }
    const report = await parseClientInput(() =>
      reconcileCosts(store, { against: "bills", ...options.window, by: options.by, rates: options.rates }),
    );
    return context.json(report);
  });
  return routes;
}

/** Mounts `/v1/reconciliation` for `AppDependencies.routes`. */
export function mountReconciliationRoutes(store: QueryStore) {
  return (app: LedgerApp, guards: Guards): void => {
    app.route("/v1/reconciliation", createReconciliationRoutes(store, guards));
  };
}
