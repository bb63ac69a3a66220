-- Rollups, second form. Two changes to 0002, both for speed:
--
-- 1. Summary rollups per UTC hour (llm_cost_hourly_summary) and day (llm_cost_daily_summary) over the
--    four dimensions most reports and the dashboard use (repo, task type, model, provider), with
--    fallbacks, errors and unpriced events kept as counts instead of key columns. The full rollups of
--    0002 split every such combination further by SDK, environment and three flags: at ten million
--    skewed events the full daily one held ~10,000 rows per day. And the same figures one dimension
--    at a time (llm_cost_rollup_by_dimension): a report by one of the four reads a few dozen rows per
--    day. Queries that group or filter by SDK, environment or a flag still use the full rollups.
--
-- 2. Writers no longer update the rollups. The statement-level triggers append the aggregate of each
--    statement's transition table to llm_cost_rollup_delta (no index, no row locks: concurrent
--    writers never wait for each other), in the same transaction as the events, and queries add the
--    pending deltas to the rollups, so every answer stays exact. llm_cost_rollups_compact() merges
--    the deltas into the five rollups: the deltas of many writes to the same hour become one update
--    per rollup row. In 0002 every write updated both rollups row by row, which halved the insert
--    rate of llm_cost_events.
--
-- The summaries always equal the sums of the full hourly rows (which the retention purge may keep
-- after their raw events are gone), and the daily rollups the sums of the hourly ones.
CREATE TABLE llm_cost_hourly_summary (
  hour_start            TIMESTAMPTZ NOT NULL,
  repo                  TEXT NOT NULL,
  task_type             TEXT NOT NULL,
  model                 TEXT NOT NULL,
  provider              TEXT NOT NULL,
  events                BIGINT NOT NULL CHECK (events >= 0),
  fallbacks             BIGINT NOT NULL,
  errors                BIGINT NOT NULL,
  unpriced              BIGINT NOT NULL,
  estimated_cost_usd    NUMERIC NOT NULL,
  provider_cost_usd     NUMERIC NOT NULL,
  input_tokens          BIGINT NOT NULL,
  output_tokens         BIGINT NOT NULL,
  cache_read_tokens     BIGINT NOT NULL,
  cache_write_tokens    BIGINT NOT NULL,
  cache_write_1h_tokens BIGINT NOT NULL,
  reasoning_tokens      BIGINT NOT NULL,
  PRIMARY KEY (hour_start, repo, task_type, model, provider)
) WITH (fillfactor = 70);

CREATE TABLE llm_cost_daily_summary (
  day_start             TIMESTAMPTZ NOT NULL,
  repo                  TEXT NOT NULL,
  task_type             TEXT NOT NULL,
  model                 TEXT NOT NULL,
  provider              TEXT NOT NULL,
  events                BIGINT NOT NULL CHECK (events >= 0),
  fallbacks             BIGINT NOT NULL,
  errors                BIGINT NOT NULL,
  unpriced              BIGINT NOT NULL,
  estimated_cost_usd    NUMERIC NOT NULL,
  provider_cost_usd     NUMERIC NOT NULL,
  input_tokens          BIGINT NOT NULL,
  output_tokens         BIGINT NOT NULL,
  cache_read_tokens     BIGINT NOT NULL,
  cache_write_tokens    BIGINT NOT NULL,
  cache_write_1h_tokens BIGINT NOT NULL,
  reasoning_tokens      BIGINT NOT NULL,
  PRIMARY KEY (day_start, repo, task_type, model, provider)
) WITH (fillfactor = 70);

-- The same figures one dimension at a time (span 'hour' or 'day'; dimension repo, taskType, model or
-- provider): a report by one dimension, or filtered by one, reads a few dozen rows per day instead of
-- every combination of the four.
CREATE TABLE llm_cost_rollup_by_dimension (
  dimension             TEXT NOT NULL,
  span                  TEXT NOT NULL CHECK (span IN ('hour', 'day')),
  period_start          TIMESTAMPTZ NOT NULL,
  value                 TEXT NOT NULL,
  events                BIGINT NOT NULL CHECK (events >= 0),
  fallbacks             BIGINT NOT NULL,
  errors                BIGINT NOT NULL,
  unpriced              BIGINT NOT NULL,
  estimated_cost_usd    NUMERIC NOT NULL,
  provider_cost_usd     NUMERIC NOT NULL,
  input_tokens          BIGINT NOT NULL,
  output_tokens         BIGINT NOT NULL,
  cache_read_tokens     BIGINT NOT NULL,
  cache_write_tokens    BIGINT NOT NULL,
  cache_write_1h_tokens BIGINT NOT NULL,
  reasoning_tokens      BIGINT NOT NULL,
  PRIMARY KEY (dimension, span, period_start, value)
) WITH (fillfactor = 70);

