// Estimates against the shipped catalog for the pricing tests: a call described by its model,
// provider and the token buckets it used (the rest zero), and the check that it was priced.
import { createPricing, type CostEstimate, type Provider } from "../../src/pricing/index.js";

const pricing = createPricing();

/** Prices a call of `model` on `provider` with `usage` (input and output default to 0). */
export function estimate(
  model: string,
  provider: Provider,
  usage: Record<string, number>,
  serviceTier?: string,
): CostEstimate {
  return pricing.estimateCost({
    model,
    provider,
    serviceTier,
    usage: { inputTokens: 0, outputTokens: 0, ...usage },
  });
}

/** The estimate, or a failure naming why it was not priced. */
export function priced(result: CostEstimate): Extract<CostEstimate, { priced: true }> {
  if (!result.priced) throw new Error(`unpriced: ${result.reason}`);
  return result;
}
