import type { Queryable } from "../../../src/store/database.js";

const keys = "hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored";
const metrics =
  "events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, " +
  "cache_write_tokens, cache_write_1h_tokens, reasoning_tokens";

/**
 * How many rows of `llm_cost_hourly` differ from the hourly aggregate of the raw events, plus how
 * many rows of `llm_cost_daily` differ from the daily sums of `llm_cost_hourly`, both ways (0 when
 * both rollups are exact). Amounts compare as NUMERIC values, so scale does not matter.
 */
export async function rollupDrift(database: Queryable, schema: string): Promise<number> {
  const fromRaw = `SELECT date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
      COALESCE(resolved_model, model) AS model, provider, sdk, environment, used_fallback, priced,
      error IS NOT NULL AS errored, count(*) AS events, sum(estimated_cost_usd) AS estimated_cost_usd,
      COALESCE(sum(provider_cost_usd), 0) AS provider_cost_usd, sum(input_tokens) AS input_tokens,
      sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
      sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
      sum(reasoning_tokens) AS reasoning_tokens
    FROM "${schema}".llm_cost_events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`;
  const fromRollup = `SELECT ${keys}, ${metrics} FROM "${schema}".llm_cost_hourly`;
  const [row] = await database.query<{ count: string }>(
    `SELECT count(*) AS count FROM (
       (SELECT ${keys}, ${metrics} FROM (${fromRaw}) r EXCEPT ALL ${fromRollup})
       UNION ALL
       (${fromRollup} EXCEPT ALL SELECT ${keys}, ${metrics} FROM (${fromRaw}) r)) drift`,
  );
  const daily = `SELECT date_trunc('day', hour_start, 'UTC') AS day_start, ${keys.replace("hour_start, ", "")},
      sum(events) AS events, sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
      sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
      sum(reasoning_tokens) AS reasoning_tokens
    FROM "${schema}".llm_cost_hourly GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`;
  const dailyKeys = keys.replace("hour_start", "day_start");
  const fromDaily = `SELECT ${dailyKeys}, ${metrics} FROM "${schema}".llm_cost_daily`;
  const [dailyRow] = await database.query<{ count: string }>(
    `SELECT count(*) AS count FROM (
       (SELECT ${dailyKeys}, ${metrics} FROM (${daily}) h EXCEPT ALL ${fromDaily})
       UNION ALL
       (${fromDaily} EXCEPT ALL SELECT ${dailyKeys}, ${metrics} FROM (${daily}) h)) drift`,
  );
  return Number(row?.count) + Number(dailyRow?.count);
}

/** Empties the events and the rollup (TRUNCATE fires no row triggers). */
export async function emptyTables(database: Queryable, schema: string): Promise<void> {
  await database.exec(
    `TRUNCATE "${schema}".llm_cost_events, "${schema}".llm_cost_hourly, "${schema}".llm_cost_daily`,
  );
}
