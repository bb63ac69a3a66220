import type { CallParamsLike, LanguageModelLike } from "./language-model-shapes.js";
import { LEDGER_OPTIONS_KEY, isPlainObject, withLedgerOptions } from "./ledger-call-options.js";
import { isOpenAIFamily } from "./usage-from-ai-sdk.js";

// A stream's `finish` part carries the provider package's parse of the usage, and @ai-sdk/openai's
// chat chunk schema keeps no `audio_tokens`: only the raw chunk has them. The middleware asks for raw
// chunks on OpenAI streams to read the usage there, and hides the chunks from a caller that did not.

// The key, inside `llmLedger`, saying the middleware (not the caller) asked for the raw chunks.
const RAW_CHUNKS_KEY = "rawChunksForUsage";

/**
 * Whether a stream's raw chunks are worth reading for usage: an OpenAI or Azure OpenAI model that can
 * report audio tokens (the audio and realtime models; their raw chunks carry the whole usage: the
 * chat stream's last chunk, the Responses API's `response.completed`). Asking for raw chunks doubles
 * the parts of a stream, so text models are left alone: their finish part's usage is whole.
 * Anthropic's raw `message_delta` carries only part of its usage, so its chunks are never read.
 */
export function rawChunksCarryUsage(model: LanguageModelLike): boolean {
  return isOpenAIFamily(model.provider) && /audio|realtime/i.test(model.modelId);
}

/** The stream call's params with raw chunks asked for, when they are worth reading. */
export function withRawUsageChunks<Params extends CallParamsLike>(
  params: Params,
  type: "generate" | "stream" | undefined,
  model: LanguageModelLike | undefined,
): Params {
  if (type !== "stream" || model === undefined || !rawChunksCarryUsage(model)) return params;
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
