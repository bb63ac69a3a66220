// `npm run bench -- pricing [--estimates N] [--rounds N]`: llm-ledger pricing against
// @pydantic/genai-prices' calcPrice on the same cases in the same run.
import os from "node:os";
import { calcPrice } from "@pydantic/genai-prices";
import { createPricing, type Usage } from "../src/pricing/index.js";
import { loadCatalogData } from "../src/pricing/load-catalog.js";
import { median, quantile, writeResults } from "./support.js";

// [model id, our provider, genai-prices provider id]
const MODELS: readonly [string, string, string][] = [
  ["claude-sonnet-4-5", "anthropic", "anthropic"],
  ["claude-haiku-4-5", "anthropic", "anthropic"],
  ["claude-opus-4-1", "anthropic", "anthropic"],
  ["gpt-4o", "openai", "openai"],
  ["gpt-4o-mini", "openai", "openai"],
  ["gpt-5", "openai", "openai"],
  ["o3", "openai", "openai"],
  ["gemini-2.5-pro", "google", "google"],
  ["gemini-2.5-flash", "google", "google"],
  ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws-bedrock", "aws"],
  ["deepseek-chat", "deepseek", "deepseek"],
  ["anthropic/claude-sonnet-4.5", "openrouter", "openrouter"],
];

function flag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  const value = index >= 0 ? Number(args[index + 1]) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

interface BenchCase {
  model: string;
  provider: string;
  genaiProvider: string;
  usage: Usage;
  genaiUsage: Record<string, number>;
}

function makeCases(count: number): BenchCase[] {
  const next = seeded(7);
  const tokens = (max: number) => Math.floor(next() * max);
  return Array.from({ length: count }, (_, index) => {
    const [model, provider, genaiProvider] = MODELS[index % MODELS.length]!;
    const usage = {
      inputTokens: tokens(300_000),
      outputTokens: tokens(8000),
      cacheReadTokens: tokens(100_000),
      cacheWriteTokens: tokens(20_000),
    };
    // genai-prices counts input_tokens as all input, cache included.
    const genaiUsage = {
      input_tokens: usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens,
      output_tokens: usage.outputTokens,
      cache_read_tokens: usage.cacheReadTokens,
      cache_write_tokens: usage.cacheWriteTokens,
    };
    return { model, provider, genaiProvider, usage, genaiUsage };
  });
}

// Distinct spellings as applications send them, built from catalog ids and aliases.
function makeSpellings(count: number): string[] {
  const pricing = createPricing();
  const next = seeded(11);
  const bases = pricing
    .listModels()
    .filter(({ provider }) =>
      ["anthropic", "openai", "google", "mistral", "xai", "deepseek", "cohere"].includes(provider),
    )
    .flatMap(({ provider, entry }) =>
      [entry.id, ...(entry.aliases ?? [])].map((id) => [provider, id] as const),
    );
  const decorate = [
    (provider: string, id: string) => `${provider}/${id}`,
    (_: string, id: string) => id.toUpperCase(),
    (_: string, id: string) => `${id}[1m]`,
    (_: string, id: string) =>
      `${id}-2025${String(1 + Math.floor(next() * 12)).padStart(2, "0")}${String(1 + Math.floor(next() * 28)).padStart(2, "0")}`,
    (_: string, id: string) => `${id}-00${1 + Math.floor(next() * 9)}`,
    (_: string, id: string) => `${id}@2025${String(1 + Math.floor(next() * 12)).padStart(2, "0")}01`,
    (_: string, id: string) => `unknown-${id}-${Math.floor(next() * 1e6)}`,
  ];
  const spellings = new Set<string>();
  while (spellings.size < count) {
    const [provider, id] = bases[Math.floor(next() * bases.length)]!;
    const pick = decorate[Math.floor(next() * decorate.length)]!;
    spellings.add(pick(provider, id));
  }
  return [...spellings];
}

