// Our corrections and additions to imported price data, and the price diff the refresh prints.
import { microsToPrice, priceToMicros } from "../src/pricing/decimal.js";
import {
  PRICE_BUCKETS,
  type BucketPrices,
  type ModelEntry,
  type PricePeriod,
  type Provider,
  type ProviderFile,
} from "../src/pricing/types.js";
import { applyCharges, type ChargeCorrection } from "./pricing-charges.js";

/** The shape of data/pricing/corrections.json. */
export interface Corrections {
  rules: CorrectionRule[];
  corrections: {
    provider: Provider;
    model: string;
    reason: string;
    source: string;
    checked: string;
    prices: PricePeriod[];
    /** The day the provider stopped serving the id (docs/pricing.md, "End dates"). */
    retired?: string;
  }[];
  aliases: { provider: Provider; model: string; add: string[] }[];
  patterns?: PatternCorrection[];
  providers: { provider: Provider; name: string; source: string; checked: string; notes?: string }[];
  additions: (ModelEntry & { provider: Provider })[];
  /** Service tiers and per-unit fees (scripts/pricing-charges.ts). */
  charges?: ChargeCorrection[];
}

/**
 * Patterns taken off an imported entry because they name another model (Vertex's `claude-4-opus`
 * claims `claude-opus-4-1`), or added where a pattern must name what the entry covers (the sizes of
 * Gemma 3 that Google's free `gemma-3` row prices).
 */
interface PatternCorrection {
  provider: Provider;
  model: string;
  add?: string[];
  remove?: string[];
  reason: string;
  source: string;
}

interface CorrectionRule {
  name: string;
  providers: Provider[];
  modelsMatching?: string;
  cache_write?: string;
  cache_write_1h?: string;
  regionalPrefix?: string;
  globalPrefix?: string;
  multiplier?: string;
  /**
   * The rule in words, for rules that stand in for a price the host does not publish: every bucket
   * it fills is marked in the period's `derived`, and estimates that bill it say so in `rules`.
   */
  record?: string;
  source: string;
}

/** Exact `price × multiplier`, or undefined when the product needs more than 6 decimal places. */
function multiply(price: string, multiplier: string): string | undefined {
  const product = BigInt(priceToMicros(price)) * BigInt(priceToMicros(multiplier));
  if (product % 1_000_000n !== 0n) return undefined;
  return microsToPrice(Number(product / 1_000_000n));
}

function cacheMultipliers(
  file: ProviderFile,
  rule: CorrectionRule,
  out: { applied: string[]; disagreements: string[] },
) {
  const matcher = new RegExp(rule.modelsMatching ?? "", "i");
  for (const model of file.models) {
    if (!matcher.test(model.id)) continue;
    for (const period of model.prices) {
      for (const prices of [period, ...(period.tiers ?? [])] as BucketPrices[]) {
        const caches = prices.cache_read !== undefined || prices.cache_write !== undefined;
        if (!caches) continue;
        for (const bucket of ["cache_write", "cache_write_1h"] as const) {
          const multiplier = rule[bucket];
          if (!multiplier) continue;
          const expected = multiply(prices.input, multiplier);
          if (expected === undefined) continue;
          const where = `${file.provider}/${model.id}${period.from ? ` from ${period.from}` : ""}${"above" in prices ? ` above ${String(prices.above)}` : ""}`;
          if (prices[bucket] === undefined) {
            prices[bucket] = expected;
            if (rule.record) period.derived = { ...period.derived, [bucket]: rule.record };
            out.applied.push(`${where}: ${bucket} set to ${expected} (${rule.name})`);
          } else if (prices[bucket] !== expected) {
            out.disagreements.push(
              `${where}: ${bucket} is ${prices[bucket]}, the ${multiplier}x rule gives ${expected} (${rule.name})`,
            );
          }
        }
      }
    }
  }
}

function regionalPremium(file: ProviderFile, rule: CorrectionRule, out: { applied: string[] }) {
  const byId = new Map(file.models.map((model) => [model.id, model]));
  const matcher = new RegExp(rule.modelsMatching ?? "", "i");
  for (const model of file.models) {
    if (!model.id.startsWith(rule.regionalPrefix ?? "") || !matcher.test(model.id)) continue;
    const global = byId.get((rule.globalPrefix ?? "") + model.id.slice((rule.regionalPrefix ?? "").length));
    const globalPeriod = global?.prices.at(-1);
    const period = model.prices.at(-1);
    if (!globalPeriod || !period) continue;
    for (const bucket of PRICE_BUCKETS) {
      const base = globalPeriod[bucket];
      if (base === undefined) continue;
      const expected = multiply(base, rule.multiplier ?? "1");
      if (expected !== undefined && period[bucket] !== expected) {
        out.applied.push(
          `${file.provider}/${model.id}: ${bucket} ${period[bucket] ?? "(none)"} → ${expected} (${rule.name})`,
        );
        period[bucket] = expected;
      }
    }
    model.source = rule.source;
  }
}

