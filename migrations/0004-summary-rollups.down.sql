-- Merge what writers left pending, so that the rollups of 0002 hold everything again.
SELECT llm_cost_rollups_compact(NULL, true);

DROP TRIGGER IF EXISTS llm_cost_rollups_insert ON llm_cost_events;
DROP TRIGGER IF EXISTS llm_cost_rollups_update ON llm_cost_events;
DROP TRIGGER IF EXISTS llm_cost_rollups_delete ON llm_cost_events;
DROP TRIGGER IF EXISTS llm_cost_rollups_truncate ON llm_cost_events;
DROP TRIGGER IF EXISTS llm_cost_hourly_forget ON llm_cost_hourly;
DROP FUNCTION IF EXISTS llm_cost_rollups_record();
DROP FUNCTION IF EXISTS llm_cost_rollups_compact(integer, boolean);
DROP TABLE IF EXISTS llm_cost_rollup_delta;
DROP FUNCTION IF EXISTS llm_cost_rollups_truncate();
DROP FUNCTION IF EXISTS llm_cost_hourly_forget();
DROP TABLE IF EXISTS llm_cost_hourly_summary;
DROP TABLE IF EXISTS llm_cost_daily_summary;
DROP TABLE IF EXISTS llm_cost_rollup_by_dimension;
ALTER TABLE llm_cost_hourly RESET (fillfactor);
ALTER TABLE llm_cost_daily RESET (fillfactor);

-- The triggers of 0002, over its functions (which 0004 left in place).
CREATE TRIGGER llm_cost_hourly_insert AFTER INSERT ON llm_cost_events
  REFERENCING NEW TABLE AS llm_cost_hourly_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_hourly_apply();
CREATE TRIGGER llm_cost_hourly_update AFTER UPDATE ON llm_cost_events
  REFERENCING OLD TABLE AS llm_cost_hourly_old_rows NEW TABLE AS llm_cost_hourly_new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_hourly_apply();
CREATE TRIGGER llm_cost_hourly_delete AFTER DELETE ON llm_cost_events
  REFERENCING OLD TABLE AS llm_cost_hourly_old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_hourly_apply();
CREATE TRIGGER llm_cost_daily_forget AFTER DELETE ON llm_cost_hourly
  REFERENCING OLD TABLE AS llm_cost_hourly_gone
  FOR EACH STATEMENT EXECUTE FUNCTION llm_cost_daily_forget();
