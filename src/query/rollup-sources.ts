import { rollupTokenColumns } from "../store/ledger/index.js";
import type { SqlParameters } from "./sql-parameters.js";
import type { CostQueryLayout, Span } from "./cost-query-sql.js";

// The rollup tables (migration 0003) a cost query reads, and what it sums from each.

/** The token columns, as every table names them. */
export const tokenColumns = rollupTokenColumns;

/** A rollup table read for a span, with the conditions that pick its rows out of a shared table. */
export interface RollupSource {
  table: string;
  timeColumn: string;
  metrics: readonly string[];
  target: "rollup" | "byDimension";
  rows: string[];
}

/** The metrics summed from a full rollup, which keeps the flags as key columns. */
const fullRollupMetrics = [
  "sum(events) AS events",
  "sum(events) FILTER (WHERE used_fallback) AS fallbacks",
  "sum(events) FILTER (WHERE errored) AS errors",
  "sum(events) FILTER (WHERE NOT priced) AS unpriced",
  "sum(estimated_cost_usd) AS cost_usd",
  "sum(provider_cost_usd) AS provider_cost_usd",
  ...tokenColumns.map((column) => `sum(${column}) AS ${column}`),
];

/** The same metrics summed from a summary rollup, which keeps the flags as counts. */
const summaryRollupMetrics = [
  "sum(events) AS events",
  "sum(fallbacks) AS fallbacks",
  "sum(errors) AS errors",
  "sum(unpriced) AS unpriced",
  "sum(estimated_cost_usd) AS cost_usd",
  "sum(provider_cost_usd) AS provider_cost_usd",
  ...tokenColumns.map((column) => `sum(${column}) AS ${column}`),
];

/**
 * The CTEs a statement that reads rollups starts with (after `WITH RECURSIVE`): `rollup_state`, one
 * row of what the rollup reads need first, computed once per statement, so a report is one round trip.
 * - `through`: `llm_cost_rollup_state.daily_through`; the closed-day tables hold the days before it.
 * - `week_through`: the Monday of that day's week; the one-dimension rollup holds the weeks before it
 *   (migration 0011).
 * - `projects`: the projects with rollup rows, named in every rollup read so that the project-led key
 *   indexes serve it. They are found by walking the hourly rollup's key index from one project to the
 *   next (a loose index scan: one probe per project, however many rows each has); every event's hour is
 *   in the hourly rollup, so no project with figures is missed.
 */
export function rollupStateCtes(quotedSchema: string): string {
  const hourly = `${quotedSchema}.llm_cost_hourly`;
  const state = `${quotedSchema}.llm_cost_rollup_state`;
  return `project_walk (project) AS (
       (SELECT project FROM ${hourly} ORDER BY project LIMIT 1)
       UNION ALL
       SELECT (SELECT h.project FROM ${hourly} h WHERE h.project > w.project ORDER BY h.project LIMIT 1)
         FROM project_walk w WHERE w.project IS NOT NULL
     ), rollup_state AS MATERIALIZED (
       SELECT (SELECT daily_through FROM ${state}) AS through,
              (SELECT date_trunc('week', daily_through, 'UTC') FROM ${state}) AS week_through,
              ARRAY(SELECT project FROM project_walk WHERE project IS NOT NULL) AS projects
     )`;
}

/** The first open day, as a rollup read's condition compares it (an init plan, evaluated once). */
export const closedThroughSql = "(SELECT through FROM rollup_state)";
/** The first week not closed (its Monday), likewise. */
const closedWeeksThroughSql = "(SELECT week_through FROM rollup_state)";
/** The projects with rollup rows, likewise. */
export const rollupProjectsSql = "(SELECT projects FROM rollup_state)::text[]";

/**
 * The rollup tables of a layout: daily and hourly for the closed days, and `open` for the hours of the
 * days not yet closed (the full hourly rollup beside the summaries; otherwise the hourly one itself);
 * `weekly` for the closed weeks, which only the one-dimension rollup holds.
 */
export function rollupSources(
  layout: CostQueryLayout,
  parameters: SqlParameters,
): { weekly?: RollupSource; daily: RollupSource; hourly: RollupSource; open: RollupSource } {
  if (layout.rollups === "byDimension") {
    const dimension = `dimension = ${parameters.add(layout.dimension)}::text`;
    const source = (span: "week" | "day" | "hour"): RollupSource => ({
      table: "llm_cost_rollup_by_dimension",
      timeColumn: "period_start",
      metrics: summaryRollupMetrics,
      target: "byDimension",
      rows: [dimension, `span = '${span}'`],
    });
    const hourly = source("hour");
    return { weekly: source("week"), daily: source("day"), hourly, open: hourly };
  }
  const metrics = layout.rollups === "summary" ? summaryRollupMetrics : fullRollupMetrics;
  const source = (table: string, timeColumn: string): RollupSource => ({
    table,
    timeColumn,
    metrics,
    target: "rollup",
    rows: [],
  });
  const fullHourly: RollupSource = { ...source("llm_cost_hourly", "hour_start"), metrics: fullRollupMetrics };
  return layout.rollups === "summary"
    ? {
        daily: source("llm_cost_daily_summary", "day_start"),
        hourly: source("llm_cost_hourly_summary", "hour_start"),
        open: fullHourly,
      }
    : { daily: source("llm_cost_daily", "day_start"), hourly: fullHourly, open: fullHourly };
}

/** The tables `rollupSources` chose for a layout. */
type LayoutSources = ReturnType<typeof rollupSources>;

/**
 * Calls `read` once for every part of a layout's rollup spans. The week rows hold the weeks before
 * their closing week (migration 0011), the closed-day tables the days before daily_through (0003),
 * and the hourly rows the writer keeps whole (`open`) everything after, today at least. Each span is
 * read from each source in turn, cut (`after`, `before`: SQL expressions) where the coarser one stops
 * as the statement reads the rollup state, so a report needs no statement before it (a part with
 * nothing to read costs one index probe). One part per span: a condition ORing two spans is no index
 * condition, and the edge hours of a month-long report would read every hourly row of the dimension.
 */
export function forEachRollupRead(
  layout: CostQueryLayout,
  sources: LayoutSources,
  read: (source: RollupSource, span: Span, after?: string, before?: string) => void,
): void {
  const split = (span: Span, closed: ReadonlyArray<readonly [RollupSource, string]>) => {
    let after: string | undefined;
    for (const [source, until] of closed) {
      if (source === sources.open) break;
      read(source, span, after, until);
      after = until;
    }
    read(sources.open, span, after);
  };
  const closedDays = [sources.daily, closedThroughSql] as const;
  if (layout.weekly) {
    const weeks = sources.weekly ? [[sources.weekly, closedWeeksThroughSql] as const] : [];
    split(layout.weekly, [...weeks, closedDays]);
  }
  for (const span of layout.daily) split(span, [closedDays]);
  for (const span of layout.hourly) split(span, [[sources.hourly, closedThroughSql]]);
}
