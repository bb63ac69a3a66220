import type { CostQueryPlan } from "./cost-query-options.js";
import {
  dimensionSql,
  filterConditions,
  projectFilterValues,
  type DimensionTarget,
  type ResolvedFilters,
} from "./cost-filters.js";
import { cutSpanConditions, spanConditions, type CostQueryLayout, type Span } from "./cost-query-sql.js";
import type { ResolvedDimension } from "./dimensions.js";
import {
  closedThroughSql,
  forEachRollupRead,
  rollupProjectsSql,
  rollupSources,
  rollupStateCtes,
  type RollupSource,
} from "./rollup-sources.js";
import { groupingMaskSql } from "./grouping-sets.js";
import type { SqlParameters } from "./sql-parameters.js";

/** One grouping set of a part, checked. */
export interface SetPlan {
  /** Its index in the report. */
  index: number;
  dimensions: ResolvedDimension[];
  filters: ResolvedFilters;
}

/** The sets of one report that the same rollups answer: read once, grouped by every set. */
export interface SubReport {
  report: number;
  /** The report's range, grain and time zone (with the first set's dimensions). */
  plan: CostQueryPlan;
  layout: CostQueryLayout;
  /**
   * True when `layout.daily`'s UTC days serve periods of a zone other than UTC (whole-hour offsets):
   * each closed day's rows count in the local day that holds most of its hours, and the hours it has
   * in another local day are moved there from the hourly rows (subtracted and added, exactly).
   */
  shiftedDays?: boolean | undefined;
  /** Every dimension of its sets, in first-seen order: the columns k0, k1, … */
  keys: ResolvedDimension[];
  sets: SetPlan[];
}

/**
 * The statement answering every part: per part, each source of its layout (closed days, hours,
 * raw edges) read once and grouped by `GROUPING SETS` of its sets, then the sources' groups summed
 * by set (the `GROUPING` mask), keys and period; groups without events are left out. Every row has
 * `part`, `mask`, `k0` … (as many as the widest part; null beyond a part's own), `period`,
 * `cost_usd` and `events`.
 */
export function groupedReportSql(
  parts: readonly SubReport[],
  quotedSchema: string,
  parameters: SqlParameters,
): string {
  const width = Math.max(...parts.map((part) => part.keys.length));
  let readsRollups = false;
  const selects = parts.map((part, index) => {
    const { sql, rollups } = partSql(part, index, width, quotedSchema, parameters);
    readsRollups ||= rollups;
    return `(${sql})`;
  });
  const state = readsRollups ? `WITH RECURSIVE ${rollupStateCtes(quotedSchema)} ` : "";
  return state + selects.join(" UNION ALL ");
}

