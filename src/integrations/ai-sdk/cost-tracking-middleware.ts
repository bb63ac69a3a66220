import { randomUUID } from "node:crypto";
import type { TrackerPricing } from "../../events/index.js";
import { emptyTokenUsage, type TokenUsage } from "../raw/token-usage.js";
import { serviceTierOfAiSdk } from "../raw/service-tier-of.js";
import type { TrackUsageInput, UsageTracker } from "../usage-tracker.js";
import { budgetRefusal, type BudgetCall, type BudgetGuardLike } from "./budget-check.js";
import { generateUsage, streamUsage } from "./call-usage.js";
import { describeError } from "./describe-error.js";
import type {
  CallParamsLike,
  GenerateResultLike,
  LanguageModelLike,
  StreamResultLike,
} from "./language-model-shapes.js";
import {
  LEDGER_OPTIONS_KEY,
  TRACKED_BY_KEY,
  isPlainObject,
  readLedgerCallOptions,
  withLedgerOptions,
} from "./ledger-call-options.js";
import { observeStream } from "./observe-stream.js";
import { providerOfModel } from "./provider-of-model.js";
import { createSpanCostAnnotator, type SpanLike } from "./span-cost.js";
import { rawChunksAreOurs, rawChunksCarryUsage, withRawUsageChunks } from "./raw-usage-chunks.js";

/** Options of `createCostTrackingMiddleware`: the defaults every call is booked under. */
export interface CostTrackingMiddlewareOptions {
  tracker: UsageTracker;
  repo: string;
  taskType: string;
  deliveryId?: string;
  metadata?: Record<string, unknown>;
  userId?: string;
  environment?: string;
  /**
   * Put the call's computed cost on its OpenTelemetry span (the AI SDK's doGenerate/doStream span, with
   * `experimental_telemetry` on): `llm_ledger.cost.usd` and `llm_ledger.pricing_version`. `true` prices
   * with the shipped catalog; `{ pricing }` with the tracker's pricing (overrides included). Needs
   * `@opentelemetry/api` and a context manager (the OTel Node SDK registers one); otherwise a no-op.
   */
  annotateSpan?: boolean | { pricing: TrackerPricing };
  /**
   * Refuses calls whose scope a blocking budget has spent (`createBudgetGuard`): such a call fails
   * with `BudgetExceededError` before the provider is called, recorded as an event with zero cost
   * and the error.
   */
  budgetGuard?: BudgetGuardLike | undefined;
}

/**
 * A language model middleware for `wrapLanguageModel` (AI SDK 6 and 7). Its methods are generic over
 * the SDK's own types, so the one object satisfies `LanguageModelV3Middleware` (ai 6) and
 * `LanguageModelMiddleware` (ai 7).
 */
export interface CostTrackingMiddleware {
  readonly specificationVersion: "v3";
  transformParams<Params extends CallParamsLike>(options: {
    params: Params;
    type?: "generate" | "stream";
    model?: LanguageModelLike;
  }): Promise<Params>;
  wrapGenerate<Result extends GenerateResultLike>(options: {
    doGenerate: () => PromiseLike<Result>;
    params: CallParamsLike;
    model: LanguageModelLike;
  }): Promise<Result>;
  wrapStream<Result extends StreamResultLike>(options: {
    doStream: () => PromiseLike<Result>;
    params: CallParamsLike;
    model: LanguageModelLike;
  }): Promise<Result>;
}

/**
 * Records one event per provider call made through the wrapped model: `generateText`, `streamText`,
 * `generateObject`, `streamObject` and each step of a tool loop, with every token bucket mapped for
 * its provider, the provider from the model's provider id, `duration_ms`, and the error of a failed
 * call or stream (a stream aborted or failing midway is recorded with whatever usage is known).
 * Per call, `providerOptions.llmLedger` (`{ repo?, taskType?, deliveryId?, metadata? }`) overrides
 * the defaults. Recording never delays, changes or fails the call. When two tracking middlewares wrap
 * the same call (a tracked model handed to the task router), only the outermost records it.
 *
 * @example
 * const model = wrapLanguageModel({
 *   model: anthropic("claude-sonnet-4-5"),
 *   middleware: createCostTrackingMiddleware({ tracker, repo: "web", taskType: "chat" }),
 * });
 * await generateText({ model, prompt, providerOptions: { llmLedger: { taskType: "title" } } });
 */
