import { quoteSchema } from "../store/schema-name.js";
import type { CostQueryPlan, MetricName } from "./cost-query-options.js";
import { dimensionSql, filterConditions } from "./cost-filters.js";
import { createSqlParameters, type SqlParameters } from "./sql-parameters.js";

/** A time span `[from, to)`, either side open. */
export interface Span {
  from: Date | undefined;
  to: Date | undefined;
}

/**
 * Where a query's figures come from: whole UTC days from a daily rollup, whole hours from an hourly
 * rollup (the days not yet closed, migration 0003, from the full or one-dimension hourly rollup), and
 * the rest, possibly nothing, from raw events. The spans never overlap. `rollups` names
 * the rollups: one dimension's rows of `llm_cost_rollup_by_dimension` (`dimension` names which), the
 * summaries (repo, task type, model, provider) or the full ones.
 */
export interface CostQueryLayout {
  rollups: "byDimension" | "summary" | "full";
  /** For `byDimension`: the dimension whose rows are read. */
  dimension?: string | undefined;
  daily: Span | undefined;
  hourly: Span[];
  raw: Span[];
}

/** A rollup table read for a span, with the conditions that pick its rows out of a shared table. */
interface RollupSource {
  table: string;
  timeColumn: string;
  metrics: readonly string[];
  target: "rollup" | "byDimension";
  rows: string[];
}

/** The column alias of each metric in the grouped rows. */
export const metricColumns: Record<MetricName, string> = {
  costUsd: "cost_usd",
  providerCostUsd: "provider_cost_usd",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  cacheReadTokens: "cache_read_tokens",
  cacheWriteTokens: "cache_write_tokens",
  cacheWrite1hTokens: "cache_write_1h_tokens",
  reasoningTokens: "reasoning_tokens",
  events: "events",
  fallbacks: "fallbacks",
  errors: "errors",
  unpriced: "unpriced",
};

const tokenColumns = [
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "cache_write_1h_tokens",
  "reasoning_tokens",
];

/** Every metric summed from raw events, as `expression AS alias`. */
const rawMetrics = [
  "count(*) AS events",
  "count(*) FILTER (WHERE used_fallback) AS fallbacks",
  "count(*) FILTER (WHERE error IS NOT NULL) AS errors",
  "count(*) FILTER (WHERE NOT priced) AS unpriced",
  "sum(estimated_cost_usd) AS cost_usd",
  "sum(provider_cost_usd) AS provider_cost_usd",
  ...tokenColumns.map((column) => `sum(${column}) AS ${column}`),
];

/** The same metrics summed from a full rollup or the pending deltas (the same columns). */
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

const metricAliases = Object.values(metricColumns);

function spanConditions(column: string, span: Span, parameters: SqlParameters): string[] {
  const conditions: string[] = [];
  if (span.from) conditions.push(`${column} >= ${parameters.add(span.from.toISOString())}::timestamptz`);
  if (span.to) conditions.push(`${column} < ${parameters.add(span.to.toISOString())}::timestamptz`);
  return conditions;
}

/** The condition selecting `spans` of `column`, or undefined when one span is unbounded (everything). */
function spansCondition(
  column: string,
  spans: readonly Span[],
  parameters: SqlParameters,
): string | undefined {
  const conditions = spans.map((span) => spanConditions(column, span, parameters));
  if (conditions.some((condition) => condition.length === 0)) return undefined;
  return conditions.length === 1
    ? conditions[0]!.join(" AND ")
    : `(${conditions.map((condition) => `(${condition.join(" AND ")})`).join(" OR ")})`;
}

