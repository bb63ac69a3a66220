-- The event ledger: one row per LLM provider call, in monthly partitions by the time of the call.
-- Keeps every column of the original design (same names and meanings) and fixes its flaws: exact
-- NUMERIC(20,12) money, BIGINT token counts with checks, and an event_id that makes writes idempotent.
--
-- No triggers: the writer keeps the rollups (0003) in step in the transaction that inserts, which is
-- what Citus (distributed Postgres) supports. Every statement here stays within what Citus runs; see
-- docs/scaling.md for the distribution column and what a distributed setup changes.
--
-- The dimensions (project, repo, task type, model, provider, SDK, environment, user, session) use the
-- "C" collation: byte order, the same on every server, and the cheapest comparison. Rollup keys are
-- compared on every write (the upserts) and every report (grouping), and the rollups (0003) use it too,
-- so raw and rolled-up figures group and order alike.
CREATE TABLE llm_cost_events (
  -- The row id: the order in which the store received events (the events cursor's tiebreak).
  id                    BIGSERIAL NOT NULL,
  -- The team the event belongs to: the leading key of eventId uniqueness and of every rollup.
  project               TEXT COLLATE "C" NOT NULL DEFAULT 'default',
  event_id              UUID NOT NULL,
  -- The time of the call, stamped by the caller (the partition key); ingested_at is the insert's.
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  ingested_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  delivery_id           TEXT,
  repo                  TEXT COLLATE "C" NOT NULL,
  task_type             TEXT COLLATE "C" NOT NULL,
  -- The id the application sent; resolved_model is the canonical model id the catalog priced it as.
  model                 TEXT COLLATE "C" NOT NULL,
  resolved_model        TEXT COLLATE "C",
  provider              TEXT COLLATE "C" NOT NULL,
  sdk                   TEXT COLLATE "C" NOT NULL,
  input_tokens          BIGINT NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens         BIGINT NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  cache_read_tokens     BIGINT NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0),
  cache_write_tokens    BIGINT NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
  cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0 CHECK (cache_write_1h_tokens >= 0),
  -- Informational: reasoning tokens are already counted in output_tokens.
  reasoning_tokens      BIGINT NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0 AND reasoning_tokens <= output_tokens),
  estimated_cost_usd    NUMERIC(20, 12) NOT NULL DEFAULT 0 CHECK (estimated_cost_usd >= 0),
  -- What the provider or SDK itself reported, when it did.
  provider_cost_usd     NUMERIC(20, 12) CHECK (provider_cost_usd >= 0),
  cost_source           TEXT NOT NULL DEFAULT 'catalog' CHECK (cost_source IN ('catalog', 'provider', 'none')),
  priced                BOOLEAN NOT NULL DEFAULT true,
  pricing_version       TEXT,
  duration_ms           INTEGER CHECK (duration_ms >= 0),
  used_fallback         BOOLEAN NOT NULL DEFAULT false,
  fallback_reason       TEXT,
  error                 TEXT,
  user_id               TEXT COLLATE "C",
  session_id            TEXT COLLATE "C",
  trace_id              TEXT,
  environment           TEXT COLLATE "C",
  metadata              JSONB
) PARTITION BY RANGE (created_at);

-- Months get partitions of their own as the writer first meets them (store/ledger/partitions.ts);
-- rows of a month whose partition could not be made (or far from now) land here.
CREATE TABLE llm_cost_events_default PARTITION OF llm_cost_events DEFAULT;

-- Newest first, then by id: the events list and its cursor; also every time-range read.
CREATE INDEX idx_llm_cost_events_created_at ON llm_cost_events (created_at, id);
CREATE INDEX idx_llm_cost_events_repo ON llm_cost_events (repo);
CREATE INDEX idx_llm_cost_events_task_type ON llm_cost_events (task_type);
CREATE INDEX idx_llm_cost_events_model ON llm_cost_events (model);
CREATE INDEX idx_llm_cost_events_delivery_id ON llm_cost_events (delivery_id);

-- Which event ids are stored, whatever month their event is in. A unique index of a partitioned table
-- must contain the partition key, yet an id must be stored once however late it is re-sent with another
-- created_at: so the writer claims each id here first and inserts the events whose claim succeeded.
-- created_at says which partition holds the event, and lets a purge drop the claims of a dropped month.
CREATE TABLE llm_cost_event_ids (
  project    TEXT COLLATE "C" NOT NULL,
  event_id   UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  -- event_id first: reads that know an id but not its project (an event's detail) use this index too.
  PRIMARY KEY (event_id, project)
);
-- Claims arrive roughly in time order, so a block range index finds a month's claims for almost nothing
-- on the write path (a B-tree would cost every insert another index entry).
CREATE INDEX idx_llm_cost_event_ids_created_at ON llm_cost_event_ids USING brin (created_at);
