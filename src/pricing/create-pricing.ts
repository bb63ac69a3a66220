import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { LedgerError } from "../errors.js";
import { readCatalogBundleFile, validateCatalogBundle, type CatalogBundle } from "./catalog-bundle.js";
import {
  addToIndex,
  compileEntry,
  emptyIndex,
  type EntryCharges,
  type ProviderIndex,
} from "./compile-catalog.js";
import { instantOf, priceUsage } from "./estimate-cost.js";
import { loadCatalogData, type CatalogData } from "./load-catalog.js";
import { applyDiscount, compileDiscounts } from "./negotiated-discounts.js";
import { provenanceOf } from "./price-rates.js";
import { normalizeProvider } from "./providers.js";
import { createResolver } from "./resolve-model.js";
import { unmatchedEstimate } from "./unmatched-model.js";
import type {
  CostEstimate,
  EstimateInput,
  ModelEntry,
  OverridesFile,
  Provider,
  ProviderFile,
  ResolvedModel,
} from "./types.js";
import { validateOverrides } from "./validate-catalog.js";
import { validateUsage } from "./validate-usage.js";

/** Options of `createPricing`: at most one source of overrides. */
export interface PricingOptions {
  /** Path of a JSON overrides file (see docs/pricing.md). */
  overridesFile?: string | undefined;
  /** Overrides given directly, in the same shape as the file. */
  overrides?: unknown;
  /**
   * A catalog in force instead of the built-in one: a bundle object, or the path of a bundle file
   * (docs/pricing.md, "Catalog updates"). Validated like the shipped data; never fetched from here.
   */
  catalog?: CatalogBundle | string | undefined;
}

/** A catalog entry listed with its provider. */
export interface ListedModel {
  provider: Provider;
  entry: ModelEntry;
  /** True when the entry comes from the overrides. */
  override: boolean;
}

/** A pricing instance: the built-in catalog (or the `catalog` given) plus any overrides. */
export interface Pricing {
  /** Prices one call; see the root `estimateCost`. */
  estimateCost(input: EstimateInput): CostEstimate;
  /** Finds the catalog entry for a model id as applications spell it. */
  resolveModel(model: string, provider?: string): ResolvedModel | undefined;
  /** The provider billing a model id, or `"unknown"` when it cannot tell. */
  extractProvider(model: string): Provider;
  /** The catalog date, plus a hash of the overrides when there are any. */
  readonly version: string;
  /** The date of the catalog in use (YYYY-MM-DD): the built-in one, or the `catalog` given. */
  readonly catalogDate: string;
  /** Every entry, optionally of one provider (overrides first). */
  listModels(provider?: string): ListedModel[];
  /** The data file header (name, source, date checked) of a provider. */
  describeProvider(provider: Provider): Omit<ProviderFile, "models"> | undefined;
}

let builtIn: CatalogData | undefined;

function catalogData(): CatalogData {
  builtIn ??= loadCatalogData();
  return builtIn;
}

// The catalog in force and its version: the built-in one, or a bundle given as an object or a file.
function catalogOf(catalog: CatalogBundle | string | undefined): { data: CatalogData; version: string } {
  if (catalog === undefined) return { data: catalogData(), version: catalogData().manifest.date };
  const bundled =
    typeof catalog === "string" ? readCatalogBundleFile(catalog) : validateCatalogBundle(catalog, "catalog");
  return { data: bundled, version: bundled.version };
}

