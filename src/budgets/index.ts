// Budgets: specs and their storage, spend against them per period, and the forecast.
export { createBudget, deleteBudget, getBudget, listBudgets, updateBudget } from "./budget-store.js";
export type { BudgetView } from "./budget-store.js";
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
export {
  addAlertTarget,
  findAlertTarget,
  listAlertTargets,
  removeAlertTarget,
  type AlertTarget,
  type AlertTargetView,
} from "./alert-targets.js";
export { evaluateBudgetAlerts, alertKey, type AlertEvaluation } from "./evaluate-alerts.js";
export { purgeAlertClaims, type PurgeClaimsOptions } from "./purge-claims.js";
export {
  deliverAlerts,
  sendTestAlert,
  signPayload,
  isRetryableStatus,
  retryDelayMs,
  type DeliveryOptions,
  type DeliveryRound,
} from "./alert-delivery.js";
export type { BudgetAlertBody, Contributor } from "./alert-body.js";
export { listAlerts, type AlertDelivery } from "./alert-history.js";
export { startAlertSchedule, type AlertSchedule, type AlertScheduleOptions } from "./alert-schedule.js";
export { createBudgetGuard, type BudgetGuard, type BudgetGuardOptions } from "./budget-guard.js";
export { evaluateSpikes, type SpikeEvaluation, type SpikeOptions } from "./spike-alerts.js";
export {
  checkBillDriftOptions,
  evaluateBillDrift,
  type BillDriftEvaluation,
  type BillDriftOptions,
} from "./bill-drift-alerts.js";
