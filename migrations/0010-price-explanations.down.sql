ALTER TABLE llm_cost_events DROP COLUMN price_ref;
DROP TABLE llm_pricing_rates;
