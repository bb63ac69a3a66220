import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LedgerError } from "../errors.js";
import { compareCatalogVersions, validateCatalogBundle, type CatalogBundle } from "../pricing/index.js";
import { writeCachedCatalog } from "./catalog-cache.js";
import { catalogInForce, type CatalogInForce } from "./catalog-in-force.js";
import { DEFAULT_MAX_CATALOG_BYTES, describeUrl, fetchText, type FetchLimits } from "./fetch-text.js";

/** The environment variable naming the URL (or file) `pricing update` and the server's refresh read. */
export const PRICING_URL_VARIABLE = "LLM_LEDGER_PRICING_URL";

export interface UpdateCatalogOptions extends FetchLimits {
  /** An http(s) URL, a file: URL, or a file path (relative to `cwd`). */
  from: string;
  /** The llm-ledger home whose `pricing/` cache is updated. */
  home: string;
  cwd: string;
}

/** What an update did: took a newer catalog, or found the same one already in force. */
export interface UpdateCatalogResult {
  status: "updated" | "unchanged";
  /** The catalog in force before the update. */
  previous: CatalogInForce;
  date: string;
  version: string;
  source: string;
  /** The validated bundle (when updated, now cached). */
  catalog: CatalogBundle;
}

function isUrl(from: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(from) && !/^[a-z]:[\\/]/i.test(from);
}

async function readLocalFile(file: string, maxBytes: number): Promise<string> {
  try {
    const { size } = await stat(file);
    if (size > maxBytes) {
      throw new LedgerError("E_PRICING_FETCH", `${file}: ${size} bytes, above the ${maxBytes}-byte limit`);
    }
    return await readFile(file, "utf8");
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    throw new LedgerError("E_PRICING_FETCH", `${file}: cannot read (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** Reads a catalog bundle from a URL or a file, and validates it like the shipped data. */
export async function readCatalogSource(
  options: Omit<UpdateCatalogOptions, "home">,
): Promise<{ source: string; catalog: CatalogBundle; date: string; revision: number; version: string }> {
  let source: string;
  let text: string;
  if (isUrl(options.from) && !/^file:/i.test(options.from)) {
    source = describeUrl(options.from);
    text = await fetchText(options.from, options);
  } else {
    source = /^file:/i.test(options.from)
      ? fileURLToPath(options.from)
      : path.resolve(options.cwd, options.from);
    text = await readLocalFile(source, options.maxBytes ?? DEFAULT_MAX_CATALOG_BYTES);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LedgerError(
      "E_PRICING_DATA",
      `${source}: not a catalog (invalid JSON: ${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  const validated = validateCatalogBundle(json, source);
  return {
    source,
    catalog: json as CatalogBundle,
    date: validated.manifest.date,
    revision: validated.revision,
    version: validated.version,
  };
}

/**
 * Fetches a catalog bundle, validates it, and caches it under `<home>/pricing/` when it is newer than
 * the catalog in force. Never replaces a newer catalog with an older one: that throws `LedgerError`
 * `E_PRICING_STALE`. Fetch failures throw `E_PRICING_FETCH` / `E_PRICING_URL_INTERNAL`, invalid
 * files `E_PRICING_DATA`; in every failure the cache is left as it was.
 */
export async function updateCatalog(options: UpdateCatalogOptions): Promise<UpdateCatalogResult> {
  const fetched = await readCatalogSource(options);
  const previous = catalogInForce(options.home);
  const order = compareCatalogVersions(fetched, previous);
  if (order < 0) {
    throw new LedgerError(
      "E_PRICING_STALE",
      `${fetched.source}: catalog ${fetched.version} is older than the catalog in force (${previous.version}, ${previous.origin === "cached" ? `from ${previous.source}` : "shipped"}); kept the one in force`,
    );
  }
  const result = {
    previous,
    date: fetched.date,
    version: fetched.version,
    source: fetched.source,
    catalog: fetched.catalog,
  };
  if (order === 0) return { status: "unchanged", ...result };
  writeCachedCatalog(options.home, {
    source: fetched.source,
    fetchedAt: new Date().toISOString(),
    catalog: fetched.catalog,
    version: fetched.version,
  });
  return { status: "updated", ...result };
}
