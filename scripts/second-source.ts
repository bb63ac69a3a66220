// A second public source of list prices, compared with the catalog the refresh builds: every price
// the two disagree on is reported with both values, and neither is preferred silently (the catalog
// keeps its own value; the refresh's exit status says there was a disagreement).
//
// The source is read from a JSON file in a neutral shape, written by whatever adapter turns another
// registry package's data into it:
//
//   { "source": "name version", "models": [{ "provider": "anthropic", "model": "claude-sonnet-4-5",
//     "input": "3", "output": "15", "cache_read": "0.3" }] }
//
// Prices are dollars per million tokens, as decimal strings or plain numbers with at most 6 decimal
// places (a number that needs more is refused rather than rounded).
import { readFile } from "node:fs/promises";
import { isPriceString, microsToPrice, priceToMicros } from "../src/pricing/decimal.js";
import {
  PRICE_BUCKETS,
  PROVIDERS,
  type BucketPrices,
  type ModelEntry,
  type PriceBucket,
  type Provider,
  type ProviderFile,
} from "../src/pricing/types.js";

/** One model's prices as the second source lists them. */
export interface SecondSourcePrice {
  provider: Provider;
  model: string;
  prices: Partial<BucketPrices>;
}

/** A parsed second source: its name (package and version) and its prices. */
export interface SecondSource {
  source: string;
  models: SecondSourcePrice[];
}

/** One bucket of one model priced differently by the two sources. */
export interface Disagreement {
  provider: Provider;
  model: string;
  bucket: PriceBucket;
  ours: string | undefined;
  theirs: string;
}

/** What the comparison found: disagreements, and models only the second source prices. */
export interface SourceComparison {
  disagreements: Disagreement[];
  onlyTheirs: string[];
}

function toPrice(value: unknown, where: string): string {
  if (isPriceString(value)) return microsToPrice(priceToMicros(value));
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) {
    const fixed = value.toFixed(6);
    if (Number(fixed) === value && isPriceString(fixed)) return microsToPrice(priceToMicros(fixed));
  }
  throw new Error(
    `${where}: expected a price (a decimal with at most 6 places), got ${JSON.stringify(value)}`,
  );
}

function parseModel(value: unknown, where: string): SecondSourcePrice {
  if (typeof value !== "object" || value === null) throw new Error(`${where}: expected an object`);
  const record = value as Record<string, unknown>;
  const provider = record.provider;
  if (typeof provider !== "string" || !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`${where}.provider: expected one of our provider slugs, got ${JSON.stringify(provider)}`);
  }
  if (typeof record.model !== "string" || record.model === "") {
    throw new Error(`${where}.model: expected a model id, got ${JSON.stringify(record.model)}`);
  }
  const prices: Partial<BucketPrices> = {};
  for (const bucket of PRICE_BUCKETS) {
    if (record[bucket] !== undefined) prices[bucket] = toPrice(record[bucket], `${where}.${bucket}`);
  }
  if (Object.keys(prices).length === 0) throw new Error(`${where}: no price in any bucket`);
  return { provider: provider as Provider, model: record.model, prices };
}

/** Parses a second-source document; bad input is refused with the path of the first problem. */
export function parseSecondSource(value: unknown, file: string): SecondSource {
  if (typeof value !== "object" || value === null) throw new Error(`${file}: expected an object`);
  const record = value as Record<string, unknown>;
  if (typeof record.source !== "string" || record.source === "") {
    throw new Error(`${file}.source: expected the source's name and version`);
  }
  if (!Array.isArray(record.models)) throw new Error(`${file}.models: expected an array`);
  const models = record.models.map((model, index) => parseModel(model, `${file}.models[${index}]`));
  return { source: record.source, models };
}

/** Reads and parses a second-source file. */
export async function readSecondSource(path: string): Promise<SecondSource> {
  return parseSecondSource(JSON.parse(await readFile(path, "utf8")) as unknown, path);
}

function findEntry(file: ProviderFile | undefined, model: string): ModelEntry | undefined {
  const wanted = model.toLowerCase();
  return file?.models.find(
    (entry) =>
      entry.id.toLowerCase() === wanted ||
      (entry.aliases ?? []).some((alias) => alias.toLowerCase() === wanted),
  );
}

/** The period in force on `date` (YYYY-MM-DD): the last one that started on or before it. */
function periodOn(entry: ModelEntry, date: string): BucketPrices | undefined {
  return entry.prices.filter((period) => (period.from ?? "") <= date).at(-1);
}

/**
 * Compares the catalog's base prices in force on `date` with the second source's. A bucket the
 * second source prices and the catalog does not counts as a disagreement (ours undefined); a bucket
 * only the catalog prices does not, since sources often omit cache prices.
 */
export function compareWithSecondSource(
  files: ReadonlyMap<Provider, ProviderFile>,
  second: SecondSource,
  date: string,
): SourceComparison {
  const comparison: SourceComparison = { disagreements: [], onlyTheirs: [] };
  for (const { provider, model, prices } of second.models) {
    const entry = findEntry(files.get(provider), model);
    const ours = entry && periodOn(entry, date);
    if (!ours) {
      comparison.onlyTheirs.push(`${provider}/${model}`);
      continue;
    }
    for (const bucket of PRICE_BUCKETS) {
      const theirs = prices[bucket];
      if (theirs === undefined) continue;
      const mine = ours[bucket];
      if (mine !== undefined && priceToMicros(mine) === priceToMicros(theirs)) continue;
      comparison.disagreements.push({ provider, model, bucket, ours: mine, theirs });
    }
  }
  return comparison;
}

/** One line per disagreement, naming both sources and both values. */
export function describeDisagreement(
  disagreement: Disagreement,
  ourSource: string,
  theirSource: string,
): string {
  const { provider, model, bucket, ours, theirs } = disagreement;
  return `${provider}/${model} ${bucket}: ${ours ?? "(none)"} in ${ourSource}, ${theirs} in ${theirSource}`;
}
