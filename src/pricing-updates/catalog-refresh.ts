import type { Pricing } from "../pricing/index.js";
import { createPricingInForce, homeOf, type PricingEnvironment } from "./catalog-in-force.js";
import type { FetchLimits } from "./fetch-text.js";
import { updateCatalog } from "./update-catalog.js";

/**
 * One refresh of the server's catalog: fetch `from`, cache it when newer, and return the pricing in
 * force afterwards (which also picks up a catalog another process cached meanwhile). Throws when the
 * fetch or the file fails, or the file is older than the catalog in force; the cache is then kept.
 */
export function createCatalogRefresh(
  options: { from: string; environment: PricingEnvironment } & FetchLimits,
): (signal?: AbortSignal) => Promise<Pricing> {
  const { from, environment, ...limits } = options;
  return async (signal) => {
    await updateCatalog({ from, home: homeOf(environment), cwd: environment.cwd, ...limits, signal });
    return createPricingInForce(environment).pricing;
  };
}
