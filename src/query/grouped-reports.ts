import { quoteSchema } from "../store/schema-name.js";
import { checkCostQueryOptions, type Grain } from "./cost-query-options.js";
import type { CostFilters } from "./cost-filters.js";
import { addDecimals, canonicalDecimal, countValue } from "./decimal.js";
import type { Dimension } from "./dimensions.js";
import { groupedReportSql, type SetPlan, type SubReport } from "./grouped-reports-sql.js";
import { chooseRollups, rawLayout, rollupLayout } from "./query-costs.js";
import { splitByDayGroups } from "./day-groups.js";
import { groupingMask, keyDimensions } from "./grouping-sets.js";
import { createSqlParameters } from "./sql-parameters.js";
import { queryWithoutJit } from "./query-without-jit.js";
import { readerOf, type QueryStore } from "./store-handle.js";
import { isUnknownTimeZoneError, timeZoneError } from "./time-zone.js";

/** One set of dimensions a grouped report sums by, and the filters its rows must pass. */
export interface GroupingSet {
  dimensions: readonly Dimension[];
  filters?: CostFilters | undefined;
}

/** A cost report over one time range, grouped by several sets of dimensions at once. */
export interface GroupedReport {
  from: Date;
  to: Date;
  grain?: Grain | undefined;
  /** IANA time zone in which periods start; default `UTC`. */
  timeZone?: string | undefined;
  sets: readonly GroupingSet[];
  /**
   * With a grain outside UTC: true when the caller has asked Postgres that the zone's offset is a
   * whole number of hours over the range, so the hourly rollups can be grouped into its periods.
   * Anything else reads raw events for that report (the same answer, slower).
   */
  wholeHours?: boolean | undefined;
}

/** A row of a grouped report: one group of one set, with its spend. */
export interface GroupedRow {
  /** Index of the report in the list asked for. */
  report: number;
  /** Index of the set in its report. */
  set: number;
  /** The set's dimension values, by dimension name (null: events without a value). */
  keys: Record<string, string | null>;
  /** The period's start, with a grain. */
  periodStart: Date | undefined;
  costUsd: string;
  events: number;
}

/**
 * Several cost reports, each grouped by several sets of dimensions, in one statement. Each report's
 * sets are split by the smallest rollups that carry them (one dimension's rows, the summaries, the
 * full rollups, or raw events), and each of those is read once for all its sets (`GROUPING SETS`)
 * over the report's range, laid out as `queryCosts` lays out a report (closed days, hours, raw
 * edges). A set's groups are the rows a `queryCosts` report grouped by that set would return, with
 * the same exact NUMERIC sums; groups with no event are left out, as there. Rows that a set's
 * `filters` do not admit may still appear in its groups when another set of the same rollups admits
 * them; a group whose keys satisfy the set's filters is always complete. With `source: "auto"` the
 * closed local days of a report come from the day groups where it qualifies (day-groups.ts, building
 * the days not built yet), and a group's rows from each source summed. `source: "raw"` reads raw
 * events only.
 */
export async function queryGroupedReports(
  store: QueryStore,
  reports: readonly GroupedReport[],
  source: "auto" | "raw" = "auto",
): Promise<GroupedRow[]> {
  if (source === "raw" || reports.length === 0) return readReports(store, reports, source);
  const split = await splitByDayGroups(store, reports);
  const rest = await readReports(store, split.residual, source);
  for (const row of rest) {
    const from = split.residualOf[row.report]!;
    row.report = from.report;
    row.set = from.sets[row.set]!;
  }
  if (split.rows.length === 0) return rest;
  // A daily period comes from one source; a group without a grain from several (and several days).
  const all = [...split.rows, ...rest];
  const periodic = all.filter((row) => reports[row.report]!.grain !== undefined);
  return [...periodic, ...mergeGroups(all.filter((row) => reports[row.report]!.grain === undefined))];
}

/** One row per group: the rows of a group that came from several sources (or days), summed exactly. */
function mergeGroups(rows: readonly GroupedRow[]): GroupedRow[] {
  const merged = new Map<string, GroupedRow>();
  for (const row of rows) {
    const key = JSON.stringify([row.report, row.set, row.periodStart?.getTime() ?? null, row.keys]);
    const found = merged.get(key);
    if (!found) merged.set(key, { ...row });
    else {
      found.costUsd = addDecimals(found.costUsd, row.costUsd);
      found.events += row.events;
    }
  }
  return [...merged.values()];
}

