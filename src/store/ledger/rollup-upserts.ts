// The statements that keep the rollups (migration 0003) in step with the events: given rows of events
// with a sign (+1 inserted, -1 taken away), add their sums to every rollup that holds their hour.
// Writers and reprice run them in the transaction that changed the events, so the rollups are exact
// at every commit, with no trigger and no background merge.
import { fullRollupKeys, rollupCountColumns, rollupSumColumns, summaryRollupKeys } from "./rollup-columns.js";
import { weekStartSql } from "./week-rollups.js";

/**
 * The columns a source of signed event rows must have: the rollup keys as the rollups spell them
 * (`hour_start` the UTC hour, `model` the canonical id, `errored`), `user_id`, `sign`, and the sums.
 */
export const signedRowColumns = `project, date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
  COALESCE(resolved_model, model) AS model, provider, sdk, environment, service_tier, used_fallback, priced,
  error IS NOT NULL AS errored, user_id, estimated_cost_usd, COALESCE(provider_cost_usd, 0) AS provider_cost_usd,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens`;

const sums = rollupSumColumns;
const fullKeys = fullRollupKeys;
const summaryKeys = summaryRollupKeys;
const countColumns = rollupCountColumns;

/**
 * The one-dimension rollup's dimensions read from the grouped keys (userId is not among them). The
 * last is the only one that may be NULL (no tier said): see `byDimension`.
 */
const keyedDimensions: ReadonlyArray<readonly [dimension: string, column: string]> = [
  ["model", "model"],
  ["provider", "provider"],
  ["repo", "repo"],
  ["taskType", "task_type"],
  ["serviceTier", "service_tier"],
];

function addOnConflict(target: string, constraint: string, columns: readonly string[]): string {
  return `ON CONFLICT ON CONSTRAINT ${constraint} DO UPDATE SET ${columns
    .map((column) => `${column} = ${target}.${column} + excluded.${column}`)
    .join(", ")}`;
}

function positions(count: number): string {
  return Array.from({ length: count }, (_, index) => index + 1).join(", ");
}

/** A CTE of the rollup statement: an upsert (counted in `touched`), or the grouping they read. */
export interface Upsert {
  name: string;
  sql: string;
  /** False for a CTE that writes nothing (the grouped keys). */
  counted?: boolean;
}

/**
 * The CTEs that add the signed rows of `source` to the rollups. First the rows are grouped once by
 * the full key (`keyed`, the full hourly rollup's rows to add); every upsert reads that, except the
 * per-user rows, which read `source`. Each upsert groups and sorts by its table's whole key, so
 * concurrent writers lock rollup rows in one order and cannot deadlock; the tables are always written
 * in this order too.
 *
 * Every row goes to the full hourly rollup and the one-dimension hours. The other tables hold closed
 * days only (migration 0003): with `late`, the rows of days before `closed` (an SQL expression for the
 * first day still open) go to them too, and the rows of closed weeks (those before the week of
 * `closed`, migration 0011) to the one-dimension weeks. A writer that knows no row of its batch is that old leaves
 * `late` off. A late row also adds one to its UTC day's version (migration 0015), which marks the day
 * groups built from that day stale. `signed: false` says every row of `source` adds (a writer's inserted rows): the sums
 * then skip multiplying by the sign.
 */
