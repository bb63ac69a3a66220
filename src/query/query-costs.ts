import { quoteSchema } from "../store/schema-name.js";
import { checkCostQueryOptions, type CostQueryPlan, type QueryCostsOptions } from "./cost-query-options.js";
import { filtersFitRollup, filtersFitSummary } from "./cost-filters.js";
import { addFigures, readFigures, type CostFigures, type CostRow } from "./cost-figures.js";
import { buildCostQuery, type CostQueryLayout, type Span } from "./cost-query-sql.js";
import { readerOf, type QueryStore } from "./store-handle.js";
import { ceilDay, ceilHour, ceilWeek, floorDay, floorHour, floorWeek } from "./time-range.js";
import { formatPeriod, isUnknownTimeZoneError, timeZoneError, wholeHourOffsetsSql } from "./time-zone.js";

/**
 * Where a report's figures came from: rollups alone (with the deltas writers left pending), raw
 * events alone, or rollups for whole hours and raw events for the partial hours at the edges.
 */
export type CostReportSource = "rollup" | "raw" | "mixed";

/** What `queryCosts` returns; the CLI's `report --format json` and `GET /v1/costs` print exactly this. */
export interface CostReport {
  rows: CostRow[];
  /** The sums over every row, including rows beyond `limit`. */
  totals: CostFigures;
  source: CostReportSource;
}

/**
 * Spend and usage grouped by any dimensions and a time grain, exactly (NUMERIC sums). Served from
 * the smallest rollups that carry the dimensions and filters whenever they, the grain and the time
 * zone allow (whole-hour offsets), with the partial hours at the edges of the range read from raw
 * events; from raw events otherwise. Bad options throw a `LedgerError` naming the option (`E_QUERY_*`).
 *
 * @example
 * const { rows, totals } = await queryCosts(store, {
 *   from: "2024-03-01T00:00:00Z", to: "2024-04-01T00:00:00Z",
 *   groupBy: ["model", "repo"], grain: "day", timeZone: "Europe/Berlin",
 *   filters: { environment: ["production"] },
 * });
 */
export function queryCosts(store: QueryStore, options: QueryCostsOptions = {}): Promise<CostReport> {
  return queryCostsUsing(store, options, "auto");
}

/**
 * `queryCosts` with the choice of source forced: `raw` reads raw events only (what the randomized
 * equality test and the benchmark compare the rollup against); `auto` is `queryCosts`.
 */
export async function queryCostsUsing(
  store: QueryStore,
  options: QueryCostsOptions,
  strategy: "auto" | "raw",
): Promise<CostReport> {
  const plan = checkCostQueryOptions(options);
  try {
    const { layout, source } = strategy === "raw" ? rawLayout(plan) : await chooseLayout(store, plan);
    const { text, values } = buildCostQuery(plan, store.schema, layout);
    const result = await readerOf(store).query<Record<string, unknown>>(text, values);
    const totalsRow = result.at(-1);
    return {
      rows: result.slice(0, -1).map((row) => readRow(plan, row)),
      totals: readFigures(totalsRow ?? {}),
      source,
    };
  } catch (error) {
    if (isUnknownTimeZoneError(error)) throw timeZoneError(plan.timeZone, error);
    throw error;
  }
}

function readRow(plan: CostQueryPlan, row: Record<string, unknown>): CostRow {
  const result = {} as CostRow;
  for (let index = 0; index < plan.groupBy.length; index++) {
    result[plan.groupBy[index]!.name] = (row[`k${index}`] as string | null | undefined) ?? null;
  }
  if (plan.grain) result.period = formatPeriod(row.period_local as string, Number(row.period_offset));
  addFigures(result, row);
  return result;
}

/** Every part of the range from raw events. */
export function rawLayout(plan: CostQueryPlan): { layout: CostQueryLayout; source: CostReportSource } {
  return {
    layout: {
      rollups: "full",
      weekly: undefined,
      daily: [],
      hourly: [],
      raw: [{ from: plan.from, to: plan.to }],
    },
    source: "raw",
  };
}

/**
 * Decides where each part of the range comes from: whole UTC weeks from the one-dimension rollup's
 * weeks (when it is read, and the periods are UTC weeks or there is no grain), whole UTC days from a
 * daily rollup (when the periods are whole UTC days or there is no grain), whole hours from an hourly
 * rollup, the partial hours at the edges from raw events; the summary rollups when the dimensions and
 * filters fit them (they are about ten times smaller), the full ones otherwise.
 */
async function chooseLayout(
  store: QueryStore,
  plan: CostQueryPlan,
): Promise<{ layout: CostQueryLayout; source: CostReportSource }> {
  const rollups = chooseRollups(plan);
  if (!rollups) return rawLayout(plan);
  const hours = hourSpan(plan);
  const wholeHours =
    !plan.grain ||
    plan.timeZone === "UTC" ||
    isEmpty(hours) ||
    (await wholeHourOffsets(store, plan.timeZone, hours));
  return rollupLayout(plan, rollups, wholeHours);
}

