import { readFileSync } from "node:fs";
import { LedgerError } from "../errors.js";
import type { CatalogManifest, ProviderFile } from "./types.js";
import { validateManifest, validateProviderFile } from "./validate-catalog.js";

// src/pricing/ and dist/pricing/ are both two levels below the package root, where data/ lives.
const DATA_DIR = new URL("../../data/pricing/", import.meta.url);

/** The built-in catalog as read from data/pricing/: its manifest and one validated file per provider. */
export interface CatalogData {
  manifest: CatalogManifest;
  files: ProviderFile[];
}

function readJson(url: URL): unknown {
  let text: string;
  try {
    text = readFileSync(url, "utf8");
  } catch (error) {
    throw new LedgerError("E_PRICING_DATA", `cannot read the pricing catalog file ${url.pathname}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new LedgerError("E_PRICING_DATA", `${url.pathname}: invalid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** The built-in catalog's manifest alone (its date and providers), without reading the price files. */
export function loadCatalogManifest(directory: URL = DATA_DIR): CatalogManifest {
  return validateManifest(readJson(new URL("catalog.json", directory)), "data/pricing/catalog.json");
}

/** Reads and validates the built-in catalog (synchronously; callers cache the result). */
export function loadCatalogData(directory: URL = DATA_DIR): CatalogData {
  const manifest = loadCatalogManifest(directory);
  const files = manifest.providers.map((provider) =>
    validateProviderFile(readJson(new URL(`${provider}.json`, directory)), `data/pricing/${provider}.json`),
  );
  return { manifest, files };
}
