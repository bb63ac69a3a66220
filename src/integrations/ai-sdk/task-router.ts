import * as defaultAi from "ai";
import { LedgerError } from "../../errors.js";
import type { UsageTracker } from "../usage-tracker.js";
import type { BudgetGuardLike } from "./budget-check.js";
import { createCostTrackingMiddleware } from "./cost-tracking-middleware.js";
import { createFallbackMiddleware, type CallableModel } from "./fallback-middleware.js";
import type { StreamResultLike } from "./language-model-shapes.js";
import { withLedgerOptions } from "./ledger-call-options.js";

/** The functions of one `ai` major that the router calls (ai 6 and 7 both fit). */
export interface AiFunctions {
  generateText: (options: never) => PromiseLike<unknown>;
  streamText: (options: never) => unknown;
  wrapLanguageModel: (options: never) => unknown;
}

/** One task type's models: the primary first, then the fallbacks in order. */
export interface TaskRoute {
  models: readonly [unknown, ...unknown[]];
  /** Bounds each attempt (a generate call whole, a stream until its first chunk); its expiry falls back with reason `timeout`. */
  timeoutMs?: number;
}

/** Options of `createTaskRouter`: the `ai` functions to call, the tracker, and the models per task type. */
export interface TaskRouterOptions<Ai extends AiFunctions> {
  tracker: UsageTracker;
  repo: string;
  routes: Record<string, TaskRoute>;
  deliveryId?: string;
  metadata?: Record<string, unknown>;
  /** The `ai` module to call (default: the `ai` package); pass `ai` 7's when it is installed under another name. */
  ai?: Ai;
  /**
   * Skips models whose scope a blocking budget has spent (`createBudgetGuard`): the router moves on
   * to the next model, and fails with `BudgetExceededError` only when none is left.
   */
  budgetGuard?: BudgetGuardLike | undefined;
}

type RoutedOptions<Options> = Omit<Options, "model"> & { taskType: string };
type FirstParameter<Function> = Function extends (options: infer Options) => unknown ? Options : never;

/** `router.generateText` / `router.streamText`: the `ai` functions, with `taskType` in place of `model`. */
export interface TaskRouter<Ai extends AiFunctions> {
  generateText(options: RoutedOptions<FirstParameter<Ai["generateText"]>>): ReturnType<Ai["generateText"]>;
  streamText(options: RoutedOptions<FirstParameter<Ai["streamText"]>>): ReturnType<Ai["streamText"]>;
}

type LooseFunction = (options: Record<string, unknown>) => unknown;
type WrappedModel = CallableModel<Record<string, unknown>, unknown, StreamResultLike>;

/**
 * Routes calls by task type to a primary model, falling back to the next model when a call fails
 * transiently (timeout, HTTP 429, 5xx, network errors; never on 400/401/invalid input). A stream falls
 * back only before its first chunk; in a tool loop, the step that failed falls back. Each provider
 * call is recorded exactly once by the cost tracking middleware the router puts on every model: the
 * failed attempt with its error, the fallback's answer with `used_fallback = true` and its
 * `fallback_reason` (`429`, `503`, `timeout`, `network`, …). Pass the models bare (a model that
 * already has a tracking middleware is recorded once, by the router's). Retries within an attempt
 * are the caller's `maxRetries`: the AI SDK retries the whole chain, primary first.
 *
 * @example
 * const router = createTaskRouter({ tracker, repo: "web", routes: {
 *   summarize: { models: [anthropic("claude-sonnet-4-5"), openai("gpt-4.1")], timeoutMs: 30_000 },
 * } });
 * const { text } = await router.generateText({ taskType: "summarize", prompt });
 */
export function createTaskRouter<Ai extends AiFunctions = typeof defaultAi>(
  options: TaskRouterOptions<Ai>,
): TaskRouter<Ai> {
  const ai = (options.ai ?? defaultAi) as unknown as Record<
    "generateText" | "streamText" | "wrapLanguageModel",
    LooseFunction
  >;
  const routed = new Map<string, unknown>();
  for (const [taskType, route] of Object.entries(options.routes)) {
    if (!Array.isArray(route.models) || route.models.length === 0) {
      throw new LedgerError("E_ROUTE_INVALID", `route ${JSON.stringify(taskType)} needs at least one model`);
    }
    const tracking = createCostTrackingMiddleware({
      tracker: options.tracker,
      repo: options.repo,
      taskType,
      ...(options.deliveryId === undefined ? {} : { deliveryId: options.deliveryId }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
      budgetGuard: options.budgetGuard,
    });
    const tracked = route.models.map(
      (model) => ai.wrapLanguageModel({ model, middleware: tracking }) as WrappedModel,
    );
    const fallback = createFallbackMiddleware(tracked, route.timeoutMs);
    routed.set(taskType, ai.wrapLanguageModel({ model: tracked[0], middleware: fallback }));
  }

  const prepare = (callOptions: { taskType: string } & Record<string, unknown>) => {
    const { taskType, ...rest } = callOptions;
    const model = routed.get(taskType);
    if (model === undefined) {
      throw new LedgerError(
        "E_ROUTE_UNKNOWN",
        `no route for task type ${JSON.stringify(taskType)} (routes: ${[...routed.keys()].join(", ")})`,
      );
    }
    const providerOptions = withLedgerOptions(rest.providerOptions as Record<string, unknown> | undefined, {
      taskType,
    });
    return { ...rest, model, providerOptions };
  };

  return {
    generateText: (callOptions) => ai.generateText(prepare(callOptions)) as ReturnType<Ai["generateText"]>,
    streamText: (callOptions) => ai.streamText(prepare(callOptions)) as ReturnType<Ai["streamText"]>,
  };
}
