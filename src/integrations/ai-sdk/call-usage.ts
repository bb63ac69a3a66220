import { emptyTokenUsage, type TokenUsage } from "../raw/token-usage.js";
import { usageFromAnthropic } from "../raw/usage-from-anthropic.js";
import { webSearchCallsOf } from "../raw/web-search-calls.js";
import type { GenerateResultLike } from "./language-model-shapes.js";
import type { StreamOutcome } from "./observe-stream.js";
import { providerUsageOf, usageFromAiSdk } from "./usage-from-ai-sdk.js";

// The usage the middleware records for one call. Neither function throws: a usage that cannot be
// read is recorded as zero tokens rather than fail the user's call.

/**
 * The usage of a `doGenerate` result: the usage in its response body (as the provider sent it), then
 * the SDK's, with OpenAI's web search calls counted from the body's output items.
 */
export function generateUsage(result: GenerateResultLike, providerId: string): TokenUsage {
  const body = result.response?.body;
  return withWebSearchCalls(
    safeUsage(() => usageFromAiSdk(result.usage, providerId, providerUsageOf(body))),
    body,
  );
}

/**
 * The usage a stream showed: its `finish` part's (with the raw chunks' usage first), else the usage
 * Anthropic reported at the start of a stream that never finished, else none.
 */
export function streamUsage(outcome: StreamOutcome, providerId: string): TokenUsage {
  return safeUsage(() => {
    if (outcome.usage !== undefined) return usageFromAiSdk(outcome.usage, providerId, outcome.providerUsage);
    if (outcome.partialRawUsage !== undefined && outcome.partialRawUsage !== null) {
      return usageFromAnthropic(outcome.partialRawUsage);
    }
    return emptyTokenUsage();
  });
}

/**
 * OpenAI bills web search per call and reports the calls only as output items of the response body
 * (`doGenerate` passes it on; a stream has none): they join the usage unless it already counts searches.
 */
function withWebSearchCalls(usage: TokenUsage, body: unknown): TokenUsage {
  if (usage.webSearchRequests !== undefined) return usage;
  const calls = webSearchCallsOf(body);
  return calls > 0 ? { ...usage, webSearchRequests: calls } : usage;
}

function safeUsage(read: () => TokenUsage): TokenUsage {
  try {
    return read();
  } catch {
    return emptyTokenUsage();
  }
}
