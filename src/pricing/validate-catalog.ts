import { LedgerError } from "../errors.js";
import { isPriceString } from "./decimal.js";
import { isProvider } from "./providers.js";
import { PRICE_BUCKETS, type CatalogManifest, type OverridesFile, type ProviderFile } from "./types.js";
import { fileChargeProblems, periodChargeProblems } from "./validate-charges.js";
import { discountProblems } from "./validate-discounts.js";
import { derivedProblems, provenanceProblems } from "./validate-provenance.js";
import { timeOfDayProblems } from "./validate-time-of-day.js";
import { checkString, checkUnknownKeys, describe, isIsoDate, isRecord } from "./json-checks.js";

// Untrusted catalog and overrides JSON arrives as `unknown` and leaves typed, or with every problem
// listed as `<file>: <JSON path>: <what is wrong>`.

const MODEL_KEYS = new Set([
  "id",
  "name",
  "aliases",
  "patterns",
  "prices",
  "unpriced",
  "source",
  "checked",
  "notes",
  "retired",
]);
const PERIOD_KEYS = new Set<string>([
  ...PRICE_BUCKETS,
  ...["from", "tiers", "derived", "service_tiers", "fees", "time_of_day"],
]);
const SERVICE_TIER_KEYS = new Set<string>([...PRICE_BUCKETS, "tiers"]);
const TIER_KEYS = new Set<string>([...PRICE_BUCKETS, "above"]);
const MAX_REPORTED = 20;

type Problems = string[];

function checkBuckets(record: Record<string, unknown>, path: string, problems: Problems): void {
  for (const bucket of PRICE_BUCKETS) {
    const value = record[bucket];
    if (value === undefined) {
      if (bucket === "input") problems.push(`${path}.input: missing (every price needs an input price)`);
      continue;
    }
    if (!isPriceString(value)) {
      problems.push(
        `${path}.${bucket}: expected a decimal string in dollars per million tokens with at most 6 decimal places, got ${describe(value)}`,
      );
    }
  }
}

function checkTiers(tiers: unknown, period: Record<string, unknown>, path: string, problems: Problems): void {
  if (!Array.isArray(tiers)) {
    problems.push(`${path}: expected an array of tiers, got ${describe(tiers)}`);
    return;
  }
  let previous = 0;
  tiers.forEach((tier: unknown, index) => {
    const tierPath = `${path}[${index}]`;
    if (!isRecord(tier)) {
      problems.push(`${tierPath}: expected an object, got ${describe(tier)}`);
      return;
    }
    checkUnknownKeys(tier, TIER_KEYS, tierPath, problems);
    const above = tier.above;
    if (typeof above !== "number" || !Number.isSafeInteger(above) || above <= previous) {
      problems.push(
        `${tierPath}.above: expected an integer token count above ${previous}, got ${describe(above)}`,
      );
    } else {
      previous = above;
    }
    checkBuckets(tier, tierPath, problems);
    for (const bucket of PRICE_BUCKETS) {
      if ((period[bucket] === undefined) !== (tier[bucket] === undefined)) {
        problems.push(`${tierPath}.${bucket}: a tier must price exactly the buckets its period prices`);
      }
    }
  });
}

