// Pure adapters from each provider's own usage object to llm-ledger's usage convention.
export { emptyTokenUsage, type TokenUsage } from "./token-usage.js";
export { usageFromOpenAI, type OpenAIChatUsage, type OpenAIResponsesUsage } from "./usage-from-openai.js";
export {
  usageFromAnthropic,
  type AnthropicUsage,
  type AnthropicUsageIteration,
} from "./usage-from-anthropic.js";
export { usageFromGemini, type GeminiUsageMetadata } from "./usage-from-gemini.js";
export { serviceTierOf } from "./service-tier-of.js";
export { webSearchCallsOf } from "./web-search-calls.js";
