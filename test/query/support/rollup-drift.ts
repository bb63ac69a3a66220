import type { Database, Queryable } from "../../../src/store/database.js";
import { closeEndedDays, ledgerTables } from "../../../src/store/ledger/index.js";

const keys =
  "project, hour_start, repo, task_type, model, provider, sdk, environment, service_tier, used_fallback, priced, errored";
const metrics =
  "events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, " +
  "cache_write_tokens, cache_write_1h_tokens, reasoning_tokens";

/** Rows of `left` not in `right` plus rows of `right` not in `left` (as multisets). */
async function difference(database: Queryable, left: string, right: string): Promise<number> {
  const [row] = await database.query<{ count: string }>(
    `SELECT count(*) AS count FROM ((${left} EXCEPT ALL ${right}) UNION ALL (${right} EXCEPT ALL ${left})) drift`,
  );
  return Number(row?.count);
}

/**
 * The condition on `column` (an hour's start) selecting the hours whose days the closed-day rollups
 * hold: the days before `daily_through` (migration 0003).
 */
function closedDays(_database: Queryable, schema: string, column: string): string {
  return `${column} < (SELECT daily_through FROM "${schema}".llm_cost_rollup_state)`;
}

/** The condition on `column` selecting the hours and days whose weeks are closed (migration 0011). */
function closedWeeks(schema: string, column: string): string {
  return `${column} < date_trunc('week', (SELECT daily_through FROM "${schema}".llm_cost_rollup_state), 'UTC')`;
}

/** Closes the days that ended (the only rollup maintenance left besides the writer's). */
export async function compactAll(database: Database, schema: string): Promise<void> {
  await closeEndedDays(database, schema);
}

/**
 * Counts how many rows of `llm_cost_hourly` differ from the hourly aggregate of the raw events, of
 * `llm_cost_daily` from the daily sums of `llm_cost_hourly` (over the closed days: a daily row of a
 * day not closed is drift too), of both summary rollups and the one-dimension rollup from the sums of
 * `llm_cost_hourly` (weeks: those of the closed weeks), and of the per-user rows from the raw events, both ways (0 when every rollup is
 * exact). Zero rows (every figure 0, left by a reprice that moved an event's key) do not count.
 * Amounts compare as NUMERIC values, so scale does not matter.
 */
export async function rollupDrift(database: Queryable, schema: string): Promise<number> {
  return (
    (await rawDrift(database, schema)) +
    (await summaryDrift(database, schema)) +
    (await userDrift(database, schema))
  );
}

/** Rows of the per-user rollup (dimension userId) that differ from the raw events' sums. */
export async function userDrift(database: Queryable, schema: string): Promise<number> {
  const sums = `count(*) AS events, count(*) FILTER (WHERE used_fallback) AS fallbacks,
      count(*) FILTER (WHERE error IS NOT NULL) AS errors, count(*) FILTER (WHERE NOT priced) AS unpriced,
      sum(estimated_cost_usd) AS estimated_cost_usd, COALESCE(sum(provider_cost_usd), 0) AS provider_cost_usd,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
      sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
      sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens`;
  const closed = closedDays(database, schema, "created_at");
  return difference(
    database,
    `SELECT project, span, period_start, value, events, fallbacks, errors, unpriced, estimated_cost_usd,
            provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
            cache_write_1h_tokens, reasoning_tokens
       FROM "${schema}".llm_cost_rollup_by_dimension WHERE dimension = 'userId' AND events <> 0`,
    `SELECT * FROM (
       SELECT project, 'hour', date_trunc('hour', created_at, 'UTC'), user_id, ${sums}
         FROM "${schema}".llm_cost_events GROUP BY 1, 2, 3, 4
       UNION ALL
       SELECT project, 'day', date_trunc('day', created_at, 'UTC'), user_id, ${sums}
         FROM "${schema}".llm_cost_events WHERE ${closed} GROUP BY 1, 2, 3, 4
       UNION ALL
       SELECT project, 'week', date_trunc('week', created_at, 'UTC'), user_id, ${sums}
         FROM "${schema}".llm_cost_events WHERE ${closedWeeks(schema, "created_at")} GROUP BY 1, 2, 3, 4) AS users`,
  );
}