-- Room on every page for the new version of an updated row: rollup updates touch no indexed column,
-- so they become heap-only (HOT) updates that add no index entries.
ALTER TABLE llm_cost_hourly SET (fillfactor = 70);
ALTER TABLE llm_cost_daily SET (fillfactor = 70);

-- Aggregates written but not yet merged: the full hourly key and signed sums (negative for deleted
-- events and the old side of updates). A key may appear many times.
CREATE TABLE llm_cost_rollup_delta (
  hour_start            TIMESTAMPTZ NOT NULL,
  repo                  TEXT NOT NULL,
  task_type             TEXT NOT NULL,
  model                 TEXT NOT NULL,
  provider              TEXT NOT NULL,
  sdk                   TEXT NOT NULL,
  environment           TEXT,
  used_fallback         BOOLEAN NOT NULL,
  priced                BOOLEAN NOT NULL,
  errored               BOOLEAN NOT NULL,
  events                BIGINT NOT NULL,
  estimated_cost_usd    NUMERIC NOT NULL,
  provider_cost_usd     NUMERIC NOT NULL,
  input_tokens          BIGINT NOT NULL,
  output_tokens         BIGINT NOT NULL,
  cache_read_tokens     BIGINT NOT NULL,
  cache_write_tokens    BIGINT NOT NULL,
  cache_write_1h_tokens BIGINT NOT NULL,
  reasoning_tokens      BIGINT NOT NULL
);

-- Appends the aggregate of the statement's rows to the deltas: added for INSERT and UPDATE's new rows,
-- subtracted for DELETE and UPDATE's old rows. A duplicate skipped by ON CONFLICT never reaches the
-- transition table, so it is never counted.
CREATE FUNCTION llm_cost_rollups_record() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF TG_OP = 'DELETE' AND current_setting('llm_ledger.retention_purge', true) = 'on' THEN
      -- Retention purge: the raw events go, the rollups stay answerable.
      RETURN NULL;
    END IF;
    INSERT INTO llm_cost_rollup_delta
    SELECT date_trunc('hour', created_at, 'UTC'), repo, task_type, COALESCE(resolved_model, model), provider,
           sdk, environment, used_fallback, priced, error IS NOT NULL, -count(*), -sum(estimated_cost_usd),
           -COALESCE(sum(provider_cost_usd), 0), -sum(input_tokens), -sum(output_tokens),
           -sum(cache_read_tokens), -sum(cache_write_tokens), -sum(cache_write_1h_tokens), -sum(reasoning_tokens)
      FROM llm_cost_old_events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO llm_cost_rollup_delta
    SELECT date_trunc('hour', created_at, 'UTC'), repo, task_type, COALESCE(resolved_model, model), provider,
           sdk, environment, used_fallback, priced, error IS NOT NULL, count(*), sum(estimated_cost_usd),
           COALESCE(sum(provider_cost_usd), 0), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),
           sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens)
      FROM llm_cost_new_events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
  END IF;
  RETURN NULL;
END;
$$;

-- Merges up to max_rows deltas (all when NULL) into the five rollups and returns how many it merged.
-- Keys that net to more than zero events are upserted in key order; the others only update rows that
-- exist (a row purged with its hour has nothing to take back), and rows left at zero are deleted.
-- One merge per schema at a time: a second caller returns 0 at once, or with wait waits for the first
-- (the purge of rollups and the down migration must see every delta merged). The lock is held to the
-- end of the caller's transaction.
CREATE FUNCTION llm_cost_rollups_compact(max_rows integer DEFAULT NULL, wait boolean DEFAULT false)
RETURNS bigint LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  merged bigint;
  emptied timestamptz[];
