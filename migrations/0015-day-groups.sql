-- Day groups (issue #18): the spend of closed local days grouped by one set of dimensions, for sets
-- no rollup carries (metadata keys, users beside another dimension) and for the sets budgets read
-- every cycle. Built on demand from raw events once a day is closed (query/day-groups), then read
-- instead of a month of events or rollup rows.
--
-- A build is valid while the versions of the UTC days its local day overlaps are unchanged: writers
-- add one to a UTC day's version in the statement that adds a late event to it (a day closed before
-- the event arrived), and so does a reprice of its events (store/ledger/rollup-upserts.ts). A day
-- without a row has version 0. Rows are never deleted: a version that went back could revive a stale
-- build.
CREATE TABLE llm_cost_day_versions (
  day_start TIMESTAMPTZ PRIMARY KEY,
  version BIGINT NOT NULL CHECK (version > 0)
);

-- One row per built (set, zone, local day, version): `version` is the sum of the versions of the UTC
-- days the local day overlaps when it was built. `set_key` is the set's sorted dimension names as a
-- JSON array.
CREATE TABLE llm_cost_day_group_builds (
  set_key TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  day_start TIMESTAMPTZ NOT NULL,
  version BIGINT NOT NULL,
  built_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (set_key, time_zone, day_start, version)
);

-- A build's groups: `keys` the set's values in its dimensions' order (NULL: events without one).
CREATE TABLE llm_cost_day_groups (
  set_key TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  day_start TIMESTAMPTZ NOT NULL,
  version BIGINT NOT NULL,
  keys TEXT[] NOT NULL,
  events BIGINT NOT NULL,
  cost_usd NUMERIC NOT NULL,
  FOREIGN KEY (set_key, time_zone, day_start, version)
    REFERENCES llm_cost_day_group_builds ON DELETE CASCADE
);
CREATE INDEX llm_cost_day_groups_build ON llm_cost_day_groups (set_key, time_zone, day_start, version);
