// Token usage of a call span in llm-ledger's convention (`inputTokens` uncached text only), from
// whichever convention the instrumentation followed. Every convention read here counts cached input
// (and OpenInference audio) inside its totals, so those buckets are taken out of them; the mapping
// table is in docs/opentelemetry.md.
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

/** Where one convention keeps each count, each list in order of preference. */
interface ConventionKeys {
  convention: UsageConvention;
  /** As reported: cached input included, unless `uncachedInput` is known. */
  input: readonly string[];
  uncachedInput: readonly string[];
  output: readonly string[];
  cacheRead: readonly string[];
  cacheWrite: readonly string[];
  reasoning: readonly string[];
  /** Audio tokens inside the input and output counts, carved out of them (OpenInference only). */
  audioInput: readonly string[];
  audioOutput: readonly string[];
}

const conventions: readonly ConventionKeys[] = [
  {
    // The AI SDK's own attributes (ai 5 and 6; `promptTokens`/`completionTokens` in ai 4). Embedding
    // steps (ai.embed.doEmbed, ai.embedMany.doEmbed) report one count, `ai.usage.tokens`.
    convention: "ai-sdk",
    input: ["ai.usage.inputTokens", "ai.usage.promptTokens", "ai.usage.tokens"],
    uncachedInput: ["ai.usage.inputTokenDetails.noCacheTokens"],
    output: ["ai.usage.outputTokens", "ai.usage.completionTokens"],
    cacheRead: ["ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"],
    cacheWrite: ["ai.usage.inputTokenDetails.cacheWriteTokens"],
    reasoning: ["ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens"],
    audioInput: [],
    audioOutput: [],
  },
  {
    // The OpenTelemetry GenAI conventions, and the older `prompt_tokens` spellings (OpenLLMetry).
    // ai 7's OpenTelemetry integration (@ai-sdk/otel) writes these, and with its `usage` option the
    // AI SDK's uncached input and reasoning counts beside them (no `ai.usage.inputTokens` then).
    convention: "gen-ai",
    input: ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"],
    uncachedInput: ["ai.usage.inputTokenDetails.noCacheTokens"],
    output: ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"],
    cacheRead: ["gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"],
    cacheWrite: ["gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens"],
    reasoning: [
      "gen_ai.usage.reasoning.output_tokens",
      "gen_ai.usage.reasoning_tokens",
      "ai.usage.outputTokenDetails.reasoningTokens",
    ],
    audioInput: [],
    audioOutput: [],
  },
  {
    // OpenInference (Arize): `llm.token_count.*`.
    convention: "openinference",
    input: ["llm.token_count.prompt"],
    uncachedInput: [],
    output: ["llm.token_count.completion"],
    cacheRead: ["llm.token_count.prompt_details.cache_read"],
    cacheWrite: ["llm.token_count.prompt_details.cache_write"],
    reasoning: ["llm.token_count.completion_details.reasoning"],
    audioInput: ["llm.token_count.prompt_details.audio"],
    audioOutput: ["llm.token_count.completion_details.audio"],
  },
];

/**
 * The usage a span reports, read from the first convention whose input or output count it carries
 * (ai 5 and 6 spans carry both the AI SDK's own and the GenAI attributes; its own split the cache).
 * `cacheWriteTtl` "1h" books the one cache-write count as 1-hour writes; otherwise they are 5-minute
 * writes (a span carries one cache-write count).
 */
export function usageOfSpan(span: OtlpSpan, cacheWriteTtl?: string): SpanUsage | undefined {
  for (const keys of conventions) {
    const input = firstCount(span, keys.input);
    const output = firstCount(span, keys.output);
    // A convention applies when it gives the totals: a detail alone (an uncached count) names none.
    if (input === undefined && output === undefined) continue;
    const uncachedInput = firstCount(span, keys.uncachedInput);
    const cacheRead = firstCount(span, keys.cacheRead) ?? 0;
    const cacheWrite = firstCount(span, keys.cacheWrite) ?? 0;
    const audioInput = firstCount(span, keys.audioInput) ?? 0;
    const audioOutput = firstCount(span, keys.audioOutput) ?? 0;
    const total = input ?? 0;
    // A total smaller than its parts cannot include them: that instrumentation reported them apart.
    const carved = cacheRead + cacheWrite + audioInput;
    const uncached = uncachedInput ?? (total >= carved ? total - carved : total);
    const outputTokens = output !== undefined && output >= audioOutput ? output - audioOutput : (output ?? 0);
    const oneHour = cacheWriteTtl === "1h";
    return {
      convention: keys.convention,
      usage: {
        inputTokens: uncached,
        outputTokens,
        cacheReadTokens: cacheRead,
        cacheWriteTokens: oneHour ? 0 : cacheWrite,
        cacheWrite1hTokens: oneHour ? cacheWrite : 0,
        reasoningTokens: Math.min(firstCount(span, keys.reasoning) ?? 0, outputTokens),
        audioInputTokens: audioInput,
        audioOutputTokens: audioOutput,
        imageOutputTokens: 0,
        // No convention read here reports cached audio apart (OpenInference has no attribute for it).
        cacheReadAudioTokens: 0,
      },
    };
  }
  return undefined;
}
