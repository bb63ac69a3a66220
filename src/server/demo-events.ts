import { randomUUID } from "node:crypto";
import type { Pricing } from "../pricing/index.js";
import type { NewLlmCostRecord } from "../store/index.js";

interface DemoModel {
  model: string;
  provider: string;
  weight: number;
  input: [number, number];
  output: [number, number];
  cacheShare: number;
}

// A realistic mix: a few models carry most spend; one fine-tune has no price (the dashboard warns).
const models: DemoModel[] = [
  {
    model: "claude-sonnet-4-5-20250929",
    provider: "anthropic",
    weight: 30,
    input: [2_000, 60_000],
    output: [200, 4_000],
    cacheShare: 0.6,
  },
  {
    model: "claude-haiku-4-5",
    provider: "anthropic",
    weight: 20,
    input: [500, 20_000],
    output: [50, 1_500],
    cacheShare: 0.4,
  },
  {
    model: "gpt-4o-mini-2024-07-18",
    provider: "openai",
    weight: 25,
    input: [300, 8_000],
    output: [50, 800],
    cacheShare: 0.2,
  },
  {
    model: "gpt-4.1",
    provider: "openai",
    weight: 8,
    input: [1_000, 30_000],
    output: [100, 3_000],
    cacheShare: 0.3,
  },
  {
    model: "gemini-2.5-flash",
    provider: "google",
    weight: 10,
    input: [1_000, 40_000],
    output: [100, 2_000],
    cacheShare: 0.1,
  },
  {
    model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    provider: "aws-bedrock",
    weight: 5,
    input: [2_000, 50_000],
    output: [200, 3_000],
    cacheShare: 0.5,
  },
  {
    model: "acme-support-ft-v2",
    provider: "openai",
    weight: 2,
    input: [300, 3_000],
    output: [50, 500],
    cacheShare: 0,
  },
];
const repos = [
  { repo: "acme/api", weight: 45 },
  { repo: "acme/web", weight: 25 },
  { repo: "acme/data-pipeline", weight: 20 },
  { repo: "acme/support-bot", weight: 10 },
];
const taskTypes = [
  { taskType: "code-review", weight: 35 },
  { taskType: "summarize", weight: 25 },
  { taskType: "classify", weight: 20 },
  { taskType: "chat", weight: 15 },
  { taskType: "codegen", weight: 5 },
];
const fallbackReasons = ["429", "timeout", "503"];

/** A small deterministic PRNG (mulberry32), so a demo looks the same on every start. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T extends { weight: number }>(items: readonly T[], next: () => number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let point = next() * total;
  for (const item of items) {
    point -= item.weight;
    if (point < 0) return item;
  }
  return items.at(-1)!;
}

const between = (range: [number, number], next: () => number) =>
  Math.round(range[0] + (range[1] - range[0]) * next() ** 2);

/**
 * `days` days of generated events up to `now`, priced with `pricing`: several repos, task types, models
 * and providers, about 4% fallbacks, 2% errors, weekday-heavy traffic and an unpriced fine-tune.
 */
export function generateDemoEvents(
  pricing: Pricing,
  options: { days?: number; now?: Date; seed?: number } = {},
): NewLlmCostRecord[] {
  const days = options.days ?? 30;
  const now = options.now ?? new Date();
  const next = random(options.seed ?? 42);
  const events: NewLlmCostRecord[] = [];
  for (let day = days - 1; day >= 0; day--) {
    const dayStart = new Date(now.getTime() - (day + 1) * 86_400_000);
    const weekday = dayStart.getUTCDay() % 6 !== 0;
    const count = Math.round((weekday ? 220 : 90) * (0.8 + next() * 0.4) * (1 + (days - day) / days / 2));
    for (let index = 0; index < count; index++) {
      const createdAt = new Date(dayStart.getTime() + next() * 86_400_000);
      const model = pick(models, next);
      const input = between(model.input, next);
      const cacheRead = Math.round(input * model.cacheShare * next());
      const usage = {
        inputTokens: input - cacheRead,
        outputTokens: between(model.output, next),
        cacheReadTokens: cacheRead,
        cacheWriteTokens: model.cacheShare > 0 && next() < 0.1 ? Math.round(input * 0.3) : 0,
      };
      const estimate = pricing.estimateCost({
        model: model.model,
        provider: model.provider,
        usage,
        at: createdAt,
      });
      const usedFallback = next() < 0.04;
      const failed = next() < 0.02;
      events.push({
        eventId: randomUUID(),
        createdAt,
        repo: pick(repos, next).repo,
        taskType: pick(taskTypes, next).taskType,
        model: model.model,
        resolvedModel: estimate.priced ? estimate.model : null,
        provider: estimate.provider,
        sdk: next() < 0.7 ? "ai" : "agent",
        ...usage,
        estimatedCostUsd: estimate.costUsd,
        costSource: estimate.priced ? "catalog" : "none",
        priced: estimate.priced,
        pricingVersion: estimate.priced ? estimate.pricingVersion : null,
        // Kept as the tracker keeps them, so the demo's calls can be explained too.
        priceRates: estimate.priced ? estimate.rates : null,
        durationMs: Math.round(400 + next() * 20_000),
        usedFallback,
        fallbackReason: usedFallback ? fallbackReasons[Math.floor(next() * fallbackReasons.length)]! : null,
        error: failed ? "api_error:529 overloaded" : null,
        environment: "production",
      });
    }
  }
  return events;
}
