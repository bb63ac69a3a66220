import type { Queryable } from "../../../src/store/database.js";

const keys = "hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored";
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
 * The condition on `column` (an hour's start) selecting the hours whose days the daily rollups hold:
 * from migration 0008 the days before `daily_through`, before it every day.
 */
async function closedDays(database: Queryable, schema: string, column: string): Promise<string> {
  const [row] = await database.query<{ state: string | null }>(`SELECT to_regclass($1)::text AS state`, [
    `"${schema}".llm_cost_rollup_state`,
  ]);
  return row?.state ? `${column} < (SELECT daily_through FROM "${schema}".llm_cost_rollup_state)` : "true";
}

/** Merges every pending rollup delta (migration 0004) into the rollups. */
export async function compactAll(database: Queryable, schema: string): Promise<void> {
  await database.query(`SELECT "${schema}".llm_cost_rollups_compact(NULL)`);
}

/**
 * Merges the pending deltas, then counts how many rows of `llm_cost_hourly` differ from the hourly
 * aggregate of the raw events, of `llm_cost_daily` from the daily sums of `llm_cost_hourly` (over the
 * closed days, migration 0008: a daily row of a day not closed is drift too), and of both summary
 * rollups from the sums of `llm_cost_hourly`, both ways (0 when every rollup is exact).
 * Amounts compare as NUMERIC values, so scale does not matter.
 */
export async function rollupDrift(database: Queryable, schema: string): Promise<number> {
  await compactAll(database, schema);
  const pending = await database.query<{ count: string }>(
    `SELECT count(*) AS count FROM "${schema}".llm_cost_rollup_delta`,
  );
  return (
    Number(pending[0]?.count) + (await rawDrift(database, schema)) + (await summaryDrift(database, schema))
  );
}

/**
 * Rows of the summary rollups that differ from the sums of `llm_cost_hourly` (over the closed days,
 * migration 0008), and of the one-dimension rollup from the same sums (hours) and the daily summary
 * (days), after a merge.
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
    "repo, task_type, model, provider, events, fallbacks, errors, unpriced, estimated_cost_usd, provider_cost_usd, " +
    "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens";
  const hourSums = `SELECT hour_start, repo, task_type, model, provider, ${sums}
       FROM "${schema}".llm_cost_hourly GROUP BY 1, 2, 3, 4, 5`;
  const hourly = await difference(
    database,
    `SELECT hour_start AS period, ${columns} FROM "${schema}".llm_cost_hourly_summary`,
    `SELECT hour_start AS period, ${columns} FROM (${hourSums}) h
      WHERE ${await closedDays(database, schema, "hour_start")}`,
  );
  const daily = await difference(
    database,
    `SELECT day_start AS period, ${columns} FROM "${schema}".llm_cost_daily_summary`,
    `SELECT * FROM (SELECT date_trunc('day', hour_start, 'UTC') AS period, repo, task_type, model, provider, ${sums}
       FROM "${schema}".llm_cost_hourly WHERE ${await closedDays(database, schema, "hour_start")}
       GROUP BY 1, 2, 3, 4, 5) h`,
  );
  const spread = (span: string, table: string, period: string) =>
    `SELECT d.dimension, '${span}' AS span, ${period} AS period_start, d.value, sum(s.events) AS events,
            sum(s.fallbacks) AS fallbacks, sum(s.errors) AS errors, sum(s.unpriced) AS unpriced,
            sum(s.estimated_cost_usd) AS estimated_cost_usd, sum(s.provider_cost_usd) AS provider_cost_usd,
            sum(s.input_tokens) AS input_tokens, sum(s.output_tokens) AS output_tokens,
            sum(s.cache_read_tokens) AS cache_read_tokens, sum(s.cache_write_tokens) AS cache_write_tokens,
            sum(s.cache_write_1h_tokens) AS cache_write_1h_tokens, sum(s.reasoning_tokens) AS reasoning_tokens
       FROM ${table} AS s
       CROSS JOIN LATERAL (VALUES ('repo', s.repo), ('taskType', s.task_type), ('model', s.model),
                                  ('provider', s.provider)) AS d (dimension, value)
      GROUP BY 1, 2, 3, 4`;
  const byDimension = await difference(
    database,
    `SELECT * FROM "${schema}".llm_cost_rollup_by_dimension`,
    `SELECT * FROM (${spread("hour", `(${hourSums})`, "s.hour_start")}
       UNION ALL ${spread("day", `"${schema}".llm_cost_daily_summary`, "s.day_start")}) AS spread`,
  );
  return hourly + daily + byDimension;
}

/** Rows of `llm_cost_hourly` that differ from the raw events, and of `llm_cost_daily` from `llm_cost_hourly`. */
async function rawDrift(database: Queryable, schema: string): Promise<number> {
  const fromRaw = `SELECT date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
      COALESCE(resolved_model, model) AS model, provider, sdk, environment, used_fallback, priced,
      error IS NOT NULL AS errored, count(*) AS events, sum(estimated_cost_usd) AS estimated_cost_usd,
      COALESCE(sum(provider_cost_usd), 0) AS provider_cost_usd, sum(input_tokens) AS input_tokens,
      sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
      sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
      sum(reasoning_tokens) AS reasoning_tokens
    FROM "${schema}".llm_cost_events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`;
  const fromRollup = `SELECT ${keys}, ${metrics} FROM "${schema}".llm_cost_hourly`;
  const hourly = await difference(database, `SELECT ${keys}, ${metrics} FROM (${fromRaw}) r`, fromRollup);
  const daily = `SELECT date_trunc('day', hour_start, 'UTC') AS day_start, ${keys.replace("hour_start, ", "")},
      sum(events) AS events, sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
      sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
      sum(reasoning_tokens) AS reasoning_tokens
    FROM "${schema}".llm_cost_hourly WHERE ${await closedDays(database, schema, "hour_start")}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`;
  const dailyKeys = keys.replace("hour_start", "day_start");
  const fromDaily = `SELECT ${dailyKeys}, ${metrics} FROM "${schema}".llm_cost_daily`;
  return (
    hourly + (await difference(database, `SELECT ${dailyKeys}, ${metrics} FROM (${daily}) h`, fromDaily))
  );
}

/** Empties the events, and with them (a TRUNCATE trigger) every rollup and the pending deltas. */
export async function emptyTables(database: Queryable, schema: string): Promise<void> {
  await database.exec(`TRUNCATE "${schema}".llm_cost_events`);
}

/**
 * Puts the schema back in the state of a last merge before `from` (a UTC midnight, migration 0008):
 * the summary and daily rollups hold the days before it and none from it on, whose figures the full
 * hourly rollup holds. The next merge closes those days again.
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
  await database.query(`UPDATE ${quoted}.llm_cost_rollup_state SET daily_through = $1`, [from]);
}