/** The reports from rollups (where they fit) and raw events, in one statement. */
async function readReports(
  store: QueryStore,
  reports: readonly GroupedReport[],
  source: "auto" | "raw",
): Promise<GroupedRow[]> {
  const subReports = reports.flatMap((report, index) => planReport(report, index, source));
  if (subReports.length === 0) return [];
  const parameters = createSqlParameters();
  const text = groupedReportSql(subReports, quoteSchema(store.schema), parameters);
  let result: Array<Record<string, unknown>>;
  try {
    result = await queryWithoutJit<Record<string, unknown>>(readerOf(store), text, parameters.values);
  } catch (error) {
    if (isUnknownTimeZoneError(error)) {
      const zone = reports.find((report) => report.timeZone !== undefined)?.timeZone;
      throw timeZoneError(zone, error);
    }
    throw error;
  }
  const readers = subReports.map(rowReader);
  return result.flatMap((row) => readers[Number(row.part)]!(row));
}

/** A report's sets, split by the rollups that answer them, each part with its layout. */
function planReport(report: GroupedReport, index: number, source: "auto" | "raw"): SubReport[] {
  const byRollups = new Map<string, SubReport>();
  report.sets.forEach((set, setIndex) => {
    const plan = checkCostQueryOptions({
      from: report.from,
      to: report.to,
      grain: report.grain,
      timeZone: report.timeZone,
      groupBy: set.dimensions,
      filters: set.filters,
    });
    const rollups = source === "raw" ? undefined : chooseRollups(plan);
    const key = JSON.stringify(rollups ?? "raw");
    let part = byRollups.get(key);
    if (!part) {
      const wholeHours = !plan.grain || plan.timeZone === "UTC" || report.wholeHours === true;
      // Local periods of a whole-hour zone: its days from the UTC days' rows, corrected by the hours
      // each UTC day has in a neighbouring local day (grouped-reports-sql.ts), rather than 24 hourly
      // rows a day. The spans are those of a UTC report.
      const shiftedDays =
        rollups !== undefined &&
        wholeHours &&
        plan.grain !== undefined &&
        plan.grain !== "hour" &&
        plan.timeZone !== "UTC";
      const layoutPlan = shiftedDays ? { ...plan, timeZone: "UTC" } : plan;
      const layout = rollups ? rollupLayout(layoutPlan, rollups, wholeHours, !shiftedDays) : rawLayout(plan);
      part = { report: index, plan, layout: layout.layout, shiftedDays, keys: [], sets: [] };
      byRollups.set(key, part);
    }
    part.sets.push({ index: setIndex, dimensions: plan.groupBy, filters: plan.filters });
  });
  const parts = [...byRollups.values()];
  for (const part of parts) part.keys = keyDimensions(part.sets.map((set) => set.dimensions));
  return parts;
}

/**
 * Reads the statement's rows of one part: each row is a group of the sets whose grouping (its
 * `GROUPING(...)` mask) it has; sets with the same dimensions share their groups.
 */
function rowReader(part: SubReport): (row: Record<string, unknown>) => GroupedRow[] {
  const byMask = new Map<number, Array<{ set: SetPlan; positions: number[] }>>();
  for (const set of part.sets) {
    const mask = groupingMask(part.keys, set.dimensions);
    const positions = set.dimensions.map((dimension) =>
      part.keys.findIndex((key) => key.name === dimension.name),
    );
    byMask.set(mask, [...(byMask.get(mask) ?? []), { set, positions }]);
  }
  return (row) => {
    const sets = byMask.get(Number(row.mask)) ?? [];
    const costUsd = canonicalDecimal(row.cost_usd as string | null);
    const events = countValue(row.events as string | null);
    const periodStart = row.period instanceof Date ? row.period : undefined;
    return sets.map(({ set, positions }) => {
      const keys: Record<string, string | null> = {};
      set.dimensions.forEach((dimension, index) => {
        keys[dimension.name] = (row[`k${positions[index]}`] as string | null | undefined) ?? null;
      });
      return { report: part.report, set: set.index, keys, periodStart, costUsd, events };
    });
  };
}
