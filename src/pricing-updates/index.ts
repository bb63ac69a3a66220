// Catalog updates: fetching a published catalog, caching it under the llm-ledger home, and choosing
// the catalog in force. Used by the CLI and the server only; the pricing core never fetches.
export { isInternalAddress } from "./internal-address.js";
export { guardedLookup } from "./guarded-lookup.js";
export {
  fetchText,
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_CATALOG_BYTES,
  type FetchLimits,
} from "./fetch-text.js";
export {
  ledgerHome,
  catalogCacheFile,
  readCachedCatalog,
  writeCachedCatalog,
  type CachedCatalog,
  type CatalogSourceRecord,
  type CacheReading,
} from "./catalog-cache.js";
export {
  catalogInForce,
  createPricingInForce,
  pricingWithCatalog,
  homeOf,
  type CatalogInForce,
  type PricingEnvironment,
} from "./catalog-in-force.js";
export {
  updateCatalog,
  readCatalogSource,
  PRICING_URL_VARIABLE,
  type UpdateCatalogOptions,
  type UpdateCatalogResult,
} from "./update-catalog.js";
export { createCatalogRefresh } from "./catalog-refresh.js";
