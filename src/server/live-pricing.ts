import type { Pricing } from "../pricing/index.js";

/** A pricing whose catalog can be replaced while the service runs; every route holds the same object. */
export interface LivePricing {
  /** Delegates each call to the pricing in force at that moment. */
  readonly pricing: Pricing;
  /** Puts `next` in force from the next call on (calls under way finish with the old one). */
  replace(next: Pricing): void;
}

/**
 * Wraps a pricing so a scheduled catalog refresh can swap it without the ingest, pricing and metrics
 * routes knowing: they keep the one object, and each estimate reads the current catalog once.
 */
export function createLivePricing(initial: Pricing): LivePricing {
  let current = initial;
  const pricing: Pricing = {
    estimateCost: (input) => current.estimateCost(input),
    resolveModel: (model, provider) => current.resolveModel(model, provider),
    extractProvider: (model) => current.extractProvider(model),
    listModels: (provider) => current.listModels(provider),
    describeProvider: (provider) => current.describeProvider(provider),
    get version() {
      return current.version;
    },
    get catalogDate() {
      return current.catalogDate;
    },
  };
  return {
    pricing,
    replace(next) {
      current = next;
    },
  };
}
