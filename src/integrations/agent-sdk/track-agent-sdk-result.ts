import { LedgerError, isLedgerError } from "../../errors.js";
import { usageFromAnthropic } from "../raw/usage-from-anthropic.js";
import { serviceTierOf } from "../raw/service-tier-of.js";
import { emptyTokenUsage, tokenCount, type TokenUsage } from "../raw/token-usage.js";
import type { TrackResult, TrackUsageInput, UsageTracker } from "../usage-tracker.js";
import type { AgentModelUsage, AgentResultMessage } from "./agent-sdk-result.js";
import { deriveEventId } from "./derive-event-id.js";

/** Where an Agent SDK run's cost is booked. */
export interface AgentRunContext {
  repo: string;
  taskType: string;
  deliveryId?: string;
  metadata?: Record<string, unknown>;
  userId?: string;
  traceId?: string;
  environment?: string;
  /** The platform that bills the run (`anthropic`, `aws-bedrock`, `google-vertex`); default: from the model id. */
  provider?: string;
  /** The model to book a run without `modelUsage` under (a run that failed before any call); default `unknown`. */
  model?: string;
}

/**
 * Records the cost of one Claude Agent SDK run from its `result` message: one event per model in
 * `modelUsage` (a run can use several, e.g. a subagent on a smaller model), each with its input,
 * output, cache-read and 5-minute/1-hour cache-write tokens, the SDK's `costUSD` as the provider's
 * cost, `sdk = 'agent'`, the run's duration and `session_id`, the web searches a model ran
 * (`webSearchRequests`, priced per search), the run's service tier (`usage.service_tier`), and as
 * `error` the subtype when it is
 * not `success` (or `api_error:<status>` for an error result of subtype `success`). Event ids derive
 * from the result's `uuid` and the model, so tracking the same result twice writes nothing new.
 * Without `modelUsage` it records one event from the top-level `usage` and `total_cost_usd`.
 *
 * Resolves with one `TrackResult` per event and never rejects for what the SDK reported (a malformed
 * model entry is returned as `rejected` with the reason, the others are still recorded); it rejects
 * with `E_AGENT_RESULT_INVALID` only when `resultMessage` is not a result message at all.
 *
 * @example
 * for await (const message of query({ prompt, options })) {
 *   if (message.type === "result") await trackAgentSdkResult(tracker, message, { repo: "bot", taskType: "triage" });
 * }
 */
export async function trackAgentSdkResult(
  tracker: UsageTracker,
  resultMessage: AgentResultMessage,
  context: AgentRunContext,
): Promise<TrackResult[]> {
  assertResultMessage(resultMessage);
  const base = baseInput(resultMessage, context);
  const entries = Object.entries(resultMessage.modelUsage ?? {});
  if (entries.length === 0) return [await tracker.trackUsage(runInput(resultMessage, context, base))];
  return Promise.all(
    entries.map(([model, modelUsage]) => {
      const eventId = resultMessage.uuid === undefined ? undefined : deriveEventId(resultMessage.uuid, model);
      let usage: TokenUsage;
      try {
        usage = usageFromModelUsage(modelUsage);
      } catch (error) {
        if (!isLedgerError(error)) throw error;
        return Promise.resolve<TrackResult>({
          eventId: eventId ?? "",
          outcome: "rejected",
          reason: `modelUsage[${JSON.stringify(model)}]: ${error.message}`,
        });
      }
      return tracker.trackUsage({
        ...base,
        model,
        usage,
        providerCostUsd: modelUsage.costUSD,
        ...(eventId === undefined ? {} : { eventId }),
      });
    }),
  );
}

/**
 * The usage of one `modelUsage` entry in llm-ledger's convention. `cacheCreationInputTokens` is the
 * sum of the 5-minute and 1-hour writes: the split comes from the ephemeral fields, never both.
 */