function hourSpan(plan: CostQueryPlan): Span {
  return { from: plan.from && ceilHour(plan.from), to: plan.to && floorHour(plan.to) };
}

/**
 * The layout of a query that `rollups` answer, given whether the time zone's offset is a whole number
 * of hours over the range (only asked with a grain outside UTC; raw events when it is not). Without
 * `useWeeks` the closed weeks are read as days (a caller that shifts UTC days into local ones).
 */
export function rollupLayout(
  plan: CostQueryPlan,
  rollups: Pick<CostQueryLayout, "rollups" | "dimension">,
  wholeHours: boolean,
  useWeeks = true,
): { layout: CostQueryLayout; source: CostReportSource } {
  const hours = hourSpan(plan);
  if (isEmpty(hours)) return rawLayout(plan);
  if (plan.grain && plan.timeZone !== "UTC" && !wholeHours) return rawLayout(plan);
  let weekly: Span | undefined;
  let daily: Span[] = [];
  let hourly: Span[] = [hours];
  const utc = plan.timeZone === "UTC";
  const wholeDays = plan.grain === undefined || (plan.grain !== "hour" && utc);
  const days: Span = { from: hours.from && ceilDay(hours.from), to: hours.to && floorDay(hours.to) };
  if (wholeDays && !isEmpty(days)) {
    daily = [days];
    hourly = outside(hours, days);
    // Only the one-dimension rollup keeps weeks; a month or a day does not start on a Monday.
    const wholeWeeks = plan.grain === undefined || (plan.grain === "week" && utc);
    const weeks: Span = { from: days.from && ceilWeek(days.from), to: days.to && floorWeek(days.to) };
    if (useWeeks && rollups.rollups === "byDimension" && wholeWeeks && !isEmpty(weeks)) {
      weekly = weeks;
      daily = outside(days, weeks);
    }
  }
  const raw = outside({ from: plan.from, to: plan.to }, hours);
  return {
    layout: { ...rollups, weekly, daily, hourly, raw },
    source: raw.length > 0 ? "mixed" : "rollup",
  };
}

/** True when both ends are set and the span holds no instant. */
function isEmpty(span: Span): boolean {
  return span.from !== undefined && span.to !== undefined && span.from.getTime() >= span.to.getTime();
}

/** The parts of `outer` before and after `inner`, which it contains (an open end has no part beyond). */
function outside(outer: Span, inner: Span): Span[] {
  const parts: Span[] = [];
  if (outer.from && inner.from && outer.from < inner.from) parts.push({ from: outer.from, to: inner.from });
  if (outer.to && inner.to && inner.to < outer.to) parts.push({ from: inner.to, to: outer.to });
  return parts;
}

/**
 * The smallest rollups that carry every dimension the query groups or filters by: one dimension's
 * rows (also for none: the provider's, the fewest; userId only there), the four-dimension summaries,
 * or the full rollups (SDK, environment, service tier, flag filters); undefined when none does (raw
 * events).
 */
export function chooseRollups(
  plan: CostQueryPlan,
): Pick<CostQueryLayout, "rollups" | "dimension"> | undefined {
  const dimensions = [...plan.groupBy, ...plan.filters.dimensions.map((filter) => filter.dimension)];
  // The project is in every rollup's key: it never rules out the one-dimension rows.
  const names = new Set(
    dimensions.filter((dimension) => !dimension.everyTable).map((dimension) => dimension.name),
  );
  const noFlags = Object.values(plan.filters.flags).every((flag) => flag === undefined);
  if (names.size <= 1 && noFlags && dimensions.every((dimension) => dimension.inByDimension)) {
    return { rollups: "byDimension", dimension: [...names][0] ?? "provider" };
  }
  const summaryFits =
    plan.groupBy.every((dimension) => dimension.inSummary) && filtersFitSummary(plan.filters);
  if (summaryFits) return { rollups: "summary" };
  const fullFits =
    plan.groupBy.every((dimension) => dimension.rollupSql !== null) && filtersFitRollup(plan.filters);
  return fullFits ? { rollups: "full" } : undefined;
}

/**
 * True when the time zone's offset is a whole number of hours throughout the span (open ends: the
 * rollup's first and last hour), so that every local period starts on a UTC hour. Asks Postgres,
 * whose time zone database does the grouping, sampling each day and the span's last hour.
 */
async function wholeHourOffsets(store: QueryStore, timeZone: string, span: Span): Promise<boolean> {
  const hourly = `${quoteSchema(store.schema)}.llm_cost_hourly`;
  const [row] = await readerOf(store).query<{ whole: boolean | null }>(
    `WITH bounds AS (
       SELECT COALESCE($1::timestamptz, (SELECT min(hour_start) FROM ${hourly})) AS low,
              COALESCE($2::timestamptz - interval '1 hour', (SELECT max(hour_start) FROM ${hourly})) AS high
     )
     SELECT ${wholeHourOffsetsSql("$3::text", "low", "high")} AS whole FROM bounds`,
    [span.from?.toISOString() ?? null, span.to?.toISOString() ?? null, timeZone],
  );
  return row?.whole !== false;
}
