import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { validateCatalogBundle, type BundledCatalog, type CatalogBundle } from "../pricing/index.js";

// The last catalog taken by `pricing update` (or the server's refresh) lives under the llm-ledger
// home as `pricing/catalog.json`, the bundle exactly as published (so an application can hand the
// same file to `createPricing({ catalog })`), beside `pricing/source.json`, where it came from. Each
// is written by rename; the source names the version it describes, so a pair torn by a crash
// between the two writes shows as "source unknown" rather than as another catalog's source.

/** Where a cached catalog came from, and when. */
export interface CatalogSourceRecord {
  source: string;
  fetchedAt: string;
  /** The version of the catalog this record describes. */
  version: string;
}

/** A cached catalog: the bundle as published, where it was fetched from, and when. */
export interface CachedCatalog {
  source: string;
  fetchedAt?: string | undefined;
  catalog: CatalogBundle;
}

/** A cache that was read: its validated catalog, or why it cannot be used. */
export type CacheReading =
  | { state: "absent" }
  | { state: "unusable"; file: string; reason: string }
  | { state: "ok"; file: string; cached: CachedCatalog; validated: BundledCatalog };

/** The llm-ledger home: `LLM_LEDGER_HOME` resolved from `cwd`, else `<cwd>/.llm-ledger` (as the store). */
export function ledgerHome(options: { cwd: string; home?: string | undefined }): string {
  return options.home ? path.resolve(options.cwd, options.home) : path.join(options.cwd, ".llm-ledger");
}

/** The cached bundle of a home directory: `<home>/pricing/catalog.json`. */
export function catalogCacheFile(home: string): string {
  return path.join(home, "pricing", "catalog.json");
}

function sourceFile(home: string): string {
  return path.join(home, "pricing", "source.json");
}

function readSource(home: string, version: string): CatalogSourceRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(sourceFile(home), "utf8")) as Partial<CatalogSourceRecord>;
    if (record.version !== version || typeof record.source !== "string") return undefined;
    return record as CatalogSourceRecord;
  } catch {
    return undefined;
  }
}

/** Reads the cached catalog, validating it again (the file may have been edited or damaged). */
export function readCachedCatalog(home: string): CacheReading {
  const file = catalogCacheFile(home);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { state: "absent" };
    return { state: "unusable", file, reason: (error as Error).message };
  }
  try {
    const catalog = JSON.parse(text) as CatalogBundle;
    const validated = validateCatalogBundle(catalog, file);
    const record = readSource(home, validated.version);
    return {
      state: "ok",
      file,
      cached: { source: record?.source ?? "unknown", fetchedAt: record?.fetchedAt, catalog },
      validated,
    };
  } catch (error) {
    return { state: "unusable", file, reason: (error as Error).message };
  }
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, text, { mode: 0o644 });
  renameSync(temporary, file);
}

/** Writes the cache: the bundle, then its source record (each atomically). */
export function writeCachedCatalog(
  home: string,
  cached: { source: string; fetchedAt: string; catalog: CatalogBundle; version: string },
): string {
  const file = catalogCacheFile(home);
  writeAtomically(file, JSON.stringify(cached.catalog) + "\n");
  const record: CatalogSourceRecord = {
    source: cached.source,
    fetchedAt: cached.fetchedAt,
    version: cached.version,
  };
  writeAtomically(sourceFile(home), JSON.stringify(record) + "\n");
  return file;
}