function correctPatterns(model: ModelEntry, correction: PatternCorrection, out: { applied: string[] }) {
  const where = `${correction.provider}/${correction.model}`;
  const remove = correction.remove ?? [];
  const patterns = model.patterns ?? [];
  // A pattern the import no longer has means the correction is stale: say so rather than pass.
  const missing = remove.filter((pattern) => !patterns.includes(pattern));
  if (missing.length > 0) {
    throw new Error(
      `corrections.json: ${where} has no pattern ${missing.map((pattern) => JSON.stringify(pattern)).join(", ")}`,
    );
  }
  const kept = patterns.filter((pattern) => !remove.includes(pattern));
  const added = (correction.add ?? []).filter((pattern) => !kept.includes(pattern));
  const corrected = [...kept, ...added];
  if (corrected.length > 0) model.patterns = corrected;
  else delete model.patterns;
  if (remove.length > 0)
    out.applied.push(`${where}: pattern ${remove.join(", ")} removed (${correction.reason})`);
  if (added.length > 0)
    out.applied.push(`${where}: pattern ${added.join(", ")} added (${correction.reason})`);
}

/** Applies corrections.json to freshly imported files, in place; says what it changed and what it doubts. */
export function applyCorrections(
  files: Map<Provider, ProviderFile>,
  corrections: Corrections,
): { applied: string[]; disagreements: string[] } {
  const out = { applied: [] as string[], disagreements: [] as string[] };
  for (const provider of corrections.providers) {
    const { provider: slug, ...rest } = provider;
    files.set(slug, { provider: slug, ...rest, models: [] });
  }
  const find = (provider: Provider, id: string): ModelEntry => {
    const model = files.get(provider)?.models.find((entry) => entry.id === id);
    if (!model) throw new Error(`corrections.json: ${provider}/${id} is not in the imported data`);
    return model;
  };
  for (const correction of corrections.corrections) {
    const model = find(correction.provider, correction.model);
    model.prices = correction.prices;
    model.source = correction.source;
    model.checked = correction.checked;
    model.notes = correction.reason;
    if (correction.retired !== undefined) model.retired = correction.retired;
    out.applied.push(`${correction.provider}/${correction.model}: prices replaced (${correction.reason})`);
  }
  for (const alias of corrections.aliases) {
    const model = find(alias.provider, alias.model);
    const claimed = new Set(
      files.get(alias.provider)?.models.flatMap((entry) => [entry.id, ...(entry.aliases ?? [])]),
    );
    const added = alias.add.filter((spelling) => !claimed.has(spelling));
    if (added.length > 0) model.aliases = [...(model.aliases ?? []), ...added];
  }
  for (const correction of corrections.patterns ?? []) {
    correctPatterns(find(correction.provider, correction.model), correction, out);
  }
  for (const addition of corrections.additions) {
    const { provider, ...entry } = addition;
    const file = files.get(provider);
    if (!file) throw new Error(`corrections.json: no provider file for addition ${provider}/${entry.id}`);
    // An addition carries the date it was compared with its source, or none: never the run's date.
    file.models.push(entry);
    out.applied.push(`${provider}/${entry.id}: added`);
  }
  for (const rule of corrections.rules) {
    for (const provider of rule.providers) {
      const file = files.get(provider);
      if (!file) continue;
      if (rule.multiplier) regionalPremium(file, rule, out);
      else cacheMultipliers(file, rule, out);
    }
  }
  if (corrections.charges) applyCharges(files, corrections.charges, out);
  return out;
}

function describePeriod(period: PricePeriod | undefined): string {
  if (!period) return "(none)";
  const parts = PRICE_BUCKETS.filter((bucket) => period[bucket] !== undefined).map(
    (bucket) => `${bucket} ${period[bucket]}`,
  );
  for (const tier of period.tiers ?? []) parts.push(`>${tier.above}: ${tier.input}/${tier.output ?? "-"}`);
  return parts.join(", ");
}

/** One line per model whose latest price changed, appeared or disappeared between two versions of a file. */
export function diffCatalogs(
  provider: Provider,
  before: ProviderFile | undefined,
  after: ProviderFile,
): string[] {
  const lines: string[] = [];
  const old = new Map((before?.models ?? []).map((model) => [model.id, model]));
  for (const model of after.models) {
    const previous = old.get(model.id);
    old.delete(model.id);
    const now = describePeriod(model.prices.at(-1));
    if (!previous) {
      if (before) lines.push(`+ ${provider}/${model.id}: ${now}`);
      continue;
    }
    const then = describePeriod(previous.prices.at(-1));
    if (then !== now) lines.push(`~ ${provider}/${model.id}: ${then}  →  ${now}`);
  }
  for (const id of old.keys()) lines.push(`- ${provider}/${id}`);
  return lines;
}
