import { LedgerError } from "../../errors.js";
import {
  assertUsageObject,
  difference,
  field,
  modalities,
  tokenCount,
  type TokenUsage,
} from "./token-usage.js";

/** The `usage` object of an OpenAI Chat Completions response (or its final stream chunk). */
export interface OpenAIChatUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: {
    cached_tokens?: number | null;
    cache_write_tokens?: number | null;
    audio_tokens?: number | null;
    /** Cached tokens by modality (realtime models): cached audio is a cache read apart from cached text. */
    cached_tokens_details?: { audio_tokens?: number | null } | null;
  } | null;
  completion_tokens_details?: {
    reasoning_tokens?: number | null;
    audio_tokens?: number | null;
    accepted_prediction_tokens?: number | null;
    rejected_prediction_tokens?: number | null;
  } | null;
  /** DeepSeek's OpenAI-compatible API reports cache hits here instead of `prompt_tokens_details`. */
  prompt_cache_hit_tokens?: number | null;
  prompt_cache_miss_tokens?: number | null;
}

/**
 * The `usage` object of an OpenAI Responses API response (`response.usage`, or `response.completed`),
 * or of a Realtime API `response.done` event, which spells its details `input_token_details` and
 * `output_token_details`.
 */
export interface OpenAIResponsesUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  total_tokens?: number | null;
  input_tokens_details?: {
    cached_tokens?: number | null;
    cache_write_tokens?: number | null;
    audio_tokens?: number | null;
    /** Cached tokens by modality (realtime models): cached audio is a cache read apart from cached text. */
    cached_tokens_details?: { audio_tokens?: number | null } | null;
  } | null;
  output_tokens_details?: {
    reasoning_tokens?: number | null;
    audio_tokens?: number | null;
    /** Generated image tokens (the Images API's gpt-image models). */
    image_tokens?: number | null;
  } | null;
  /** The Realtime API's spelling of `input_tokens_details` (cached audio and text split likewise). */
  input_token_details?: OpenAIResponsesUsage["input_tokens_details"];
  /** The Realtime API's spelling of `output_tokens_details`. */
  output_token_details?: OpenAIResponsesUsage["output_tokens_details"];
}

/**
 * Maps an OpenAI usage object, from Chat Completions or from the Responses API, to llm-ledger's
 * convention. OpenAI's prompt/input count includes cached tokens: they are taken out of
 * `inputTokens` and reported as `cacheReadTokens` (and any `cache_write_tokens` as cache writes).
 * Reasoning tokens are already inside the completion/output count, which is billed whole; they are
 * reported as `reasoningTokens` for information. Audio tokens (`prompt_tokens_details.audio_tokens`,
 * `completion_tokens_details.audio_tokens`, the `_details` of the Responses shape, and the Realtime
 * API's `input_token_details` / `output_token_details`) and generated
 * image tokens (`output_tokens_details.image_tokens`) are carved out of the text counts into
 * `audioInputTokens`, `audioOutputTokens` and `imageOutputTokens`, and cached audio
 * (`cached_tokens_details.audio_tokens`) out of the cached count into `cacheReadAudioTokens`, so each
 * token is billed once at its own rate; parts larger than their total are `E_USAGE_INVALID`. Throws `E_USAGE_MISSING` without a usage object (a
 * stream without `stream_options.include_usage`) and `E_USAGE_INVALID` for a malformed one.
 *
 * @example
 * const completion = await openai.chat.completions.create({ model: "gpt-4o", messages });
 * await tracker.trackUsage({ provider: "openai", model: completion.model,
 *   usage: usageFromOpenAI(completion.usage!), repo: "api", taskType: "summarize", sdk: "raw" });
 */
export function usageFromOpenAI(
  usage: OpenAIChatUsage | OpenAIResponsesUsage | null | undefined,
): TokenUsage {
  if (usage === undefined || usage === null) {
    throw new LedgerError(
      "E_USAGE_MISSING",
      "the OpenAI response has no usage (for streams, set stream_options: { include_usage: true })",
    );
  }
  assertUsageObject(usage, "OpenAI usage");
  if ("prompt_tokens" in usage || "completion_tokens" in usage) return chatUsage(usage);
  if ("input_tokens" in usage || "output_tokens" in usage) return responsesUsage(usage);
  throw new LedgerError(
    "E_USAGE_INVALID",
    "OpenAI usage has neither prompt_tokens/completion_tokens (Chat Completions) nor input_tokens/output_tokens (Responses)",
  );
}

