-- The event ledger: one row per LLM provider call.
-- Keeps every column of the original design (same names and meanings) and fixes its flaws:
-- exact NUMERIC(20,12) money (NUMERIC(12,8) rounded tiny costs to zero and capped one event at
-- $9,999.99999999), BIGINT token counts with checks, and an event_id that makes writes idempotent.
CREATE TABLE llm_cost_events (
  id                    BIGSERIAL PRIMARY KEY,
  event_id              UUID NOT NULL UNIQUE,
  -- The time of the call, stamped by the caller; ingested_at is the time of the insert.
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  ingested_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  delivery_id           TEXT,
  repo                  TEXT NOT NULL,
  task_type             TEXT NOT NULL,
  -- The id the provider served or was asked for; resolved_model is the pricing catalog's id for it.
  model                 TEXT NOT NULL,
  resolved_model        TEXT,
  provider              TEXT NOT NULL,
  sdk                   TEXT NOT NULL,
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
  user_id               TEXT,
  session_id            TEXT,
  trace_id              TEXT,
  environment           TEXT,
  metadata              JSONB
);

CREATE INDEX idx_llm_cost_events_repo ON llm_cost_events (repo);
CREATE INDEX idx_llm_cost_events_task_type ON llm_cost_events (task_type);
CREATE INDEX idx_llm_cost_events_model ON llm_cost_events (model);
CREATE INDEX idx_llm_cost_events_created_at ON llm_cost_events (created_at);
CREATE INDEX idx_llm_cost_events_delivery_id ON llm_cost_events (delivery_id);
