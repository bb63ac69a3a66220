import {
  canonicalDecimal,
  chargesOf,
  decimalToAtto,
  discountAtto,
  formatAtto,
  type ChargeLine,
  type ImportedFrom,
  type KeptDiscount,
  type MatchRule,
  type PriceRates,
} from "../pricing/index.js";
import type { CostSource, LlmCostRecord } from "../store/cost-record.js";

/**
 * Why an event costs what it does: `rates` (priced with the rates it kept, every line below),
 * `provider` (the provider's or SDK's reported figure is the cost), `unpriced` (no price: cost 0),
 * `rates-not-kept` (priced before rates were kept, or imported: only "today" can be offered).
 */
export type ExplanationBasis = "rates" | "provider" | "unpriced" | "rates-not-kept";

/** The catalog entry that priced an event, how its id matched it, and where the prices come from. */
export interface ExplainedCatalogEntry {
  /** The catalog key of the entry (a host's spelling on Bedrock); see `model` for the canonical id. */
  entry: string;
  model: string;
  provider: string;
  matchedBy: readonly MatchRule[];
  matchedSpelling: string;
  note: string | null;
  /** The catalog version (its date, plus a hash of the overrides when there were any). */
  version: string;
  source: string | null;
  checked: string | null;
  imported: ImportedFrom | null;
  override: boolean;
}

/**
 * The negotiated discount an event was priced with: the rule that matched (from the rates it kept),
 * the list price it was taken off (`catalogTotalUsd`) and the amount, so that list − amount is the
 * charged cost.
 */
export interface ExplainedDiscount extends KeptDiscount {
  /** The sum of the lines: the list price the percent was taken off. */
  listUsd: string;
  /** list × percent / 100, rounded half up to 10^-12 dollars, exactly as the pricer took it off. */
  amountUsd: string;
}

/** What the catalog in force now would charge for the same usage. */
export interface TodayLine {
  pricingVersion: string | null;
  priced: boolean;
  /** The figure now ("0" when unpriced, with `reason`). */
  costUsd: string;
  reason?: string;
}

/** The explanation of one stored event's cost (`explainEventCost`, `GET /v1/events/{id}/cost`). */
export interface CostExplanation {
  eventId: string;
  project: string;
  createdAt: string;
  /** The model id the application sent. */
  model: string;
  provider: string;
  priced: boolean;
  costSource: CostSource;
  basis: ExplanationBasis;
  /** One sentence for people. */
  summary: string;
  /** `estimated_cost_usd` as stored, in canonical decimal form. */
  storedCostUsd: string;
  /** What the provider or SDK reported, beside ours. */
  providerCostUsd: string | null;
  priceRef: string | null;
  catalog: ExplainedCatalogEntry | null;
  /** The price period's first day (null: the first known price); null without kept rates. */
  periodFrom: string | null;
  tier: string | null;
  /** The service tier whose prices applied (`standard`, `batch`, …); null without kept rates. */
  serviceTier: string | null;
  /** The time-of-day window whose prices applied (`peak, weekdays 01:00-04:00 UTC`); else null. */
  timeOfDay: string | null;
  /** Each token bucket: `units × price / per = amountUsd`. */
  buckets: ChargeLine[];
  /** Charges beyond tokens (per-request fees), in the same form. */
  fees: ChargeLine[];
  /** The negotiated discount taken off the lines' sum, when one applied; else null. */
  discount: ExplainedDiscount | null;
  /** The sum of `buckets` and `fees`: the catalog's list figure from the kept rates. */
  catalogTotalUsd: string | null;
  /** The explained cost: the catalog's total less any discount, or the provider's figure, or 0. */
  totalUsd: string | null;
  /** True when `totalUsd` equals the stored cost exactly; null when nothing could be added up. */
  addsUp: boolean | null;
  today: TodayLine | null;
}

function catalogOf(rates: PriceRates): ExplainedCatalogEntry {
  return {
    entry: rates.catalogId,
    model: rates.model,
    provider: rates.provider,
    matchedBy: rates.matchedBy,
    matchedSpelling: rates.matchedSpelling,
    note: rates.note,
    version: rates.pricingVersion,
    source: rates.source,
    checked: rates.checked,
    imported: rates.imported,
    override: rates.override,
  };
}