function groupByClause(count: number): string {
  return count === 0 ? "" : ` GROUP BY ${Array.from({ length: count }, (_, index) => index + 1).join(", ")}`;
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`;
}

/**
 * Builds the one statement that answers a cost query: the rollup part and the raw part (each grouped),
 * regrouped together, ordered and limited, followed by the totals row over every group.
 */
export function buildCostQuery(
  plan: CostQueryPlan,
  schema: string,
  layout: CostQueryLayout,
): { text: string; values: unknown[] } {
  const parameters = createSqlParameters();
  const quoted = quoteSchema(schema);
  // Bound only when used: an unreferenced parameter has no type and fails the statement.
  const grain = plan.grain ? `${parameters.add(plan.grain)}::text` : undefined;
  const timeZone = !grain || plan.timeZone === "UTC" ? "'UTC'" : `${parameters.add(plan.timeZone)}::text`;
  const keyAliases = plan.groupBy.map((_, index) => `k${index}`);
  const groupAliases = [...keyAliases, ...(grain ? ["period"] : [])];

  const parts: string[] = [];
  const rollupPart = (source: RollupSource, spans: readonly Span[], bound?: string) => {
    const keys = plan.groupBy.map(
      (dimension, index) => `${dimensionSql(dimension, source.target, parameters)} AS k${index}`,
    );
    if (grain) keys.push(`date_trunc(${grain}, ${source.timeColumn}, ${timeZone}) AS period`);
    const time = spansCondition(source.timeColumn, spans, parameters);
    const conditions = [
      // Every rollup key leads with the project: naming the projects lets the key index find the rows.
      "project = ANY(ARRAY(SELECT project FROM project_walk WHERE project IS NOT NULL))",
      ...source.rows,
      ...(time ? [time] : []),
      ...(bound ? [`${source.timeColumn} ${bound}`] : []),
      ...filterConditions(plan.filters, source.target, parameters),
    ];
    parts.push(
      `SELECT ${[...keys, ...source.metrics].join(", ")} FROM ${quoted}.${source.table}` +
        whereClause(conditions) +
        groupByClause(keys.length),
    );
  };
  const sources = rollupSources(layout, parameters);
  // The summary and daily rollups hold the days before daily_through (migration 0003); the days from
  // it on, today's at least, come from the rollup every merge keeps whole (`open`).
  const closedDays = `(SELECT daily_through FROM ${quoted}.llm_cost_rollup_state)`;
  if (layout.daily) {
    rollupPart(sources.daily, [layout.daily], `< ${closedDays}`);
    rollupPart(sources.open, [layout.daily], `>= ${closedDays}`);
  }
  // One part per span: a condition ORing two spans is no index condition, and the edge hours of a
  // month-long report read every hourly row of the dimension (72,000 at 300,000 events: 16 ms).
  for (const span of layout.hourly) {
    if (sources.open === sources.hourly) rollupPart(sources.hourly, [span]);
    else {
      rollupPart(sources.hourly, [span], `< ${closedDays}`);
      rollupPart(sources.open, [span], `>= ${closedDays}`);
    }
  }
  const rollupSpans = [...(layout.daily ? [layout.daily] : []), ...layout.hourly];
  if (layout.raw.length > 0) {
    const keys = plan.groupBy.map(
      (dimension, index) => `${dimensionSql(dimension, "raw", parameters)} AS k${index}`,
    );
    if (grain) keys.push(`date_trunc(${grain}, created_at, ${timeZone}) AS period`);
    const time = spansCondition("created_at", layout.raw, parameters);
    const filters = filterConditions(plan.filters, "raw", parameters);
    const events = `${quoted}.llm_cost_events`;
    // Beside rollups the raw spans are the partial hours at the edges: read them by time alone
    // (OFFSET 0 keeps the planner from combining the time index with, say, the repo index, which
    // reads every event of the repo: 40 ms at ten million events instead of 1).
    const source =
      rollupSpans.length > 0 && time ? `(SELECT * FROM ${events} WHERE ${time} OFFSET 0) AS edges` : events;
    const conditions = source === events ? [...(time ? [time] : []), ...filters] : filters;
    parts.push(
      `SELECT ${[...keys, ...rawMetrics].join(", ")} FROM ${source}` +
        whereClause(conditions) +
        groupByClause(keys.length),
    );
  }

  const sums = metricAliases.map((alias) => `sum(${alias}) AS ${alias}`);
  const grouped =
    `SELECT ${[...groupAliases, ...sums].join(", ")} FROM parts` +
    groupByClause(groupAliases.length) +
    " HAVING sum(events) > 0";

  const order = orderClause(plan, keyAliases);
  const limit = plan.limit === undefined ? "" : ` LIMIT ${parameters.add(plan.limit)}::bigint`;
  const page = `SELECT grouped.*, row_number() OVER (ORDER BY ${order}) AS position FROM grouped ORDER BY ${order}${limit}`;

  const periodColumns = grain
    ? [
        `to_char(period AT TIME ZONE ${timeZone}, 'YYYY-MM-DD"T"HH24:MI:SS') AS period_local`,
        `extract(epoch FROM (period AT TIME ZONE ${timeZone}) - (period AT TIME ZONE 'UTC')) AS period_offset`,
      ]
    : [];
  const rowsSelect = `SELECT false AS is_total, position, ${[...keyAliases, ...periodColumns, ...metricAliases].join(", ")} FROM page`;
  const totalsSelect = `SELECT true, 0, ${[
    ...keyAliases.map(() => "NULL"),
    ...periodColumns.map(() => "NULL"),
    ...metricAliases.map((alias) => `COALESCE(sum(${alias}), 0)`),
  ].join(", ")} FROM grouped`;

  const text =
    `WITH RECURSIVE ${knownProjects(quoted)}, parts AS (${parts.join(" UNION ALL ")}), grouped AS (${grouped}), page AS (${page}) ` +
    `${rowsSelect} UNION ALL ${totalsSelect} ORDER BY is_total, position`;
  return { text, values: parameters.values };
}

/**
 * The projects that have rollup rows, found by walking the hourly rollup's key index from one project
 * to the next (a loose index scan: one probe per project, however many rows each has), ending in a NULL
 * row. Every event's hour is in the hourly rollup, so no project with figures is missed.
 */
function knownProjects(quoted: string): string {
  const hourly = `${quoted}.llm_cost_hourly`;
  return `project_walk (project) AS (
      (SELECT project FROM ${hourly} ORDER BY project LIMIT 1)
      UNION ALL
      SELECT (SELECT h.project FROM ${hourly} h WHERE h.project > w.project ORDER BY h.project LIMIT 1)
        FROM project_walk w WHERE w.project IS NOT NULL
    )`;
}

/**
 * The rollup tables of a layout: daily and hourly for the closed days, and `open` for the hours of the
 * days not yet closed (the full hourly rollup beside the summaries; otherwise the hourly one itself).
 */
function rollupSources(
  layout: CostQueryLayout,
  parameters: SqlParameters,
): { daily: RollupSource; hourly: RollupSource; open: RollupSource } {
  if (layout.rollups === "byDimension") {
    const dimension = `dimension = ${parameters.add(layout.dimension)}::text`;
    const source = (span: "day" | "hour"): RollupSource => ({
      table: "llm_cost_rollup_by_dimension",
      timeColumn: "period_start",
      metrics: summaryRollupMetrics,
      target: "byDimension",
      rows: [dimension, `span = '${span}'`],
    });
    const hourly = source("hour");
    // Only the per-user hours are kept for days not yet closed; the other dimensions' hours of those
    // days are read from the full hourly rollup.
    const open: RollupSource =
      layout.dimension === "userId"
        ? hourly
        : {
            table: "llm_cost_hourly",
            timeColumn: "hour_start",
            metrics: fullRollupMetrics,
            target: "rollup",
            rows: [],
          };
    return { daily: source("day"), hourly, open };
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

/** The ORDER BY of the grouped rows: the asked terms, then every group column so that ties are stable. */
function orderClause(plan: CostQueryPlan, keyAliases: readonly string[]): string {
  const columnOf = (field: string): string => {
    if (field === "period") return "period";
    const metric = metricColumns[field as MetricName];
    if (metric) return metric;
    return keyAliases[plan.groupBy.findIndex((dimension) => dimension.name === field)]!;
  };
  const terms = plan.orderBy.map((term) => `${columnOf(term.field)} ${term.direction.toUpperCase()}`);
  const tieBreakers = [
    ...(plan.grain ? ["period ASC"] : []),
    "cost_usd DESC",
    ...keyAliases.map((alias) => `${alias} ASC`),
  ];
  return [...terms, ...tieBreakers].join(", ");
}
