// llm-ledger/ai-sdk: cost tracking for the Vercel AI SDK (ai 6 and 7), and task routing with fallback.
export {
  createCostTrackingMiddleware,
  type CostTrackingMiddleware,
  type CostTrackingMiddlewareOptions,
} from "./cost-tracking-middleware.js";
export { type LedgerCallOptions } from "./ledger-call-options.js";
export { usageFromAiSdk } from "./usage-from-ai-sdk.js";
export { providerOfModel } from "./provider-of-model.js";
export { describeError } from "./describe-error.js";
export type {
  AiSdkUsage,
  AiSdkTokenCounts,
  CallParamsLike,
  GenerateResultLike,
  LanguageModelLike,
  StreamPartLike,
  StreamResultLike,
} from "./language-model-shapes.js";
export type { TrackResult, TrackUsageInput, TrackedUsage, UsageTracker } from "../usage-tracker.js";
export {
  createTaskRouter,
  type TaskRouter,
  type TaskRouterOptions,
  type TaskRoute,
  type AiFunctions,
} from "./task-router.js";
export { fallbackReason } from "./fallback-reason.js";
export {
  BudgetExceededError,
  type BudgetCall,
  type BudgetDecision,
  type BudgetGuardLike,
  type BudgetRef,
} from "./budget-check.js";
