DROP TABLE llm_cost_rollup_state;
DROP TABLE llm_cost_rollup_by_dimension;
DROP TABLE llm_cost_daily_summary;
DROP TABLE llm_cost_hourly_summary;
DROP TABLE llm_cost_daily;
DROP TABLE llm_cost_hourly;
