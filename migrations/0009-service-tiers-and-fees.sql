-- Charges beyond tokens (issue #17): the service tier that served a call and the per-unit fees it
-- billed. Both are facts of the call, kept beside its token counts so a reprice prices them again.
--
-- service_tier: the canonical tier ('standard', 'batch', 'flex', 'priority'), or the provider's own
-- word for one the catalog does not know (kept so the estimate can flag it); NULL when the caller did
-- not say (priced as standard). The "C" collation, like every dimension: reports group by it.
-- web_search_requests: web searches (or grounded prompts) the provider billed per unit.
--
-- ADD COLUMN on the partitioned table reaches every partition; a constant default (and NULL) is
-- stored in the catalog, not written into existing rows. The rollups do not carry either yet:
-- reports by service tier read the raw events (docs/queries.md).
ALTER TABLE llm_cost_events
  ADD COLUMN service_tier TEXT COLLATE "C"
    CHECK (service_tier ~ '^[a-z][a-z0-9_-]{0,31}$'),
  ADD COLUMN web_search_requests BIGINT NOT NULL DEFAULT 0
    CHECK (web_search_requests >= 0);
