// The parts of the AI SDK's language model interfaces that llm-ledger reads, declared structurally.
// `ai` 6 (LanguageModelV3) and `ai` 7 (LanguageModelV4) have incompatible middleware types; written
// against these shapes, one middleware object type-checks and runs under both, importing no types from `ai`.

/** A language model as a middleware sees it. */
export interface LanguageModelLike {
  readonly provider: string;
  readonly modelId: string;
}

/** Token counts of one AI SDK bucket group (`inputTokens` / `outputTokens` of a V3/V4 usage). */
export interface AiSdkTokenCounts {
  total?: number | undefined;
  noCache?: number | undefined;
  cacheRead?: number | undefined;
  cacheWrite?: number | undefined;
  text?: number | undefined;
  reasoning?: number | undefined;
}

/**
 * The usage of one AI SDK model call: V3/V4 report bucket groups and the provider's `raw` usage;
 * older models (V2) report flat numbers.
 */
export interface AiSdkUsage {
  inputTokens?: AiSdkTokenCounts | number | undefined;
  outputTokens?: AiSdkTokenCounts | number | undefined;
  cachedInputTokens?: number | undefined;
  reasoningTokens?: number | undefined;
  raw?: unknown;
}

/** The call options a middleware receives: `providerOptions` (and `llmLedger` in it) and whether raw chunks are wanted. */
export interface CallParamsLike {
  providerOptions?: Record<string, unknown> | undefined;
  /** Whether the stream passes on the provider's raw chunks (`raw` parts). */
  includeRawChunks?: boolean | undefined;
}

/** The result of `doGenerate`. */
export interface GenerateResultLike {
  usage: AiSdkUsage;
  /** `body` is the provider's raw response (OpenAI Responses: its web search calls are output items). */
  response?: { modelId?: string | undefined; body?: unknown } | undefined;
  /** Per provider: where OpenAI and Gemini say the service tier that served the call. */
  providerMetadata?: unknown;
}

/** One part of a model stream: every V3/V4 stream part has a `type`. */
export interface StreamPartLike {
  type: string;
}

/** The result of `doStream`. */
export interface StreamResultLike {
  stream: ReadableStream<StreamPartLike>;
}
