/** What the guard needs of pricing to name a model as the ledger does: `createPricing()` has it. */
export interface ModelResolver {
  resolveModel(model: string, provider?: string): { model: string } | undefined;
  extractProvider(model: string): string;
}

/** Distinct (provider, model) spellings remembered; past this the memory starts over. */
const cacheLimit = 10_000;

/**
 * The model id the ledger records for a call's model: the catalog's canonical id
 * (`claude-sonnet-4-5` for `us.anthropic.claude-sonnet-4-5-20250929-v1:0`), or the id as sent when
 * the catalog does not know it, as reports read `COALESCE(resolved_model, model)`. The provider is
 * the call's, else the one the model id implies, as the pricer decides. Each spelling is resolved
 * once and remembered, so the guard's `check` pays two map lookups.
 */
export function createModelCanonicalizer(
  resolver: ModelResolver,
): (model: string | undefined, provider: string | undefined) => string | null {
  let byProvider = new Map<string, Map<string, string>>();
  let size = 0;
  return (model, provider) => {
    if (model === undefined) return null;
    const providerKey = provider ?? "";
    let models = byProvider.get(providerKey);
    const known = models?.get(model);
    if (known !== undefined) return known;
    let canonical = model;
    try {
      canonical = resolver.resolveModel(model, provider ?? resolver.extractProvider(model))?.model ?? model;
    } catch {
      // A resolver that fails names the model as sent: the check must not throw.
    }
    if (size >= cacheLimit) {
      byProvider = new Map();
      models = undefined;
      size = 0;
    }
    if (!models) byProvider.set(providerKey, (models = new Map<string, string>()));
    models.set(model, canonical);
    size++;
    return canonical;
  };
}
