import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { validateCatalogBundle, type BundledCatalog, type CatalogBundle } from "../pricing/index.js";

// The last catalog taken by `pricing update` (or the server's refresh), with where it came from, in
// one file under the llm-ledger home: one file, written by rename, so a reader never sees a catalog
// paired with another catalog's source.

/** A cached catalog: the bundle as published, where it was fetched from, and when. */
export interface CachedCatalog {
  source: string;
  fetchedAt: string;
  catalog: CatalogBundle;
}

/** A cache file that was read: its validated catalog, or why it cannot be used. */
export type CacheReading =
  | { state: "absent" }
  | { state: "unusable"; file: string; reason: string }
  | { state: "ok"; file: string; cached: CachedCatalog; validated: BundledCatalog };

/** The llm-ledger home: `LLM_LEDGER_HOME` resolved from `cwd`, else `<cwd>/.llm-ledger` (as the store). */
export function ledgerHome(options: { cwd: string; home?: string | undefined }): string {
  return options.home ? path.resolve(options.cwd, options.home) : path.join(options.cwd, ".llm-ledger");
}

/** The cache file of a home directory: `<home>/pricing/catalog.json`. */
export function catalogCacheFile(home: string): string {
  return path.join(home, "pricing", "catalog.json");
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
    const cached = JSON.parse(text) as CachedCatalog;
    if (typeof cached.source !== "string" || typeof cached.fetchedAt !== "string") {
      return { state: "unusable", file, reason: "no source or fetchedAt" };
    }
    return { state: "ok", file, cached, validated: validateCatalogBundle(cached.catalog, file) };
  } catch (error) {
    return { state: "unusable", file, reason: (error as Error).message };
  }
}

/** Writes the cache atomically (a temporary file renamed over the old one). */
export function writeCachedCatalog(home: string, cached: CachedCatalog): string {
  const file = catalogCacheFile(home);
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, JSON.stringify(cached) + "\n", { mode: 0o644 });
  renameSync(temporary, file);
  return file;
}
