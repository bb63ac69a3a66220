// The Claude Agent SDK's result message, declared structurally from its published `SDKResultMessage`
// and `ModelUsage` types (@anthropic-ai/claude-agent-sdk, sdk.d.ts) so that llm-ledger does not depend
// on the SDK: the SDK's own objects are assignable to these types.

/** Per-model usage of one run, as in the SDK's `ModelUsage`. */
export interface AgentModelUsage {
  /** Uncached input tokens. */
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  /** All cache writes: the sum of the 5-minute and 1-hour writes when the SDK splits them. */
  cacheCreationInputTokens: number;
  cacheCreationEphemeral5mInputTokens?: number;
  cacheCreationEphemeral1hInputTokens?: number;
  webSearchRequests?: number;
  /** The SDK's own cost figure for this model. */
  costUSD: number;
  contextWindow?: number;
  maxOutputTokens?: number;
}

/** The terminal `result` message of a `query()` run (`SDKResultSuccess | SDKResultError`). */
export interface AgentResultMessage {
  type: "result";
  /** `success`, `error_during_execution`, `error_max_turns`, `error_max_budget_usd`, … */
  subtype: string;
  duration_ms: number;
  duration_api_ms?: number;
  is_error: boolean;
  /** Set when the API answered with an error (a result of subtype `success` can carry one). */
  api_error_status?: number | null;
  num_turns?: number;
  total_cost_usd: number;
  /** The run's top-level Anthropic usage: it omits subagents, so it is used only without `modelUsage`. */
  usage?: object | null;
  modelUsage?: Record<string, AgentModelUsage> | null;
  errors?: readonly string[];
  uuid?: string;
  session_id?: string;
}
