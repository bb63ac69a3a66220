-- Takes the service tier out of the rollups again: the tier rows of the full rollups merge back into
-- the rows of their key without a tier (as before migration 0012, every event under one row), and the
-- one-dimension rollup loses its 'serviceTier' rows. No figure is lost; reports by tier read raw
-- events again.
DELETE FROM llm_cost_rollup_by_dimension WHERE dimension = 'serviceTier';

INSERT INTO llm_cost_hourly AS r
  (project, hour_start, repo, task_type, model, provider, sdk, environment, service_tier, used_fallback, priced,
   errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens,
   cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
SELECT project, hour_start, repo, task_type, model, provider, sdk, environment, NULL, used_fallback, priced, errored,
       sum(events), sum(estimated_cost_usd), sum(provider_cost_usd), sum(input_tokens), sum(output_tokens),
       sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens)
  FROM llm_cost_hourly
 WHERE service_tier IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12
ON CONFLICT ON CONSTRAINT llm_cost_hourly_key DO UPDATE SET
  events = r.events + excluded.events, estimated_cost_usd = r.estimated_cost_usd + excluded.estimated_cost_usd,
  provider_cost_usd = r.provider_cost_usd + excluded.provider_cost_usd,
  input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens,
  cache_read_tokens = r.cache_read_tokens + excluded.cache_read_tokens,
  cache_write_tokens = r.cache_write_tokens + excluded.cache_write_tokens,
  cache_write_1h_tokens = r.cache_write_1h_tokens + excluded.cache_write_1h_tokens,
  reasoning_tokens = r.reasoning_tokens + excluded.reasoning_tokens;

INSERT INTO llm_cost_daily AS r
  (project, day_start, repo, task_type, model, provider, sdk, environment, service_tier, used_fallback, priced,
   errored, events, estimated_cost_usd, provider_cost_usd, input_tokens, output_tokens, cache_read_tokens,
   cache_write_tokens, cache_write_1h_tokens, reasoning_tokens)
SELECT project, day_start, repo, task_type, model, provider, sdk, environment, NULL, used_fallback, priced, errored,
       sum(events), sum(estimated_cost_usd), sum(provider_cost_usd), sum(input_tokens), sum(output_tokens),
       sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens)
  FROM llm_cost_daily
 WHERE service_tier IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12
ON CONFLICT ON CONSTRAINT llm_cost_daily_key DO UPDATE SET
  events = r.events + excluded.events, estimated_cost_usd = r.estimated_cost_usd + excluded.estimated_cost_usd,
  provider_cost_usd = r.provider_cost_usd + excluded.provider_cost_usd,
  input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens,
  cache_read_tokens = r.cache_read_tokens + excluded.cache_read_tokens,
  cache_write_tokens = r.cache_write_tokens + excluded.cache_write_tokens,
  cache_write_1h_tokens = r.cache_write_1h_tokens + excluded.cache_write_1h_tokens,
  reasoning_tokens = r.reasoning_tokens + excluded.reasoning_tokens;

DELETE FROM llm_cost_hourly WHERE service_tier IS NOT NULL;
DELETE FROM llm_cost_daily WHERE service_tier IS NOT NULL;

ALTER TABLE llm_cost_hourly
  DROP CONSTRAINT llm_cost_hourly_key,
  DROP COLUMN service_tier,
  ADD CONSTRAINT llm_cost_hourly_key UNIQUE NULLS NOT DISTINCT
    (project, hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored);
ALTER TABLE llm_cost_daily
  DROP CONSTRAINT llm_cost_daily_key,
  DROP COLUMN service_tier,
  ADD CONSTRAINT llm_cost_daily_key UNIQUE NULLS NOT DISTINCT
    (project, day_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored);
