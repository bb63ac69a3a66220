-- Drops the service tier and the per-unit fee counters (their figures stay in estimated_cost_usd).
ALTER TABLE llm_cost_events
  DROP COLUMN web_search_requests,
  DROP COLUMN service_tier;
