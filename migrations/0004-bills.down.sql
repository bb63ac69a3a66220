DROP TABLE IF EXISTS llm_ledger_bills;
