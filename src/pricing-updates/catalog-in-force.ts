import {
  compareCatalogVersions,
  createPricing,
  loadCatalogManifest,
  PRICING_FILE_VARIABLE,
  type CatalogBundle,
  type Pricing,
} from "../pricing/index.js";
import { ledgerHome, readCachedCatalog } from "./catalog-cache.js";

/** Which catalog prices calls here: the one shipped with llm-ledger, or a newer one cached by an update. */
export interface CatalogInForce {
  origin: "shipped" | "cached";
  date: string;
  revision: number;
  /** The `pricingVersion` of estimates (before any overrides). */
  version: string;
  /** A URL or file for a cached catalog; `built in` for the shipped one. */
  source: string;
  fetchedAt?: string | undefined;
  /** The cache file, when there is one. */
  cacheFile?: string | undefined;
  /** The cached bundle, when it is the one in force. */
  catalog?: CatalogBundle | undefined;
  /** Why a cache file that exists is not in force (older than the shipped catalog, or unusable). */
  note?: string | undefined;
}

/**
 * The catalog in force for a home directory: the cached one when it is valid and newer than the
 * shipped one (so upgrading llm-ledger past a cached catalog brings the newer shipped data back).
 */
export function catalogInForce(home: string): CatalogInForce {
  // The shipped catalog's date decides; its price files are read once, by createPricing.
  const manifest = loadCatalogManifest();
  const shipped: CatalogInForce = {
    origin: "shipped",
    date: manifest.date,
    revision: 0,
    version: manifest.date,
    source: `built in${manifest.generatedFrom ? ` (${manifest.generatedFrom})` : ""}`,
  };
  const reading = readCachedCatalog(home);
  if (reading.state === "absent") return shipped;
  if (reading.state === "unusable") {
    return { ...shipped, cacheFile: reading.file, note: `cache not used: ${reading.reason}` };
  }
  const { cached, validated } = reading;
  if (compareCatalogVersions({ date: validated.manifest.date, revision: validated.revision }, shipped) <= 0) {
    return {
      ...shipped,
      cacheFile: reading.file,
      note: `cached catalog ${validated.version} from ${cached.source} is not newer than the shipped one`,
    };
  }
  return {
    origin: "cached",
    date: validated.manifest.date,
    revision: validated.revision,
    version: validated.version,
    source: cached.source,
    fetchedAt: cached.fetchedAt,
    cacheFile: reading.file,
    catalog: cached.catalog,
  };
}

/** The environment an entry point (CLI command, server) builds its pricing from. */
export interface PricingEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The home directory the environment names (`LLM_LEDGER_HOME`, else `<cwd>/.llm-ledger`). */
export function homeOf(environment: PricingEnvironment): string {
  return ledgerHome({ cwd: environment.cwd, home: environment.env.LLM_LEDGER_HOME || undefined });
}

/** Pricing over a given catalog (or the shipped one) plus the overrides file of the environment. */
export function pricingWithCatalog(
  environment: PricingEnvironment,
  catalog: CatalogBundle | undefined,
): Pricing {
  const overridesFile = environment.env[PRICING_FILE_VARIABLE] || undefined;
  return createPricing({
    ...(overridesFile ? { overridesFile } : {}),
    ...(catalog ? { catalog } : {}),
  });
}

/**
 * What the CLI and the server price with: the catalog in force under `LLM_LEDGER_HOME` (a newer
 * cached update, else the shipped catalog) plus `LLM_LEDGER_PRICING_FILE` overrides.
 */
export function createPricingInForce(environment: PricingEnvironment): {
  pricing: Pricing;
  inForce: CatalogInForce;
} {
  const inForce = catalogInForce(homeOf(environment));
  return { pricing: pricingWithCatalog(environment, inForce.catalog), inForce };
}
