// Cost and tokens as OpenTelemetry metrics, through the application's own `@opentelemetry/api` (an
// optional peer dependency): read with `require` inside a try, so the package loads and works without
// it, and the application's registered MeterProvider (a global of that API) receives the counters.
import { createRequire } from "node:module";
import type { NewLlmCostRecord } from "../../store/index.js";

/** The parts of an OpenTelemetry counter used here (`@opentelemetry/api`'s `Counter`). */
export interface CounterLike {
  add(value: number, attributes?: Record<string, string>): void;
}

/** The parts of an OpenTelemetry MeterProvider used here (`@opentelemetry/api`'s `MeterProvider`). */
export interface MeterProviderLike {
  getMeter(
    name: string,
    version?: string,
  ): { createCounter(name: string, options?: { description?: string; unit?: string }): CounterLike };
}

/** Options of `createCostMetrics`. */
export interface CostMetricsOptions {
  /** Where the counters go (default: the global MeterProvider of `@opentelemetry/api`, when installed). */
  meterProvider?: MeterProviderLike | undefined;
  /**
   * Attributes beyond provider, model, repo and task type. Each adds a dimension to every series, so
   * they are off unless asked: user ids especially can make series without bound.
   */
  include?: { userId?: boolean; environment?: boolean; sdk?: boolean } | undefined;
  /** Distinct values kept per attribute (default 100); later values are reported as `other`. */
  maxValuesPerAttribute?: number | undefined;
}

/** Records stored events on the `llm_ledger.cost` and `llm_ledger.tokens` counters. */
export interface CostMetrics {
  /** Adds these newly stored events (not duplicates) to the counters. */
  record(records: readonly NewLlmCostRecord[]): void;
}

const tokenBuckets = [
  ["input", (record: NewLlmCostRecord) => record.inputTokens],
  ["output", (record: NewLlmCostRecord) => record.outputTokens],
  ["cache_read", (record: NewLlmCostRecord) => record.cacheReadTokens ?? 0],
  [
    "cache_write",
    (record: NewLlmCostRecord) => (record.cacheWriteTokens ?? 0) + (record.cacheWrite1hTokens ?? 0),
  ],
  // Modalities apart from text (counted only when a call had any).
  ["audio_input", (record: NewLlmCostRecord) => record.audioInputTokens ?? 0],
  ["audio_output", (record: NewLlmCostRecord) => record.audioOutputTokens ?? 0],
  ["image_output", (record: NewLlmCostRecord) => record.imageOutputTokens ?? 0],
  // Cached audio apart from cached text (`cache_read` counts cached text only).
  ["cache_read_audio", (record: NewLlmCostRecord) => record.cacheReadAudioTokens ?? 0],
] as const;

/** The global MeterProvider of the application's `@opentelemetry/api`, or undefined when it is not installed. */
function globalMeterProvider(): MeterProviderLike | undefined {
  try {
    const api = createRequire(import.meta.url)("@opentelemetry/api") as {
      metrics: { getMeterProvider(): MeterProviderLike };
    };
    return api.metrics.getMeterProvider();
  } catch {
    return undefined;
  }
}

/** Caps the distinct values of one attribute: past the cap, new values read `other`. */
function boundedValues(limit: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= limit) return "other";
    seen.add(value);
    return value;
  };
}

/**
 * Counters of spend and tokens for the events the ledger stores: `llm_ledger.cost` (unit USD) and
 * `llm_ledger.tokens` by `gen_ai.token.type` (input, output, cache_read, cache_write; audio_input,
 * audio_output, image_output for calls that had them), with the GenAI attributes
 * `gen_ai.provider.name` and `gen_ai.request.model` (the canonical model when priced) and
 * `llm_ledger.repo`, `llm_ledger.task_type`. Returns undefined when there is no MeterProvider (no
 * `@opentelemetry/api` installed and none given). The counters add in floating point, as every
 * OpenTelemetry sum does: the ledger's exact decimal figures stay the reference.
 *
 * @example
 * const tracker = createCostTracker({ sink: withCostMetrics(store, createCostMetrics()) });
 */
export function createCostMetrics(options: CostMetricsOptions = {}): CostMetrics | undefined {
  const provider = options.meterProvider ?? globalMeterProvider();
  if (provider === undefined) return undefined;
  const meter = provider.getMeter("llm-ledger");
  const cost = meter.createCounter("llm_ledger.cost", {
    description: "Estimated cost of the LLM calls recorded in the ledger",
    unit: "USD",
  });
  const tokens = meter.createCounter("llm_ledger.tokens", {
    description: "Tokens of the LLM calls recorded in the ledger, by bucket",
    unit: "{token}",
  });
  const limit = options.maxValuesPerAttribute ?? 100;
  const bound = {
    provider: boundedValues(limit),
    model: boundedValues(limit),
    repo: boundedValues(limit),
    taskType: boundedValues(limit),
    userId: boundedValues(limit),
    environment: boundedValues(limit),
  };
  const include = options.include ?? {};
  return {
    record(records) {
      for (const record of records) {
        const attributes: Record<string, string> = {
          "gen_ai.provider.name": bound.provider(record.provider),
          "gen_ai.request.model": bound.model(record.resolvedModel ?? record.model),
          "llm_ledger.repo": bound.repo(record.repo),
          "llm_ledger.task_type": bound.taskType(record.taskType),
        };
        if (include.userId && record.userId) attributes["llm_ledger.user_id"] = bound.userId(record.userId);
        if (include.environment && record.environment) {
          attributes["llm_ledger.environment"] = bound.environment(record.environment);
        }
        if (include.sdk) attributes["llm_ledger.sdk"] = record.sdk;
        cost.add(Number(record.estimatedCostUsd), attributes);
        for (const [bucket, count] of tokenBuckets) {
          const value = count(record);
          if (value > 0) tokens.add(value, { ...attributes, "gen_ai.token.type": bucket });
        }
      }
    },
  };
}