function readOverrides(options: PricingOptions): OverridesFile | undefined {
  if (options.overridesFile !== undefined && options.overrides !== undefined) {
    throw new LedgerError("E_PRICING_ARGUMENT", "give either overridesFile or overrides, not both");
  }
  if (options.overrides !== undefined) return validateOverrides(options.overrides, "overrides");
  if (options.overridesFile === undefined) return undefined;
  const file = options.overridesFile;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new LedgerError(
      "E_PRICING_OVERRIDES",
      `${file}: cannot read the pricing overrides file (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LedgerError("E_PRICING_OVERRIDES", `${file}: invalid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return validateOverrides(json, file);
}

/**
 * Creates a pricing instance over the built-in catalog and optional overrides (fine-tunes,
 * self-hosted models at $0, negotiated prices and percentage discounts). Override entries replace
 * catalog entries with the same provider and id, and otherwise come first, so their spellings win;
 * a discount is applied after the list price (`listCostUsd` keeps it beside the charged `costUsd`).
 *
 * @example
 * const pricing = createPricing({ overridesFile: "./prices.json" });
 * pricing.estimateCost({ model: "ft:gpt-4o-mini:acme", provider: "openai", usage: { inputTokens: 10, outputTokens: 5 } });
 */
export function createPricing(options: PricingOptions = {}): Pricing {
  const { data, version: catalogVersion } = catalogOf(options.catalog);
  const overrides = readOverrides(options);
  const indexes = new Map<Provider, ProviderIndex>();
  const listed: ListedModel[] = [];
  const replaced = new Set<string>();
  const indexOf = (provider: Provider, file?: ProviderFile) => {
    let index = indexes.get(provider);
    if (!index) indexes.set(provider, (index = emptyIndex(provider, file)));
    return index;
  };
  // A file's service tiers and fees apply to its models, and to overrides of the same provider.
  const charges = new Map<Provider, EntryCharges>(
    data.files
      .filter((file) => file.charges !== undefined)
      .map((file) => [file.provider, { charges: file.charges, providerName: file.name }]),
  );
  const add = (entry: ModelEntry, provider: Provider, override: boolean, file?: ProviderFile) => {
    const compiled = compileEntry(entry, provider, charges.get(provider));
    compiled.provenance = provenanceOf(entry, file, override);
    addToIndex(indexOf(provider), compiled);
    listed.push({ provider, entry, override });
  };
  for (const { provider, ...entry } of overrides?.models ?? []) {
    replaced.add(`${provider}\u0000${entry.id.toLowerCase()}`);
    add(entry, provider, true);
  }
  for (const file of data.files) {
    const index = indexOf(file.provider, file);
    index.file = file;
    index.fallback = file.fallback ?? [];
    for (const entry of file.models) {
      if (!replaced.has(`${file.provider}\u0000${entry.id.toLowerCase()}`))
        add(entry, file.provider, false, file);
    }
  }
  const version = overrides
    ? `${catalogVersion}+overrides.${createHash("sha256").update(JSON.stringify(overrides)).digest("hex").slice(0, 12)}`
    : catalogVersion;
  const resolver = createResolver(indexes);
  const discounts =
    overrides?.discounts && overrides.discounts.length > 0
      ? compileDiscounts(overrides.discounts)
      : undefined;

  return {
    version,
    catalogDate: data.manifest.date,
    resolveModel: (model, provider) => resolver.resolve(model, provider)?.resolved,
    extractProvider: (model) => resolver.extractProvider(model),
    estimateCost(input) {
      const usage = validateUsage(input.usage);
      const ms = instantOf(input.at);
      if (typeof input.model !== "string" || input.model.trim() === "") {
        throw new LedgerError(
          "E_PRICING_ARGUMENT",
          `model must be a non-empty string, got ${JSON.stringify(input.model)}`,
        );
      }
      const resolution = resolver.resolve(input.model, input.provider);
      if (!resolution) return unmatchedEstimate(resolver, input.model, input.provider);
      const estimate = priceUsage(
        resolution.resolved,
        resolution.compiled,
        usage,
        ms,
        version,
        input.serviceTier,
      );
      if (!discounts || !estimate.priced) return estimate;
      const discount = discounts.find(estimate.provider, estimate.model, input.project);
      return discount ? applyDiscount(estimate, discount) : estimate;
    },
    listModels(provider) {
      if (provider === undefined) return listed;
      const canonical = normalizeProvider(provider);
      return listed.filter((model) => model.provider === canonical);
    },
    describeProvider(provider) {
      const file = indexes.get(provider)?.file;
      if (!file) return undefined;
      const { models: _models, ...header } = file;
      return header;
    },
  };
}

/** The environment variable naming a pricing overrides file for the CLI, the server and trackers. */
export const PRICING_FILE_VARIABLE = "LLM_LEDGER_PRICING_FILE";

/**
 * Creates a pricing instance honouring `LLM_LEDGER_PRICING_FILE` in the environment object given
 * (the library never reads `process.env` itself; entry points pass it).
 *
 * @example
 * const pricing = createPricingFromEnv(process.env);
 */
export function createPricingFromEnv(env: Readonly<Record<string, string | undefined>>): Pricing {
  const file = env[PRICING_FILE_VARIABLE];
  return createPricing(file ? { overridesFile: file } : {});
}
