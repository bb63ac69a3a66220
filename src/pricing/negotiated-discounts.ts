import { createHash } from "node:crypto";
import { decimalToPico, formatPicoDollars } from "./decimal.js";
import type { PriceRates } from "./price-rates.js";
import type { AppliedDiscount, DiscountRule } from "./discount-rules.js";
import type { PricedEstimate, Provider } from "./types.js";

// Negotiated rates (docs/pricing.md, "Negotiated rates"): a percentage off the list price, applied
// after the catalog priced the call. The list price stays in the estimate (and the event) beside the
// charged one, and the discount travels in the rate set, so an explanation subtracts the same amount.

/** A discount as a rate set keeps it: the rule that matched, without the call's amount. */
export type KeptDiscount = Omit<AppliedDiscount, "amountUsd">;

/** The specificity of a rule: a project's own terms first, then a model's, then the provider's. */
function rankOf(rule: DiscountRule): number {
  return (rule.project !== undefined ? 2 : 0) + (rule.model !== undefined ? 1 : 0);
}

interface CompiledRule {
  rule: DiscountRule;
  regex: RegExp | undefined;
  rank: number;
  kept: KeptDiscount;
}

/** The discounts of an overrides file, ready to match calls. */
interface DiscountFinder {
  /** The rule that applies to a call billed by `provider` for `model` (canonical id) in `project`. */
  find(provider: Provider, model: string, project: string | null | undefined): KeptDiscount | undefined;
}

const MAX_CACHED = 10_000;

/**
 * Compiles discount rules. The most specific matching rule wins: provider + model + project, then
 * provider + project, then provider + model, then provider alone; among rules of one rank (two model
 * patterns that both match), the first listed. A call without a project meets only rules without one.
 */
export function compileDiscounts(rules: readonly DiscountRule[]): DiscountFinder {
  const compiled: CompiledRule[] = rules
    .map((rule) => ({
      rule,
      regex: rule.model === undefined ? undefined : new RegExp(rule.model, "i"),
      rank: rankOf(rule),
      kept: {
        percent: rule.percent,
        provider: rule.provider,
        model: rule.model ?? null,
        project: rule.project ?? null,
        source: rule.source ?? null,
        notes: rule.notes ?? null,
      },
    }))
    // Stable: rules of one rank keep their order in the file.
    .sort((first, second) => second.rank - first.rank);
  // Calls repeat the same few (provider, model, project) triples: the match is looked up once each.
  const cache = new Map<string, KeptDiscount | null>();
  return {
    find(provider, model, project) {
      const key = `${provider}\u0000${model}\u0000${project ?? ""}`;
      const cached = cache.get(key);
      if (cached !== undefined) return cached ?? undefined;
      const found = compiled.find(
        ({ rule, regex }) =>
          rule.provider === provider &&
          (rule.project === undefined || rule.project === project) &&
          (regex === undefined || regex.test(model)),
      );
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(key, found?.kept ?? null);
      return found?.kept;
    },
  };
}

/** "12.5" as units of 10^-4 percent (125000): the percent as an exact integer. */
function percentUnits(percent: string): bigint {
  const [whole = "0", fraction = ""] = percent.split(".");
  return BigInt(whole + fraction.padEnd(4, "0"));
}

/**
 * The amount a discount takes off a list price given in 10^-18 dollars, in 10^-18 dollars, rounded
 * half up to 10^-12 dollars (the scale costs are stored at, NUMERIC(20,12)). The pricer and the
 * explanation both call this, so they take off exactly the same amount.
 */
export function discountAtto(listAtto: bigint, percent: string): bigint {
  // list × percent / 100 = list × units / 10^6; to 10^-12 dollars: divide by a further 10^6.
  const pico = (listAtto * percentUnits(percent) + 500_000_000_000n) / 1_000_000_000_000n;
  return pico * 1_000_000n;
}

const discountedCache = new WeakMap<PriceRates, Map<KeptDiscount, PriceRates>>();

/** The rate set of a discounted estimate: the list rates plus the discount, with its own `ref`. */
function discountedRates(rates: PriceRates, discount: KeptDiscount): PriceRates {
  let byDiscount = discountedCache.get(rates);
  if (!byDiscount) discountedCache.set(rates, (byDiscount = new Map<KeptDiscount, PriceRates>()));
  let discounted = byDiscount.get(discount);
  if (!discounted) {
    const { ref: _listRef, ...content } = rates;
    const withDiscount = { ...content, discount };
    const ref = createHash("sha256").update(JSON.stringify(withDiscount)).digest("hex").slice(0, 32);
    discounted = Object.freeze({ ref, ...withDiscount });
    byDiscount.set(discount, discounted);
  }
  return discounted;
}

/** A priced estimate with a discount applied: `costUsd` charged, `listCostUsd` the list price. */
export function applyDiscount(estimate: PricedEstimate, discount: KeptDiscount): PricedEstimate {
  const listPico = decimalToPico(estimate.listCostUsd);
  const offPico = discountAtto(listPico * 1_000_000n, discount.percent) / 1_000_000n;
  return {
    ...estimate,
    costUsd: formatPicoDollars(listPico - offPico),
    discount: { ...discount, amountUsd: formatPicoDollars(offPico) },
    rates: discountedRates(estimate.rates, discount),
  };
}
