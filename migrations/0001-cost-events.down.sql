DROP TABLE llm_cost_event_ids;
DROP TABLE llm_cost_events;
