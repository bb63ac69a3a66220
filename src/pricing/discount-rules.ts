import type { Provider } from "./types.js";

// The shapes of negotiated rates (docs/pricing.md, "Negotiated rates"): a rule as the overrides file
// writes it, and the discount an estimate applied. `negotiated-discounts.ts` matches and applies them.

/**
 * A negotiated discount: `percent` off the list price of every call billed by `provider`, narrowed
 * to the models whose canonical id matches `model` (a regular expression, case-insensitive) and to
 * one `project`. The most specific rule that matches a call applies (see `compileDiscounts`).
 */
export interface DiscountRule {
  provider: Provider;
  /** A regular expression (case-insensitive) tested against the canonical model id. */
  model?: string;
  /** A project slug: the rule applies to that project's calls only. */
  project?: string;
  /** Percent off the list price, a decimal string from "0" to below "100" with at most 4 decimal places. */
  percent: string;
  /** Where the rate was agreed (a contract, an order form). */
  source?: string;
  notes?: string;
}

/** The discount an estimate applied: the rule that matched, and the amount it took off. */
export interface AppliedDiscount {
  percent: string;
  /** The list price less the charged cost: exact, rounded half up to 10^-12 dollars. */
  amountUsd: string;
  provider: Provider;
  /** The rule's model pattern; null for every model of the provider. */
  model: string | null;
  /** The rule's project; null for every project. */
  project: string | null;
  source: string | null;
  notes: string | null;
}
