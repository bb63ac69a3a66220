import { normalizeProvider } from "./providers.js";
import type { Resolver } from "./resolve-model.js";
import type { UnpricedEstimate } from "./types.js";

/**
 * The estimate for an id no catalog entry matches. When a pattern matched an entry that names
 * another version (`claude-sonnet-5-5` against `claude-sonnet-5`), the reason names that entry, so
 * the gap in the catalog is visible instead of priced as a sibling.
 */
export function unmatchedEstimate(
  resolver: Resolver,
  model: string,
  provider: string | undefined,
): UnpricedEstimate {
  const lookup = resolver.lookup(model, provider);
  const nearest = "nearest" in lookup ? lookup.nearest : undefined;
  const billedBy = provider
    ? (normalizeProvider(provider) ?? "unknown")
    : (nearest?.provider ?? resolver.extractProvider(model));
  const where = provider ? ` for provider "${provider}"` : "";
  if (!nearest) {
    return {
      priced: false,
      costUsd: "0",
      model,
      provider: billedBy,
      reason: `no catalog entry matches model "${model}"${where}`,
    };
  }
  return {
    priced: false,
    costUsd: "0",
    model,
    provider: billedBy,
    reason:
      `model "${model}"${where} names a version the catalog does not list; the nearest known model is ` +
      `${nearest.provider}/${nearest.model}, whose price is not applied to another version`,
    nearest,
  };
}