/**
 * Rows of the summary rollups that differ from the sums of `llm_cost_hourly` (over the closed days,
 * migration 0008), and of the one-dimension rollup from the same sums (hours) and the daily summary
 * (days, and the weeks whose days are all closed: a week row of a week not closed is drift too), its
 * service tier rows from the full hourly and daily rollups.
 */
export async function summaryDrift(database: Queryable, schema: string): Promise<number> {
  const sums = `sum(events) AS events, COALESCE(sum(events) FILTER (WHERE used_fallback), 0) AS fallbacks,
      COALESCE(sum(events) FILTER (WHERE errored), 0) AS errors,
      COALESCE(sum(events) FILTER (WHERE NOT priced), 0) AS unpriced,
      sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
      sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
      sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens`;
  const columns =
    "project, repo, task_type, model, provider, events, fallbacks, errors, unpriced, estimated_cost_usd, provider_cost_usd, " +
    "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens";
  const hourSums = `SELECT project, hour_start, repo, task_type, model, provider, ${sums}
       FROM "${schema}".llm_cost_hourly WHERE events <> 0 GROUP BY 1, 2, 3, 4, 5, 6`;
  const hourly = await difference(
    database,
    `SELECT hour_start AS period, ${columns} FROM "${schema}".llm_cost_hourly_summary WHERE events <> 0`,
    `SELECT hour_start AS period, ${columns} FROM (${hourSums}) h
      WHERE ${closedDays(database, schema, "hour_start")}`,
  );
  const daily = await difference(
    database,
    `SELECT day_start AS period, ${columns} FROM "${schema}".llm_cost_daily_summary WHERE events <> 0`,
    `SELECT period, ${columns} FROM (SELECT date_trunc('day', hour_start, 'UTC') AS period, project, repo, task_type,
            model, provider, ${sums}
       FROM "${schema}".llm_cost_hourly WHERE events <> 0 AND ${closedDays(database, schema, "hour_start")}
       GROUP BY 1, 2, 3, 4, 5, 6) h`,
  );
  const spread = (span: string, table: string, period: string) =>
    `SELECT s.project, d.dimension, '${span}' AS span, ${period} AS period_start, d.value, sum(s.events) AS events,
            sum(s.fallbacks) AS fallbacks, sum(s.errors) AS errors, sum(s.unpriced) AS unpriced,
            sum(s.estimated_cost_usd) AS estimated_cost_usd, sum(s.provider_cost_usd) AS provider_cost_usd,
            sum(s.input_tokens) AS input_tokens, sum(s.output_tokens) AS output_tokens,
            sum(s.cache_read_tokens) AS cache_read_tokens, sum(s.cache_write_tokens) AS cache_write_tokens,
            sum(s.cache_write_1h_tokens) AS cache_write_1h_tokens, sum(s.reasoning_tokens) AS reasoning_tokens
       FROM ${table} AS s
       CROSS JOIN LATERAL (VALUES ('repo', s.repo), ('taskType', s.task_type), ('model', s.model),
                                  ('provider', s.provider)) AS d (dimension, value)
      GROUP BY 1, 2, 3, 4, 5`;
  // The tier is in the full rollups only (migration 0012): its rows are their sums by tier.
  const tiers = (span: string, table: string, period: string, where = "true") =>
    `SELECT project, 'serviceTier' AS dimension, '${span}' AS span, ${period} AS period_start,
            service_tier AS value, ${sums}
       FROM "${schema}".${table} WHERE events <> 0 AND ${where} GROUP BY 1, 2, 3, 4, 5`;
  const byDimension = await difference(
    database,
    `SELECT * FROM "${schema}".llm_cost_rollup_by_dimension WHERE dimension <> 'userId' AND events <> 0`,
    `SELECT * FROM (${spread("hour", `(${hourSums})`, "s.hour_start")}
       UNION ALL ${spread("day", `"${schema}".llm_cost_daily_summary`, "s.day_start")}
       UNION ALL ${tiers("hour", "llm_cost_hourly", "hour_start")}
       UNION ALL ${tiers("day", "llm_cost_daily", "day_start")}
       UNION ALL ${tiers("week", "llm_cost_daily", "date_trunc('week', day_start, 'UTC')", closedWeeks(schema, "day_start"))}
       UNION ALL ${spread(
         "week",
         `(SELECT * FROM "${schema}".llm_cost_daily_summary WHERE ${closedWeeks(schema, "day_start")})`,
         "date_trunc('week', s.day_start, 'UTC')",
       )}) AS spread`,
  );
  return hourly + daily + byDimension;
}

