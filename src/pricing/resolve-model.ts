import type { CompiledEntry, ProviderIndex } from "./compile-catalog.js";
import { looksLikeBedrock, spellingsOf } from "./model-spellings.js";
import { normalizeProvider } from "./providers.js";
import type { MatchRule, Provider, ResolvedModel } from "./types.js";

// Providers searched, in order, when the caller names none: overrides of no provider first, then
// vendors selling their own models. Hosts reselling others' models are only consulted for an exact
// id that exactly one of them lists; OpenRouter only when named.
const VENDORS: readonly Provider[] = [
  "unknown",
  "anthropic",
  "openai",
  "google",
  "mistral",
  "deepseek",
  "xai",
  "cohere",
  "perplexity",
  "meta",
];
const HOSTS: readonly Provider[] = ["aws-bedrock", "google-vertex", "azure", "groq", "together", "fireworks"];

const VENDOR_PREFIXES: Readonly<Record<string, Provider>> = {
  "meta-llama": "meta",
  mistralai: "mistral",
  "x-ai": "xai",
  models: "google",
};

const CACHE_LIMIT = 50_000;

/** A resolution together with the compiled entry the estimator needs. */
export interface Resolution {
  resolved: ResolvedModel;
  compiled: CompiledEntry;
}

/** Model resolution over a set of provider indexes, with a bounded cache per instance. */
export interface Resolver {
  resolve(model: string, provider?: string): Resolution | undefined;
  extractProvider(model: string): Provider;
}

function found(
  compiled: CompiledEntry,
  provider: Provider,
  rules: MatchRule[],
  spelling: string,
): Resolution {
  const { entry } = compiled;
  return {
    resolved: { model: entry.id, provider, matchedBy: rules, matchedSpelling: spelling, entry },
    compiled,
  };
}

function withNote(match: Resolution, provider: Provider, note: string): Resolution {
  return { resolved: { ...match.resolved, provider, note }, compiled: match.compiled };
}

function searchIndex(index: ProviderIndex, lower: string, prefixRules: MatchRule[]): Resolution | undefined {
  for (const { spelling, rules } of spellingsOf(lower)) {
    const exact = index.exact.get(spelling);
    if (exact) {
      const rule: MatchRule = exact.byId ? "exact" : "alias";
      return found(exact.compiled, index.provider, [...prefixRules, ...rules, rule], spelling);
    }
    for (const { regex, compiled } of index.patterns) {
      if (regex.test(spelling))
        return found(compiled, index.provider, [...prefixRules, ...rules, "pattern"], spelling);
    }
  }
  return undefined;
}

function prefixProvider(lower: string): Provider | undefined {
  const slash = lower.indexOf("/");
  if (slash > 0) {
    const vendor = lower.slice(0, slash);
    return VENDOR_PREFIXES[vendor] ?? normalizeProvider(vendor);
  }
  if (looksLikeBedrock(lower)) return "aws-bedrock";
  if (/@[\w.-]+$/.test(lower)) return "google-vertex";
  return undefined;
}

/** Creates a resolver over compiled provider indexes. */
export function createResolver(indexes: ReadonlyMap<Provider, ProviderIndex>): Resolver {
  // provider argument ("" for none) → model id as given → outcome (null: not found).
  const cache = new Map<string, Map<string, Resolution | null>>();
  let cached = 0;

  function inProvider(provider: Provider, lower: string): Resolution | undefined {
    const index = indexes.get(provider);
    const own = index ? searchIndex(index, lower, []) : undefined;
    if (own || !index) return own;
    for (const fallback of index.fallback) {
      const fallbackIndex = indexes.get(fallback);
      const match = fallbackIndex ? searchIndex(fallbackIndex, lower, []) : undefined;
      if (match) {
        return withNote(
          match,
          provider,
          `${provider} lists no price of its own; priced at ${fallback}'s list price`,
        );
      }
    }
    return undefined;
  }

  function inferred(lower: string): Resolution | undefined {
    const prefixed = prefixProvider(lower);
    if (prefixed && prefixed !== "unknown") {
      const match = inProvider(prefixed, lower);
      if (match) return match;
    }
    for (const provider of VENDORS) {
      const index = indexes.get(provider);
      const match = index ? searchIndex(index, lower, []) : undefined;
      if (match) return match;
    }
    const hits = HOSTS.flatMap((provider) => {
      const hit = indexes.get(provider)?.exact.get(lower);
      return hit ? [found(hit.compiled, provider, [hit.byId ? "exact" : "alias"], lower)] : [];
    });
    const only = hits.length === 1 ? hits[0] : undefined;
    if (only) {
      const host = only.resolved.provider;
      return withNote(only, host, `provider inferred: ${host} is the only catalog listing this id`);
    }
    return undefined;
  }

  function resolveUncached(lower: string, provider: string | undefined): Resolution | undefined {
    if (provider === undefined || provider === "") return inferred(lower);
    const canonical = normalizeProvider(provider);
    if (canonical && canonical !== "unknown") return inProvider(canonical, lower);
    const match = inferred(lower);
    if (!match || canonical === "unknown") return match;
    const byModel = match.resolved.provider;
    return withNote(
      match,
      byModel,
      `provider "${provider}" is not recognised; priced by model id as ${byModel}`,
    );
  }

  return {
    resolve(model, provider) {
      const providerKey = provider ?? "";
      let byModel = cache.get(providerKey);
      const hit = byModel?.get(model);
      if (hit !== undefined) return hit ?? undefined;
      const result = resolveUncached(model.trim().toLowerCase(), provider);
      if (cached >= CACHE_LIMIT) {
        cache.clear();
        cached = 0;
        byModel = undefined;
      }
      if (!byModel) cache.set(providerKey, (byModel = new Map<string, Resolution | null>()));
      byModel.set(model, result ?? null);
      cached++;
      return result;
    },
    extractProvider(model) {
      const match = this.resolve(model);
      if (match) return match.resolved.provider;
      return prefixProvider(model.trim().toLowerCase()) ?? "unknown";
    },
  };
}
