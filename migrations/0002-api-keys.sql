-- API keys of the HTTP service. Only a SHA-256 hash of each key is stored: the key itself is shown
-- once, when it is created. `prefix` (the first characters) lets people tell keys apart in lists.
CREATE TABLE llm_ledger_api_keys (
  id           BIGSERIAL PRIMARY KEY,
  name         TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  scopes       TEXT[] NOT NULL CHECK (scopes <@ ARRAY['ingest', 'read', 'admin']::text[] AND cardinality(scopes) > 0),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ,
  revoked_at   TIMESTAMPTZ
);
