-- Drops the day groups; budgets read rollups and raw events again.
DROP TABLE llm_cost_day_groups;
DROP TABLE llm_cost_day_group_builds;
DROP TABLE llm_cost_day_versions;
