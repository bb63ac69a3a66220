import { quoteSchema } from "../store/schema-name.js";
import type { CostQueryPlan, MetricName } from "./cost-query-options.js";
import { dimensionSql, filterConditions, projectFilterValues } from "./cost-filters.js";
import { createSqlParameters, type SqlParameters } from "./sql-parameters.js";
import {
  forEachRollupRead,
  rollupProjectsSql,
  rollupSources,
  rollupStateCtes,
  tokenColumns,
  type RollupSource,
} from "./rollup-sources.js";

/** A time span `[from, to)`, either side open. */
export interface Span {
  from: Date | undefined;
  to: Date | undefined;
}

/**
 * Where a query's figures come from: whole UTC weeks from the one-dimension rollup's weeks (migration
 * 0011), whole UTC days from a daily rollup, whole hours from an hourly rollup (the weeks and days not
 * yet closed, migration 0003, from the days and hours below them), and the rest, possibly nothing,
 * from raw events. The spans never overlap. `rollups` names the rollups: one dimension's rows of
 * `llm_cost_rollup_by_dimension` (`dimension` names which), the summaries (repo, task type, model,
 * provider) or the full ones.
 */
export interface CostQueryLayout {
  rollups: "byDimension" | "summary" | "full";
  /** For `byDimension`: the dimension whose rows are read. */
  dimension?: string | undefined;
  /** Whole UTC weeks (Monday to Monday); `byDimension` only. */
  weekly: Span | undefined;
  daily: Span[];
  hourly: Span[];
  raw: Span[];
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

const metricAliases = Object.values(metricColumns);

/** The conditions selecting `span` of `column` (none for an unbounded span). */
export function spanConditions(column: string, span: Span, parameters: SqlParameters): string[] {
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

/**
 * The conditions selecting `span` of `column` cut at `after` and `before` (SQL expressions the
 * statement evaluates once), one bound per side. Two lower bounds, a constant and an expression, would
 * have Postgres estimate the part from the constant alone (it keeps the more selective of the two), as
 * if a part that is empty at run time (say the open hours of a week long closed) held every row of the
 * span, and plan a table scan for it; one bound per side, an expression, is estimated as a narrow range.
 */
export function cutSpanConditions(
  column: string,
  span: Span,
  parameters: SqlParameters,
  after: string | undefined,
  before: string | undefined,
): string[] {
  const at = (date: Date | undefined) =>
    date ? `${parameters.add(date.toISOString())}::timestamptz` : undefined;
  const bound = (own: string | undefined, cut: string | undefined, pick: "GREATEST" | "LEAST") =>
    own && cut ? `${pick}(${own}, ${cut})` : (own ?? cut);
  const lower = bound(at(span.from), after, "GREATEST");
  const upper = bound(at(span.to), before, "LEAST");
  return [...(lower ? [`${column} >= ${lower}`] : []), ...(upper ? [`${column} < ${upper}`] : [])];
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
  // Every rollup key leads with the project: naming the projects lets the key index find the rows.
  // A project filter names them itself; otherwise the rollup state lists those with rows.
  let projects: string | undefined;
  // `after` and `before` (SQL expressions) cut the span at what the rollup state says is closed.
  const rollupPart = (source: RollupSource, span: Span, after?: string, before?: string) => {
    const keys = plan.groupBy.map(
      (dimension, index) => `${dimensionSql(dimension, source.target, parameters)} AS k${index}`,
    );
    if (grain) keys.push(`date_trunc(${grain}, ${source.timeColumn}, ${timeZone}) AS period`);
    const conditions = [
      `project = ANY(${(projects ??= projectList(plan, parameters))})`,
      ...source.rows,
      ...cutSpanConditions(source.timeColumn, span, parameters, after, before),
      ...filterConditions(plan.filters, source.target, parameters),
    ];
    parts.push(
      `SELECT ${[...keys, ...source.metrics].join(", ")} FROM ${quoted}.${source.table}` +
        whereClause(conditions) +
        groupByClause(keys.length),
    );
  };
  forEachRollupRead(layout, rollupSources(layout, parameters), rollupPart);
  const rollupSpans = [...(layout.weekly ? [layout.weekly] : []), ...layout.daily, ...layout.hourly];
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
    // reads every event of the repo instead of the edges' few).
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

  const state = rollupSpans.length > 0 ? `${rollupStateCtes(quoted)}, ` : "";
  const text =
    `WITH RECURSIVE ${state}parts AS (${parts.join(" UNION ALL ")}), grouped AS (${grouped}), page AS (${page}) ` +
    `${rowsSelect} UNION ALL ${totalsSelect} ORDER BY is_total, position`;
  return { text, values: parameters.values };
}

/** The projects a rollup read names: a project filter's values, else those with rollup rows. */
function projectList(plan: CostQueryPlan, parameters: SqlParameters): string {
  const filtered = projectFilterValues(plan.filters);
  return filtered ? `${parameters.add(filtered)}::text[]` : rollupProjectsSql;
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