function time(action: () => void): number {
  const started = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Runs the pricing benchmark and writes bench/results/pricing.json. */
export async function run(args: string[]): Promise<void> {
  const estimates = flag(args, "--estimates", 200_000);
  const rounds = flag(args, "--rounds", 7);

  const loadTimes: number[] = [];
  const compileTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loadTimes.push(time(() => loadCatalogData()));
    compileTimes.push(time(() => createPricing()));
  }

  const cases = makeCases(estimates);
  const pricing = createPricing();
  let sink = 0;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(
      time(() => {
        for (const { model, provider, usage } of cases) {
          const estimate = pricing.estimateCost({ model, provider, usage });
          sink += estimate.costUsd.length;
        }
      }),
    );
    theirs.push(
      time(() => {
        for (const { model, genaiProvider, genaiUsage } of cases) {
          const result = calcPrice(genaiUsage, model, { providerId: genaiProvider });
          sink += result ? 1 : 0;
        }
      }),
    );
  }

  // Agreement on the same cases, compared in whole micro-dollars (genai-prices uses binary floats).
  let agree = 0;
  for (const { model, provider, genaiProvider, usage, genaiUsage } of cases.slice(0, 10_000)) {
    const estimate = pricing.estimateCost({ model, provider, usage });
    const result = calcPrice(genaiUsage, model, { providerId: genaiProvider });
    if (estimate.priced && result && Math.abs(Number(estimate.costUsd) - result.total_price) < 1e-6) agree++;
  }

  const spellings = makeSpellings(10_000);
  const resolveTimes: number[] = [];
  const genaiResolveTimes: number[] = [];
  let resolved = 0;
  let genaiResolved = 0;
  for (let round = 0; round < rounds; round++) {
    const fresh = createPricing(); // a cold resolution cache each round
    resolved = 0;
    resolveTimes.push(
      time(() => {
        for (const spelling of spellings) if (fresh.resolveModel(spelling)) resolved++;
      }),
    );
    genaiResolved = 0;
    genaiResolveTimes.push(
      time(() => {
        for (const spelling of spellings)
          if (calcPrice({ input_tokens: 1, output_tokens: 1 }, spelling)) genaiResolved++;
      }),
    );
  }

  const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);
  const results = {
    // Other work on the machine slows every figure; the load average says how much there was.
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
    catalogLoadMs: { median: median(loadTimes), p90: quantile(loadTimes, 0.9) },
    catalogCompileMs: { median: median(compileTimes), p90: quantile(compileTimes, 0.9) },
    estimates: {
      cases: estimates,
      ours: { perSecond: perSecond(estimates, median(ours)), medianMs: median(ours) },
      genaiPrices: { perSecond: perSecond(estimates, median(theirs)), medianMs: median(theirs) },
      ratio: Number((median(theirs) / median(ours)).toFixed(2)),
      agreementWithin1e6Usd: `${agree} / 10000`,
    },
    resolution: {
      spellings: spellings.length,
      ours: { perSecond: perSecond(spellings.length, median(resolveTimes)), resolved },
      genaiPricesCalcPrice: {
        perSecond: perSecond(spellings.length, median(genaiResolveTimes)),
        resolved: genaiResolved,
      },
      ratio: Number((median(genaiResolveTimes) / median(resolveTimes)).toFixed(2)),
    },
    sink,
  };
  console.log(`load average ${results.loadAverage.join(" ")} on ${os.cpus().length} CPUs`);
  console.log(
    `catalog load ${results.catalogLoadMs.median.toFixed(1)} ms + compile ${results.catalogCompileMs.median.toFixed(1)} ms (median of ${rounds})`,
  );
  console.log(
    `estimates/s: llm-ledger ${results.estimates.ours.perSecond.toLocaleString("en")}, genai-prices ${results.estimates.genaiPrices.perSecond.toLocaleString("en")} (×${results.estimates.ratio}); agreement ${results.estimates.agreementWithin1e6Usd}`,
  );
  console.log(
    `resolution of ${spellings.length} distinct spellings, cold cache: llm-ledger ${results.resolution.ours.perSecond.toLocaleString("en")}/s (${resolved} resolved), genai-prices calcPrice ${results.resolution.genaiPricesCalcPrice.perSecond.toLocaleString("en")}/s (${genaiResolved} priced) (×${results.resolution.ratio})`,
  );
  await writeResults("pricing", results);
}