export function rollupUpserts(
  schema: string,
  source: string,
  closed: string,
  late = true,
  signed = true,
): Upsert[] {
  const table = (name: string) => `${schema}.${name}`;
  const count = (flag?: string) =>
    `${signed ? "sum(sign)" : "count(*)"}${flag ? ` FILTER (WHERE ${flag})` : ""}`;
  const weighted = (column: string) => (signed ? `sum(sign * ${column})` : `sum(${column})`);
  const hourKeys = [fullKeys[0]!, "hour_start", ...fullKeys.slice(1)];
  const keyed: Upsert = {
    name: "keyed",
    counted: false,
    sql: `SELECT ${[...hourKeys, `${count()} AS events`, ...sums.map((column) => `${weighted(column)} AS ${column}`)].join(", ")}
      FROM ${source} GROUP BY ${positions(hourKeys.length)}`,
  };
  const lateOnly = `WHERE hour_start < ${closed}`;
  const dayOf = "date_trunc('day', hour_start, 'UTC')";
  const full = (name: string, time: "hour_start" | "day_start", where: string): Upsert => {
    const keys = [fullKeys[0]!, time, ...fullKeys.slice(1)];
    const selected = [fullKeys[0]!, time === "day_start" ? dayOf : "hour_start", ...fullKeys.slice(1)];
    return {
      name,
      // The hourly rows are the grouped keys themselves; the daily ones group them by day.
      sql: `INSERT INTO ${table(name)} AS r (${[...keys, "events", ...sums].join(", ")})
        ${
          time === "hour_start"
            ? `SELECT * FROM keyed ${where}`
            : `SELECT ${[...selected, "sum(events)", ...sums.map((column) => `sum(${column})`)].join(", ")}
                 FROM keyed ${where} GROUP BY ${positions(keys.length)}`
        } ORDER BY ${positions(keys.length)}
        ${addOnConflict("r", `${name}_key`, ["events", ...sums])} RETURNING 1`,
    };
  };
  const summary = (name: string, time: "hour_start" | "day_start"): Upsert => {
    const keys = [summaryKeys[0]!, time, ...summaryKeys.slice(1)];
    const selected = [summaryKeys[0]!, time === "day_start" ? dayOf : "hour_start", ...summaryKeys.slice(1)];
    const counts = ["used_fallback", "errored", "NOT priced"].map(
      (flag) => `COALESCE(sum(events) FILTER (WHERE ${flag}), 0)`,
    );
    return {
      name,
      sql: `INSERT INTO ${table(name)} AS r (${[...keys, "events", ...countColumns, ...sums].join(", ")})
        SELECT ${[...selected, "sum(events)", ...counts, ...sums.map((column) => `sum(${column})`)].join(", ")}
          FROM keyed ${lateOnly} GROUP BY ${positions(keys.length)} ORDER BY ${positions(keys.length)}
        ${addOnConflict("r", `${name}_pkey`, ["events", ...countColumns, ...sums])} RETURNING 1`,
    };
  };
  const byDimension = (span: "hour" | "day" | "week", where: string): Upsert => {
    const period = { hour: "hour_start", day: dayOf, week: weekStartSql("hour_start") }[span];
    const flags = ["used_fallback", "errored", "NOT priced"];
    const dimension = keyedDimensions
      .slice(0, -1)
      .map(([name, column]) => `WHEN GROUPING(${column}) = 0 THEN '${name}'`)
      .join(" ");
    const figures = ["events", ...countColumns, ...sums];
    // The keyed dimensions in one pass over the grouped keys, one grouping set each: the other
    // columns are NULL there. Only the tier may be NULL itself, so it is last in the COALESCE and its
    // set is the CASE's ELSE (GROUPING tells the sets apart). The users come from the events themselves.
    const rows = `SELECT project, ${period}, CASE ${dimension} ELSE '${keyedDimensions.at(-1)![0]}' END,
          COALESCE(${keyedDimensions.map(([, column]) => column).join(", ")}),
          ${["sum(events)", ...flags.map((flag) => `COALESCE(sum(events) FILTER (WHERE ${flag}), 0)`), ...sums.map((column) => `sum(${column})`)].join(", ")}
        FROM keyed ${where}
       GROUP BY project, ${period}, GROUPING SETS (${keyedDimensions.map(([, column]) => `(${column})`).join(", ")})
      UNION ALL
      SELECT project, ${period}, 'userId', user_id,
          ${[count(), ...flags.map((flag) => `COALESCE(${count(flag)}, 0)`), ...sums.map(weighted)].join(", ")}
        FROM ${source} ${where} GROUP BY project, ${period}, user_id`;
    return {
      name: `by_dimension_${span}s`,
      sql: `INSERT INTO ${table("llm_cost_rollup_by_dimension")} AS r
          (project, dimension, span, period_start, value, ${figures.join(", ")})
        SELECT project, dimension, '${span}', period_start, value, ${figures.join(", ")}
          FROM (${rows}) AS spread (project, period_start, dimension, value, ${figures.join(", ")})
         ORDER BY 1, 2, 3, 4, 5
        ${addOnConflict("r", "llm_cost_rollup_by_dimension_key", figures)} RETURNING 1`,
    };
  };
  const open = [keyed, full("llm_cost_hourly", "hour_start", ""), byDimension("hour", "")];
  if (!late) return open;
  return [
    ...open,
    summary("llm_cost_hourly_summary", "hour_start"),
    full("llm_cost_daily", "day_start", lateOnly),
    summary("llm_cost_daily_summary", "day_start"),
    byDimension("day", lateOnly),
    byDimension("week", `WHERE hour_start < ${weekStartSql(closed)}`),
    {
      // A closed day that changed: day groups built from its events before are stale (migration 0015).
      name: "day_versions",
      sql: `INSERT INTO ${table("llm_cost_day_versions")} AS r (day_start, version)
        SELECT DISTINCT ${dayOf}, 1 FROM keyed ${lateOnly} ORDER BY 1
        ON CONFLICT ON CONSTRAINT llm_cost_day_versions_pkey DO UPDATE SET version = r.version + 1 RETURNING 1`,
    },
  ];
}

/**
 * `upserts` as CTEs (`u0`, `u1`, …; the grouping under its own name) and a final select that reads
 * the upserts in order, so they run in the order given (and every writer locks the tables in one
 * order).
 */
export function upsertCtes(upserts: readonly Upsert[]): { ctes: string; touched: string } {
  const name = (upsert: Upsert, index: number) => (upsert.counted === false ? upsert.name : `u${index}`);
  return {
    ctes: upserts.map((upsert, index) => `${name(upsert, index)} AS (${upsert.sql})`).join(",\n"),
    touched: upserts
      .map((upsert, index) => (upsert.counted === false ? undefined : `(SELECT count(*) FROM u${index})`))
      .filter((part) => part !== undefined)
      .join(" + "),
  };
}