export function usageFromModelUsage(modelUsage: AgentModelUsage): TokenUsage {
  const creationTotal = tokenCount(modelUsage.cacheCreationInputTokens, "cacheCreationInputTokens");
  const fiveMinute = modelUsage.cacheCreationEphemeral5mInputTokens;
  const oneHour = modelUsage.cacheCreationEphemeral1hInputTokens;
  let cacheWrite1hTokens = 0;
  let cacheWriteTokens = creationTotal;
  if (oneHour !== undefined && oneHour !== null) {
    cacheWrite1hTokens = tokenCount(oneHour, "cacheCreationEphemeral1hInputTokens");
    cacheWriteTokens = Math.max(
      creationTotal - cacheWrite1hTokens,
      tokenCount(fiveMinute, "cacheCreationEphemeral5mInputTokens"),
    );
  } else if (fiveMinute !== undefined && fiveMinute !== null) {
    cacheWriteTokens = tokenCount(fiveMinute, "cacheCreationEphemeral5mInputTokens");
    cacheWrite1hTokens = Math.max(creationTotal - cacheWriteTokens, 0);
  }
  // Web searches are billed per search: a usage counter of their own, priced from the catalog.
  const webSearchRequests = tokenCount(modelUsage.webSearchRequests, "webSearchRequests");
  return {
    inputTokens: tokenCount(modelUsage.inputTokens, "inputTokens"),
    outputTokens: tokenCount(modelUsage.outputTokens, "outputTokens"),
    cacheReadTokens: tokenCount(modelUsage.cacheReadInputTokens, "cacheReadInputTokens"),
    cacheWriteTokens,
    cacheWrite1hTokens,
    reasoningTokens: 0,
    ...(webSearchRequests > 0 ? { webSearchRequests } : {}),
  };
}

/** The run's outcome as the ledger's `error`: undefined for a clean success. */
export function agentRunError(resultMessage: AgentResultMessage): string | undefined {
  if (resultMessage.subtype !== "success") return resultMessage.subtype;
  if (!resultMessage.is_error) return undefined;
  const status = resultMessage.api_error_status;
  return status === undefined || status === null ? "api_error" : `api_error:${status}`;
}

type BaseInput = Omit<TrackUsageInput, "model" | "usage">;

function baseInput(resultMessage: AgentResultMessage, context: AgentRunContext): BaseInput {
  const error = agentRunError(resultMessage);
  const durationMs = resultMessage.duration_ms;
  // The run's tier (its top-level usage says it) served every model of the run.
  const serviceTier = serviceTierOf(resultMessage.usage);
  return {
    repo: context.repo,
    taskType: context.taskType,
    sdk: "agent",
    ...(context.provider === undefined ? {} : { provider: context.provider }),
    ...(context.deliveryId === undefined ? {} : { deliveryId: context.deliveryId }),
    ...(context.metadata === undefined ? {} : { metadata: context.metadata }),
    ...(context.userId === undefined ? {} : { userId: context.userId }),
    ...(context.traceId === undefined ? {} : { traceId: context.traceId }),
    ...(context.environment === undefined ? {} : { environment: context.environment }),
    ...(typeof durationMs === "number" && Number.isFinite(durationMs)
      ? { durationMs: Math.round(durationMs) }
      : {}),
    ...(resultMessage.session_id === undefined ? {} : { sessionId: resultMessage.session_id }),
    ...(serviceTier === undefined ? {} : { serviceTier }),
    ...(error === undefined ? {} : { error }),
  };
}

// A run without per-model usage (the original design's `trackAgentSdkCall`): the top-level usage and cost.
function runInput(
  resultMessage: AgentResultMessage,
  context: AgentRunContext,
  base: BaseInput,
): TrackUsageInput {
  let usage = emptyTokenUsage();
  let error = base.error;
  if (resultMessage.usage !== undefined && resultMessage.usage !== null) {
    try {
      usage = usageFromAnthropic(resultMessage.usage);
    } catch (caught) {
      if (!isLedgerError(caught)) throw caught;
      error = [error, `usage unreadable: ${caught.message}`].filter(Boolean).join("; ");
    }
  }
  return {
    ...base,
    model: context.model ?? "unknown",
    usage,
    providerCostUsd: resultMessage.total_cost_usd,
    ...(resultMessage.uuid === undefined ? {} : { eventId: deriveEventId(resultMessage.uuid, "") }),
    ...(error === undefined ? {} : { error }),
  };
}

function assertResultMessage(value: unknown): asserts value is AgentResultMessage {
  if (typeof value !== "object" || value === null || (value as { type?: unknown }).type !== "result") {
    throw new LedgerError(
      "E_AGENT_RESULT_INVALID",
      "trackAgentSdkResult takes the SDK's result message (type: 'result'); pass the message whose type is 'result'",
    );
  }
}
