import { createPricing, type Pricing } from "./create-pricing.js";
import type { CostEstimate, EstimateInput, Provider, ResolvedModel } from "./types.js";

// The root functions use the built-in catalog only, loaded once on first use.
let shared: Pricing | undefined;

function builtInPricing(): Pricing {
  shared ??= createPricing();
  return shared;
}

/**
 * Estimates the cost of one call from the built-in catalog: an exact decimal string in US dollars
 * with a breakdown per bucket, or `priced: false` with a reason when the model has no price.
 *
 * @example
 * estimateCost({ model: "claude-sonnet-4-5", usage: { inputTokens: 1000, outputTokens: 200 } }).costUsd // "0.006"
 */
export function estimateCost(input: EstimateInput): CostEstimate {
  return builtInPricing().estimateCost(input);
}

/**
 * Finds the built-in catalog entry for a model id as applications spell it (prefixes, snapshots,
 * Bedrock and Vertex ids, OpenRouter ids, Agent SDK suffixes), case-insensitively, and says which
 * rules matched.
 *
 * @example
 * resolveModel("us.anthropic.claude-sonnet-4-5-20250929-v1:0")?.provider // "aws-bedrock"
 */
export function resolveModel(model: string, provider?: string): ResolvedModel | undefined {
  return builtInPricing().resolveModel(model, provider);
}

/**
 * The provider billing a model id, from the built-in catalog and the id's shape; `"unknown"` when it
 * cannot tell.
 *
 * @example
 * extractProvider("openai/gpt-4o-mini") // "openai"
 */
export function extractProvider(model: string): Provider {
  return builtInPricing().extractProvider(model);
}

/** The built-in catalog's date (YYYY-MM-DD), the `pricingVersion` of root estimates. */
export function catalogVersion(): string {
  return builtInPricing().version;
}
