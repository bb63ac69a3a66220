-- The merge (llm_cost_rollups_compact) runs one large statement with the chunk size as a parameter.
-- After five calls in a session, PL/pgSQL may switch that statement to a generic plan, chosen with the
-- table sizes of that moment and kept until something invalidates it. PGlite never analyzes its tables,
-- so nothing does: a generic plan made while the rollups were small made later merges 10-60 times
-- slower (a chunk of 10,000 deltas on PGlite: ~120 ms, then 3-5 s). A custom plan for every call costs
-- a few milliseconds of planning.
ALTER FUNCTION llm_cost_rollups_compact(integer, boolean) SET plan_cache_mode = force_custom_plan;
