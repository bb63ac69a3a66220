// The query surface: cost reports over any dimension (rollup or raw, chosen automatically), the
// events behind a figure, and repricing with the current catalog.
export { queryCosts, queryCostsUsing, type CostReport, type CostReportSource } from "./query-costs.js";
export type { CostFigures, CostRow } from "./cost-figures.js";
export {
  grains,
  metricNames,
  type Grain,
  type MetricName,
  type OrderBy,
  type QueryCostsOptions,
} from "./cost-query-options.js";
export type { CostFilters, DimensionValues } from "./cost-filters.js";
export { escapeFilterValue, joinFilterValues, splitFilterValues } from "./filter-values.js";
export { csvCell, formatCsvTable, removeCsvPrefix, type CsvCellKind, type CsvColumn } from "./csv-cell.js";
export { costReportCsv } from "./cost-report-csv.js";
export { eventsCsv } from "./event-csv.js";
/** Every field of an exported event, in file order (the event model owns the list). */
export { eventExportFields } from "../events/index.js";
export { dimensionNames, type Dimension, type FixedDimension } from "./dimensions.js";
export type { QueryStore } from "./store-handle.js";
export type { Instant } from "./time-range.js";
export { listEvents, type EventPage, type ListEventsOptions } from "./list-events.js";
export { getEvent, type GetEventOptions } from "./get-event.js";
export { listMetadataKeys, type MetadataKeys, type MetadataKeysOptions } from "./metadata-keys.js";
export { explainEventCost, type ExplainEventCostOptions } from "./explain-event-cost.js";
export type {
  CostExplanation,
  ExplainedCatalogEntry,
  ExplanationBasis,
  TodayLine,
} from "./cost-explanation.js";
export { repriceEvents, type RepriceOptions, type RepriceResult } from "./reprice-events.js";
export { reconcileCosts, type ReconcileRow, type ReconcileSdkOptions } from "./reconcile-costs.js";
export {
  reconcileBills,
  billDimensions,
  type BillDimension,
  type BillMarker,
  type BillReconcileRow,
  type BillReconciliation,
  type ReconcileBillsOptions,
} from "./reconcile-bills.js";
export { parseRates, type CurrencyRates } from "./bill-rates.js";
export {
  queryGroupedReports,
  type GroupedReport,
  type GroupedRow,
  type GroupingSet,
} from "./grouped-reports.js";
export { wholeHourOffsetsSql } from "./time-zone.js";
