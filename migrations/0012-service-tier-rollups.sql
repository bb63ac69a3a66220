-- Service tier joins the rollups (issues #16 and #17): migration 0009 gave events their tier, and
-- reports by tier read every raw event of the range. Now:
-- - the full rollups (llm_cost_hourly, llm_cost_daily) key their rows by the tier too, beside the
--   environment (NULL: the caller did not say, as in the events), so reports that group or filter by
--   tier with any rolled-up dimension read them;
-- - the one-dimension rollup gets 'serviceTier' rows (value NULL: no tier), so "by tier" and one
--   tier's spend read a few rows per hour or day. Its CHECK and key need no change.
-- The summaries (repo, task type, model, provider) stay as they are: a report by tier and one of the
-- four reads the full rollups, as reports by SDK or environment do.
--
-- The rows already rolled up hold every event under tier NULL. The figures of the stored events that
-- carry a tier move to their tier's rows (the hourly rows, and the daily rows of closed days), as a
-- reprice moves an event between keys: subtracted from the NULL row, added to the tier's. Rollups
-- outlive raw events: the events of a retention purge are gone, so their figures stay under NULL
-- (those periods answer by tier as if those calls had said none). A key whose NULL row does not hold
-- the figures of its events (rows written into llm_cost_events around the store) is left as it was.

ALTER TABLE llm_cost_hourly ADD COLUMN service_tier TEXT COLLATE "C";
ALTER TABLE llm_cost_daily ADD COLUMN service_tier TEXT COLLATE "C";
ALTER TABLE llm_cost_hourly
  DROP CONSTRAINT llm_cost_hourly_key,
  ADD CONSTRAINT llm_cost_hourly_key UNIQUE NULLS NOT DISTINCT
    (project, hour_start, repo, task_type, model, provider, sdk, environment, service_tier, used_fallback, priced,
     errored);
ALTER TABLE llm_cost_daily
  DROP CONSTRAINT llm_cost_daily_key,
  ADD CONSTRAINT llm_cost_daily_key UNIQUE NULLS NOT DISTINCT
    (project, day_start, repo, task_type, model, provider, sdk, environment, service_tier, used_fallback, priced,
     errored);

-- The stored events with a tier, summed by hourly key and tier as the writer keys them, with the
-- events of their key across tiers (what the key's NULL row must hold).
CREATE TEMPORARY TABLE tier_moves ON COMMIT DROP AS
SELECT moved.*,
       sum(events) OVER (PARTITION BY project, hour_start, repo, task_type, model, provider, sdk, environment,
                                      used_fallback, priced, errored) AS key_events
  FROM (SELECT project, date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
               COALESCE(resolved_model, model) AS model, provider, sdk, environment, service_tier, used_fallback,
               priced, error IS NOT NULL AS errored, count(*) AS events, sum(estimated_cost_usd) AS estimated_cost_usd,
               COALESCE(sum(provider_cost_usd), 0) AS provider_cost_usd, sum(input_tokens) AS input_tokens,
               sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
               sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
               sum(reasoning_tokens) AS reasoning_tokens
          FROM llm_cost_events
         WHERE service_tier IS NOT NULL
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) AS moved;

DELETE FROM tier_moves m
 WHERE NOT EXISTS (
   SELECT 1 FROM llm_cost_hourly h
    WHERE h.project = m.project AND h.hour_start = m.hour_start AND h.repo = m.repo AND h.task_type = m.task_type
      AND h.model = m.model AND h.provider = m.provider AND h.sdk = m.sdk
      AND h.environment IS NOT DISTINCT FROM m.environment AND h.service_tier IS NULL
      AND h.used_fallback = m.used_fallback AND h.priced = m.priced AND h.errored = m.errored
      AND h.events >= m.key_events);

-- Each move as signed rows, as the writer's upserts add them: the figures taken from the NULL row
-- (negative) and given to the tier's row.
INSERT INTO llm_cost_hourly AS r
  (project, hour_start, repo, task_type, model, provider, sdk, environment, service_tier, used_fallback, priced,
   errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens,
   cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
SELECT project, hour_start, repo, task_type, model, provider, sdk, environment, tier, used_fallback, priced, errored,
       sum(sign * events), sum(sign * estimated_cost_usd), sum(sign * provider_cost_usd), sum(sign * input_tokens),
       sum(sign * output_tokens), sum(sign * cache_read_tokens), sum(sign * cache_write_tokens),
       sum(sign * cache_write_1h_tokens), sum(sign * reasoning_tokens)
  FROM tier_moves
 CROSS JOIN LATERAL (VALUES (-1, NULL::text), (1, service_tier)) AS side (sign, tier)
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
ON CONFLICT ON CONSTRAINT llm_cost_hourly_key DO UPDATE SET
  events = r.events + excluded.events, estimated_cost_usd = r.estimated_cost_usd + excluded.estimated_cost_usd,
  provider_cost_usd = r.provider_cost_usd + excluded.provider_cost_usd,
  input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens,
  cache_read_tokens = r.cache_read_tokens + excluded.cache_read_tokens,
  cache_write_tokens = r.cache_write_tokens + excluded.cache_write_tokens,
  cache_write_1h_tokens = r.cache_write_1h_tokens + excluded.cache_write_1h_tokens,
  reasoning_tokens = r.reasoning_tokens + excluded.reasoning_tokens;

-- The same moves in the daily rows of the closed days (migration 0003), which keep equal to the sums
-- of their hourly rows.
INSERT INTO llm_cost_daily AS r
  (project, day_start, repo, task_type, model, provider, sdk, environment, service_tier, used_fallback, priced,
   errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens,
   cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
SELECT project, date_trunc('day', hour_start, 'UTC'), repo, task_type, model, provider, sdk, environment, tier,
       used_fallback, priced, errored, sum(sign * events), sum(sign * estimated_cost_usd),
       sum(sign * provider_cost_usd), sum(sign * input_tokens), sum(sign * output_tokens),
       sum(sign * cache_read_tokens), sum(sign * cache_write_tokens), sum(sign * cache_write_1h_tokens),
       sum(sign * reasoning_tokens)
  FROM tier_moves
 CROSS JOIN LATERAL (VALUES (-1, NULL::text), (1, service_tier)) AS side (sign, tier)
 WHERE hour_start < (SELECT daily_through FROM llm_cost_rollup_state)
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
ON CONFLICT ON CONSTRAINT llm_cost_daily_key DO UPDATE SET
  events = r.events + excluded.events, estimated_cost_usd = r.estimated_cost_usd + excluded.estimated_cost_usd,
  provider_cost_usd = r.provider_cost_usd + excluded.provider_cost_usd,
  input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens,
  cache_read_tokens = r.cache_read_tokens + excluded.cache_read_tokens,
  cache_write_tokens = r.cache_write_tokens + excluded.cache_write_tokens,
  cache_write_1h_tokens = r.cache_write_1h_tokens + excluded.cache_write_1h_tokens,
  reasoning_tokens = r.reasoning_tokens + excluded.reasoning_tokens;

-- A NULL row every event of which had a tier is empty now (every figure 0).
DELETE FROM llm_cost_hourly WHERE service_tier IS NULL AND events = 0;
DELETE FROM llm_cost_daily WHERE service_tier IS NULL AND events = 0;

-- The 'serviceTier' rows of the one-dimension rollup: every hour from the full hourly rows, the closed
-- days from the full daily rows, so they hold exactly what the full rollups hold.
INSERT INTO llm_cost_rollup_by_dimension
  (project, dimension, span, period_start, value, events, fallbacks, errors, unpriced, estimated_cost_usd,
   provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
   reasoning_tokens)
SELECT project, 'serviceTier', span, period_start, service_tier, sum(events),
       COALESCE(sum(events) FILTER (WHERE used_fallback), 0), COALESCE(sum(events) FILTER (WHERE errored), 0),
       COALESCE(sum(events) FILTER (WHERE NOT priced), 0), sum(estimated_cost_usd), sum(provider_cost_usd),
       sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
       sum(cache_write_1h_tokens), sum(reasoning_tokens)
  FROM (SELECT 'hour' AS span, hour_start AS period_start, project, service_tier, used_fallback, errored, priced,
               events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens,
               cache_write_tokens, cache_write_1h_tokens, reasoning_tokens
          FROM llm_cost_hourly WHERE events <> 0
        UNION ALL
        SELECT 'day', day_start, project, service_tier, used_fallback, errored, priced, events, estimated_cost_usd,
               provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
               cache_write_1h_tokens, reasoning_tokens
          FROM llm_cost_daily WHERE events <> 0) AS full_rows
 GROUP BY project, span, period_start, service_tier;

-- Their closed weeks (migration 0011), from the day rows just built, as 0011 built the other dimensions'.
INSERT INTO llm_cost_rollup_by_dimension
SELECT project, dimension, 'week', date_trunc('week', period_start, 'UTC'), value, sum(events)::bigint,
       sum(fallbacks)::bigint, sum(errors)::bigint, sum(unpriced)::bigint, sum(estimated_cost_usd),
       sum(provider_cost_usd), sum(input_tokens)::bigint, sum(output_tokens)::bigint,
       sum(cache_read_tokens)::bigint, sum(cache_write_tokens)::bigint, sum(cache_write_1h_tokens)::bigint,
       sum(reasoning_tokens)::bigint
  FROM llm_cost_rollup_by_dimension
 WHERE dimension = 'serviceTier' AND span = 'day'
   AND period_start < date_trunc('week', (SELECT daily_through FROM llm_cost_rollup_state), 'UTC')
 GROUP BY project, dimension, date_trunc('week', period_start, 'UTC'), value;