function basisOf(event: LlmCostRecord, rates: PriceRates | undefined): ExplanationBasis {
  if (event.costSource === "provider") return "provider";
  if (!event.priced) return "unpriced";
  return rates ? "rates" : "rates-not-kept";
}

function summaryOf(
  basis: ExplanationBasis,
  stored: string,
  ref: string | null,
  kept: boolean,
  discount: ExplainedDiscount | null,
): string {
  switch (basis) {
    case "rates":
      return discount
        ? `priced with the rates kept with the event: the lines below add up to the list price $${discount.listUsd}, less the negotiated ${discount.percent}% discount ($${discount.amountUsd}): $${stored}`
        : `priced with the rates kept with the event: the lines below add up to $${stored}`;
    case "provider":
      return `the cost is the figure the provider (or SDK) reported, $${stored}; ${
        kept ? "the catalog's figure from the kept rates is shown beside it" : "no catalog rates were kept"
      }`;
    case "unpriced":
      return `the catalog had no price for this model when it was recorded: the cost is 0`;
    case "rates-not-kept":
      return ref === null
        ? `the rates that priced this event were not kept (recorded before explanations, or imported); "today" says what the current catalog would charge`
        : `the rates ${ref} that priced this event are not stored (or not readable); "today" says what the current catalog would charge`;
  }
}

// The discount line and the charged total, with the pricer's own rounding (`discountAtto`).
function discountOf(kept: KeptDiscount, listUsd: string): { line: ExplainedDiscount; chargedUsd: string } {
  const list = decimalToAtto(listUsd);
  const amount = discountAtto(list, kept.percent);
  return {
    line: { ...kept, listUsd, amountUsd: formatAtto(amount) },
    chargedUsd: formatAtto(list - amount),
  };
}

/**
 * Explains a stored event's cost from the rates it kept, without pricing it again. Pure: the event,
 * its kept rates (undefined when none) and, optionally, what the catalog would charge today.
 */
export function explainCost(
  event: LlmCostRecord,
  priceRef: string | null,
  rates: PriceRates | undefined,
  today: TodayLine | null,
): CostExplanation {
  const stored = canonicalDecimal(event.estimatedCostUsd);
  const basis = basisOf(event, rates);
  const charges = rates ? chargesOf(rates, event as unknown as Record<string, unknown>) : undefined;
  const provider = event.providerCostUsd === null ? null : canonicalDecimal(event.providerCostUsd);
  const discount = rates?.discount && charges ? discountOf(rates.discount, charges.totalUsd) : null;
  const totalUsd =
    basis === "rates"
      ? (discount?.chargedUsd ?? charges!.totalUsd)
      : basis === "provider"
        ? (provider ?? stored)
        : basis === "unpriced"
          ? "0"
          : null;
  return {
    eventId: event.eventId,
    project: event.project,
    createdAt: event.createdAt,
    model: event.model,
    provider: event.provider,
    priced: event.priced,
    costSource: event.costSource,
    basis,
    summary: summaryOf(basis, stored, priceRef, rates !== undefined, discount?.line ?? null),
    storedCostUsd: stored,
    providerCostUsd: provider,
    priceRef,
    catalog: rates ? catalogOf(rates) : null,
    periodFrom: rates?.periodFrom ?? null,
    tier: rates?.tier ?? null,
    // Rate sets kept before service tiers were priced do not name one.
    serviceTier: typeof rates?.serviceTier === "string" ? rates.serviceTier : null,
    timeOfDay: rates?.timeOfDay?.label ?? null,
    buckets: charges?.lines.filter((line) => line.kind === "tokens") ?? [],
    fees: charges?.lines.filter((line) => line.kind === "fee") ?? [],
    discount: discount?.line ?? null,
    catalogTotalUsd: charges?.totalUsd ?? null,
    totalUsd,
    addsUp: totalUsd === null ? null : totalUsd === stored,
    today,
  };
}
