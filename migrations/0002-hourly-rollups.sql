-- Hourly rollups: one row per UTC hour and combination of the low-cardinality dimensions, so that
-- reports over millions of events read thousands of rows. Maintained by statement-level triggers
-- with transition tables, in the same transaction as the rows actually inserted, updated or deleted:
-- a duplicate skipped by ON CONFLICT never reaches the transition table, so it is never counted.
-- Queries by delivery, user, session or metadata read the raw events instead.
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

-- Adds (sign 1) or subtracts (sign -1) the aggregate of a transition table. Adding upserts, so two
-- writers touching the same hour row serialise on its row lock and neither loses counts; rows are
-- visited in key order so that concurrent writers lock them in the same order. Subtracting only
-- updates existing rows: a row whose hour was purged together with its rollup has nothing to undo.
-- SET search_path FROM CURRENT pins the schema the migration ran in: writers use schema-qualified
-- names with their own search_path, and the trigger must still find this schema's rollup table.
CREATE FUNCTION llm_cost_hourly_apply() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF TG_OP = 'DELETE' AND current_setting('llm_ledger.retention_purge', true) = 'on' THEN
      -- Retention purge: the raw events go, the hourly aggregates stay answerable.
      RETURN NULL;
    END IF;
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
    FROM (
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
    ) AS d
    WHERE h.hour_start = d.hour_start AND h.repo = d.repo AND h.task_type = d.task_type
      AND h.model = d.model AND h.provider = d.provider AND h.sdk = d.sdk
      AND h.environment IS NOT DISTINCT FROM d.environment AND h.used_fallback = d.used_fallback
      AND h.priced = d.priced AND h.errored = d.errored;
  END IF;

  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO llm_cost_hourly AS h (hour_start, repo, task_type, model, provider, sdk, environment,
      used_fallback, priced, errored, events, estimated_cost_usd, provider_cost_usd, input_tokens,
      output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
    SELECT date_trunc('hour', created_at, 'UTC'), repo, task_type, COALESCE(resolved_model, model),
           provider, sdk, environment, used_fallback, priced, error IS NOT NULL, count(*),
           sum(estimated_cost_usd), COALESCE(sum(provider_cost_usd), 0), sum(input_tokens),
           sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
           sum(cache_write_1h_tokens), sum(reasoning_tokens)
      FROM llm_cost_hourly_new_rows
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
     ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ON CONFLICT ON CONSTRAINT llm_cost_hourly_key DO UPDATE SET
      events = h.events + EXCLUDED.events,
      estimated_cost_usd = h.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = h.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = h.input_tokens + EXCLUDED.input_tokens,
      output_tokens = h.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = h.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = h.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = h.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = h.reasoning_tokens + EXCLUDED.reasoning_tokens;
  END IF;

  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    -- Only rows this statement emptied can be at zero; the key index finds them.
    DELETE FROM llm_cost_hourly AS h
     USING (SELECT DISTINCT date_trunc('hour', created_at, 'UTC') AS hour_start, repo
              FROM llm_cost_hourly_old_rows) AS d
     WHERE h.hour_start = d.hour_start AND h.repo = d.repo AND h.events = 0;
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

-- Daily rollups: the hourly rollup summed by UTC day, for reports over whole days (no grain, or
-- day/week/month in UTC). Kept equal to the sum of llm_cost_hourly by triggers on that table, in the
-- same transaction, so whatever changes the hourly rows (new events, updates, deletes, and a purge
-- of the rollups themselves) changes the daily rows alike.
CREATE TABLE llm_cost_daily (
  day_start             TIMESTAMPTZ NOT NULL,
  repo                  TEXT NOT NULL,
  task_type             TEXT NOT NULL,
  model                 TEXT NOT NULL,
  provider              TEXT NOT NULL,
  sdk                   TEXT NOT NULL,
  environment           TEXT,
  used_fallback         BOOLEAN NOT NULL,
  priced                BOOLEAN NOT NULL,
  errored               BOOLEAN NOT NULL,
  -- No CHECK (events >= 0): a signed delta is checked as a proposed row before ON CONFLICT merges it.
  events                BIGINT NOT NULL,
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

-- Adds the new hourly rows and subtracts the old ones (an upsert of ON CONFLICT DO UPDATE fires
-- both the INSERT and the UPDATE trigger, each with its own rows).
CREATE FUNCTION llm_cost_daily_apply() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO llm_cost_daily AS d (day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
    SELECT day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, sum(events), sum(estimated_cost_usd), sum(provider_cost_usd), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens)
      FROM (SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, events AS events, estimated_cost_usd AS estimated_cost_usd, provider_cost_usd AS provider_cost_usd, input_tokens AS input_tokens, output_tokens AS output_tokens, cache_read_tokens AS cache_read_tokens, cache_write_tokens AS cache_write_tokens, cache_write_1h_tokens AS cache_write_1h_tokens, reasoning_tokens AS reasoning_tokens FROM llm_cost_daily_new_rows) AS delta
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    HAVING sum(events) <> 0 OR sum(estimated_cost_usd) <> 0 OR sum(provider_cost_usd) <> 0 OR sum(input_tokens) <> 0 OR sum(output_tokens) <> 0 OR sum(cache_read_tokens) <> 0 OR sum(cache_write_tokens) <> 0 OR sum(cache_write_1h_tokens) <> 0 OR sum(reasoning_tokens) <> 0
     ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ON CONFLICT ON CONSTRAINT llm_cost_daily_key DO UPDATE SET
      events = d.events + EXCLUDED.events,
      estimated_cost_usd = d.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = d.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = d.input_tokens + EXCLUDED.input_tokens,
      output_tokens = d.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = d.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = d.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = d.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = d.reasoning_tokens + EXCLUDED.reasoning_tokens;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO llm_cost_daily AS d (day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
    SELECT day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, sum(events), sum(estimated_cost_usd), sum(provider_cost_usd), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens)
      FROM (SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, events AS events, estimated_cost_usd AS estimated_cost_usd, provider_cost_usd AS provider_cost_usd, input_tokens AS input_tokens, output_tokens AS output_tokens, cache_read_tokens AS cache_read_tokens, cache_write_tokens AS cache_write_tokens, cache_write_1h_tokens AS cache_write_1h_tokens, reasoning_tokens AS reasoning_tokens FROM llm_cost_daily_new_rows UNION ALL SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, -events AS events, -estimated_cost_usd AS estimated_cost_usd, -provider_cost_usd AS provider_cost_usd, -input_tokens AS input_tokens, -output_tokens AS output_tokens, -cache_read_tokens AS cache_read_tokens, -cache_write_tokens AS cache_write_tokens, -cache_write_1h_tokens AS cache_write_1h_tokens, -reasoning_tokens AS reasoning_tokens FROM llm_cost_daily_old_rows) AS delta
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    HAVING sum(events) <> 0 OR sum(estimated_cost_usd) <> 0 OR sum(provider_cost_usd) <> 0 OR sum(input_tokens) <> 0 OR sum(output_tokens) <> 0 OR sum(cache_read_tokens) <> 0 OR sum(cache_write_tokens) <> 0 OR sum(cache_write_1h_tokens) <> 0 OR sum(reasoning_tokens) <> 0
     ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ON CONFLICT ON CONSTRAINT llm_cost_daily_key DO UPDATE SET
      events = d.events + EXCLUDED.events,
      estimated_cost_usd = d.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = d.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = d.input_tokens + EXCLUDED.input_tokens,
      output_tokens = d.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = d.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = d.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = d.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = d.reasoning_tokens + EXCLUDED.reasoning_tokens;
  ELSE
    INSERT INTO llm_cost_daily AS d (day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
    SELECT day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, sum(events), sum(estimated_cost_usd), sum(provider_cost_usd), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens)
      FROM (SELECT date_trunc('day', hour_start, 'UTC') AS day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored, -events AS events, -estimated_cost_usd AS estimated_cost_usd, -provider_cost_usd AS provider_cost_usd, -input_tokens AS input_tokens, -output_tokens AS output_tokens, -cache_read_tokens AS cache_read_tokens, -cache_write_tokens AS cache_write_tokens, -cache_write_1h_tokens AS cache_write_1h_tokens, -reasoning_tokens AS reasoning_tokens FROM llm_cost_daily_old_rows) AS delta
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    HAVING sum(events) <> 0 OR sum(estimated_cost_usd) <> 0 OR sum(provider_cost_usd) <> 0 OR sum(input_tokens) <> 0 OR sum(output_tokens) <> 0 OR sum(cache_read_tokens) <> 0 OR sum(cache_write_tokens) <> 0 OR sum(cache_write_1h_tokens) <> 0 OR sum(reasoning_tokens) <> 0
     ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ON CONFLICT ON CONSTRAINT llm_cost_daily_key DO UPDATE SET
      events = d.events + EXCLUDED.events,
      estimated_cost_usd = d.estimated_cost_usd + EXCLUDED.estimated_cost_usd,
      provider_cost_usd = d.provider_cost_usd + EXCLUDED.provider_cost_usd,
      input_tokens = d.input_tokens + EXCLUDED.input_tokens,
      output_tokens = d.output_tokens + EXCLUDED.output_tokens,
      cache_read_tokens = d.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_write_tokens = d.cache_write_tokens + EXCLUDED.cache_write_tokens,
      cache_write_1h_tokens = d.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
      reasoning_tokens = d.reasoning_tokens + EXCLUDED.reasoning_tokens;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM llm_cost_daily AS d
     USING (SELECT DISTINCT date_trunc('day', hour_start, 'UTC') AS day_start, repo
              FROM llm_cost_daily_old_rows) AS o
     WHERE d.day_start = o.day_start AND d.repo = o.repo AND d.events = 0;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER llm_cost_daily_insert AFTER INSERT ON llm_cost_hourly
  REFERENCING NEW TABLE AS llm_cost_daily_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_daily_apply();
CREATE TRIGGER llm_cost_daily_update AFTER UPDATE ON llm_cost_hourly
  REFERENCING OLD TABLE AS llm_cost_daily_old_rows NEW TABLE AS llm_cost_daily_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_daily_apply();
CREATE TRIGGER llm_cost_daily_delete AFTER DELETE ON llm_cost_hourly
  REFERENCING OLD TABLE AS llm_cost_daily_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_daily_apply();

-- Backfill from the events already recorded (the daily triggers fill llm_cost_daily from it) (a database that ran 0001 alone).
INSERT INTO llm_cost_hourly (hour_start, repo, task_type, model, provider, sdk, environment,
  used_fallback, priced, errored, events, estimated_cost_usd, provider_cost_usd, input_tokens,
  output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
SELECT date_trunc('hour', created_at, 'UTC'), repo, task_type, COALESCE(resolved_model, model),
       provider, sdk, environment, used_fallback, priced, error IS NOT NULL, count(*),
       sum(estimated_cost_usd), COALESCE(sum(provider_cost_usd), 0), sum(input_tokens),
       sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
       sum(cache_write_1h_tokens), sum(reasoning_tokens)
  FROM llm_cost_events
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
