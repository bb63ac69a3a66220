import { LedgerError } from "../../errors.js";
import { assertUsageObject, field, tokenCount, type TokenUsage } from "./token-usage.js";

/** One sampling iteration of an Anthropic response (compaction, advisor, server-side fallback). */
export interface AnthropicUsageIteration {
  type?: string | null;
  model?: string | null;
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** The `usage` object of an Anthropic Messages response (or the merged `message_start`/`message_delta` usage of a stream). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: {
    ephemeral_5m_input_tokens?: number | null;
    ephemeral_1h_input_tokens?: number | null;
  } | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  iterations?: readonly AnthropicUsageIteration[] | null;
  server_tool_use?: unknown;
  service_tier?: string | null;
}

/**
 * Maps an Anthropic Messages usage object to llm-ledger's convention. Anthropic's `input_tokens`
 * already excludes cache reads and writes. Cache writes are split by time to live from
 * `cache_creation.ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens` (billed at 1.25× and 2×
 * input); `cache_creation_input_tokens` is their sum and is never counted on top of them (without the
 * split, all writes are 5-minute writes, the API's default). When `iterations` reports compaction
 * iterations, input and output are their sum (the top level leaves compaction out), as the AI SDK
 * does; advisor iterations bill another model and are not included. Web searches the server ran
 * (`server_tool_use.web_search_requests`, billed per search) are `webSearchRequests`.
 *
 * @example
 * const message = await anthropic.messages.create({ model: "claude-sonnet-4-5", max_tokens: 1024, messages });
 * await tracker.trackUsage({ provider: "anthropic", model: message.model,
 *   usage: usageFromAnthropic(message.usage), repo: "api", taskType: "review", sdk: "raw" });
 */
export function usageFromAnthropic(usage: AnthropicUsage | null | undefined): TokenUsage {
  if (usage === undefined || usage === null) {
    throw new LedgerError("E_USAGE_MISSING", "the Anthropic response has no usage");
  }
  assertUsageObject(usage, "Anthropic usage");
  let inputTokens = tokenCount(usage.input_tokens, "input_tokens");
  let outputTokens = tokenCount(usage.output_tokens, "output_tokens");
  const executorTotals = compactionTotals(usage.iterations);
  if (executorTotals) ({ inputTokens, outputTokens } = executorTotals);

  const cacheReadTokens = tokenCount(usage.cache_read_input_tokens, "cache_read_input_tokens");
  const creationTotal = tokenCount(usage.cache_creation_input_tokens, "cache_creation_input_tokens");
  const split = usage.cache_creation;
  const fiveMinute = tokenCount(
    field(split, "ephemeral_5m_input_tokens"),
    "cache_creation.ephemeral_5m_input_tokens",
  );
  const oneHour = tokenCount(
    field(split, "ephemeral_1h_input_tokens"),
    "cache_creation.ephemeral_1h_input_tokens",
  );
  // The total is the sum of the split; writes it does not attribute to a TTL are 5-minute writes
  // (the API's default), and a split without a total (some proxies) stands on its own.
  const cacheWrite1hTokens = oneHour;
  const cacheWriteTokens = Math.max(creationTotal - oneHour, fiveMinute);

  const webSearchRequests = tokenCount(
    field(usage.server_tool_use, "web_search_requests"),
    "server_tool_use.web_search_requests",
  );
  const thinkingTokens = tokenCount(
    field(usage.output_tokens_details, "thinking_tokens"),
    "output_tokens_details.thinking_tokens",
  );
  return {
    inputTokens,
    outputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    cacheWrite1hTokens,
    reasoningTokens: Math.min(thinkingTokens, outputTokens),
    ...(webSearchRequests > 0 ? { webSearchRequests } : {}),
  };
}

function compactionTotals(iterations: unknown): { inputTokens: number; outputTokens: number } | undefined {
  if (!Array.isArray(iterations) || iterations.length === 0) return undefined;
  const entries = iterations as unknown[];
  // A turn served by a server-side fallback already reports the served answer at the top level.
  if (entries.some((entry) => field(entry, "type") === "fallback_message")) return undefined;
  const executor = entries.filter((entry) => {
    const type = field(entry, "type");
    return type === "compaction" || type === "message";
  });
  if (executor.length === 0) return undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const entry of executor) {
    inputTokens += tokenCount(field(entry, "input_tokens"), "iterations[].input_tokens");
    outputTokens += tokenCount(field(entry, "output_tokens"), "iterations[].output_tokens");
  }
  return { inputTokens, outputTokens };
}
