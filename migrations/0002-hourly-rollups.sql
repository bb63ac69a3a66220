-- Rollups: one row per UTC hour (llm_cost_hourly) and per UTC day (llm_cost_daily) and combination
-- of the low-cardinality dimensions, so that reports over millions of events read far fewer rows.
-- Maintained by statement-level triggers with transition tables, in the same transaction as the rows
-- actually inserted, updated or deleted: a duplicate skipped by ON CONFLICT never reaches the
-- transition table, so it is never counted. Queries by delivery, user, session or metadata read the
-- raw events instead. The daily rows always equal the sums of the hourly rows of their day.
CREATE TABLE llm_cost_hourly (
  hour_start            TIMESTAMPTZ NOT NULL,
  repo                  TEXT NOT NULL,
  task_type             TEXT NOT NULL,
  -- The pricing catalog's id: COALESCE(resolved_model, model), so dated spellings are one row.
  model                 TEXT NOT NULL,
  provider              TEXT NOT NULL,
  sdk                   TEXT NOT NULL,
  environment           TEXT,
  used_fallback         BOOLEAN NOT NULL,
  priced                BOOLEAN NOT NULL,
  -- error IS NOT NULL
  errored               BOOLEAN NOT NULL,
  events                BIGINT NOT NULL CHECK (events >= 0),
  estimated_cost_usd    NUMERIC NOT NULL,
  provider_cost_usd     NUMERIC NOT NULL,
  input_tokens          BIGINT NOT NULL,
  output_tokens         BIGINT NOT NULL,
  cache_read_tokens     BIGINT NOT NULL,
  cache_write_tokens    BIGINT NOT NULL,
  cache_write_1h_tokens BIGINT NOT NULL,
  reasoning_tokens      BIGINT NOT NULL,
  CONSTRAINT llm_cost_hourly_key UNIQUE NULLS NOT DISTINCT
    (hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored)
);

CREATE TABLE llm_cost_daily (
  day_start             TIMESTAMPTZ NOT NULL,
  repo                  TEXT NOT NULL,
  task_type             TEXT NOT NULL,
  -- The pricing catalog's id: COALESCE(resolved_model, model), so dated spellings are one row.
  model                 TEXT NOT NULL,
  provider              TEXT NOT NULL,
  sdk                   TEXT NOT NULL,
  environment           TEXT,
  used_fallback         BOOLEAN NOT NULL,
  priced                BOOLEAN NOT NULL,
  -- error IS NOT NULL
  errored               BOOLEAN NOT NULL,
  events                BIGINT NOT NULL CHECK (events >= 0),
  estimated_cost_usd    NUMERIC NOT NULL,
  provider_cost_usd     NUMERIC NOT NULL,
  input_tokens          BIGINT NOT NULL,
  output_tokens         BIGINT NOT NULL,
  cache_read_tokens     BIGINT NOT NULL,
  cache_write_tokens    BIGINT NOT NULL,
  cache_write_1h_tokens BIGINT NOT NULL,
  reasoning_tokens      BIGINT NOT NULL,
  CONSTRAINT llm_cost_daily_key UNIQUE NULLS NOT DISTINCT
    (day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored)
);

