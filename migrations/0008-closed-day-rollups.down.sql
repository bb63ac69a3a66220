-- Back to summary and daily rollups for every day: the days from daily_through on get their summary
-- hours and daily rows from their full hourly rows (the pending deltas stay pending: 0007's merge adds
-- them everywhere), and 0007's merge.
SELECT llm_cost_rollups_close_days(daily_through, 'infinity') FROM llm_cost_rollup_state;

DROP FUNCTION llm_cost_rollups_close_days(timestamptz, timestamptz);
DROP TABLE llm_cost_rollup_state;

CREATE OR REPLACE FUNCTION llm_cost_rollups_compact(max_rows integer DEFAULT NULL, wait boolean DEFAULT false)
RETURNS bigint LANGUAGE plpgsql
SET search_path FROM CURRENT SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  merged bigint;
  emptied timestamptz[];
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(1819045746, hashtext(current_schema()));
  ELSIF NOT pg_try_advisory_xact_lock(1819045746, hashtext(current_schema())) THEN
    RETURN 0;
  END IF;
  WITH taken AS (
    -- Whole batches, in table order, until they hold max_rows deltas (at least one batch).
    DELETE FROM llm_cost_rollup_delta_batch
     WHERE ctid = ANY(ARRAY(
       SELECT ctid FROM (SELECT ctid, sum(delta_rows) OVER (ROWS UNBOUNDED PRECEDING) - delta_rows AS before
                           FROM llm_cost_rollup_delta_batch) AS batch
        WHERE max_rows IS NULL OR before < max_rows))
    RETURNING delta_rows, deltas
  ), moved AS (
    SELECT delta.* FROM taken CROSS JOIN LATERAL unnest(taken.deltas) AS delta
  ), hours AS (
    -- Token and event sums go back to bigint at every level: Postgres sums bigint in a 128-bit
    -- integer but NUMERIC digit by digit, and every later level sums these again.
    SELECT hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored,
           sum(events)::bigint AS events, sum(estimated_cost_usd) AS estimated_cost_usd,
           sum(provider_cost_usd) AS provider_cost_usd, sum(input_tokens)::bigint AS input_tokens,
           sum(output_tokens)::bigint AS output_tokens, sum(cache_read_tokens)::bigint AS cache_read_tokens,
           sum(cache_write_tokens)::bigint AS cache_write_tokens,
           sum(cache_write_1h_tokens)::bigint AS cache_write_1h_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens
      FROM moved GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  ), days AS (
    SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk,
           environment, used_fallback, priced, errored, sum(events)::bigint AS events,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
           sum(cache_read_tokens)::bigint AS cache_read_tokens, sum(cache_write_tokens)::bigint AS cache_write_tokens,
           sum(cache_write_1h_tokens)::bigint AS cache_write_1h_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens
      FROM hours GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  ), summary_hours AS (
    SELECT hour_start, repo, task_type, model, provider, sum(events)::bigint AS events,
           COALESCE(sum(events) FILTER (WHERE used_fallback), 0)::bigint AS fallbacks,
           COALESCE(sum(events) FILTER (WHERE errored), 0)::bigint AS errors,
           COALESCE(sum(events) FILTER (WHERE NOT priced), 0)::bigint AS unpriced,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
           sum(cache_read_tokens)::bigint AS cache_read_tokens, sum(cache_write_tokens)::bigint AS cache_write_tokens,
           sum(cache_write_1h_tokens)::bigint AS cache_write_1h_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens
      FROM hours GROUP BY 1, 2, 3, 4, 5
  ), summary_days AS (
    SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider,
           sum(events)::bigint AS events, sum(fallbacks)::bigint AS fallbacks, sum(errors)::bigint AS errors,
           sum(unpriced)::bigint AS unpriced,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
           sum(cache_read_tokens)::bigint AS cache_read_tokens, sum(cache_write_tokens)::bigint AS cache_write_tokens,
           sum(cache_write_1h_tokens)::bigint AS cache_write_1h_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens
      FROM summary_hours GROUP BY 1, 2, 3, 4, 5
  ), hour_dimensions AS (
    -- The four summary dimensions one at a time, per hour: one pass over the summary hours with a
    -- grouping set per dimension (each set leaves the other three NULL, and none of them is ever NULL).
    SELECT CASE WHEN GROUPING(repo) = 0 THEN 'repo' WHEN GROUPING(task_type) = 0 THEN 'taskType'
                WHEN GROUPING(model) = 0 THEN 'model' ELSE 'provider' END AS dimension,
           hour_start AS period_start, COALESCE(repo, task_type, model, provider) AS value,
           sum(events)::bigint AS events, sum(fallbacks)::bigint AS fallbacks, sum(errors)::bigint AS errors,
           sum(unpriced)::bigint AS unpriced,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
           sum(cache_read_tokens)::bigint AS cache_read_tokens, sum(cache_write_tokens)::bigint AS cache_write_tokens,
           sum(cache_write_1h_tokens)::bigint AS cache_write_1h_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens
      FROM summary_hours
     GROUP BY GROUPING SETS ((hour_start, repo), (hour_start, task_type), (hour_start, model), (hour_start, provider))
  ), dimensions AS (
    -- One row per span, period, dimension and value; the days from the hours (a few dozen rows each).
    SELECT dimension, 'hour' AS span, period_start, value, events, fallbacks, errors, unpriced,
           estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens,
           cache_write_tokens, cache_write_1h_tokens, reasoning_tokens
      FROM hour_dimensions
    UNION ALL
    SELECT dimension, 'day', date_trunc('day', period_start, 'UTC'), value, sum(events)::bigint,
           sum(fallbacks)::bigint, sum(errors)::bigint, sum(unpriced)::bigint,
           sum(estimated_cost_usd), sum(provider_cost_usd), sum(input_tokens)::bigint, sum(output_tokens)::bigint,
           sum(cache_read_tokens)::bigint, sum(cache_write_tokens)::bigint, sum(cache_write_1h_tokens)::bigint,
           sum(reasoning_tokens)::bigint
      FROM hour_dimensions GROUP BY 1, 3, 4
  ), hourly_add AS (
    INSERT INTO llm_cost_hourly AS h
    SELECT * FROM hours WHERE events > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ON CONFLICT ON CONSTRAINT llm_cost_hourly_key DO UPDATE SET
      events = h.events + EXCLUDED.events,
      estimated_cost_usd = h.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = h.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = h.input_tokens + EXCLUDED.input_tokens,
      output_tokens = h.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = h.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = h.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = h.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = h.reasoning_tokens + EXCLUDED.reasoning_tokens
  ), hourly_take AS (
    UPDATE llm_cost_hourly AS h SET
      events = h.events + d.events,
      estimated_cost_usd = h.estimated_cost_usd + d.estimated_cost_usd,
      provider_cost_usd = h.provider_cost_usd + d.provider_cost_usd,
      input_tokens = h.input_tokens + d.input_tokens,
      output_tokens = h.output_tokens + d.output_tokens,
      cache_read_tokens = h.cache_read_tokens + d.cache_read_tokens,
      cache_write_tokens = h.cache_write_tokens + d.cache_write_tokens,
      cache_write_1h_tokens = h.cache_write_1h_tokens + d.cache_write_1h_tokens,
      reasoning_tokens = h.reasoning_tokens + d.reasoning_tokens
      FROM hours AS d
     WHERE d.events <= 0 AND h.hour_start = d.hour_start AND h.repo = d.repo AND h.task_type = d.task_type
       AND h.model = d.model AND h.provider = d.provider AND h.sdk = d.sdk
       AND h.environment IS NOT DISTINCT FROM d.environment AND h.used_fallback = d.used_fallback
       AND h.priced = d.priced AND h.errored = d.errored
  ), daily_add AS (
    INSERT INTO llm_cost_daily AS y
    SELECT * FROM days WHERE events > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ON CONFLICT ON CONSTRAINT llm_cost_daily_key DO UPDATE SET
      events = y.events + EXCLUDED.events,
      estimated_cost_usd = y.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = y.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = y.input_tokens + EXCLUDED.input_tokens,
      output_tokens = y.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = y.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = y.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = y.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = y.reasoning_tokens + EXCLUDED.reasoning_tokens
  ), daily_take AS (
    UPDATE llm_cost_daily AS y SET
      events = y.events + d.events,
      estimated_cost_usd = y.estimated_cost_usd + d.estimated_cost_usd,
      provider_cost_usd = y.provider_cost_usd + d.provider_cost_usd,
      input_tokens = y.input_tokens + d.input_tokens,
      output_tokens = y.output_tokens + d.output_tokens,
      cache_read_tokens = y.cache_read_tokens + d.cache_read_tokens,
      cache_write_tokens = y.cache_write_tokens + d.cache_write_tokens,
      cache_write_1h_tokens = y.cache_write_1h_tokens + d.cache_write_1h_tokens,
      reasoning_tokens = y.reasoning_tokens + d.reasoning_tokens
      FROM days AS d
     WHERE d.events <= 0 AND y.day_start = d.day_start AND y.repo = d.repo AND y.task_type = d.task_type
       AND y.model = d.model AND y.provider = d.provider AND y.sdk = d.sdk
       AND y.environment IS NOT DISTINCT FROM d.environment AND y.used_fallback = d.used_fallback
       AND y.priced = d.priced AND y.errored = d.errored
  ), hourly_summary_add AS (
    INSERT INTO llm_cost_hourly_summary AS h
    SELECT * FROM summary_hours WHERE events > 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (hour_start, repo, task_type, model, provider) DO UPDATE SET
      events = h.events + EXCLUDED.events,
      fallbacks = h.fallbacks + EXCLUDED.fallbacks,
      errors = h.errors + EXCLUDED.errors,
      unpriced = h.unpriced + EXCLUDED.unpriced,
      estimated_cost_usd = h.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = h.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = h.input_tokens + EXCLUDED.input_tokens,
      output_tokens = h.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = h.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = h.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = h.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = h.reasoning_tokens + EXCLUDED.reasoning_tokens
  ), hourly_summary_take AS (
    UPDATE llm_cost_hourly_summary AS h SET
      events = h.events + d.events,
      fallbacks = h.fallbacks + d.fallbacks,
      errors = h.errors + d.errors,
      unpriced = h.unpriced + d.unpriced,
      estimated_cost_usd = h.estimated_cost_usd + d.estimated_cost_usd,
      provider_cost_usd = h.provider_cost_usd + d.provider_cost_usd,
      input_tokens = h.input_tokens + d.input_tokens,
      output_tokens = h.output_tokens + d.output_tokens,
      cache_read_tokens = h.cache_read_tokens + d.cache_read_tokens,
      cache_write_tokens = h.cache_write_tokens + d.cache_write_tokens,
      cache_write_1h_tokens = h.cache_write_1h_tokens + d.cache_write_1h_tokens,
      reasoning_tokens = h.reasoning_tokens + d.reasoning_tokens
      FROM summary_hours AS d
     WHERE d.events <= 0 AND h.hour_start = d.hour_start AND h.repo = d.repo AND h.task_type = d.task_type
       AND h.model = d.model AND h.provider = d.provider
  ), daily_summary_add AS (
    INSERT INTO llm_cost_daily_summary AS y
    SELECT * FROM summary_days WHERE events > 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day_start, repo, task_type, model, provider) DO UPDATE SET
      events = y.events + EXCLUDED.events,
      fallbacks = y.fallbacks + EXCLUDED.fallbacks,
      errors = y.errors + EXCLUDED.errors,
      unpriced = y.unpriced + EXCLUDED.unpriced,
      estimated_cost_usd = y.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = y.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = y.input_tokens + EXCLUDED.input_tokens,
      output_tokens = y.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = y.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = y.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = y.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = y.reasoning_tokens + EXCLUDED.reasoning_tokens
  ), daily_summary_take AS (
    UPDATE llm_cost_daily_summary AS y SET
      events = y.events + d.events,
      fallbacks = y.fallbacks + d.fallbacks,
      errors = y.errors + d.errors,
      unpriced = y.unpriced + d.unpriced,
      estimated_cost_usd = y.estimated_cost_usd + d.estimated_cost_usd,
      provider_cost_usd = y.provider_cost_usd + d.provider_cost_usd,
      input_tokens = y.input_tokens + d.input_tokens,
      output_tokens = y.output_tokens + d.output_tokens,
      cache_read_tokens = y.cache_read_tokens + d.cache_read_tokens,
      cache_write_tokens = y.cache_write_tokens + d.cache_write_tokens,
      cache_write_1h_tokens = y.cache_write_1h_tokens + d.cache_write_1h_tokens,
      reasoning_tokens = y.reasoning_tokens + d.reasoning_tokens
      FROM summary_days AS d
     WHERE d.events <= 0 AND y.day_start = d.day_start AND y.repo = d.repo AND y.task_type = d.task_type
       AND y.model = d.model AND y.provider = d.provider
  ), by_dimension_add AS (
    INSERT INTO llm_cost_rollup_by_dimension AS r
    SELECT * FROM dimensions WHERE events > 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (dimension, span, period_start, value) DO UPDATE SET
      events = r.events + EXCLUDED.events,
      fallbacks = r.fallbacks + EXCLUDED.fallbacks,
      errors = r.errors + EXCLUDED.errors,
      unpriced = r.unpriced + EXCLUDED.unpriced,
      estimated_cost_usd = r.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = r.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = r.input_tokens + EXCLUDED.input_tokens,
      output_tokens = r.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = r.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = r.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = r.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = r.reasoning_tokens + EXCLUDED.reasoning_tokens
  ), by_dimension_take AS (
    UPDATE llm_cost_rollup_by_dimension AS r SET
      events = r.events + d.events,
      fallbacks = r.fallbacks + d.fallbacks,
      errors = r.errors + d.errors,
      unpriced = r.unpriced + d.unpriced,
      estimated_cost_usd = r.estimated_cost_usd + d.estimated_cost_usd,
      provider_cost_usd = r.provider_cost_usd + d.provider_cost_usd,
      input_tokens = r.input_tokens + d.input_tokens,
      output_tokens = r.output_tokens + d.output_tokens,
      cache_read_tokens = r.cache_read_tokens + d.cache_read_tokens,
      cache_write_tokens = r.cache_write_tokens + d.cache_write_tokens,
      cache_write_1h_tokens = r.cache_write_1h_tokens + d.cache_write_1h_tokens,
      reasoning_tokens = r.reasoning_tokens + d.reasoning_tokens
      FROM dimensions AS d
     WHERE d.events <= 0 AND r.dimension = d.dimension AND r.span = d.span AND r.period_start = d.period_start
       AND r.value = d.value
  )
  SELECT (SELECT COALESCE(sum(delta_rows), 0) FROM taken), ARRAY(SELECT DISTINCT hour_start FROM hours WHERE events <= 0)
    INTO merged, emptied;

  IF cardinality(emptied) > 0 THEN
    -- Only keys that netted to zero or less can have left a row at zero.
    DELETE FROM llm_cost_hourly WHERE hour_start = ANY(emptied) AND events = 0;
    DELETE FROM llm_cost_hourly_summary WHERE hour_start = ANY(emptied) AND events = 0;
    DELETE FROM llm_cost_daily AS y
     WHERE y.day_start IN (SELECT DISTINCT date_trunc('day', hour, 'UTC') FROM unnest(emptied) AS hour)
       AND y.events = 0;
    DELETE FROM llm_cost_daily_summary AS y
     WHERE y.day_start IN (SELECT DISTINCT date_trunc('day', hour, 'UTC') FROM unnest(emptied) AS hour)
       AND y.events = 0;
    -- (dimension, span, period_start) lead its primary key: name them all, or Postgres reads every row.
    DELETE FROM llm_cost_rollup_by_dimension
     WHERE dimension = ANY(ARRAY['repo', 'taskType', 'model', 'provider']) AND span = 'hour'
       AND period_start = ANY(emptied) AND events = 0;
    DELETE FROM llm_cost_rollup_by_dimension
     WHERE dimension = ANY(ARRAY['repo', 'taskType', 'model', 'provider']) AND span = 'day'
       AND period_start = ANY(ARRAY(SELECT DISTINCT date_trunc('day', hour, 'UTC') FROM unnest(emptied) AS hour))
       AND events = 0;
  END IF;
  RETURN merged;
END;
$$;
