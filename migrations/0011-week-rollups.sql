-- Closed ISO weeks (Monday 00:00 UTC to the next) in the one-dimension rollup (0003), span 'week':
-- a report over a month reads four or five rows per user (or model, repo, ...) instead of thirty.
-- A week's rows hold the sums of its seven day rows and exist exactly for the weeks whose every day is
-- closed, those starting before date_trunc('week', daily_through, 'UTC'). The day closing builds them
-- (store/ledger/close-days.ts), late events of a closed week are added to them as to the days, and
-- reprice and the rollup purge keep them exact; queries read the rest of a week from days and hours.
ALTER TABLE llm_cost_rollup_by_dimension DROP CONSTRAINT llm_cost_rollup_by_dimension_span_check;
ALTER TABLE llm_cost_rollup_by_dimension
  ADD CONSTRAINT llm_cost_rollup_by_dimension_span_check CHECK (span IN ('hour', 'day', 'week'));

-- The weeks already closed, from the day rows a database made before holds.
INSERT INTO llm_cost_rollup_by_dimension
SELECT project, dimension, 'week', date_trunc('week', period_start, 'UTC'), value, sum(events)::bigint,
       sum(fallbacks)::bigint, sum(errors)::bigint, sum(unpriced)::bigint, sum(estimated_cost_usd),
       sum(provider_cost_usd), sum(input_tokens)::bigint, sum(output_tokens)::bigint,
       sum(cache_read_tokens)::bigint, sum(cache_write_tokens)::bigint, sum(cache_write_1h_tokens)::bigint,
       sum(reasoning_tokens)::bigint
  FROM llm_cost_rollup_by_dimension
 WHERE span = 'day'
   AND period_start < date_trunc('week', (SELECT daily_through FROM llm_cost_rollup_state), 'UTC')
 GROUP BY project, dimension, date_trunc('week', period_start, 'UTC'), value;