BEGIN
  IF wait THEN
    PERFORM pg_advisory_xact_lock(1819045746, hashtext(current_schema()));
  ELSIF NOT pg_try_advisory_xact_lock(1819045746, hashtext(current_schema())) THEN
    RETURN 0;
  END IF;
  WITH moved AS (
    DELETE FROM llm_cost_rollup_delta
     WHERE ctid = ANY(ARRAY(SELECT ctid FROM llm_cost_rollup_delta LIMIT max_rows))
    RETURNING *
  ), hours AS (
    SELECT hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored,
           sum(events) AS events, sum(estimated_cost_usd) AS estimated_cost_usd,
           sum(provider_cost_usd) AS provider_cost_usd, sum(input_tokens) AS input_tokens,
           sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
           sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
           sum(reasoning_tokens) AS reasoning_tokens
      FROM moved GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  ), days AS (
    SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk,
           environment, used_fallback, priced, errored, sum(events) AS events,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
           sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
           sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
      FROM hours GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  ), summary_hours AS (
    SELECT hour_start, repo, task_type, model, provider, sum(events) AS events,
           COALESCE(sum(events) FILTER (WHERE used_fallback), 0) AS fallbacks,
           COALESCE(sum(events) FILTER (WHERE errored), 0) AS errors,
           COALESCE(sum(events) FILTER (WHERE NOT priced), 0) AS unpriced,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
           sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
           sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
      FROM hours GROUP BY 1, 2, 3, 4, 5
  ), summary_days AS (
    SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider,
           sum(events) AS events, sum(fallbacks) AS fallbacks, sum(errors) AS errors, sum(unpriced) AS unpriced,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
           sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
           sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
      FROM summary_hours GROUP BY 1, 2, 3, 4, 5
  ), dimensions AS (
    -- One row per span, period, dimension and value: the four summary dimensions one at a time.
    SELECT dimension, span, period_start, value, sum(events) AS events, sum(fallbacks) AS fallbacks,
           sum(errors) AS errors, sum(unpriced) AS unpriced,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
           sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
           sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
      FROM (SELECT 'hour' AS span, hour_start AS period_start, d.dimension, d.value, s.events, s.fallbacks, s.errors,
                   s.unpriced, s.estimated_cost_usd, s.provider_cost_usd, s.input_tokens,
                   s.output_tokens, s.cache_read_tokens, s.cache_write_tokens, s.cache_write_1h_tokens, s.reasoning_tokens
              FROM summary_hours AS s
              CROSS JOIN LATERAL (VALUES ('repo', s.repo), ('taskType', s.task_type), ('model', s.model),
                                         ('provider', s.provider)) AS d (dimension, value)
            UNION ALL
            SELECT 'day', day_start, d.dimension, d.value, s.events, s.fallbacks, s.errors,
                   s.unpriced, s.estimated_cost_usd, s.provider_cost_usd, s.input_tokens,
                   s.output_tokens, s.cache_read_tokens, s.cache_write_tokens, s.cache_write_1h_tokens, s.reasoning_tokens
              FROM summary_days AS s
              CROSS JOIN LATERAL (VALUES ('repo', s.repo), ('taskType', s.task_type), ('model', s.model),
                                         ('provider', s.provider)) AS d (dimension, value)) AS spread
     GROUP BY 1, 2, 3, 4
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
  SELECT (SELECT count(*) FROM moved), ARRAY(SELECT DISTINCT hour_start FROM hours WHERE events <= 0)
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

-- Deleting full hourly rows (the purge of rollups, `includeRollups`) takes their sums out of the daily
-- rollup and both summaries too. Rows at zero are the ones compaction emptied and deletes itself, after
-- it has applied their deltas everywhere: nothing to take out.
CREATE FUNCTION llm_cost_hourly_forget() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF current_setting('llm_ledger.rollups_emptying', true) = 'on' THEN
    RETURN NULL; -- every rollup is being emptied: nothing to subtract from
  END IF;
  IF NOT EXISTS (SELECT FROM llm_cost_hourly_gone WHERE events <> 0) THEN
    RETURN NULL; -- rows a merge emptied: already taken out everywhere
  END IF;
  WITH gone AS (
    SELECT * FROM llm_cost_hourly_gone WHERE events <> 0
  ), summary AS (
    SELECT hour_start, repo, task_type, model, provider, sum(events) AS events,
           COALESCE(sum(events) FILTER (WHERE used_fallback), 0) AS fallbacks,
           COALESCE(sum(events) FILTER (WHERE errored), 0) AS errors,
           COALESCE(sum(events) FILTER (WHERE NOT priced), 0) AS unpriced,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
           sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
           sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
      FROM gone GROUP BY 1, 2, 3, 4, 5
  ), dimensions AS (
    -- One row per span, period, dimension and value: the four summary dimensions one at a time.
    SELECT dimension, span, period_start, value, sum(events) AS events, sum(fallbacks) AS fallbacks,
           sum(errors) AS errors, sum(unpriced) AS unpriced,
           sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
           sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
           sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
           sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
      FROM (SELECT 'hour' AS span, hour_start AS period_start, d.dimension, d.value, s.events, s.fallbacks, s.errors,
                   s.unpriced, s.estimated_cost_usd, s.provider_cost_usd, s.input_tokens,
                   s.output_tokens, s.cache_read_tokens, s.cache_write_tokens, s.cache_write_1h_tokens, s.reasoning_tokens
              FROM summary AS s
              CROSS JOIN LATERAL (VALUES ('repo', s.repo), ('taskType', s.task_type), ('model', s.model),
                                         ('provider', s.provider)) AS d (dimension, value)
            UNION ALL
            SELECT 'day', day_start, d.dimension, d.value, s.events, s.fallbacks, s.errors,
                   s.unpriced, s.estimated_cost_usd, s.provider_cost_usd, s.input_tokens,
                   s.output_tokens, s.cache_read_tokens, s.cache_write_tokens, s.cache_write_1h_tokens, s.reasoning_tokens
              FROM (SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sum(events) AS events, sum(fallbacks) AS fallbacks, sum(errors) AS errors, sum(unpriced) AS unpriced, sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens FROM summary GROUP BY 1, 2, 3, 4, 5) AS s
              CROSS JOIN LATERAL (VALUES ('repo', s.repo), ('taskType', s.task_type), ('model', s.model),
                                         ('provider', s.provider)) AS d (dimension, value)) AS spread
     GROUP BY 1, 2, 3, 4
  ), by_dimension AS (
    UPDATE llm_cost_rollup_by_dimension AS r SET
      events = r.events - d.events,
      fallbacks = r.fallbacks - d.fallbacks,
      errors = r.errors - d.errors,
      unpriced = r.unpriced - d.unpriced,
      estimated_cost_usd = r.estimated_cost_usd - d.estimated_cost_usd,
      provider_cost_usd = r.provider_cost_usd - d.provider_cost_usd,
      input_tokens = r.input_tokens - d.input_tokens,
      output_tokens = r.output_tokens - d.output_tokens,
      cache_read_tokens = r.cache_read_tokens - d.cache_read_tokens,
      cache_write_tokens = r.cache_write_tokens - d.cache_write_tokens,
      cache_write_1h_tokens = r.cache_write_1h_tokens - d.cache_write_1h_tokens,
      reasoning_tokens = r.reasoning_tokens - d.reasoning_tokens
      FROM dimensions AS d
     WHERE r.dimension = d.dimension AND r.span = d.span AND r.period_start = d.period_start AND r.value = d.value
  ), daily AS (
    UPDATE llm_cost_daily AS y SET
      events = y.events - d.events,
      estimated_cost_usd = y.estimated_cost_usd - d.estimated_cost_usd,
      provider_cost_usd = y.provider_cost_usd - d.provider_cost_usd,
      input_tokens = y.input_tokens - d.input_tokens,
      output_tokens = y.output_tokens - d.output_tokens,
      cache_read_tokens = y.cache_read_tokens - d.cache_read_tokens,
      cache_write_tokens = y.cache_write_tokens - d.cache_write_tokens,
      cache_write_1h_tokens = y.cache_write_1h_tokens - d.cache_write_1h_tokens,
      reasoning_tokens = y.reasoning_tokens - d.reasoning_tokens
      FROM (SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk,
                   environment, used_fallback, priced, errored, sum(events) AS events,
                   sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
                   sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                   sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
                   sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
              FROM gone GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS d
     WHERE y.day_start = d.day_start AND y.repo = d.repo AND y.task_type = d.task_type
       AND y.model = d.model AND y.provider = d.provider AND y.sdk = d.sdk
       AND y.environment IS NOT DISTINCT FROM d.environment AND y.used_fallback = d.used_fallback
       AND y.priced = d.priced AND y.errored = d.errored
  ), hourly_summary AS (
    UPDATE llm_cost_hourly_summary AS h SET
      events = h.events - d.events,
      fallbacks = h.fallbacks - d.fallbacks,
      errors = h.errors - d.errors,
      unpriced = h.unpriced - d.unpriced,
      estimated_cost_usd = h.estimated_cost_usd - d.estimated_cost_usd,
      provider_cost_usd = h.provider_cost_usd - d.provider_cost_usd,
      input_tokens = h.input_tokens - d.input_tokens,
      output_tokens = h.output_tokens - d.output_tokens,
      cache_read_tokens = h.cache_read_tokens - d.cache_read_tokens,
      cache_write_tokens = h.cache_write_tokens - d.cache_write_tokens,
      cache_write_1h_tokens = h.cache_write_1h_tokens - d.cache_write_1h_tokens,
      reasoning_tokens = h.reasoning_tokens - d.reasoning_tokens
      FROM summary AS d
     WHERE h.hour_start = d.hour_start AND h.repo = d.repo AND h.task_type = d.task_type
       AND h.model = d.model AND h.provider = d.provider
  )
  UPDATE llm_cost_daily_summary AS y SET
    events = y.events - d.events,
    fallbacks = y.fallbacks - d.fallbacks,
    errors = y.errors - d.errors,
    unpriced = y.unpriced - d.unpriced,
    estimated_cost_usd = y.estimated_cost_usd - d.estimated_cost_usd,
    provider_cost_usd = y.provider_cost_usd - d.provider_cost_usd,
    input_tokens = y.input_tokens - d.input_tokens,
    output_tokens = y.output_tokens - d.output_tokens,
    cache_read_tokens = y.cache_read_tokens - d.cache_read_tokens,
    cache_write_tokens = y.cache_write_tokens - d.cache_write_tokens,
    cache_write_1h_tokens = y.cache_write_1h_tokens - d.cache_write_1h_tokens,
    reasoning_tokens = y.reasoning_tokens - d.reasoning_tokens
    FROM (SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider,
                 sum(events) AS events, sum(fallbacks) AS fallbacks, sum(errors) AS errors,
                 sum(unpriced) AS unpriced, sum(estimated_cost_usd) AS estimated_cost_usd,
                 sum(provider_cost_usd) AS provider_cost_usd, sum(input_tokens) AS input_tokens,
                 sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens,
                 sum(cache_write_tokens) AS cache_write_tokens,
                 sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
            FROM summary GROUP BY 1, 2, 3, 4, 5) AS d
   WHERE y.day_start = d.day_start AND y.repo = d.repo AND y.task_type = d.task_type
     AND y.model = d.model AND y.provider = d.provider;

  DELETE FROM llm_cost_daily AS y
   USING (SELECT DISTINCT date_trunc('day', hour_start, 'UTC') AS day_start, repo FROM llm_cost_hourly_gone) AS d
   WHERE y.day_start = d.day_start AND y.repo = d.repo AND y.events = 0;
  DELETE FROM llm_cost_hourly_summary AS h
   USING (SELECT DISTINCT hour_start, repo FROM llm_cost_hourly_gone) AS d
   WHERE h.hour_start = d.hour_start AND h.repo = d.repo AND h.events = 0;
  DELETE FROM llm_cost_daily_summary AS y
   USING (SELECT DISTINCT date_trunc('day', hour_start, 'UTC') AS day_start, repo FROM llm_cost_hourly_gone) AS d
   WHERE y.day_start = d.day_start AND y.repo = d.repo AND y.events = 0;
  DELETE FROM llm_cost_rollup_by_dimension
   WHERE dimension = ANY(ARRAY['repo', 'taskType', 'model', 'provider']) AND span = 'hour'
     AND period_start = ANY(ARRAY(SELECT DISTINCT hour_start FROM llm_cost_hourly_gone)) AND events = 0;
  DELETE FROM llm_cost_rollup_by_dimension
   WHERE dimension = ANY(ARRAY['repo', 'taskType', 'model', 'provider']) AND span = 'day'
     AND period_start = ANY(ARRAY(SELECT DISTINCT date_trunc('day', hour_start, 'UTC') FROM llm_cost_hourly_gone))
     AND events = 0;
  RETURN NULL;
END;
$$;

-- TRUNCATE of the events (which fires no DELETE trigger) empties the rollups as well: without it they
-- would go on reporting spend that no longer exists anywhere. DELETE, not TRUNCATE: the statement that
-- fired this may be truncating the rollups itself, and Postgres refuses a nested TRUNCATE of them.
CREATE FUNCTION llm_cost_rollups_truncate() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM set_config('llm_ledger.rollups_emptying', 'on', true);
  DELETE FROM llm_cost_rollup_delta;
  DELETE FROM llm_cost_rollup_by_dimension;
  DELETE FROM llm_cost_daily_summary;
  DELETE FROM llm_cost_hourly_summary;
  DELETE FROM llm_cost_daily;
  DELETE FROM llm_cost_hourly;
  PERFORM set_config('llm_ledger.rollups_emptying', 'off', true);
  RETURN NULL;
END;
$$;

DROP TRIGGER llm_cost_hourly_insert ON llm_cost_events;
DROP TRIGGER llm_cost_hourly_update ON llm_cost_events;
DROP TRIGGER llm_cost_hourly_delete ON llm_cost_events;
DROP TRIGGER llm_cost_daily_forget ON llm_cost_hourly;

-- Transition tables allow one event per trigger, hence three triggers over one function.
CREATE TRIGGER llm_cost_rollups_insert AFTER INSERT ON llm_cost_events
  REFERENCING NEW TABLE AS llm_cost_new_events
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_rollups_record();
CREATE TRIGGER llm_cost_rollups_update AFTER UPDATE ON llm_cost_events
  REFERENCING OLD TABLE AS llm_cost_old_events NEW TABLE AS llm_cost_new_events
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_rollups_record();
CREATE TRIGGER llm_cost_rollups_delete AFTER DELETE ON llm_cost_events
  REFERENCING OLD TABLE AS llm_cost_old_events
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_rollups_record();
CREATE TRIGGER llm_cost_rollups_truncate AFTER TRUNCATE ON llm_cost_events
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_rollups_truncate();
CREATE TRIGGER llm_cost_hourly_forget AFTER DELETE ON llm_cost_hourly
  REFERENCING OLD TABLE AS llm_cost_hourly_gone
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_hourly_forget();

-- Backfill from the full hourly rollup (which may hold hours whose raw events were purged).
WITH summary AS (
  SELECT hour_start, repo, task_type, model, provider, sum(events) AS events,
         COALESCE(sum(events) FILTER (WHERE used_fallback), 0) AS fallbacks,
         COALESCE(sum(events) FILTER (WHERE errored), 0) AS errors,
         COALESCE(sum(events) FILTER (WHERE NOT priced), 0) AS unpriced,
         sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
         sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
         sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
         sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
    FROM llm_cost_hourly GROUP BY 1, 2, 3, 4, 5
), summary_days AS (
  SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider,
         sum(events) AS events, sum(fallbacks) AS fallbacks, sum(errors) AS errors, sum(unpriced) AS unpriced,
         sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd,
         sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
         sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
         sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
    FROM summary GROUP BY 1, 2, 3, 4, 5
), hourly_summary AS (
  INSERT INTO llm_cost_hourly_summary SELECT * FROM summary
), daily_summary AS (
  INSERT INTO llm_cost_daily_summary SELECT * FROM summary_days
)
INSERT INTO llm_cost_rollup_by_dimension
SELECT dimension, span, period_start, value, sum(events), sum(fallbacks), sum(errors), sum(unpriced),
       sum(estimated_cost_usd), sum(provider_cost_usd), sum(input_tokens), sum(output_tokens),
       sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens)
  FROM (SELECT 'hour' AS span, hour_start AS period_start, d.dimension, d.value, s.*
          FROM summary AS s
          CROSS JOIN LATERAL (VALUES ('repo', s.repo), ('taskType', s.task_type), ('model', s.model),
                                     ('provider', s.provider)) AS d (dimension, value)
        UNION ALL
        SELECT 'day', day_start, d.dimension, d.value, s.*
          FROM summary_days AS s
          CROSS JOIN LATERAL (VALUES ('repo', s.repo), ('taskType', s.task_type), ('model', s.model),
                                     ('provider', s.provider)) AS d (dimension, value)) AS spread
 GROUP BY 1, 2, 3, 4;
