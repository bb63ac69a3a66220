// The statements that keep the rollups (migration 0003) in step with the events: given rows of events
// with a sign (+1 inserted, -1 taken away), add their sums to every rollup that holds their hour.
// Writers and reprice run them in the transaction that changed the events, so the rollups are exact
// at every commit, with no trigger and no background merge.
import { fullRollupKeys, rollupCountColumns, rollupSumColumns, summaryRollupKeys } from "./rollup-columns.js";

/**
 * The columns a source of signed event rows must have: the rollup keys as the rollups spell them
 * (`hour_start` the UTC hour, `model` the canonical id, `errored`), `user_id`, `sign`, and the sums.
 */
export const signedRowColumns = `project, date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
  COALESCE(resolved_model, model) AS model, provider, sdk, environment, used_fallback, priced,
  error IS NOT NULL AS errored, user_id, estimated_cost_usd, COALESCE(provider_cost_usd, 0) AS provider_cost_usd,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens`;

const sums = rollupSumColumns;
const fullKeys = fullRollupKeys;
const summaryKeys = summaryRollupKeys;
const countColumns = rollupCountColumns;

/** The dimensions of the one-dimension rollup, with the source column each reads. */
export const rollupDimensions: ReadonlyArray<readonly [dimension: string, column: string]> = [
  ["model", "model"],
  ["provider", "provider"],
  ["repo", "repo"],
  ["taskType", "task_type"],
  ["userId", "user_id"],
];
/** The one-dimension rollup's only dimension the full hourly rollup does not carry. */
const usersOnly = rollupDimensions.filter(([dimension]) => dimension === "userId");

const signedSums = sums.map((column) => `sum(sign * ${column})`);
const flagCounts = [
  "COALESCE(sum(sign) FILTER (WHERE used_fallback), 0)",
  "COALESCE(sum(sign) FILTER (WHERE errored), 0)",
  "COALESCE(sum(sign) FILTER (WHERE NOT priced), 0)",
];

function addOnConflict(target: string, constraint: string, columns: readonly string[]): string {
  return `ON CONFLICT ON CONSTRAINT ${constraint} DO UPDATE SET ${columns
    .map((column) => `${column} = ${target}.${column} + excluded.${column}`)
    .join(", ")}`;
}

function positions(count: number): string {
  return Array.from({ length: count }, (_, index) => index + 1).join(", ");
}

interface Upsert {
  name: string;
  sql: string;
}

/**
 * One upsert per rollup as a data-modifying CTE over `source`, each adding the grouped signed sums.
 * Rows are grouped and sorted by the whole key, so concurrent writers lock rollup rows in one order
 * and cannot deadlock; the tables are always written in this order too.
 *
 * Every row goes to the full hourly rollup and to the per-user hours. The other tables hold closed
 * days only (migration 0003): with `late`, the rows of days before `closed` (an SQL expression for the
 * first day still open) go to them too. A writer that knows no row of its batch is that old leaves
 * `late` off, which saves most of what keeping the rollups costs it.
 */
export function rollupUpserts(schema: string, source: string, closed: string, late = true): Upsert[] {
  const table = (name: string) => `${schema}.${name}`;
  const full = (name: string, time: string, constraint: string, where: string): Upsert => {
    const keys = [fullKeys[0]!, time, ...fullKeys.slice(1)];
    const timeValue = time === "day_start" ? "date_trunc('day', hour_start, 'UTC')" : "hour_start";
    const selected = [fullKeys[0]!, timeValue, ...fullKeys.slice(1)];
    return {
      name,
      sql: `INSERT INTO ${table(name)} AS r (${[...keys, "events", ...sums].join(", ")})
        SELECT ${[...selected, "sum(sign)", ...signedSums].join(", ")} FROM ${source} ${where}
        GROUP BY ${positions(keys.length)} ORDER BY ${positions(keys.length)}
        ${addOnConflict("r", constraint, ["events", ...sums])} RETURNING 1`,
    };
  };
  const summary = (name: string, time: string, where: string): Upsert => {
    const keys = [summaryKeys[0]!, time, ...summaryKeys.slice(1)];
    const timeValue = time === "day_start" ? "date_trunc('day', hour_start, 'UTC')" : "hour_start";
    const selected = [summaryKeys[0]!, timeValue, ...summaryKeys.slice(1)];
    return {
      name,
      sql: `INSERT INTO ${table(name)} AS r (${[...keys, "events", ...countColumns, ...sums].join(", ")})
        SELECT ${[...selected, "sum(sign)", ...flagCounts, ...signedSums].join(", ")} FROM ${source} ${where}
        GROUP BY ${positions(keys.length)} ORDER BY ${positions(keys.length)}
        ${addOnConflict("r", `${name}_pkey`, ["events", ...countColumns, ...sums])} RETURNING 1`,
    };
  };
  const byDimension = (
    name: string,
    span: "hour" | "day",
    where: string,
    dimensions: typeof rollupDimensions = rollupDimensions,
  ): Upsert => {
    const period = span === "day" ? "date_trunc('day', s.hour_start, 'UTC')" : "s.hour_start";
    const values = dimensions.map(([dimension, column]) => `('${dimension}', s.${column})`).join(", ");
    return {
      name,
      sql: `INSERT INTO ${table("llm_cost_rollup_by_dimension")} AS r
          (project, dimension, span, period_start, value, events, ${[...countColumns, ...sums].join(", ")})
        SELECT s.project, d.dimension, '${span}', ${period}, d.value, sum(sign), ${[...flagCounts, ...signedSums].join(", ")}
          FROM ${source} AS s CROSS JOIN LATERAL (VALUES ${values}) AS d (dimension, value) ${where}
         GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ${addOnConflict("r", "llm_cost_rollup_by_dimension_key", ["events", ...countColumns, ...sums])} RETURNING 1`,
    };
  };
  const open = [
    full("llm_cost_hourly", "hour_start", "llm_cost_hourly_key", ""),
    byDimension("user_hours", "hour", "", usersOnly),
  ];
  if (!late) return open;
  const lateRows = `WHERE s.hour_start < ${closed}`;
  return [
    ...open,
    byDimension(
      "dimension_hours",
      "hour",
      lateRows,
      rollupDimensions.filter((entry) => !usersOnly.includes(entry)),
    ),
    summary("llm_cost_hourly_summary", "hour_start", lateRows.replace("s.", "")),
    full("llm_cost_daily", "day_start", "llm_cost_daily_key", lateRows.replace("s.", "")),
    summary("llm_cost_daily_summary", "day_start", lateRows.replace("s.", "")),
    byDimension("dimension_days", "day", lateRows),
  ];
}

/**
 * `upserts` as CTEs named `u0`, `u1`, … and a final select that reads them in order, so they run in
 * the order given (and every writer locks the tables in one order).
 */
export function upsertCtes(upserts: readonly Upsert[]): { ctes: string; touched: string } {
  return {
    ctes: upserts.map((upsert, index) => `u${index} AS (${upsert.sql})`).join(",\n"),
    touched: upserts.map((_, index) => `(SELECT count(*) FROM u${index})`).join(" + "),
  };
}
