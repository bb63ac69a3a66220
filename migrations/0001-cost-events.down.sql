DROP TABLE IF EXISTS llm_cost_events;
