import { canonicalModelId, VENDORS, type ExactSearch } from "./canonical-model.js";
import { versionsOf, type CompiledEntry, type ProviderIndex } from "./compile-catalog.js";
import { looksLikeBedrock, spellingsOf } from "./model-spellings.js";
import { entrySizes, sameSize, sameVersion, sizesOf, versionOf } from "./model-version.js";
import { normalizeProvider } from "./providers.js";
import type { MatchRule, Provider, ResolvedModel } from "./types.js";

// Providers searched, in order, when the caller names none: overrides of no provider first, then
// vendors selling their own models. Hosts reselling others' models are only consulted for an exact
// id that exactly one of them lists; OpenRouter only when named.
const SEARCH_ORDER: readonly Provider[] = ["unknown", ...VENDORS];
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

/** An id no entry matches, with the entry a pattern matched but that names another version. */
export interface Miss {
  nearest: { model: string; provider: Provider } | undefined;
}

/** Model resolution over a set of provider indexes, with a bounded cache per instance. */
export interface Resolver {
  resolve(model: string, provider?: string): Resolution | undefined;
  /** The resolution, or what is known of a miss (the nearest entry of another version). */
  lookup(model: string, provider?: string): Resolution | Miss;
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
    resolved: {
      model: entry.id,
      catalogId: entry.id,
      provider,
      matchedBy: rules,
      matchedSpelling: spelling,
      entry,
    },
    compiled,
  };
}

function withNote(match: Resolution, provider: Provider, note: string): Resolution {
  return { resolved: { ...match.resolved, provider, note }, compiled: match.compiled };
}

// Ids rarely name a size, so an entry's sizes are read only when one does.
function sameSizeAs(sizes: ReadonlySet<string>, compiled: CompiledEntry): boolean {
  if (sizes.size === 0) return true;
  const { entry } = compiled;
  return sameSize(sizes, entrySizes(entry.id, entry.aliases ?? [], entry.patterns ?? []));
}

// The version is read from the id as given: the spelling steps strip decorations, and one of them
// (`-v2:0` on Bedrock) can be a version of its own (`amazon.titan-text-express-v2`).
function searchIndex(index: ProviderIndex, lower: string, miss: Miss): Resolution | undefined {
  let version: string | undefined;
  let sizes: ReadonlySet<string> | undefined;
  for (const { spelling, rules } of spellingsOf(lower)) {
    const exact = index.exact.get(spelling);
    if (exact) {
      const { compiled } = exact;
      // A listed spelling reached only by stripping decorations must still name the same version.
      version ??= versionOf(lower);
      if (spelling === lower || sameVersion(version, versionsOf(compiled))) {
        const rule: MatchRule = exact.byId ? "exact" : "alias";
        return found(compiled, index.provider, [...rules, rule], spelling);
      }
      miss.nearest ??= { model: compiled.entry.id, provider: index.provider };
    }
    for (const { regex, compiled } of index.patterns) {
      if (!regex.test(spelling)) continue;
      // A pattern written for one version (`^claude-sonnet-5`) also matches the next one
      // (`claude-sonnet-5-5`), one written for a model its smaller variant (`gemini-1\.5-flash`
      // matches `gemini-1.5-flash-8b`): never price an id as a version or size it does not name.
      version ??= versionOf(lower);
      sizes ??= sizesOf(lower);
      if (sameVersion(version, versionsOf(compiled)) && sameSizeAs(sizes, compiled))
        return found(compiled, index.provider, [...rules, "pattern"], spelling);
      miss.nearest ??= { model: compiled.entry.id, provider: index.provider };
    }
  }
  return undefined;
}

// The entry listing an id exactly (after stripping decorations), for the canonical id of a host's entry.
const searchForCanonical: ExactSearch = (index, lower) => {
  const version = versionOf(lower);
  for (const { spelling } of spellingsOf(lower)) {
    const exact = index.exact.get(spelling);
    if (exact && (spelling === lower || sameVersion(version, versionsOf(exact.compiled))))
      return exact.compiled;
  }
  return undefined;
};

// Reports group by the model, never by a host's catalog key: the resolution carries the canonical id.
function canonical(
  match: Resolution | undefined,
  indexes: ReadonlyMap<Provider, ProviderIndex>,
): Resolution | undefined {
  if (!match) return undefined;
  const model = canonicalModelId(match.compiled, indexes, searchForCanonical);
  if (model === match.resolved.model) return match;
  return { resolved: { ...match.resolved, model }, compiled: match.compiled };
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
  const cache = new Map<string, Map<string, Resolution | Miss>>();
  let cached = 0;

  function inProvider(provider: Provider, lower: string, miss: Miss): Resolution | undefined {
    const index = indexes.get(provider);
    const own = index ? searchIndex(index, lower, miss) : undefined;
    if (own || !index) return own;
    for (const fallback of index.fallback) {
      const fallbackIndex = indexes.get(fallback);
      const match = fallbackIndex ? searchIndex(fallbackIndex, lower, miss) : undefined;
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

  function inferred(lower: string, miss: Miss): Resolution | undefined {
    const prefixed = prefixProvider(lower);
    if (prefixed && prefixed !== "unknown") {
      const match = inProvider(prefixed, lower, miss);
      if (match) return match;
    }
    for (const provider of SEARCH_ORDER) {
      const index = indexes.get(provider);
      const match = index ? searchIndex(index, lower, miss) : undefined;
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

  function resolveUncached(lower: string, provider: string | undefined, miss: Miss): Resolution | undefined {
    if (provider === undefined || provider === "") return inferred(lower, miss);
    const canonical = normalizeProvider(provider);
    if (canonical && canonical !== "unknown") return inProvider(canonical, lower, miss);
    const match = inferred(lower, miss);
    if (!match || canonical === "unknown") return match;
    const byModel = match.resolved.provider;
    return withNote(
      match,
      byModel,
      `provider "${provider}" is not recognised; priced by model id as ${byModel}`,
    );
  }

  function lookup(model: string, provider: string | undefined): Resolution | Miss {
    const providerKey = provider ?? "";
    let byModel = cache.get(providerKey);
    const hit = byModel?.get(model);
    if (hit !== undefined) return hit;
    const miss: Miss = { nearest: undefined };
    const result = canonical(resolveUncached(model.trim().toLowerCase(), provider, miss), indexes) ?? miss;
    if (cached >= CACHE_LIMIT) {
      cache.clear();
      cached = 0;
      byModel = undefined;
    }
    if (!byModel) cache.set(providerKey, (byModel = new Map<string, Resolution | Miss>()));
    byModel.set(model, result);
    cached++;
    return result;
  }

  return {
    lookup,
    resolve(model, provider) {
      const result = lookup(model, provider);
      return "compiled" in result ? result : undefined;
    },
    extractProvider(model) {
      const match = this.resolve(model);
      if (match) return match.resolved.provider;
      return prefixProvider(model.trim().toLowerCase()) ?? "unknown";
    },
  };
}
