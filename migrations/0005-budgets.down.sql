DROP TABLE IF EXISTS llm_ledger_alert_outbox;
DROP TABLE IF EXISTS llm_ledger_alert_claims;
DROP TABLE IF EXISTS llm_ledger_alert_targets;
DROP TABLE IF EXISTS llm_ledger_budgets;
