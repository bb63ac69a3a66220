// Token usage of a call span in llm-ledger's convention (`inputTokens` uncached only), from whichever
// convention the instrumentation followed. Every convention read here counts cached input inside its
// input total, so the cache buckets are taken out of it; the mapping table is in docs/opentelemetry.md.
import type { EventUsage, TokenField } from "../../events/index.js";
import { firstCount } from "./span-attributes.js";
import type { OtlpSpan } from "./otlp-spans.js";

/** Which attributes a span's usage was read from. */
export type UsageConvention = "ai-sdk" | "gen-ai" | "openinference";

/** The usage of a call span, and the convention it came from; undefined when it carries none. */
export interface SpanUsage {
  usage: Required<Pick<EventUsage, TokenField>>;
  convention: UsageConvention;
}

interface Buckets {
  /** As reported: cached input included, unless `uncachedInput` is known. */
  input: number | undefined;
  uncachedInput: number | undefined;
  output: number | undefined;
  cacheRead: number | undefined;
  cacheWrite: number | undefined;
  reasoning: number | undefined;
}

/** The AI SDK's own attributes (ai 5 and 6; `promptTokens`/`completionTokens` in ai 4; `tokens` of embeddings). */
function aiSdkBuckets(span: OtlpSpan): Buckets {
  return {
    // Embedding steps (ai.embed.doEmbed, ai.embedMany.doEmbed) report one count, `ai.usage.tokens`.
    input: firstCount(span, ["ai.usage.inputTokens", "ai.usage.promptTokens", "ai.usage.tokens"]),
    uncachedInput: firstCount(span, ["ai.usage.inputTokenDetails.noCacheTokens"]),
    output: firstCount(span, ["ai.usage.outputTokens", "ai.usage.completionTokens"]),
    cacheRead: firstCount(span, ["ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"]),
    cacheWrite: firstCount(span, ["ai.usage.inputTokenDetails.cacheWriteTokens"]),
    reasoning: firstCount(span, ["ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens"]),
  };
}

/** The OpenTelemetry GenAI conventions, and the older `prompt_tokens` spellings (OpenLLMetry). */
function genAiBuckets(span: OtlpSpan): Buckets {
  return {
    input: firstCount(span, ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"]),
    uncachedInput: undefined,
    output: firstCount(span, ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"]),
    cacheRead: firstCount(span, [
      "gen_ai.usage.cache_read.input_tokens",
      "gen_ai.usage.cache_read_input_tokens",
    ]),
    cacheWrite: firstCount(span, [
      "gen_ai.usage.cache_creation.input_tokens",
      "gen_ai.usage.cache_creation_input_tokens",
    ]),
    reasoning: firstCount(span, ["gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens"]),
  };
}

/** OpenInference (Arize): `llm.token_count.*`. */
function openInferenceBuckets(span: OtlpSpan): Buckets {
  return {
    input: firstCount(span, ["llm.token_count.prompt"]),
    uncachedInput: undefined,
    output: firstCount(span, ["llm.token_count.completion"]),
    cacheRead: firstCount(span, ["llm.token_count.prompt_details.cache_read"]),
    cacheWrite: firstCount(span, ["llm.token_count.prompt_details.cache_write"]),
    reasoning: firstCount(span, ["llm.token_count.completion_details.reasoning"]),
  };
}

const readers: ReadonlyArray<[UsageConvention, (span: OtlpSpan) => Buckets]> = [
  ["ai-sdk", aiSdkBuckets],
  ["gen-ai", genAiBuckets],
  ["openinference", openInferenceBuckets],
];

/**
 * The usage a span reports, read from the first convention whose input or output count it carries
 * (the AI SDK's spans carry both its own and the GenAI attributes; its own split the cache).
 * `cacheWriteTtl` "1h" books the one cache-write count as 1-hour writes; otherwise they are 5-minute
 * writes (a span carries one cache-write count).
 */
export function usageOfSpan(span: OtlpSpan, cacheWriteTtl?: string): SpanUsage | undefined {
  for (const [convention, read] of readers) {
    const buckets = read(span);
    if (buckets.input === undefined && buckets.output === undefined && buckets.uncachedInput === undefined) {
      continue;
    }
    const cacheRead = buckets.cacheRead ?? 0;
    const cacheWrite = buckets.cacheWrite ?? 0;
    const total = buckets.input ?? 0;
    // A total smaller than its cached part cannot include it: that instrumentation reported uncached input.
    const uncached =
      buckets.uncachedInput ?? (total >= cacheRead + cacheWrite ? total - cacheRead - cacheWrite : total);
    const output = buckets.output ?? 0;
    const oneHour = cacheWriteTtl === "1h";
    return {
      convention,
      usage: {
        inputTokens: uncached,
        outputTokens: output,
        cacheReadTokens: cacheRead,
        cacheWriteTokens: oneHour ? 0 : cacheWrite,
        cacheWrite1hTokens: oneHour ? cacheWrite : 0,
        reasoningTokens: Math.min(buckets.reasoning ?? 0, output),
      },
    };
  }
  return undefined;
}
