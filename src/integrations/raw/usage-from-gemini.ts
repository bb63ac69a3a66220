import { LedgerError } from "../../errors.js";
import {
  assertUsageObject,
  difference,
  field,
  modalities,
  tokenCount,
  type TokenUsage,
} from "./token-usage.js";

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
 * Tokens by modality (`promptTokensDetails`, `candidatesTokensDetails`: `{ modality, tokenCount }`)
 * carve audio out of the input (less the cached audio of `cacheTokensDetails`) and audio and images
 * out of the output, into `audioInputTokens`, `audioOutputTokens` and `imageOutputTokens`; the
 * cached audio is carved out of the cached count into `cacheReadAudioTokens` (Flash models price it
 * above cached text). Text, image and video input stay in `inputTokens` (one input price covers them).
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
  const cachedAudioTokens = modalityCount(usage.cacheTokensDetails, "AUDIO", "cacheTokensDetails");
  const audioInputTokens = difference(
    modalityCount(usage.promptTokensDetails, "AUDIO", "promptTokensDetails"),
    cachedAudioTokens,
    "Gemini promptTokensDetails AUDIO",
  );
  const audioOutputTokens = modalityCount(usage.candidatesTokensDetails, "AUDIO", "candidatesTokensDetails");
  const imageOutputTokens = modalityCount(usage.candidatesTokensDetails, "IMAGE", "candidatesTokensDetails");
  return {
    inputTokens: difference(promptTokens, cachedTokens + audioInputTokens, "Gemini promptTokenCount"),
    outputTokens:
      difference(candidatesTokens, audioOutputTokens + imageOutputTokens, "Gemini candidatesTokenCount") +
      thoughtsTokens,
    cacheReadTokens: difference(cachedTokens, cachedAudioTokens, "Gemini cachedContentTokenCount"),
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: thoughtsTokens,
    ...modalities(audioInputTokens, audioOutputTokens, imageOutputTokens, cachedAudioTokens),
  };
}

/** The tokens of one modality in a `…TokensDetails` list (`[{ modality, tokenCount }]`); absent is 0. */
function modalityCount(details: unknown, modality: string, name: string): number {
  if (details === undefined || details === null) return 0;
  if (!Array.isArray(details)) {
    throw new LedgerError("E_USAGE_INVALID", `${name} must be a list of { modality, tokenCount }`);
  }
  let tokens = 0;
  for (const [index, entry] of details.entries()) {
    const given = field(entry, "modality");
    if (typeof given !== "string") {
      throw new LedgerError("E_USAGE_INVALID", `${name}[${index}].modality must be a modality name`);
    }
    if (given.toUpperCase() === modality) {
      tokens += tokenCount(field(entry, "tokenCount"), `${name}[${index}].tokenCount`);
    }
  }
  return tokens;
}