function checkPrices(
  prices: unknown,
  entry: Record<string, unknown>,
  path: string,
  problems: Problems,
): void {
  if (!Array.isArray(prices)) {
    problems.push(`${path}: expected an array of price periods, got ${describe(prices)}`);
    return;
  }
  if (prices.length === 0 && typeof entry.unpriced !== "string") {
    problems.push(`${path}: empty; give at least one price period, or say why in "unpriced"`);
  }
  if (prices.length > 0 && entry.unpriced !== undefined) {
    problems.push(`${path}: a model with prices cannot also be "unpriced"`);
  }
  let previous = "";
  prices.forEach((period: unknown, index) => {
    const periodPath = `${path}[${index}]`;
    if (!isRecord(period)) {
      problems.push(`${periodPath}: expected an object, got ${describe(period)}`);
      return;
    }
    checkUnknownKeys(period, PERIOD_KEYS, periodPath, problems);
    checkBuckets(period, periodPath, problems);
    if (period.from === undefined) {
      if (index > 0)
        problems.push(`${periodPath}.from: missing (only the first period may omit its start date)`);
    } else if (!isIsoDate(period.from)) {
      problems.push(`${periodPath}.from: expected a date YYYY-MM-DD, got ${describe(period.from)}`);
    } else if (period.from <= previous) {
      problems.push(`${periodPath}.from: ${period.from} is not after the previous period's ${previous}`);
    } else {
      previous = period.from;
    }
    if (period.tiers !== undefined) checkTiers(period.tiers, period, `${periodPath}.tiers`, problems);
    problems.push(...derivedProblems(period, periodPath));
    // A service tier's own prices are checked like a period's: buckets, then its context tiers.
    const checkPriceSet = (prices: Record<string, unknown>, path: string) => {
      checkUnknownKeys(prices, SERVICE_TIER_KEYS, path, problems);
      checkBuckets(prices, path, problems);
      if (prices.tiers !== undefined) checkTiers(prices.tiers, prices, `${path}.tiers`, problems);
    };
    problems.push(...periodChargeProblems(period, periodPath, checkPriceSet));
    problems.push(
      ...timeOfDayProblems(period, periodPath, (window, path) => checkBuckets(window, path, problems)),
    );
  });
}

function checkSpellings(value: unknown, path: string, problems: Problems, regex: boolean): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push(`${path}: expected an array of strings, got ${describe(value)}`);
    return;
  }
  value.forEach((spelling: unknown, index) => {
    if (typeof spelling !== "string" || spelling === "") {
      problems.push(`${path}[${index}]: expected a non-empty string, got ${describe(spelling)}`);
    } else if (regex) {
      try {
        new RegExp(spelling, "i");
      } catch (error) {
        problems.push(`${path}[${index}]: invalid regular expression (${(error as Error).message})`);
      }
    }
  });
}

function checkModel(model: unknown, path: string, problems: Problems, needsProvider: boolean): void {
  if (!isRecord(model)) {
    problems.push(`${path}: expected an object, got ${describe(model)}`);
    return;
  }
  checkUnknownKeys(model, needsProvider ? new Set([...MODEL_KEYS, "provider"]) : MODEL_KEYS, path, problems);
  checkString(model.id, `${path}.id`, problems, true);
  if (needsProvider && !isProvider(model.provider)) {
    problems.push(`${path}.provider: expected a provider slug, got ${describe(model.provider)}`);
  }
  checkString(model.name, `${path}.name`, problems, false);
  checkString(model.source, `${path}.source`, problems, false);
  checkString(model.notes, `${path}.notes`, problems, false);
  checkString(model.unpriced, `${path}.unpriced`, problems, false);
  if (model.checked !== undefined && !isIsoDate(model.checked)) {
    problems.push(`${path}.checked: expected a date YYYY-MM-DD, got ${describe(model.checked)}`);
  }
  if (model.retired !== undefined && !isIsoDate(model.retired)) {
    problems.push(`${path}.retired: expected a date YYYY-MM-DD, got ${describe(model.retired)}`);
  }
  checkSpellings(model.aliases, `${path}.aliases`, problems, false);
  checkSpellings(model.patterns, `${path}.patterns`, problems, true);
  checkPrices(model.prices, model, `${path}.prices`, problems);
}

// No two entries of one provider may claim the same spelling (id or alias), case-insensitively.
function checkUniqueSpellings(models: readonly unknown[], path: string, problems: Problems): void {
  const seen = new Map<string, string>();
  const providerOf = (model: Record<string, unknown>) =>
    typeof model.provider === "string" ? model.provider : "";
  models.forEach((model, index) => {
    if (!isRecord(model) || typeof model.id !== "string") return;
    const id = model.id;
    const aliases: unknown[] = Array.isArray(model.aliases) ? (model.aliases as unknown[]) : [];
    const spellings: unknown[] = [model.id, ...aliases];
    const ownSpellings = new Set<string>();
    spellings.forEach((spelling: unknown, aliasIndex) => {
      if (typeof spelling !== "string") return;
      const key = `${providerOf(model)}\u0000${spelling.toLowerCase()}`;
      const where =
        aliasIndex === 0 ? `${path}[${index}].id` : `${path}[${index}].aliases[${aliasIndex - 1}]`;
      const owner = seen.get(key);
      if (ownSpellings.has(key)) {
        problems.push(`${where}: "${spelling}" is listed twice for this model`);
      } else if (owner !== undefined) {
        problems.push(`${where}: "${spelling}" is already claimed by ${owner}`);
      } else {
        seen.set(key, `${path}[${index}] (${id})`);
      }
      ownSpellings.add(key);
    });
  });
}

