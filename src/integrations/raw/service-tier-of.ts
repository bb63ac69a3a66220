import { normalizeServiceTier } from "../../pricing/index.js";
import { field } from "./token-usage.js";

// Where each provider says which service tier served a call: OpenAI on the response (`service_tier`,
// `default` for standard), Anthropic inside `usage` (`service_tier`: `standard`, `priority`, `batch`),
// Gemini inside `usageMetadata` (`serviceTier`), the AI SDK in its provider metadata.

function tierText(value: unknown): string | undefined {
  return typeof value === "string" ? normalizeServiceTier(value) : undefined;
}

/**
 * The service tier a provider response (or its usage object) reports, in canonical form (`default` →
 * `standard`); `undefined` when it says none. Reads an OpenAI response or usage, an Anthropic message
 * or usage, and a Gemini response or `usageMetadata`.
 *
 * @example
 * const completion = await openai.chat.completions.create({ model: "gpt-5", messages, service_tier: "flex" });
 * await tracker.trackUsage({ provider: "openai", model: completion.model, usage: usageFromOpenAI(completion.usage),
 *   serviceTier: serviceTierOf(completion), repo: "api", taskType: "enrich", sdk: "raw" });
 */
export function serviceTierOf(response: unknown): string | undefined {
  return (
    tierText(field(response, "service_tier")) ??
    tierText(field(response, "serviceTier")) ??
    tierText(field(field(response, "usage"), "service_tier")) ??
    tierText(field(field(response, "usageMetadata"), "serviceTier"))
  );
}

/**
 * The service tier in the AI SDK's provider metadata (`openai.serviceTier`, `google.serviceTier`,
 * `anthropic.usage.service_tier`), else in the provider's raw usage.
 */
export function serviceTierOfAiSdk(providerMetadata: unknown, rawUsage: unknown): string | undefined {
  if (typeof providerMetadata === "object" && providerMetadata !== null) {
    for (const metadata of Object.values(providerMetadata)) {
      const tier = serviceTierOf(metadata);
      if (tier !== undefined) return tier;
    }
  }
  return serviceTierOf(rawUsage);
}
