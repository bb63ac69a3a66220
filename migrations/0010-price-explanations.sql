-- Explain every cost (issue 17): an event keeps the rates it was priced with, so its explanation adds
-- up to the stored cost after catalog updates and override changes (docs/pricing.md, "Explain").
--
-- Each distinct rate set (catalog entry, how the id matched it, period, tier, per-bucket prices as
-- exact decimal strings, rules, catalog version and source) is stored once, keyed by a hash of its
-- content: the writer inserts the sets a batch uses that it has not written before, in the batch's
-- transaction (ON CONFLICT DO NOTHING), so the hot path writes nothing more after its first batches.
-- A reference table in a distributed setup: small, read by key, never joined on the write path.
CREATE TABLE llm_pricing_rates (
  ref             TEXT COLLATE "C" PRIMARY KEY,
  catalog_id      TEXT COLLATE "C" NOT NULL,
  provider        TEXT COLLATE "C" NOT NULL,
  pricing_version TEXT NOT NULL,
  -- The whole rate set as the pricer built it (src/pricing/price-rates.ts); prices are JSON strings.
  rates           JSONB NOT NULL,
  first_used_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The rate set an event was priced with; NULL for events stored before this migration, imported, or
-- never priced by the catalog. No foreign key: the writer writes the set first in the same
-- transaction, and a distributed events table cannot reference another table's key.
ALTER TABLE llm_cost_events ADD COLUMN price_ref TEXT COLLATE "C";
