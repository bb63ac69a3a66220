DROP TRIGGER IF EXISTS llm_cost_hourly_insert ON llm_cost_events;
DROP TRIGGER IF EXISTS llm_cost_hourly_update ON llm_cost_events;
DROP TRIGGER IF EXISTS llm_cost_hourly_delete ON llm_cost_events;
DROP FUNCTION IF EXISTS llm_cost_hourly_apply();
DROP TABLE IF EXISTS llm_cost_daily;
DROP TABLE IF EXISTS llm_cost_hourly;
DROP FUNCTION IF EXISTS llm_cost_daily_forget();
