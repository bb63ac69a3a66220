-- Back to the merge's default plan caching.
ALTER FUNCTION llm_cost_rollups_compact(integer, boolean) RESET plan_cache_mode;
