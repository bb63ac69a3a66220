import type { CallParamsLike, LanguageModelLike } from "./language-model-shapes.js";
import { LEDGER_OPTIONS_KEY, isPlainObject, withLedgerOptions } from "./ledger-call-options.js";

// A stream's `finish` part carries the provider package's parse of the usage, and @ai-sdk/openai's
// chat chunk schema keeps no `audio_tokens`: only the raw chunk has them. The middleware asks for raw
// chunks on OpenAI streams to read the usage there, and hides the chunks from a caller that did not.

// The key, inside `llmLedger`, saying the middleware (not the caller) asked for the raw chunks.
const RAW_CHUNKS_KEY = "rawChunksForUsage";

/**
 * Whether a provider's raw stream chunks carry its whole usage (OpenAI and Azure OpenAI: the chat
 * stream's last chunk, the Responses API's `response.completed`). Anthropic's raw `message_delta`
 * carries only part of it, so its raw chunks are not read for usage.
 */
export function rawChunksCarryUsage(providerId: string): boolean {
  return /^(openai|azure)\b/.test(providerId);
}

/** The stream call's params with raw chunks asked for, when the provider's carry its usage. */
export function withRawUsageChunks<Params extends CallParamsLike>(
  params: Params,
  type: "generate" | "stream" | undefined,
  model: LanguageModelLike | undefined,
): Params {
  if (type !== "stream" || model === undefined || !rawChunksCarryUsage(model.provider)) return params;
  if (params.includeRawChunks === true) return params;
  return {
    ...params,
    includeRawChunks: true,
    providerOptions: withLedgerOptions(params.providerOptions, { [RAW_CHUNKS_KEY]: true }),
  };
}

/** Whether the raw chunks of this call's stream were asked for by the middleware alone. */
export function rawChunksAreOurs(params: CallParamsLike): boolean {
  const ledger = params.providerOptions?.[LEDGER_OPTIONS_KEY];
  return isPlainObject(ledger) && ledger[RAW_CHUNKS_KEY] === true;
}