function partSql(
  part: SubReport,
  index: number,
  width: number,
  quotedSchema: string,
  parameters: SqlParameters,
): { sql: string; rollups: boolean } {
  const { plan, layout } = part;
  const grain = plan.grain ? `${parameters.add(plan.grain)}::text` : undefined;
  const timeZone = !grain || plan.timeZone === "UTC" ? "'UTC'" : `${parameters.add(plan.timeZone)}::text`;
  const keys = part.keys.map((_, position) => `k${position}`);
  const grouped = [...keys, ...(grain ? ["period"] : [])];
  const groupingSets = part.sets.map((set) => {
    const columns = set.dimensions.map(
      (dimension) => keys[part.keys.findIndex((key) => key.name === dimension.name)]!,
    );
    // A set may name its dimensions in another order, or repeat another set's: one grouping each.
    return `(${[...new Set(columns)]
      .sort()
      .concat(grain ? ["period"] : [])
      .join(", ")})`;
  });
  const mask = groupingMaskSql(keys.length);

  /**
   * One source read over one span: its rows grouped by every set. `utcDay` counts a closed day's row
   * in the local period holding most of its hours; `shift` reads each row twice, as a correction of
   * such a day (`SubReport.shiftedDays`): added to its own period, subtracted from its day's.
   */
  const read = (
    from: string,
    target: DimensionTarget,
    time: string,
    count: string,
    conditions: string[],
    period: "own" | "utcDay" | "shift" = "own",
  ) => {
    const own = `date_trunc(${grain}, ${time}, ${timeZone})`;
    const utcDay = `date_trunc(${grain}, date_trunc('day', ${time}, 'UTC') + interval '12 hours', ${timeZone})`;
    const sign = period === "shift" ? "shift.sign * " : "";
    const periodSql =
      period === "own"
        ? own
        : period === "utcDay"
          ? utcDay
          : `CASE WHEN shift.sign = 1 THEN ${own} ELSE ${utcDay} END`;
    const columns = [
      ...part.keys.map(
        (dimension, position) => `${dimensionSql(dimension, target, parameters)} AS k${position}`,
      ),
      ...(grain ? [`${periodSql} AS period`] : []),
      `${sign}estimated_cost_usd AS cost`,
      `${sign}${count} AS n`,
    ];
    if (period === "shift") from += " CROSS JOIN (VALUES (1), (-1)) AS shift(sign)";
    const filter = setsFilter(part.sets, target, parameters);
    const where = [...conditions, ...(filter ? [filter] : [])];
    return (
      `SELECT ${mask} AS mask, ${grouped.join(", ")}${grouped.length > 0 ? ", " : ""}` +
      `sum(cost) AS cost_usd, sum(n) AS events FROM (SELECT ${columns.join(", ")} FROM ${from}` +
      `${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}) AS source_rows` +
      ` GROUP BY GROUPING SETS (${[...new Set(groupingSets)].join(", ")})`
    );
  };

  const reads: string[] = [];
  const rollupSpans = [...(layout.weekly ? [layout.weekly] : []), ...layout.daily, ...layout.hourly];
  if (rollupSpans.length > 0) {
    const sources = rollupSources(layout, parameters);
    // `after` and `before` cut the span where a coarser source stops (as the statement reads the
    // rollup state), with one bound per side (cost-query-sql.ts says why).
    const rollupRead = (source: RollupSource, span: Span, after?: string, before?: string) =>
      reads.push(
        read(
          `${quotedSchema}.${source.table}`,
          source.target,
          source.timeColumn,
          "events",
          [
            `project = ANY(${rollupProjectsSql})`,
            ...source.rows,
            ...cutSpanConditions(source.timeColumn, span, parameters, after, before),
          ],
          part.shiftedDays && source === sources.daily ? "utcDay" : "own",
        ),
      );
    forEachRollupRead(layout, sources, rollupRead);
    const shifted = part.shiftedDays ? layout.daily[0] : undefined;
    if (shifted) {
      // The hours of the closed days whose local day is not the one their UTC day's row counts in: a
      // few index probes a day (one for Europe/Berlin, five for America/New_York). Shifted parts read
      // no weeks and one span of days (grouped-reports.ts).
      const hour = sources.hourly.timeColumn;
      const first = parameters.add(shifted.from!.toISOString());
      const end = parameters.add(shifted.to!.toISOString());
      const moved =
        `ARRAY(SELECT h FROM generate_series(${first}::timestamptz, ${end}::timestamptz - interval '1 hour',` +
        ` interval '1 hour') AS h WHERE date_trunc('day', h, ${timeZone}) <>` +
        ` date_trunc('day', date_trunc('day', h, 'UTC') + interval '12 hours', ${timeZone}))`;
      reads.push(
        read(
          `${quotedSchema}.${sources.hourly.table}`,
          sources.hourly.target,
          hour,
          "events",
          [
            `project = ANY(${rollupProjectsSql})`,
            ...sources.hourly.rows,
            `${hour} = ANY(${moved})`,
            `${hour} < ${closedThroughSql}`,
          ],
          "shift",
        ),
      );
    }
  }
  const events = `${quotedSchema}.llm_cost_events`;
  for (const span of layout.raw) {
    const time = spanConditions("created_at", span, parameters);
    // Beside rollups the raw spans are the partial hours at the edges: read by time alone (OFFSET 0
    // keeps the planner from starting at a dimension's index instead).
    const from =
      rollupSpans.length > 0 && time.length > 0
        ? `(SELECT * FROM ${events} WHERE ${time.join(" AND ")} OFFSET 0) AS edges`
        : events;
    reads.push(read(from, "raw", "created_at", "1", from === events ? time : []));
  }

  const padding = Array.from(
    { length: width - keys.length },
    (_, offset) => `NULL::text AS k${keys.length + offset}`,
  );
  const outputs = [
    `${index}::int AS part`,
    "mask",
    ...keys,
    ...padding,
    grain ? "period" : "NULL::timestamptz AS period",
    "sum(cost_usd) AS cost_usd",
    "sum(events) AS events",
  ];
  const sql =
    `SELECT ${outputs.join(", ")} FROM (${reads.join(" UNION ALL ")}) AS reads` +
    ` GROUP BY ${["mask", ...grouped].join(", ")} HAVING sum(events) > 0`;
  return { sql, rollups: rollupSpans.length > 0 };
}

/**
 * The rows any set needs: the OR of each set's filters (a set without filters needs every row). A
 * row one set admits also lands in the other sets' groups, but only in groups whose keys some set's
 * filters do not admit, or that hold all their rows anyway; the caller keeps the groups its filters
 * admit. The rollups name their projects in the key, so a project filter is a condition here too.
 */
function setsFilter(
  sets: readonly SetPlan[],
  target: DimensionTarget,
  parameters: SqlParameters,
): string | undefined {
  // Checked before any value is bound: a bound value that the statement does not use fails it.
  const unfiltered = (set: SetPlan) =>
    set.filters.dimensions.length === 0 &&
    Object.values(set.filters.flags).every((flag) => flag === undefined);
  if (sets.some(unfiltered)) return undefined;
  const alternatives: string[] = [];
  for (const set of sets) {
    const conditions = filterConditions(set.filters, target, parameters);
    const projects = target === "raw" ? undefined : projectFilterValues(set.filters);
    if (projects) conditions.push(`project = ANY(${parameters.add(projects)}::text[])`);
    alternatives.push(conditions.length === 1 ? conditions[0]! : `(${conditions.join(" AND ")})`);
  }
  return alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(" OR ")})`;
}
