ALTER TABLE llm_cost_events DROP COLUMN span_id;