function fail(
  file: string,
  problems: Problems,
  code: "E_PRICING_DATA" | "E_PRICING_OVERRIDES" = "E_PRICING_DATA",
): never {
  const shown = problems.slice(0, MAX_REPORTED).map((problem) => `${file}: ${problem}`);
  if (problems.length > MAX_REPORTED) shown.push(`${file}: … and ${problems.length - MAX_REPORTED} more`);
  throw new LedgerError(code, shown.join("\n"));
}

/** Validates one provider data file; `file` names it in error messages. Throws `LedgerError` `E_PRICING_DATA`. */
export function validateProviderFile(value: unknown, file: string): ProviderFile {
  const problems: Problems = [];
  if (!isRecord(value)) fail(file, [`$: expected an object, got ${describe(value)}`]);
  checkUnknownKeys(
    value,
    new Set(["provider", "name", "source", "checked", "imported", "notes", "fallback", "charges", "models"]),
    "$",
    problems,
  );
  if (
    value.fallback !== undefined &&
    (!Array.isArray(value.fallback) || !value.fallback.every((provider) => isProvider(provider)))
  ) {
    problems.push(`$.fallback: expected an array of provider slugs, got ${describe(value.fallback)}`);
  }
  if (!isProvider(value.provider) || value.provider === "unknown") {
    problems.push(`$.provider: expected a provider slug, got ${describe(value.provider)}`);
  }
  checkString(value.name, "$.name", problems, true);
  checkString(value.source, "$.source", problems, true);
  checkString(value.notes, "$.notes", problems, false);
  problems.push(...provenanceProblems(value));
  problems.push(...fileChargeProblems(value.charges));
  if (!Array.isArray(value.models)) {
    problems.push(`$.models: expected an array, got ${describe(value.models)}`);
  } else {
    value.models.forEach((model: unknown, index) => checkModel(model, `$.models[${index}]`, problems, false));
    checkUniqueSpellings(value.models, "$.models", problems);
  }
  if (problems.length > 0) fail(file, problems);
  return value as unknown as ProviderFile;
}

/**
 * Validates a user overrides file (or object); `file` names it in error messages. Throws
 * `E_PRICING_OVERRIDES`. A file of discounts alone may omit `models`.
 */
export function validateOverrides(value: unknown, file: string): OverridesFile {
  const problems: Problems = [];
  if (!isRecord(value))
    fail(file, [`$: expected an object with "models", got ${describe(value)}`], "E_PRICING_OVERRIDES");
  checkUnknownKeys(value, new Set(["models", "discounts", "$schema"]), "$", problems);
  if (value.models === undefined && value.discounts !== undefined) {
    // Discounts only: no model is added or replaced.
  } else if (!Array.isArray(value.models)) {
    problems.push(`$.models: expected an array, got ${describe(value.models)}`);
  } else {
    value.models.forEach((model: unknown, index) => checkModel(model, `$.models[${index}]`, problems, true));
    checkUniqueSpellings(value.models, "$.models", problems);
  }
  problems.push(...discountProblems(value.discounts));
  if (problems.length > 0) fail(file, problems, "E_PRICING_OVERRIDES");
  return { ...(value as unknown as OverridesFile), models: (value.models ?? []) as OverridesFile["models"] };
}

/** Validates `catalog.json`. */
export function validateManifest(value: unknown, file: string): CatalogManifest {
  const problems: Problems = [];
  if (!isRecord(value)) fail(file, [`$: expected an object, got ${describe(value)}`]);
  checkUnknownKeys(value, new Set(["date", "providers", "generatedFrom"]), "$", problems);
  if (!isIsoDate(value.date))
    problems.push(`$.date: expected a date YYYY-MM-DD, got ${describe(value.date)}`);
  if (!Array.isArray(value.providers) || !value.providers.every((provider) => isProvider(provider))) {
    problems.push(`$.providers: expected an array of provider slugs`);
  }
  if (problems.length > 0) fail(file, problems);
  return value as unknown as CatalogManifest;
}
