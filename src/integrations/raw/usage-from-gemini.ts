import { LedgerError } from "../../errors.js";
import { assertUsageObject, difference, tokenCount, type TokenUsage } from "./token-usage.js";

/** The `usageMetadata` object of a Gemini `generateContent` response (or of a stream's last chunk). */
export interface GeminiUsageMetadata {
  promptTokenCount?: number | null;
  candidatesTokenCount?: number | null;
  totalTokenCount?: number | null;
  cachedContentTokenCount?: number | null;
  thoughtsTokenCount?: number | null;
  toolUsePromptTokenCount?: number | null;
  trafficType?: string | null;
  promptTokensDetails?: unknown;
  cacheTokensDetails?: unknown;
  candidatesTokensDetails?: unknown;
  toolUsePromptTokensDetails?: unknown;
}

/**
 * Maps Gemini's `usageMetadata` to llm-ledger's convention. `promptTokenCount` includes cached
 * content: `cachedContentTokenCount` is taken out of `inputTokens` and reported as
 * `cacheReadTokens`; `toolUsePromptTokenCount` (tool results fed back to the model) is billed as
 * input and added to it. Thinking tokens (`thoughtsTokenCount`) are billed as output but are not in
 * `candidatesTokenCount`: `outputTokens` is their sum, and `reasoningTokens` the thinking part.
 *
 * @example
 * const response = await ai.models.generateContent({ model: "gemini-2.5-flash", contents });
 * await tracker.trackUsage({ provider: "google", model: "gemini-2.5-flash",
 *   usage: usageFromGemini(response.usageMetadata), repo: "api", taskType: "extract", sdk: "raw" });
 */
export function usageFromGemini(usage: GeminiUsageMetadata | null | undefined): TokenUsage {
  if (usage === undefined || usage === null) {
    throw new LedgerError("E_USAGE_MISSING", "the Gemini response has no usageMetadata");
  }
  assertUsageObject(usage, "Gemini usageMetadata");
  const promptTokens =
    tokenCount(usage.promptTokenCount, "promptTokenCount") +
    tokenCount(usage.toolUsePromptTokenCount, "toolUsePromptTokenCount");
  const cachedTokens = tokenCount(usage.cachedContentTokenCount, "cachedContentTokenCount");
  const candidatesTokens = tokenCount(usage.candidatesTokenCount, "candidatesTokenCount");
  const thoughtsTokens = tokenCount(usage.thoughtsTokenCount, "thoughtsTokenCount");
  return {
    inputTokens: difference(promptTokens, cachedTokens, "Gemini promptTokenCount"),
    outputTokens: candidatesTokens + thoughtsTokens,
    cacheReadTokens: cachedTokens,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: thoughtsTokens,
  };
}