export function createCostTrackingMiddleware(options: CostTrackingMiddlewareOptions): CostTrackingMiddleware {
  const instanceId = randomUUID();
  const annotator = options.annotateSpan
    ? createSpanCostAnnotator(options.annotateSpan === true ? undefined : options.annotateSpan.pricing)
    : undefined;
  const ownsCall = (params: CallParamsLike): boolean => {
    const ledger = params.providerOptions?.[LEDGER_OPTIONS_KEY];
    return isPlainObject(ledger) && ledger[TRACKED_BY_KEY] === instanceId;
  };

  /** The call's dimensions as the budget guard sees them (the per-call options over the defaults). */
  const budgetCall = (params: CallParamsLike, model: LanguageModelLike): BudgetCall => {
    const callOptions = readLedgerCallOptions(params.providerOptions);
    return {
      repo: callOptions.repo ?? options.repo,
      taskType: callOptions.taskType ?? options.taskType,
      model: model.modelId,
      provider: providerOfModel(model.provider),
      userId: callOptions.userId ?? options.userId,
      sessionId: callOptions.sessionId,
      environment: callOptions.environment ?? options.environment,
      metadata:
        options.metadata || callOptions.metadata
          ? { ...options.metadata, ...callOptions.metadata }
          : undefined,
    };
  };

  /** A refused call: recorded (zero usage, the error) and thrown before the provider is called. */
  const refuse = (params: CallParamsLike, model: LanguageModelLike): void => {
    const refusal = budgetRefusal(options.budgetGuard, budgetCall(params, model));
    if (!refusal) return;
    record(params, model, {
      startedAt: performance.now(),
      startedAtMs: Date.now(),
      usage: emptyTokenUsage(),
      error: refusal,
    });
    throw refusal;
  };

  const record = (
    params: CallParamsLike,
    model: LanguageModelLike,
    call: {
      startedAt: number;
      startedAtMs: number;
      usage: TokenUsage;
      modelId?: string | undefined;
      /** The service tier the provider reported (`serviceTierOfAiSdk`). */
      serviceTier?: string | undefined;
      error?: unknown;
      /** The span active when the call started, to annotate with its cost. */
      span?: SpanLike | undefined;
    },
  ): void => {
    const callOptions = readLedgerCallOptions(params.providerOptions);
    const provider = providerOfModel(model.provider);
    const metadata =
      options.metadata || callOptions.metadata ? { ...options.metadata, ...callOptions.metadata } : undefined;
    const deliveryId = callOptions.deliveryId ?? options.deliveryId;
    const userId = callOptions.userId ?? options.userId;
    const environment = callOptions.environment ?? options.environment;
    const input: TrackUsageInput = {
      repo: callOptions.repo ?? options.repo,
      taskType: callOptions.taskType ?? options.taskType,
      model: call.modelId || model.modelId,
      usage: call.usage,
      sdk: "ai",
      durationMs: Math.max(0, Math.round(performance.now() - call.startedAt)),
      createdAt: new Date(call.startedAtMs),
      ...(provider === undefined ? {} : { provider }),
      ...(deliveryId === undefined ? {} : { deliveryId }),
      ...(metadata === undefined ? {} : { metadata }),
      ...(userId === undefined ? {} : { userId }),
      ...(environment === undefined ? {} : { environment }),
      ...(callOptions.sessionId === undefined ? {} : { sessionId: callOptions.sessionId }),
      ...(callOptions.traceId === undefined ? {} : { traceId: callOptions.traceId }),
      ...(callOptions.usedFallback ? { usedFallback: true } : {}),
      ...(callOptions.fallbackReason === undefined ? {} : { fallbackReason: callOptions.fallbackReason }),
      ...(call.serviceTier === undefined ? {} : { serviceTier: call.serviceTier }),
      ...(call.error === undefined ? {} : { error: describeError(call.error) }),
    };
    annotator?.annotate(call.span, input);
    try {
      // The tracker's promise never rejects by contract; the catch guards against a foreign tracker.
      options.tracker.trackUsage(input).catch(() => undefined);
    } catch {
      // A tracker that throws must not fail the user's call.
    }
  };

  return {
    specificationVersion: "v3",

    transformParams<Params extends CallParamsLike>({
      params,
      type,
      model,
    }: {
      params: Params;
      type?: "generate" | "stream";
      model?: LanguageModelLike;
    }): Promise<Params> {
      const ledger = params.providerOptions?.[LEDGER_OPTIONS_KEY];
      // An outer tracking middleware already owns this call: leave its mark.
      if (isPlainObject(ledger) && typeof ledger[TRACKED_BY_KEY] === "string") return Promise.resolve(params);
      const owned = {
        ...params,
        providerOptions: withLedgerOptions(params.providerOptions, { [TRACKED_BY_KEY]: instanceId }),
      };
      return Promise.resolve(withRawUsageChunks(owned, type, model));
    },

    async wrapGenerate({ doGenerate, params, model }) {
      if (!ownsCall(params)) return doGenerate();
      refuse(params, model);
      const startedAt = performance.now();
      const startedAtMs = Date.now();
      const span = annotator?.capture();
      let result;
      try {
        result = await doGenerate();
      } catch (error) {
        record(params, model, { startedAt, startedAtMs, usage: emptyTokenUsage(), error, span });
        throw error;
      }
      record(params, model, {
        startedAt,
        startedAtMs,
        span,
        usage: generateUsage(result, model.provider),
        modelId: result.response?.modelId,
        serviceTier: serviceTierOfAiSdk(result.providerMetadata, result.usage?.raw),
      });
      return result;
    },

    async wrapStream({ doStream, params, model }) {
      if (!ownsCall(params)) return doStream();
      refuse(params, model);
      const startedAt = performance.now();
      const startedAtMs = Date.now();
      const span = annotator?.capture();
      let result;
      try {
        result = await doStream();
      } catch (error) {
        record(params, model, { startedAt, startedAtMs, usage: emptyTokenUsage(), error, span });
        throw error;
      }
      const rawChunks = {
        readRawUsage: rawChunksCarryUsage(model),
        hideRawChunks: rawChunksAreOurs(params),
      };
      const stream = observeStream(
        result.stream,
        (outcome) => {
          record(params, model, {
            startedAt,
            startedAtMs,
            span,
            usage: streamUsage(outcome, model.provider),
            modelId: outcome.modelId,
            serviceTier: serviceTierOfAiSdk(outcome.providerMetadata, outcome.usage?.raw),
            error: outcome.error,
          });
        },
        rawChunks,
      );
      // The same parts, passed through unchanged (less the raw chunks only the middleware asked for).
      return { ...result, stream };
    },
  };
}
