-- Drops the list price (the charged cost stays in estimated_cost_usd).
ALTER TABLE llm_cost_events DROP COLUMN list_cost_usd;
