-- Budgets, their alerts and where alerts go (issue 18). A budget's scope is the filters of a cost
-- report (JSONB: dimension → values) and its amount an exact decimal; its spend is never stored here,
-- it is computed from the rollups when asked.
CREATE TABLE llm_ledger_budgets (
  id          BIGSERIAL PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  scope       JSONB NOT NULL DEFAULT '{}'::jsonb,
  per         TEXT,
  period      TEXT NOT NULL,
  time_zone   TEXT NOT NULL DEFAULT 'UTC',
  amount_usd  NUMERIC(24, 6) NOT NULL CHECK (amount_usd > 0),
  thresholds  INTEGER[] NOT NULL CHECK (cardinality(thresholds) > 0),
  action      TEXT CHECK (action = 'block'),
  notify      TEXT[] NOT NULL DEFAULT '{}',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Where alerts are delivered. The secret signs each body (HMAC-SHA256); it is kept in clear because
-- signing needs it, and shown to a person only when the target is added. Default targets serve the
-- budgets that name none of their own, and the alerts that belong to no budget.
CREATE TABLE llm_ledger_alert_targets (
  id          BIGSERIAL PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('webhook', 'slack')),
  url         TEXT NOT NULL,
  secret      TEXT NOT NULL,
  is_default  BOOLEAN NOT NULL DEFAULT false,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (kind, url)
);

-- One row per alert that fired: the key names the budget, the value of a `per` budget, the period's
-- start and the threshold, so inserting it (ON CONFLICT DO NOTHING) is the once-per-period claim that
-- several replicas and restarts agree on.
CREATE TABLE llm_ledger_alert_claims (
  alert_key   TEXT PRIMARY KEY,
  budget_id   BIGINT REFERENCES llm_ledger_budgets (id) ON DELETE CASCADE,
  claimed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The durable outbox: written in the claim's transaction, delivered afterwards, at least once, with
-- the idempotency key sent on every attempt. Delivered and failed rows stay as the delivery history.
CREATE TABLE llm_ledger_alert_outbox (
  id               BIGSERIAL PRIMARY KEY,
  idempotency_key  TEXT NOT NULL UNIQUE,
  alert_key        TEXT NOT NULL,
  target_id        BIGINT NOT NULL REFERENCES llm_ledger_alert_targets (id) ON DELETE CASCADE,
  body             JSONB NOT NULL,
  state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_status      INTEGER,
  last_error       TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at      TIMESTAMPTZ
);
CREATE INDEX llm_ledger_alert_outbox_due ON llm_ledger_alert_outbox (next_attempt_at) WHERE state = 'pending';