function chatUsage(usage: Record<string, unknown>): TokenUsage {
  const promptTokens = tokenCount(usage.prompt_tokens, "prompt_tokens");
  const completionTokens = tokenCount(usage.completion_tokens, "completion_tokens");
  const promptDetails = usage.prompt_tokens_details;
  const cachedField = field(promptDetails, "cached_tokens");
  const cachedTokens =
    cachedField === undefined || cachedField === null
      ? tokenCount(usage.prompt_cache_hit_tokens, "prompt_cache_hit_tokens")
      : tokenCount(cachedField, "prompt_tokens_details.cached_tokens");
  const cacheWriteTokens = tokenCount(
    field(promptDetails, "cache_write_tokens"),
    "prompt_tokens_details.cache_write_tokens",
  );
  const completionDetails = usage.completion_tokens_details;
  const reasoningTokens = tokenCount(
    field(completionDetails, "reasoning_tokens"),
    "completion_tokens_details.reasoning_tokens",
  );
  const audio = audioInput(promptDetails, "prompt_tokens_details");
  const audioInputTokens = audio.uncached;
  const audioOutputTokens = tokenCount(
    field(completionDetails, "audio_tokens"),
    "completion_tokens_details.audio_tokens",
  );
  const outputTokens = difference(completionTokens, audioOutputTokens, "OpenAI completion_tokens");
  return {
    inputTokens: difference(
      promptTokens,
      cachedTokens + cacheWriteTokens + audioInputTokens,
      "OpenAI prompt_tokens",
    ),
    outputTokens,
    cacheReadTokens: difference(cachedTokens, audio.cached, "OpenAI prompt_tokens_details.cached_tokens"),
    cacheWriteTokens,
    cacheWrite1hTokens: 0,
    reasoningTokens: Math.min(reasoningTokens, outputTokens),
    ...modalities(audioInputTokens, audioOutputTokens, 0, audio.cached),
  };
}

// Where the details split the cache by modality (realtime models), cached audio is inside both the
// audio count and cached_tokens: it is neither audio input nor cached text but its own bucket, which
// some models price above cached text (gpt-realtime-mini: $0.30 against $0.06 per million).
function audioInput(details: unknown, path: string): { uncached: number; cached: number } {
  const audio = tokenCount(field(details, "audio_tokens"), `${path}.audio_tokens`);
  const cached = tokenCount(
    field(field(details, "cached_tokens_details"), "audio_tokens"),
    `${path}.cached_tokens_details.audio_tokens`,
  );
  return { uncached: difference(audio, cached, `OpenAI ${path}.audio_tokens`), cached };
}

function responsesUsage(usage: Record<string, unknown>): TokenUsage {
  const inputTokens = tokenCount(usage.input_tokens, "input_tokens");
  const outputTokens = tokenCount(usage.output_tokens, "output_tokens");
  const [inputPath, details] = detailsOf(usage, "input");
  const cachedTokens = tokenCount(field(details, "cached_tokens"), `${inputPath}.cached_tokens`);
  const cacheWriteTokens = tokenCount(
    field(details, "cache_write_tokens"),
    `${inputPath}.cache_write_tokens`,
  );
  const [outputPath, outputDetails] = detailsOf(usage, "output");
  const reasoningTokens = tokenCount(
    field(outputDetails, "reasoning_tokens"),
    `${outputPath}.reasoning_tokens`,
  );
  const audio = audioInput(details, inputPath);
  const audioInputTokens = audio.uncached;
  const audioOutputTokens = tokenCount(field(outputDetails, "audio_tokens"), `${outputPath}.audio_tokens`);
  const imageOutputTokens = tokenCount(field(outputDetails, "image_tokens"), `${outputPath}.image_tokens`);
  const textOutput = difference(outputTokens, audioOutputTokens + imageOutputTokens, "OpenAI output_tokens");
  return {
    inputTokens: difference(
      inputTokens,
      cachedTokens + cacheWriteTokens + audioInputTokens,
      "OpenAI input_tokens",
    ),
    outputTokens: textOutput,
    cacheReadTokens: difference(cachedTokens, audio.cached, `OpenAI ${inputPath}.cached_tokens`),
    cacheWriteTokens,
    cacheWrite1hTokens: 0,
    reasoningTokens: Math.min(reasoningTokens, textOutput),
    ...modalities(audioInputTokens, audioOutputTokens, imageOutputTokens, audio.cached),
  };
}

/**
 * The input or output details of a Responses-shaped usage and their key: `input_tokens_details`, or
 * the Realtime API's `input_token_details` (without it a realtime call's audio would be read as text).
 */
function detailsOf(usage: Record<string, unknown>, side: "input" | "output"): [string, unknown] {
  const responsesKey = `${side}_tokens_details`;
  const realtimeKey = `${side}_token_details`;
  const responses = field(usage, responsesKey);
  if (responses !== undefined && responses !== null) return [responsesKey, responses];
  const realtime = field(usage, realtimeKey);
  return realtime !== undefined && realtime !== null ? [realtimeKey, realtime] : [responsesKey, responses];
}
