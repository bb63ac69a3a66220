// llm-ledger: the public surface of the package root. Optional parts have subpaths of their own:
// `llm-ledger/pricing`, `llm-ledger/ai-sdk`, `llm-ledger/agent-sdk`, `llm-ledger/server`.

export { LedgerError, isLedgerError, type LedgerErrorCode } from "./errors.js";

// Pricing: the built-in catalog (pure functions) and instances with overrides.
export {
  estimateCost,
  resolveModel,
  extractProvider,
  catalogVersion,
  createPricing,
  createPricingFromEnv,
  PROVIDERS,
  type Pricing,
  type PricingOptions,
  type Provider,
  type Usage,
  type CostEstimate,
  type EstimateInput,
  type ResolvedModel,
} from "./pricing/index.js";

// The ledger store and its database.
export {
  createTelemetryStore,
  openDatabase,
  migrateUp,
  migrateDown,
  migrationStatus,
  compactRollups,
  StoreWriteError,
  type TelemetryStore,
  type TelemetryStoreOptions,
  type LlmCostRecord,
  type LlmCostRecordInput,
  type NewLlmCostRecord,
  type Database,
  type LedgerLogger,
} from "./store/index.js";

// Projects: the teams one ledger is shared by.
export {
  createProjectStore,
  checkProjectSlug,
  defaultProject,
  type ProjectInfo,
  type ProjectStore,
} from "./projects/index.js";

// The tracker for the application's hot path, and the sink that sends its events to a service.
export {
  createCostTracker,
  type CostTracker,
  type CostTrackerOptions,
  type EventSink,
  type TrackResult,
  type TrackOutcome,
  type TrackerStats,
  type AiSdkCallParams,
  type AgentSdkCallParams,
  type UsageCallParams,
} from "./tracker/index.js";
export { createHttpSink, HttpSinkError, type HttpSinkOptions } from "./tracker/http-sink.js";

// Raw provider usage objects → the usage convention.
export {
  usageFromOpenAI,
  usageFromAnthropic,
  usageFromGemini,
  emptyTokenUsage,
  type TokenUsage,
  type OpenAIChatUsage,
  type OpenAIResponsesUsage,
  type AnthropicUsage,
  type GeminiUsageMetadata,
} from "./integrations/raw/index.js";

// Queries over the ledger.
export {
  queryCosts,
  listEvents,
  getEvent,
  listMetadataKeys,
  repriceEvents,
  reconcileCosts,
  type CostReport,
  type CostReportSource,
  type CostFigures,
  type CostRow,
  type Grain,
  type QueryStore,
  type RepriceOptions,
  type RepriceResult,
  type ReconcileRow,
  type ReconcileSdkOptions,
  type ReconcileBillsOptions,
  type BillReconciliation,
  type BillReconcileRow,
  type BillDimension,
  type BillMarker,
  type CurrencyRates,
  type QueryCostsOptions,
  type CostFilters,
  type Dimension,
  type EventPage,
  type ListEventsOptions,
  type GetEventOptions,
  type MetadataKeys,
  type MetadataKeysOptions,
} from "./query/index.js";

// Budgets over the ledger's spend: specs, storage, status and forecast.
export {
  createBudget,
  listBudgets,
  getBudget,
  updateBudget,
  deleteBudget,
  budgetStatus,
  createBudgetGuard,
  addAlertTarget,
  listAlertTargets,
  removeAlertTarget,
  listAlerts,
  evaluateBudgetAlerts,
  deliverAlerts,
  sendTestAlert,
  type BudgetGuard,
  type BudgetGuardOptions,
  type AlertTarget,
  type AlertDelivery,
  type BudgetAlertBody,
  type Budget,
  type BudgetSpec,
  type BudgetScope,
  type BudgetPeriod,
  type BudgetStatus,
  type BudgetStatusOptions,
  type BudgetState,
  type SpendStatus,
  type ValueStatus,
  type SpendForecast,
  type ForecastDriver,
} from "./budgets/index.js";
// The guard's refusal (also exported from `llm-ledger/ai-sdk`, where the middleware raises it).
export { BudgetExceededError } from "./integrations/ai-sdk/budget-check.js";
