-- Negotiated rates (issue #17): the list price of a call kept beside the charged one.
--
-- estimated_cost_usd stays the charged cost (after a negotiated discount from the overrides file),
-- so the rollups, budgets and reports keep summing what is owed. list_cost_usd is the catalog's
-- price before any discount: equal to estimated_cost_usd when no discount applied; NULL when the
-- catalog did not price the call, and for events stored before this migration (a reprice fills it).
--
-- ADD COLUMN without a default is a catalog change only: no partition is rewritten.
ALTER TABLE llm_cost_events
  ADD COLUMN list_cost_usd NUMERIC(20, 12) CHECK (list_cost_usd >= 0);
