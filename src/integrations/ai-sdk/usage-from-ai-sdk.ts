import { isLedgerError } from "../../errors.js";
import { emptyTokenUsage, field, type TokenUsage } from "../raw/token-usage.js";
import { usageFromAnthropic } from "../raw/usage-from-anthropic.js";
import { usageFromGemini } from "../raw/usage-from-gemini.js";
import { usageFromOpenAI } from "../raw/usage-from-openai.js";
import type { AiSdkTokenCounts, AiSdkUsage } from "./language-model-shapes.js";

/**
 * Maps an AI SDK usage to llm-ledger's convention. The provider's own usage is read with the raw
 * adapters when it is recognised (Anthropic, OpenAI Chat/Responses, Gemini): it alone splits
 * Anthropic's 5-minute and 1-hour cache writes, and it reads the same under every provider package
 * version. `providerUsage`, the usage exactly as the provider sent it (`providerUsageOf` a response
 * body or raw stream chunk), comes first: `usage.raw` is the provider package's parse of it, and
 * `@ai-sdk/openai`'s chat schema drops `audio_tokens` there. One that does not read (its parts exceed
 * its total) gives way to `usage.raw`, then to the AI SDK's buckets: input totals include cache, so
 * `inputTokens` is `noCache`, with cache reads and writes (as 5-minute writes) apart.
 */
export function usageFromAiSdk(
  usage: AiSdkUsage | undefined,
  providerId?: string,
  providerUsage?: unknown,
): TokenUsage {
  if (usage === undefined || usage === null) return emptyTokenUsage();
  const fromRaw = usageFromRawUsage(providerUsage, providerId) ?? usageFromRawUsage(usage.raw, providerId);
  return fromRaw ?? usageFromBuckets(usage);
}

/**
 * The usage object in a provider payload: a response body (OpenAI Chat and Responses, Anthropic:
 * `usage`), an OpenAI chat stream chunk (`usage`) or a Responses stream event (`response.usage`);
 * `undefined` in any other payload (Gemini's `usageMetadata` reaches `usage.raw` whole).
 */
export function providerUsageOf(payload: unknown): unknown {
  const usage = field(payload, "usage") ?? field(field(payload, "response"), "usage");
  return typeof usage === "object" && usage !== null && !Array.isArray(usage) ? usage : undefined;
}

function usageFromRawUsage(raw: unknown, providerId = ""): TokenUsage | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const has = (key: string) => key in raw;
  try {
    if (has("promptTokenCount") || has("candidatesTokenCount")) return usageFromGemini(raw);
    if (has("prompt_tokens") || has("completion_tokens")) return usageFromOpenAI(raw);
    if (!has("input_tokens") && !has("output_tokens")) return undefined;
    if (has("input_tokens_details")) return usageFromOpenAI(raw);
    const anthropicKeys = ["cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation"];
    if (anthropicKeys.some(has) || isAnthropicFamily(providerId)) return usageFromAnthropic(raw);
    if (has("output_tokens_details") || isOpenAIFamily(providerId)) return usageFromOpenAI(raw);
    return undefined;
  } catch (error) {
    // A raw usage that does not read as its provider's shape: the AI SDK's own buckets still do.
    if (isLedgerError(error)) return undefined;
    throw error;
  }
}

function isAnthropicFamily(providerId: string): boolean {
  return /anthropic/i.test(providerId);
}

/** OpenAI's packages and Azure OpenAI's (`openai.chat`, `azure.responses`, …). */
export function isOpenAIFamily(providerId: string): boolean {
  return /^(openai|azure)\b/.test(providerId);
}

function usageFromBuckets(usage: AiSdkUsage): TokenUsage {
  const input = usage.inputTokens;
  const output = usage.outputTokens;
  const result = emptyTokenUsage();
  if (typeof input === "number") {
    result.cacheReadTokens = count(usage.cachedInputTokens);
    result.inputTokens = Math.max(count(input) - result.cacheReadTokens, 0);
  } else if (input) {
    result.cacheReadTokens = count(input.cacheRead);
    result.cacheWriteTokens = count(input.cacheWrite);
    result.inputTokens =
      input.noCache === undefined
        ? Math.max(count(input.total) - result.cacheReadTokens - result.cacheWriteTokens, 0)
        : count(input.noCache);
  }
  if (typeof output === "number") {
    result.outputTokens = count(output);
    result.reasoningTokens = Math.min(count(usage.reasoningTokens), result.outputTokens);
  } else if (output) {
    result.outputTokens = outputTotal(output);
    result.reasoningTokens = Math.min(count(output.reasoning), result.outputTokens);
  }
  return result;
}

function outputTotal(output: AiSdkTokenCounts): number {
  if (output.total !== undefined) return count(output.total);
  return count(output.text) + count(output.reasoning);
}

// AI SDK counts are numbers or undefined; anything else (NaN from a broken provider) counts as absent.
function count(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : 0;
}
