import { Hono } from "hono";
import type { Pricing } from "../pricing/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { HttpError } from "./http-errors.js";

/** `GET /v1/pricing?model=…[&provider=…]` (scope read): the catalog's entry for a model, or 404. */
export function createPricingRoutes(pricing: Pricing, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", "/", guards.read);
  routes.get("/", (context) => {
    const model = context.req.query("model");
    const provider = context.req.query("provider");
    if (!model) {
      throw new HttpError("E_QUERY_PARAM", "model is required: /v1/pricing?model=<id>[&provider=<slug>]");
    }
    const resolved = pricing.resolveModel(model, provider);
    if (!resolved) {
      throw new HttpError(
        "E_UNPRICED",
        `no price for model '${model}'; add it with a pricing override (LLM_LEDGER_PRICING_FILE)`,
      );
    }
    return context.json({
      query: { model, provider: provider ?? null },
      pricingVersion: pricing.version,
      ...resolved,
    });
  });
  return routes;
}

/** The pricing group for `AppDependencies.routes`, mounted at `/v1/pricing`. */
export function mountPricingRoutes(pricing: Pricing) {
  return (app: LedgerApp, guards: Guards): void => {
    app.route("/v1/pricing", createPricingRoutes(pricing, guards));
  };
}
