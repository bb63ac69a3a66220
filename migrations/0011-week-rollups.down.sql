DELETE FROM llm_cost_rollup_by_dimension WHERE span = 'week';
ALTER TABLE llm_cost_rollup_by_dimension DROP CONSTRAINT llm_cost_rollup_by_dimension_span_check;
ALTER TABLE llm_cost_rollup_by_dimension
  ADD CONSTRAINT llm_cost_rollup_by_dimension_span_check CHECK (span IN ('hour', 'day'));