/** Rows of `llm_cost_hourly` that differ from the raw events, and of `llm_cost_daily` from `llm_cost_hourly`. */
export async function rawDrift(database: Queryable, schema: string): Promise<number> {
  const fromRaw = `SELECT project, date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
      COALESCE(resolved_model, model) AS model, provider, sdk, environment, service_tier, used_fallback, priced,
      error IS NOT NULL AS errored, count(*) AS events, sum(estimated_cost_usd) AS estimated_cost_usd,
      COALESCE(sum(provider_cost_usd), 0) AS provider_cost_usd, sum(input_tokens) AS input_tokens,
      sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
      sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
      sum(reasoning_tokens) AS reasoning_tokens
    FROM "${schema}".llm_cost_events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12`;
  const fromRollup = `SELECT ${keys}, ${metrics} FROM "${schema}".llm_cost_hourly WHERE events <> 0`;
  const hourly = await difference(database, `SELECT ${keys}, ${metrics} FROM (${fromRaw}) r`, fromRollup);
  const daily = `SELECT project, date_trunc('day', hour_start, 'UTC') AS day_start, ${keys.replace("project, hour_start, ", "")},
      sum(events) AS events, sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
      sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
      sum(reasoning_tokens) AS reasoning_tokens
    FROM "${schema}".llm_cost_hourly WHERE events <> 0 AND ${closedDays(database, schema, "hour_start")}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12`;
  const dailyKeys = keys.replace("hour_start", "day_start");
  const fromDaily = `SELECT ${dailyKeys}, ${metrics} FROM "${schema}".llm_cost_daily WHERE events <> 0`;
  return (
    hourly + (await difference(database, `SELECT ${dailyKeys}, ${metrics} FROM (${daily}) h`, fromDaily))
  );
}

/** Empties the events, their id claims and every rollup. */
export async function emptyTables(database: Queryable, schema: string): Promise<void> {
  await database.exec(`TRUNCATE ${ledgerTables.map((table) => `"${schema}".${table}`).join(", ")}`);
}

/**
 * Puts the schema back in the state of a last day closing before `from` (a UTC midnight): the summary
 * and daily rollups hold the days before it and none from it on (the one-dimension weeks, the weeks
 * before its week), whose figures the full hourly rollup holds. The next closing closes those days again.
 */
export async function reopenDays(database: Queryable, schema: string, from: Date): Promise<void> {
  const quoted = `"${schema}"`;
  await database.query(`DELETE FROM ${quoted}.llm_cost_hourly_summary WHERE hour_start >= $1`, [from]);
  await database.query(`DELETE FROM ${quoted}.llm_cost_daily WHERE day_start >= $1`, [from]);
  await database.query(`DELETE FROM ${quoted}.llm_cost_daily_summary WHERE day_start >= $1`, [from]);
  await database.query(
    `DELETE FROM ${quoted}.llm_cost_rollup_by_dimension WHERE span = 'day' AND period_start >= $1`,
    [from],
  );
  // A week is closed only when all its days are: the week `from` falls in is open again.
  await database.query(
    `DELETE FROM ${quoted}.llm_cost_rollup_by_dimension
      WHERE span = 'week' AND period_start >= date_trunc('week', $1::timestamptz, 'UTC')`,
    [from],
  );
  await database.query(`UPDATE ${quoted}.llm_cost_rollup_state SET daily_through = $1`, [from]);
}
