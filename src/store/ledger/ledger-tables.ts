/**
 * Every table that holds the ledger's figures (migrations 0001 and 0003): the events, their id claims
 * and the rollups. Emptying one without the others leaves figures that no event backs.
 */
export const ledgerTables: readonly string[] = [
  "llm_cost_events",
  "llm_cost_event_ids",
  "llm_cost_hourly",
  "llm_cost_daily",
  "llm_cost_hourly_summary",
  "llm_cost_daily_summary",
  "llm_cost_rollup_by_dimension",
];
