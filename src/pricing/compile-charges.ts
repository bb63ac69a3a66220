import { priceToMicros, microsToPrice } from "./decimal.js";
import type {
  BucketPrices,
  FeeKind,
  PricePeriod,
  PriceTier,
  ProviderCharges,
  ServiceTier,
  ServiceTierPrices,
} from "./types.js";
import { PRICE_BUCKETS } from "./types.js";

// Charges beyond the standard token prices, in the form the estimator reads: each service tier as a
// set of prices (a multiplier becomes the prices it yields), each fee as integer micro-dollars.

/** A service tier's prices in catalog form, with the rule that derived them, if any. */
export interface ServiceTierSource {
  prices: BucketPrices;
  tiers: readonly PriceTier[];
  /** Set when a provider-wide multiplier priced the tier: said in the estimate's `rules`. */
  rule: string | undefined;
  /**
   * Input tokens above which the tier has no price: a model that publishes a tier's prices without
   * the long-context ones its standard prices have is not priced past them.
   */
  limit: number | undefined;
}

/** Exact `price × multiplier` to the catalog's precision (10⁻⁶ dollars per million tokens, half up). */
export function scalePrice(price: string, multiplier: string): string {
  const product = BigInt(priceToMicros(price)) * BigInt(priceToMicros(multiplier));
  return microsToPrice(Number((product + 500_000n) / 1_000_000n));
}

function scaleBuckets<Prices extends BucketPrices>(prices: Prices, multiplier: string): BucketPrices {
  const scaled: BucketPrices = { input: scalePrice(prices.input, multiplier) };
  for (const bucket of PRICE_BUCKETS) {
    const price = prices[bucket];
    if (bucket !== "input" && price !== undefined) scaled[bucket] = scalePrice(price, multiplier);
  }
  return scaled;
}

function multiplied(period: PricePeriod, multiplier: string, rule: string | undefined): ServiceTierSource {
  return {
    prices: scaleBuckets(period, multiplier),
    tiers: (period.tiers ?? []).map((tier) => ({ ...scaleBuckets(tier, multiplier), above: tier.above })),
    rule,
    limit: undefined,
  };
}

function published(period: PricePeriod, prices: ServiceTierPrices): ServiceTierSource {
  const tiers = prices.tiers ?? [];
  const firstContextTier = period.tiers?.[0]?.above;
  return {
    prices,
    tiers,
    rule: undefined,
    limit: tiers.length === 0 && firstContextTier !== undefined ? firstContextTier : undefined,
  };
}

/**
 * The service tiers a period is priced at, beside standard: the period's own (published prices or a
 * multiplier), else the provider's multiplier, which is a rule and says so.
 */
export function serviceTierSources(
  period: PricePeriod,
  charges: ProviderCharges | undefined,
  providerName: string,
): Map<ServiceTier, ServiceTierSource> | undefined {
  const own = period.service_tiers;
  const shared = charges?.service_tiers;
  if (own === undefined && shared === undefined) return undefined;
  const sources = new Map<ServiceTier, ServiceTierSource>();
  for (const [tier, multiplier] of Object.entries(shared ?? {}) as [ServiceTier, string][]) {
    const rule = `${tier} = ${multiplier} × standard prices (${providerName}'s published ${tier} pricing, ${charges!.source})`;
    sources.set(tier, multiplied(period, multiplier, rule));
  }
  for (const [tier, prices] of Object.entries(own ?? {}) as [ServiceTier, ServiceTierPrices | string][]) {
    sources.set(
      tier,
      typeof prices === "string" ? multiplied(period, prices, undefined) : published(period, prices),
    );
  }
  return sources;
}

/** The per-unit fees of a period in micro-dollars per unit: the period's own over the provider's. */
export function feeMicros(
  period: PricePeriod,
  charges: ProviderCharges | undefined,
): Map<FeeKind, number> | undefined {
  const merged = { ...charges?.fees, ...period.fees };
  const entries = Object.entries(merged) as [FeeKind, string][];
  if (entries.length === 0) return undefined;
  return new Map(entries.map(([fee, price]) => [fee, priceToMicros(price)]));
}
