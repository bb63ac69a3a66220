-- Projects: the teams one service is shared by. Every event already carries its project (0001) and
-- every rollup key leads with it (0003); this names the projects and binds API keys to them.
-- The slug is what events and keys store, so it never changes (the code never updates it); the
-- display name may. 'default' is the project of every event that names none.
CREATE TABLE llm_ledger_projects (
  slug       TEXT PRIMARY KEY CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO llm_ledger_projects (slug, name) VALUES ('default', 'Default');

-- The one project a key may see and write (NULL: every project, as every key could before). Keys made
-- before this migration keep what they could do.
ALTER TABLE llm_ledger_api_keys ADD COLUMN project TEXT REFERENCES llm_ledger_projects (slug);
