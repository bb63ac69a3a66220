// Budgets: specs and their storage, spend against them per period, and the forecast.
export { createBudget, deleteBudget, getBudget, listBudgets, updateBudget } from "./budget-store.js";
export { defaultThresholds, parseBudgetChanges, parseBudgetSpec, parseDimensionName } from "./budget-spec.js";
export type { Budget, BudgetFields, BudgetScope, BudgetSpec } from "./budget-spec.js";
export { parsePeriod, type BudgetPeriod } from "./budget-period.js";
export { budgetStatus } from "./budget-status.js";
export type {
  BudgetState,
  BudgetStatus,
  BudgetStatusOptions,
  SpendStatus,
  ValueStatus,
} from "./budget-status.js";
export type { ForecastDriver, SpendForecast } from "./spend-forecast.js";
export { alertTargetKinds, formatNotifyTarget, parseNotifyTarget } from "./notify-targets.js";
export type { AlertTargetKind, NotifyTarget } from "./notify-targets.js";
