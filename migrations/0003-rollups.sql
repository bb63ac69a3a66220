-- Rollups: the events' figures summed per hour and per day, so reports over any range answer in
-- milliseconds however many events there are. Kept exact by the writer (store/ledger/): the transaction
-- that inserts events adds what it inserted, and reprice adds the difference it made; no triggers.
-- Rollups outlive raw events: a retention purge leaves them (unless asked), so old periods stay
-- answerable. Every key leads with project, the team the figures belong to (and Citus's distribution
-- column). model is the canonical model id (resolved_model, or the id sent when unpriced).
--
-- Which rows hold which days: the full hourly rollup and the hourly rows of the one-dimension rollup
-- hold every hour. The other tables (hourly summary, the daily ones) hold only the UTC days before
-- llm_cost_rollup_state.daily_through, "closed" days: most events are written for today, so the writer
-- keeps two tables in step rather than six, and the first write of a new day builds the days that
-- ended from the hourly rows, once (store/ledger/close-days.ts). A late event of a closed day is added
-- to every table. Queries read closed days from the small tables and the rest from the hourly ones, so
-- every answer is exact whenever days are closed.
--
-- No CHECK (events >= 0): Postgres checks the row an upsert proposes before it finds the conflict, and
-- a reprice proposes negative rows (the difference it made) that only ever add to existing ones.
--
-- Every key: project, time, repo, task type, canonical model, provider, SDK, environment and the flags.
-- Key text is in the "C" collation, as the events' dimensions are (0001): the upserts compare keys
-- on every write.
CREATE TABLE llm_cost_hourly (
  project               TEXT COLLATE "C" NOT NULL,
  hour_start            TIMESTAMPTZ NOT NULL,
  repo                  TEXT COLLATE "C" NOT NULL,
  task_type             TEXT COLLATE "C" NOT NULL,
  model                 TEXT COLLATE "C" NOT NULL,
  provider              TEXT COLLATE "C" NOT NULL,
  sdk                   TEXT COLLATE "C" NOT NULL,
  environment           TEXT COLLATE "C",
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
  reasoning_tokens      BIGINT NOT NULL,
  CONSTRAINT llm_cost_hourly_key UNIQUE NULLS NOT DISTINCT
    (project, hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored)
) WITH (fillfactor = 70);

CREATE TABLE llm_cost_daily (
  LIKE llm_cost_hourly INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  CONSTRAINT llm_cost_daily_key UNIQUE NULLS NOT DISTINCT
    (project, hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored)
) WITH (fillfactor = 70);
ALTER TABLE llm_cost_daily RENAME COLUMN hour_start TO day_start;

-- The four dimensions most reports use, with the flags as counts: a tenth of the full rows.
CREATE TABLE llm_cost_hourly_summary (
  project               TEXT COLLATE "C" NOT NULL,
  hour_start            TIMESTAMPTZ NOT NULL,
  repo                  TEXT COLLATE "C" NOT NULL,
  task_type             TEXT COLLATE "C" NOT NULL,
  model                 TEXT COLLATE "C" NOT NULL,
  provider              TEXT COLLATE "C" NOT NULL,
  events                BIGINT NOT NULL,
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
  PRIMARY KEY (project, hour_start, repo, task_type, model, provider)
) WITH (fillfactor = 70);

CREATE TABLE llm_cost_daily_summary (
  LIKE llm_cost_hourly_summary INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  PRIMARY KEY (project, hour_start, repo, task_type, model, provider)
) WITH (fillfactor = 70);
ALTER TABLE llm_cost_daily_summary RENAME COLUMN hour_start TO day_start;

-- One dimension at a time (repo, taskType, model, provider, userId): the rows a report grouped or
-- filtered by a single dimension reads, per hour (span 'hour') and per closed day (span 'day').
-- userId's rows are the per-user rollup (value NULL: events without a user).
CREATE TABLE llm_cost_rollup_by_dimension (
  project               TEXT COLLATE "C" NOT NULL,
  dimension             TEXT COLLATE "C" NOT NULL,
  span                  TEXT COLLATE "C" NOT NULL CHECK (span IN ('hour', 'day')),
  period_start          TIMESTAMPTZ NOT NULL,
  value                 TEXT COLLATE "C",
  events                BIGINT NOT NULL,
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
  CONSTRAINT llm_cost_rollup_by_dimension_key UNIQUE NULLS NOT DISTINCT
    (project, dimension, span, period_start, value)
) WITH (fillfactor = 70);

CREATE TABLE llm_cost_rollup_state (
  singleton     BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
  -- A UTC midnight: the closed-day tables cover every day before it and none from it on.
  daily_through TIMESTAMPTZ NOT NULL
);
INSERT INTO llm_cost_rollup_state (daily_through) VALUES (date_trunc('day', now(), 'UTC'));