-- Adds (INSERT, UPDATE's new rows) or subtracts (DELETE, UPDATE's old rows) the aggregate of a
-- transition table, to the hourly and the daily rollup alike, from one aggregation. Adding upserts,
-- so two writers touching the same rollup row serialise on its row lock and neither loses counts;
-- rows are visited in key order so that concurrent writers lock them in the same order. Subtracting
-- only updates existing rows: a row whose hour was purged together with its rollup has nothing to
-- undo. SET search_path FROM CURRENT pins the schema the migration ran in: writers use
-- schema-qualified names with their own search_path, and the trigger must still find this schema.
CREATE FUNCTION llm_cost_hourly_apply() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF TG_OP = 'DELETE' AND current_setting('llm_ledger.retention_purge', true) = 'on' THEN
      -- Retention purge: the raw events go, the rollups stay answerable.
      RETURN NULL;
    END IF;
    WITH hours AS (
      SELECT date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
             COALESCE(resolved_model, model) AS model, provider, sdk, environment, used_fallback, priced,
             error IS NOT NULL AS errored, count(*) AS events,
             sum(estimated_cost_usd) AS estimated_cost_usd,
             COALESCE(sum(provider_cost_usd), 0) AS provider_cost_usd,
             sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
             sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
             sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
        FROM llm_cost_hourly_old_rows
       GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ), hourly AS (
      UPDATE llm_cost_hourly AS h SET
      events = h.events - d.events,
      estimated_cost_usd = h.estimated_cost_usd - d.estimated_cost_usd,
      provider_cost_usd = h.provider_cost_usd - d.provider_cost_usd,
      input_tokens = h.input_tokens - d.input_tokens,
      output_tokens = h.output_tokens - d.output_tokens,
      cache_read_tokens = h.cache_read_tokens - d.cache_read_tokens,
      cache_write_tokens = h.cache_write_tokens - d.cache_write_tokens,
      cache_write_1h_tokens = h.cache_write_1h_tokens - d.cache_write_1h_tokens,
      reasoning_tokens = h.reasoning_tokens - d.reasoning_tokens
      FROM hours AS d
      WHERE
      h.hour_start = d.hour_start AND h.repo = d.repo AND h.task_type = d.task_type AND
      h.model = d.model AND h.provider = d.provider AND h.sdk = d.sdk AND
      h.environment IS NOT DISTINCT FROM d.environment AND h.used_fallback = d.used_fallback AND
      h.priced = d.priced AND h.errored = d.errored
    )
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
    FROM (SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored,
             sum(events) AS events, sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens FROM hours GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS d
    WHERE
      y.day_start = d.day_start AND y.repo = d.repo AND y.task_type = d.task_type AND
      y.model = d.model AND y.provider = d.provider AND y.sdk = d.sdk AND
      y.environment IS NOT DISTINCT FROM d.environment AND y.used_fallback = d.used_fallback AND
      y.priced = d.priced AND y.errored = d.errored;
  END IF;

  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    WITH hours AS (
      SELECT date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
             COALESCE(resolved_model, model) AS model, provider, sdk, environment, used_fallback, priced,
             error IS NOT NULL AS errored, count(*) AS events,
             sum(estimated_cost_usd) AS estimated_cost_usd,
             COALESCE(sum(provider_cost_usd), 0) AS provider_cost_usd,
             sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
             sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
             sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
        FROM llm_cost_hourly_new_rows
       GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ), hourly AS (
      INSERT INTO llm_cost_hourly AS h (hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored,
        events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
      SELECT * FROM hours ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
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
    )
    INSERT INTO llm_cost_daily AS y (day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored,
      events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
    SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored,
             sum(events) AS events, sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
      FROM hours GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ON CONFLICT ON CONSTRAINT llm_cost_daily_key DO UPDATE SET
      events = y.events + EXCLUDED.events,
      estimated_cost_usd = y.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = y.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = y.input_tokens + EXCLUDED.input_tokens,
      output_tokens = y.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = y.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = y.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = y.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = y.reasoning_tokens + EXCLUDED.reasoning_tokens;
  END IF;

  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    -- Only rows this statement emptied can be at zero; the key indexes find them.
    DELETE FROM llm_cost_hourly AS h
     USING (SELECT DISTINCT date_trunc('hour', created_at, 'UTC') AS hour_start, repo
              FROM llm_cost_hourly_old_rows) AS d
     WHERE h.hour_start = d.hour_start AND h.repo = d.repo AND h.events = 0;
    DELETE FROM llm_cost_daily AS y
     USING (SELECT DISTINCT date_trunc('day', created_at, 'UTC') AS day_start, repo
              FROM llm_cost_hourly_old_rows) AS d
     WHERE y.day_start = d.day_start AND y.repo = d.repo AND y.events = 0;
  END IF;
  RETURN NULL;
END;
$$;

-- Transition tables allow one event per trigger, hence three triggers over one function.
CREATE TRIGGER llm_cost_hourly_insert AFTER INSERT ON llm_cost_events
  REFERENCING NEW TABLE AS llm_cost_hourly_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_hourly_apply();
CREATE TRIGGER llm_cost_hourly_update AFTER UPDATE ON llm_cost_events
  REFERENCING OLD TABLE AS llm_cost_hourly_old_rows NEW TABLE AS llm_cost_hourly_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_hourly_apply();
CREATE TRIGGER llm_cost_hourly_delete AFTER DELETE ON llm_cost_events
  REFERENCING OLD TABLE AS llm_cost_hourly_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_hourly_apply();

-- Deleting hourly rows (the purge of rollups, `includeRollups`) takes their sums out of the daily
-- rollup too, so the daily rows always equal the sums of the hourly ones. (Rows this migration's own
-- function deletes are at zero: nothing to take out.)
CREATE FUNCTION llm_cost_daily_forget() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
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
    FROM (SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored,
             sum(events) AS events, sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
            FROM llm_cost_hourly_gone GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS d
   WHERE
      y.day_start = d.day_start AND y.repo = d.repo AND y.task_type = d.task_type AND
      y.model = d.model AND y.provider = d.provider AND y.sdk = d.sdk AND
      y.environment IS NOT DISTINCT FROM d.environment AND y.used_fallback = d.used_fallback AND
      y.priced = d.priced AND y.errored = d.errored;
  DELETE FROM llm_cost_daily AS y
   USING (SELECT DISTINCT date_trunc('day', hour_start, 'UTC') AS day_start, repo FROM llm_cost_hourly_gone) AS d
   WHERE y.day_start = d.day_start AND y.repo = d.repo AND y.events = 0;
  RETURN NULL;
END;
$$;

CREATE TRIGGER llm_cost_daily_forget AFTER DELETE ON llm_cost_hourly
  REFERENCING OLD TABLE AS llm_cost_hourly_gone
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_daily_forget();

-- Backfill from the events already recorded (a database that ran 0001 alone).
WITH hours AS (
  SELECT date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
         COALESCE(resolved_model, model) AS model, provider, sdk, environment, used_fallback, priced,
         error IS NOT NULL AS errored, count(*) AS events,
         sum(estimated_cost_usd) AS estimated_cost_usd,
         COALESCE(sum(provider_cost_usd), 0) AS provider_cost_usd,
         sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
         sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens,
         sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
    FROM llm_cost_events
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
), hourly AS (
  INSERT INTO llm_cost_hourly (hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
  SELECT * FROM hours
)
INSERT INTO llm_cost_daily (day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored,
             sum(events) AS events, sum(estimated_cost_usd) AS estimated_cost_usd, sum(provider_cost_usd) AS provider_cost_usd, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cache_read_tokens) AS cache_read_tokens, sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens, sum(reasoning_tokens) AS reasoning_tokens
  FROM hours GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
