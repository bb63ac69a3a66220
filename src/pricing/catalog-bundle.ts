import { readFileSync } from "node:fs";
import { LedgerError } from "../errors.js";
import type { CatalogData } from "./load-catalog.js";
import type { Provider, ProviderFile } from "./types.js";
import { isIsoDate } from "./json-checks.js";
import { validateProviderFile } from "./validate-catalog.js";

// A catalog bundle is the whole catalog in one JSON file: what `pricing update` fetches, what the
// on-disk cache holds, and what `createPricing({ catalog })` accepts. One file rather than one per
// provider, so "the catalog in force" always has one date and one source, and an update can never
// mix two catalogs' providers.

/** The value of a bundle's `format` key. */
export const CATALOG_BUNDLE_FORMAT = "llm-ledger-catalog/1";

/**
 * The whole catalog in one file: `date` (when its prices were last compared with the providers),
 * an optional `revision` for a republication on the same date, and one provider file per provider
 * in the format of `data/pricing/<provider>.json`. Providers it does not list are not priced by it.
 */
export interface CatalogBundle {
  format: typeof CATALOG_BUNDLE_FORMAT;
  date: string;
  /** A same-day republication counts up from 0 (absent means 0). */
  revision?: number;
  generatedFrom?: string;
  providers: ProviderFile[];
}

/** A validated bundle as `createPricing` consumes it: the catalog data plus its version. */
export interface BundledCatalog extends CatalogData {
  /** `date`, or `date.revision` when the revision is above 0: the `pricingVersion` of its estimates. */
  version: string;
  revision: number;
}

const BUNDLE_KEYS = new Set(["format", "date", "revision", "generatedFrom", "providers", "$schema"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a catalog bundle with the validator of the shipped provider files; `file` names it in
 * error messages. Throws `LedgerError` `E_PRICING_DATA` listing every problem.
 */
export function validateCatalogBundle(value: unknown, file: string): BundledCatalog {
  const problems: string[] = [];
  if (!isRecord(value)) {
    throw new LedgerError("E_PRICING_DATA", `${file}: $: expected a catalog bundle object`);
  }
  for (const key of Object.keys(value)) {
    if (!BUNDLE_KEYS.has(key)) problems.push(`$.${key}: unknown key`);
  }
  if (value.format !== CATALOG_BUNDLE_FORMAT) {
    problems.push(`$.format: expected "${CATALOG_BUNDLE_FORMAT}"`);
  }
  if (!isIsoDate(value.date)) problems.push(`$.date: expected a date YYYY-MM-DD`);
  const revision = value.revision ?? 0;
  if (typeof revision !== "number" || !Number.isSafeInteger(revision) || revision < 0) {
    problems.push(`$.revision: expected a whole number from 0`);
  }
  if (value.generatedFrom !== undefined && typeof value.generatedFrom !== "string") {
    problems.push(`$.generatedFrom: expected a string`);
  }
  if (!Array.isArray(value.providers) || value.providers.length === 0) {
    problems.push(`$.providers: expected a non-empty array of provider files`);
  }
  if (problems.length > 0) {
    throw new LedgerError("E_PRICING_DATA", problems.map((problem) => `${file}: ${problem}`).join("\n"));
  }
  const seen = new Set<Provider>();
  const files = (value.providers as unknown[]).map((provider, index) => {
    const validated = validateProviderFile(provider, `${file} $.providers[${index}]`);
    if (seen.has(validated.provider)) {
      throw new LedgerError(
        "E_PRICING_DATA",
        `${file}: $.providers[${index}].provider: "${validated.provider}" is listed twice`,
      );
    }
    seen.add(validated.provider);
    return validated;
  });
  const date = value.date as string;
  const count = revision as number;
  return {
    manifest: {
      date,
      providers: files.map((providerFile) => providerFile.provider),
      ...(typeof value.generatedFrom === "string" ? { generatedFrom: value.generatedFrom } : {}),
    },
    files,
    revision: count,
    version: count > 0 ? `${date}.${count}` : date,
  };
}

/** Reads and validates a bundle file (synchronously, like the shipped catalog). Throws `E_PRICING_DATA`. */
export function readCatalogBundleFile(path: string): BundledCatalog {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new LedgerError(
      "E_PRICING_DATA",
      `${path}: cannot read the catalog file (${(error as Error).message})`,
      { cause: error },
    );
  }
  return validateCatalogBundle(json, path);
}

/** A bundle of catalog data (the shipped catalog, for example), ready to publish as an update. */
export function bundleCatalog(data: CatalogData, revision = 0): CatalogBundle {
  return {
    format: CATALOG_BUNDLE_FORMAT,
    date: data.manifest.date,
    ...(revision > 0 ? { revision } : {}),
    ...(data.manifest.generatedFrom ? { generatedFrom: data.manifest.generatedFrom } : {}),
    providers: data.files,
  };
}

/** Orders two catalogs by date, then revision: negative when `a` is older than `b`, 0 when the same. */
export function compareCatalogVersions(
  a: { date: string; revision?: number },
  b: { date: string; revision?: number },
): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return (a.revision ?? 0) - (b.revision ?? 0);
}
