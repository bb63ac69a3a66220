// The public surface of llm-ledger's pricing: exported from the package root and `llm-ledger/pricing`.
export { estimateCost, resolveModel, extractProvider, catalogVersion } from "./default-pricing.js";
export {
  createPricing,
  createPricingFromEnv,
  PRICING_FILE_VARIABLE,
  type Pricing,
  type PricingOptions,
  type ListedModel,
} from "./create-pricing.js";
export {
  validateCatalogBundle,
  readCatalogBundleFile,
  bundleCatalog,
  compareCatalogVersions,
  CATALOG_BUNDLE_FORMAT,
  type CatalogBundle,
  type BundledCatalog,
} from "./catalog-bundle.js";
export { loadCatalogData, loadCatalogManifest, type CatalogData } from "./load-catalog.js";
export { normalizeProvider, isProvider } from "./providers.js";
export { describeProvenance } from "./describe-provenance.js";
export type { PriceRates, PriceRateLine, RateProvenance } from "./price-rates.js";
export {
  chargesOf,
  canonicalDecimal,
  decimalToAtto,
  formatAtto,
  type ChargeLine,
  type Charges,
} from "./explain-charges.js";
export { validateUsage, MAX_TOKENS } from "./validate-usage.js";
export { normalizeServiceTier, isServiceTier, MAX_SERVICE_TIER_LENGTH } from "./service-tiers.js";
export { validateOverrides, validateProviderFile } from "./validate-catalog.js";
export { discountAtto, type KeptDiscount } from "./negotiated-discounts.js";
export {
  PROVIDERS,
  PRICE_BUCKETS,
  SERVICE_TIERS,
  FEE_KINDS,
  MODALITY_BUCKETS,
  WEEK_DAYS,
  type WeekDay,
  type TimeOfDayWindow,
  type ModalityBucket,
  type ServiceTier,
  type ServiceTierPrices,
  type FeeKind,
  type FeeCharge,
  type ProviderCharges,
  type Provider,
  type PriceBucket,
  type BucketPrices,
  type PriceTier,
  type PricePeriod,
  type ModelEntry,
  type ProviderFile,
  type ImportedFrom,
  type OverridesFile,
  type CatalogManifest,
  type Usage,
  type MatchRule,
  type ResolvedModel,
  type CostBreakdown,
  type PricedEstimate,
  type UnpricedEstimate,
  type CostEstimate,
  type EstimateInput,
} from "./types.js";
export type { DiscountRule, AppliedDiscount } from "./discount-rules.js";
export { describeWindow, type TimeOfDayRecord } from "./time-of-day.js";
