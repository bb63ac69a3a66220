// Test events for the query suites: a compact shape, written through the store's own writer, a seeded
// generator of realistic skewed data, and an independent JavaScript oracle for totals.
import { randomUUID } from "node:crypto";
import type { NewLlmCostRecord } from "../../../src/store/cost-record.js";
import type { Database } from "../../../src/store/database.js";
import { createCostWriter, recordCosts, type CostWriter } from "../../../src/store/record-costs.js";

export interface TestEvent {
  /** Default `default` (the store's). */
  project?: string | undefined;
  eventId: string;
  createdAt: Date;
  repo: string;
  taskType: string;
  model: string;
  resolvedModel: string | null;
  provider: string;
  sdk: string;
  environment: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  /** Decimal string with at most 12 fractional digits. */
  estimatedCostUsd: string;
  providerCostUsd: string | null;
  costSource: "catalog" | "provider" | "none";
  priced: boolean;
  usedFallback: boolean;
  error: string | null;
  deliveryId: string | null;
  userId: string | null;
  sessionId: string | null;
  metadata: Record<string, unknown> | null;
  /** Absent: not said (NULL). */
  serviceTier?: string | null | undefined;
  webSearchRequests?: number | undefined;
}

/** A valid event with the given overrides. */
export function testEvent(overrides: Partial<TestEvent> = {}): TestEvent {
  return {
    eventId: randomUUID(),
    createdAt: new Date("2024-03-04T10:15:00Z"),
    repo: "api",
    taskType: "review",
    model: "claude-sonnet-4-5-20250929",
    resolvedModel: "claude-sonnet-4-5",
    provider: "anthropic",
    sdk: "ai",
    environment: "production",
    inputTokens: 1000,
    outputTokens: 200,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    estimatedCostUsd: "0.006",
    providerCostUsd: null,
    costSource: "catalog",
    priced: true,
    usedFallback: false,
    error: null,
    deliveryId: null,
    userId: null,
    sessionId: null,
    metadata: null,
    ...overrides,
  };
}

/** The store's record of a test event. */
export function toRecord(event: TestEvent): NewLlmCostRecord {
  return {
    ...event,
    sdk: event.sdk as NewLlmCostRecord["sdk"],
  };
}

/**
 * Inserts events through the store's writer (so the rollups take them in the same transaction),
 * skipping stored event ids; returns how many were inserted. A writer closes the days that ended on
 * its first write: pass one that already wrote to keep days as a test left them.
 */
export async function insertEvents(
  database: Database,
  schema: string,
  events: readonly TestEvent[],
  writer: CostWriter = createCostWriter(database, schema),
): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < events.length; start += 500) {
    const result = await recordCosts(writer, events.slice(start, start + 500).map(toRecord));
    if (result.rejected) throw new Error(`test events refused: ${JSON.stringify(result.rejected)}`);
    inserted += result.inserted;
  }
  return inserted;
}

/** A small seeded generator (mulberry32): the same seed gives the same data on every engine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from `items`, the first ones far more often (skewed like real spend). */
export function pickSkewed<T>(random: () => number, items: readonly T[]): T {
  return items[Math.min(items.length - 1, Math.floor(items.length * random() ** 2.5))]!;
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const models: Array<[model: string, resolved: string | null, provider: string]> = [
  ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "anthropic"],
  ["claude-sonnet-4-5", "claude-sonnet-4-5", "anthropic"],
  ["gpt-4o-2024-08-06", "gpt-4o", "openai"],
  ["gpt-4o-mini", "gpt-4o-mini", "openai"],
  ["claude-haiku-4-5", "claude-haiku-4-5", "anthropic"],
  ["gemini-2.5-flash", "gemini-2.5-flash", "google"],
  ["mystery-model-1", null, "unknown"],
];

function randomDecimal(random: () => number, maxWhole: number): string {
  const whole = Math.floor(random() * maxWhole);
  const fraction =
    String(Math.floor(random() * 1e6)).padStart(6, "0") + String(Math.floor(random() * 1e6)).padStart(6, "0");
  return `${whole}.${fraction}`;
}

/**
 * Realistic random events over `hours` hours from `start`: few repos and models carry most of them,
 * some with errors, fallbacks, no price, provider costs, metadata, missing environments, a service
 * tier; some exactly on an hour boundary.
 */
export function randomEvents(
  random: () => number,
  count: number,
  options: { start: Date; hours: number },
): TestEvent[] {
  const span = options.hours * 3_600_000;
  return Array.from({ length: count }, () => {
    const [model, resolvedModel, provider] = pickSkewed(random, models);
    const priced = resolvedModel !== null;
    const offset =
      random() < 0.05 ? Math.floor(random() * options.hours) * 3_600_000 : Math.floor(random() * span);
    const outputTokens = Math.floor(random() * 5000);
    const metadataRoll = random();
    return testEvent({
      createdAt: new Date(options.start.getTime() + offset),
      repo: pickSkewed(random, ["api", "web", "worker", "etl", "docs-bot"]),
      taskType: pickSkewed(random, ["review", "summarize", "triage", "chat"]),
      model,
      resolvedModel,
      provider,
      sdk: pick(random, ["ai", "agent", "raw", "http"]),
      environment: pick(random, ["production", "production", "staging", null]),
      inputTokens: Math.floor(random() * 200_000),
      outputTokens,
      cacheReadTokens: random() < 0.3 ? Math.floor(random() * 100_000) : 0,
      cacheWriteTokens: random() < 0.1 ? Math.floor(random() * 10_000) : 0,
      cacheWrite1hTokens: random() < 0.05 ? Math.floor(random() * 10_000) : 0,
      reasoningTokens: random() < 0.2 ? Math.floor(random() * outputTokens) : 0,
      estimatedCostUsd: priced ? randomDecimal(random, random() < 0.02 ? 5000 : 3) : "0",
      providerCostUsd: random() < 0.2 ? randomDecimal(random, 3) : null,
      costSource: priced ? "catalog" : "none",
      priced,
      usedFallback: random() < 0.1,
      error: random() < 0.05 ? "rate limited" : null,
      deliveryId: random() < 0.5 ? `delivery-${Math.floor(random() * 20)}` : null,
      userId: random() < 0.5 ? pick(random, ["u1", "u2", "u3"]) : null,
      sessionId: random() < 0.3 ? pick(random, ["s1", "s2"]) : null,
      metadata:
        metadataRoll < 0.4
          ? { team: pick(random, ["payments", "search", "infra"]) }
          : metadataRoll < 0.5
            ? { team: 42, flag: true }
            : null,
      // Drawn last, so the fields above are what they were before tiers joined the rollups.
      serviceTier: random() < 0.6 ? null : pickSkewed(random, ["batch", "priority", "flex"]),
    });
  });
}

/** Exact sum of decimal strings (at most 12 fractional digits), as a canonical decimal string. */
export function sumDecimals(values: readonly (string | null)[]): string {
  let total = 0n;
  for (const value of values) {
    if (value === null) continue;
    const [whole = "0", fraction = ""] = value.split(".");
    total += BigInt(whole) * 10n ** 12n + BigInt(fraction.padEnd(12, "0"));
  }
  const whole = total / 10n ** 12n;
  const fraction = (total % 10n ** 12n).toString().padStart(12, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}
